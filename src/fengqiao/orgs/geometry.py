"""Point-in-grid resolution with shapely's STRtree, cached per process.

The index is rebuilt when the grid layer changes. Other processes (web workers, the task worker)
notice through a cheap version token (count and latest update of grid units), so an edit in the
admin is seen everywhere without a restart.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.db.models import Count, Max
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

from fengqiao.orgs.models import Level, OrgUnit


class InvalidGeometry(ValueError):
    pass


def parse_boundary(geojson: dict[str, Any]) -> shapely.Geometry:
    """Validate a GeoJSON Polygon/MultiPolygon and return it as a shapely geometry."""
    if not isinstance(geojson, dict) or geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        raise InvalidGeometry("boundary must be a GeoJSON Polygon or MultiPolygon")
    try:
        geometry = shape(geojson)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InvalidGeometry(f"boundary is not valid GeoJSON: {exc}") from exc
    if geometry.is_empty or not geometry.is_valid:
        raise InvalidGeometry(
            f"boundary is not a valid polygon: {shapely.is_valid_reason(geometry)}"
        )
    min_x, min_y, max_x, max_y = geometry.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise InvalidGeometry("boundary coordinates must be WGS 84 longitude/latitude")
    return geometry


@dataclass(frozen=True)
class _GridIndex:
    token: Any
    tree: STRtree
    unit_ids: np.ndarray
    geometries: list[shapely.Geometry]


_lock = threading.Lock()
_index: _GridIndex | None = None


def _version_token() -> tuple[int, str]:
    row = OrgUnit.objects.filter(level=Level.GRID).aggregate(n=Count("id"), last=Max("updated_at"))
    return row["n"], row["last"].isoformat() if row["last"] else ""


def _build(token: Any) -> _GridIndex:
    ids: list[int] = []
    geometries: list[shapely.Geometry] = []
    rows = OrgUnit.objects.filter(level=Level.GRID, is_active=True, boundary__isnull=False)
    for unit_id, boundary in rows.values_list("id", "boundary").iterator(chunk_size=2000):
        if boundary is None:
            continue
        try:
            geometries.append(parse_boundary(boundary))
        except InvalidGeometry:
            continue  # validated on save; a bad legacy row must not break resolution for all
        ids.append(unit_id)
    return _GridIndex(token, STRtree(geometries), np.asarray(ids, dtype=np.int64), geometries)


def grid_index(token: Any = None) -> _GridIndex:
    """The current index. ``token`` is a version of the grid layer the caller already read
    (``core.refcache``); without one, this reads the grid layer's own version."""
    global _index
    token = token if token is not None else _version_token()
    current = _index
    if current is not None and current.token == token:
        return current
    with _lock:
        if _index is None or _index.token != token:
            _index = _build(token)
        return _index


def invalidate() -> None:
    global _index
    with _lock:
        _index = None


def resolve_grid_ids(points: list[tuple[float, float]], *, token: Any = None) -> list[int | None]:
    """Grid unit id for each (lng, lat) point, or None where the point lies on no grid.

    A point on a shared border belongs to the grid with the lowest id, so every point has at
    most one answer and the answer is stable.
    """
    if not points:
        return []
    index = grid_index(token)
    result: list[int | None] = [None] * len(points)
    if len(index.unit_ids) == 0:
        return result
    geoms = shapely.points(np.asarray(points, dtype=float))
    point_idx, tree_idx = index.tree.query(geoms, predicate="intersects")
    for p, t in zip(point_idx.tolist(), tree_idx.tolist(), strict=True):
        unit_id = int(index.unit_ids[t])
        current = result[p]
        if current is None or unit_id < current:
            result[p] = unit_id
    return result


def resolve_grid(lng: float, lat: float) -> OrgUnit | None:
    """The grid containing the point, or None."""
    (unit_id,) = resolve_grid_ids([(lng, lat)])
    if unit_id is None:
        return None
    # Callers want the grid's identity and place in the tree, not megabytes of boundaries.
    return (
        OrgUnit.objects.select_related("parent")
        .defer("boundary", "parent__boundary")
        .get(pk=unit_id)
    )


def centroid_of(geojson: dict[str, Any]) -> tuple[float, float]:
    """(lat, lng) of a representative point that is guaranteed to lie inside the polygon."""
    point: Point = parse_boundary(geojson).representative_point()
    return point.y, point.x
