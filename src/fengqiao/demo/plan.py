"""Planning a demo region without the database: a seeded tree of units whose polygons tile.

Each level is cut into Voronoi cells around seeded points, borders are bent into gentle curves,
and every grid border is snapped to a 1e-6 degree lattice so neighbours share identical edges;
villages, townships and districts are then exact unions of their grids.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, Polygon
from shapely.strtree import STRtree

from fengqiao.demo import names
from fengqiao.demo.names import DISTRICTS, DistrictSpec
from fengqiao.orgs.models import Level

DEFAULT_SEED = 20240530
CITY_CODE = "500000000000"
# Stored coordinates sit on a 1e-6 degree lattice (6 decimals, about 0.1 m). Noding every border
# on that lattice makes neighbours share identical vertices, so they tile without slivers.
GRID_SIZE = 1e-6
KM_PER_DEG_LAT = 110.57
LLOYD_ROUNDS = 2
# Border curvature (degrees): waves from ~9 km down to ~1 km, borders densified to ~200 m.
WARP_WAVELENGTHS = (0.08, 0.04, 0.02, 0.01)
WARP_SLOPE = 0.2
WARP_SEGMENT = 0.002


@dataclass(frozen=True)
class RegionSize:
    """Inclusive (low, high) child counts per level; the seed picks within each range."""

    townships: tuple[int, int] = (7, 9)
    villages: tuple[int, int] = (9, 11)
    grids: tuple[int, int] = (4, 6)


FULL_SIZE = RegionSize()


@dataclass(frozen=True)
class PlannedUnit:
    code: str
    name: str
    level: Level
    geometry: Any  # shapely Polygon; a MultiPolygon for the city (its districts do not touch)
    population: int
    children: tuple[PlannedUnit, ...] = ()
    name_en: str = ""

    def walk(self) -> Iterator[PlannedUnit]:
        yield self
        for child in self.children:
            yield from child.walk()


# --- geometry ----------------------------------------------------------------------------------


def _outline(rng: np.random.Generator, lng: float, lat: float, radius_km: float) -> Polygon:
    """A star-shaped district outline: a circle whose radius wobbles with a few low harmonics (the
    broad lobes of a real district) and small per-vertex noise. Radius stays positive and angles
    increase, so the ring never crosses itself."""
    n = 72
    theta = np.sort((np.arange(n) + rng.uniform(-0.35, 0.35, n)) * (2 * math.pi / n))
    radius = np.ones(n)
    for k in range(2, 9):
        radius += (
            rng.uniform(0.04, 0.16) / (k - 1) * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
        )
    radius *= radius_km * (1 + rng.normal(0, 0.03, n))
    km_per_deg_lng = KM_PER_DEG_LAT * math.cos(math.radians(lat))
    xs = lng + radius * np.cos(theta) / km_per_deg_lng
    ys = lat + radius * np.sin(theta) / KM_PER_DEG_LAT
    return Polygon(np.column_stack([xs, ys]))


def _sample_inside(parent: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    x0, y0, x1, y1 = parent.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        candidates = rng.uniform((x0, y0), (x1, y1), (4 * n, 2))
        inside = shapely.contains_xy(parent, candidates[:, 0], candidates[:, 1])
        found = np.vstack([found, candidates[inside]])
    return found[:n]


def _voronoi_cells(parent: Any, points: np.ndarray) -> list[Any]:
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=parent, ordered=True)
    return _absorb_strays(list(shapely.intersection(shapely.get_parts(diagram), parent)), 1e-9)


def _absorb_strays(cells: list[Any], grid_size: float) -> list[Any]:
    """Keep each cell's largest piece and give every stray piece to the neighbour it shares most
    border with, so units are whole. A convex Voronoi cell clipped to a non-convex parent can fall
    apart; snapping to the lattice can pinch a pixel-sized tip off a thin cell."""
    mains: list[Any] = []
    strays: list[Any] = []
    for cell in cells:
        parts = [part for part in shapely.get_parts(cell) if part.geom_type == "Polygon"]
        parts.sort(key=lambda part: -part.area)
        mains.append(parts[0])
        strays.extend(parts[1:])
    while strays:
        # Pieces of one diagram meet only to ~1e-15, so "shared border" is measured with slack.
        # The best-attached stray goes first, so a stray that touches only strays waits its turn.
        slack = shapely.buffer(mains, 1e-9)
        contact = np.array(
            [shapely.length(shapely.intersection(s.boundary, slack)) for s in strays]
        )
        i, best = np.unravel_index(int(np.argmax(contact)), contact.shape)
        mains[best] = shapely.union(mains[best], strays.pop(int(i)), grid_size=grid_size)
    return mains


def _partition(parent: Any, n: int, rng: np.random.Generator) -> list[Any]:
    """Split ``parent`` into ``n`` cells: Voronoi cells of seeded points, relaxed a little towards
    their centroids (Lloyd) so units come out compact rather than splintered."""
    if n == 1:
        return [parent]
    points = _sample_inside(parent, n, rng)
    for _ in range(LLOYD_ROUNDS):
        centroids = shapely.get_coordinates(shapely.centroid(_voronoi_cells(parent, points)))
        inside = shapely.contains_xy(parent, centroids[:, 0], centroids[:, 1])
        points = np.where(inside[:, None], centroids, points)
    return _voronoi_cells(parent, points)


def _by_distance(cells: list[Any], origin: Any) -> list[Any]:
    """Order cells centre-out, so serial 001 is the central one (streets before towns)."""
    return sorted(cells, key=lambda cell: origin.distance(cell.centroid))


def _warp(cells: list[Any], rng: np.random.Generator) -> list[Any]:
    """Bend straight Voronoi borders into gentle curves, as rivers and ridges bend real ones.

    Borders are densified, then every vertex moves by one smooth displacement field: a shared
    vertex moves the same way on both sides, and each wave's slope (amplitude x wavenumber) is
    at most WARP_SLOPE, so their sum stays below 1 and the map cannot fold over itself.
    """
    waves = []
    for wavelength in WARP_WAVELENGTHS:
        along, across = rng.uniform(0, 2 * math.pi, 2)
        amplitude = WARP_SLOPE * wavelength / (2 * math.pi)
        waves.append((wavelength, along, across, amplitude, rng.uniform(0, 2 * math.pi)))

    def displace(xy: np.ndarray) -> np.ndarray:
        moved = xy.copy()
        for wavelength, along, across, amplitude, phase in waves:
            s = xy @ np.array([math.cos(along), math.sin(along)]) * (2 * math.pi / wavelength)
            push = amplitude * np.sin(s + phase)
            moved += push[:, None] * np.array([math.cos(across), math.sin(across)])
        return moved

    return list(shapely.transform(shapely.segmentize(cells, WARP_SEGMENT), displace))


def _snap_leaves(leaves: list[Any]) -> list[Any]:
    """Node all leaf borders together on the coordinate lattice and rebuild each leaf from the
    faces. Leaves cut from different parents agree only to ~1e-15 beforehand; afterwards shared
    borders have identical vertices, so unions up the tree are exact and nothing overlaps."""
    lines = shapely.union_all(shapely.boundary(leaves), grid_size=GRID_SIZE)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    probes = shapely.point_on_surface(faces)
    face_idx, leaf_idx = STRtree(leaves).query_nearest(probes, all_matches=False)
    groups: list[list[Any]] = [[] for _ in leaves]
    for f, leaf in zip(face_idx.tolist(), leaf_idx.tolist(), strict=True):
        groups[leaf].append(faces[f])
    if not all(groups):
        raise RuntimeError("a generated grid vanished when snapped to the coordinate lattice")
    return _absorb_strays([shapely.union_all(group) for group in groups], GRID_SIZE)


# --- the pure plan -----------------------------------------------------------------------------


def _count(rng: np.random.Generator, bounds: tuple[int, int]) -> int:
    return int(rng.integers(bounds[0], bounds[1] + 1))


def _draft_district(spec: DistrictSpec, rng: np.random.Generator, size: RegionSize) -> PlannedUnit:
    """The district tree with unsnapped Voronoi cells; populations are set on grids only."""
    outline = _outline(rng, spec.lng, spec.lat, float(rng.uniform(13, 16)))
    n_townships = _count(rng, size.townships)
    n_streets = min(len(spec.streets), math.ceil(n_townships * 0.55))
    township_names = spec.streets[:n_streets] + spec.towns[: n_townships - n_streets]
    stems = iter([names.VILLAGE_STEMS[i] for i in rng.permutation(len(names.VILLAGE_STEMS))])
    t_cells = _by_distance(_partition(outline, n_townships, rng), Point(spec.lng, spec.lat))
    townships = []
    for t_serial, (t_cell, t_name) in enumerate(zip(t_cells, township_names, strict=True), 1):
        t_code = f"{spec.code[:6]}{t_serial:03d}000"
        n_villages = _count(rng, size.villages)
        # Streets are mostly urban communities; towns have a community or two at their seat.
        n_communities = max(1, round(n_villages * (0.7 if t_name.endswith("街道") else 0.2)))
        villages = []
        v_cells = _by_distance(_partition(t_cell, n_villages, rng), t_cell.centroid)
        for v_serial, v_cell in enumerate(v_cells, 1):
            v_code = f"{t_code[:9]}{v_serial:03d}"
            community = v_serial <= n_communities
            v_name = next(stems) + ("社区" if community else "村")
            low, high = (1200, 3000) if community else (800, 2000)
            g_cells = _by_distance(
                _partition(v_cell, _count(rng, size.grids), rng), v_cell.centroid
            )
            people = rng.integers(low, high + 1, len(g_cells)).tolist()
            grids = tuple(
                PlannedUnit(f"{v_code}{g:03d}", f"{v_name}第{g}网格", Level.GRID, cell, n)
                for g, (cell, n) in enumerate(zip(g_cells, people, strict=True), 1)
            )
            villages.append(PlannedUnit(v_code, v_name, Level.VILLAGE, v_cell, 0, grids))
        townships.append(PlannedUnit(t_code, t_name, Level.TOWNSHIP, t_cell, 0, tuple(villages)))
    return PlannedUnit(
        spec.code, spec.name, Level.DISTRICT, outline, 0, tuple(townships), spec.name_en
    )


def _rebuild(unit: PlannedUnit, leaves: Iterator[Any]) -> PlannedUnit:
    """Replace drafted shapes bottom-up: each grid takes the next snapped leaf, and every parent
    becomes exactly the union of its children, with their total population."""
    if not unit.children:
        return replace(unit, geometry=next(leaves))
    children = tuple(_rebuild(child, leaves) for child in unit.children)
    return replace(
        unit,
        geometry=shapely.union_all([child.geometry for child in children]),
        population=sum(child.population for child in children),
        children=children,
    )


def plan_region(*, seed: int = DEFAULT_SEED, size: RegionSize = FULL_SIZE) -> PlannedUnit:
    """The city unit of a demo region, with its whole tree; the same seed gives the same tree."""
    drafts, leaves = [], []
    for index, spec in enumerate(DISTRICTS):
        # One generator per district keeps a district stable when the other one's size changes.
        rng = np.random.default_rng([seed, index])
        drafts.append(draft := _draft_district(spec, rng, size))
        leaves += _snap_leaves(_warp([u.geometry for u in draft.walk() if not u.children], rng))
    city = PlannedUnit(
        CITY_CODE, names.CITY_NAME, Level.CITY, None, 0, tuple(drafts), names.CITY_NAME_EN
    )
    return _rebuild(city, iter(leaves))
