"""Computing coverage: which grids and villages lie within N minutes of a station, and how much.

Each unit is measured at a lattice of sample points inside its boundary (shapely), so a grid whose
near corner touches the circle is "partly" covered with the share of its area that is; the
unit's population is spread evenly over that area. All points of the city go through one k-d
tree query against all stations, so a city of ten thousand grids takes about a second.

A run is computed for one version of the stations, units and travel settings (:func:`coverage_key`)
and kept until a newer one is done; pages ask for it with :func:`coverage_request`, which queues
the computation on the worker when the stored run is out of date.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from numpy.typing import NDArray

from fengqiao.core.errors import NotFound, ValidationFailed
from fengqiao.orgs.geometry import InvalidGeometry, parse_boundary
from fengqiao.orgs.models import PATH_SEGMENT_WIDTH, Level, OrgUnit, StationKind
from fengqiao.service_circle.config import circle_config
from fengqiao.service_circle.geo import nearest_km
from fengqiao.service_circle.models import CoverageCell, CoverageRun, CoverageStatus, RunStatus
from fengqiao.service_circle.stations import (
    layer_token,
    station_table,
    version_digest,
    version_token,
)

logger = logging.getLogger(__name__)

MAX_MINUTES = 120
_CELL_BATCH = 2000


@dataclass(frozen=True)
class CoverageKey:
    mode: str
    minutes: int
    kind: str
    version: str


def validate_params(*, mode: str, minutes: int, kind: str) -> None:
    errors: list[dict[str, str]] = []
    if mode not in circle_config().speeds_kmh:
        modes = ", ".join(circle_config().speeds_kmh)
        errors.append({"field": "mode", "message": f"must be one of {modes}"})
    if not 1 <= minutes <= MAX_MINUTES:
        errors.append({"field": "minutes", "message": f"must be between 1 and {MAX_MINUTES}"})
    if kind and kind not in StationKind.values:
        errors.append({"field": "kind", "message": "unknown station kind"})
    if errors:
        raise ValidationFailed(errors[0]["message"], field=errors[0]["field"], errors=errors)


def coverage_key(*, mode: str, minutes: int, kind: str = "") -> CoverageKey:
    validate_params(mode=mode, minutes=minutes, kind=kind)
    version = version_digest(version_token(), layer_token(), circle_config().token())
    return CoverageKey(mode, minutes, kind, version)


def sample_points(geometry: shapely.Geometry, target: int) -> tuple[NDArray[Any], NDArray[Any]]:
    """(lngs, lats) of about ``target`` lattice points inside ``geometry``.

    The lattice spans the bounding box at cell centres; a polygon filling little of its box gets
    a finer lattice once, and one too thin for any lattice point is measured at its
    representative point.
    """
    min_x, min_y, max_x, max_y = geometry.bounds
    side = max(1, math.isqrt(max(target, 1) - 1) + 1)
    xs = ys = np.empty(0)
    for k in (side, side * 2):
        fx = (np.arange(k) + 0.5) / k
        gx, gy = np.meshgrid(min_x + fx * (max_x - min_x), min_y + fx * (max_y - min_y))
        inside = shapely.contains_xy(geometry, gx.ravel(), gy.ravel())
        xs, ys = gx.ravel()[inside], gy.ravel()[inside]
        if len(xs) * 2 >= target:
            break
    if len(xs) == 0:
        point = geometry.representative_point()
        xs, ys = np.asarray([point.x]), np.asarray([point.y])
    return xs, ys


@dataclass
class _Unit:
    unit_id: int
    path: str
    level: int
    population: int | None
    lat: float
    lng: float
    lngs: NDArray[Any]
    lats: NDArray[Any]


def _load_units(samples_per_unit: int) -> list[_Unit]:
    rows = list(
        OrgUnit.objects.filter(level__in=[Level.VILLAGE, Level.GRID], is_active=True)
        .order_by("path")
        .values_list(
            "id", "path", "level", "population", "boundary", "centroid_lat", "centroid_lng"
        )
    )
    # A village without a population of its own has the total of its grids where any is known.
    grid_totals: dict[str, int] = {}
    for _id, path, level, population, *_rest in rows:
        if level == Level.GRID and population is not None:
            parent = path[:-PATH_SEGMENT_WIDTH]
            grid_totals[parent] = grid_totals.get(parent, 0) + population
    units: list[_Unit] = []
    for unit_id, path, level, population, boundary, c_lat, c_lng in rows:
        if level == Level.VILLAGE and population is None:
            population = grid_totals.get(path)
        try:
            geometry = parse_boundary(boundary) if boundary else None
        except InvalidGeometry:
            geometry = None
        if geometry is not None:
            lngs, lats = sample_points(geometry, samples_per_unit)
        elif c_lat is not None and c_lng is not None:
            lngs, lats = np.asarray([c_lng]), np.asarray([c_lat])
        else:
            continue  # no place on the map: nothing to measure
        if c_lat is None or c_lng is None:
            c_lat, c_lng = float(lats[0]), float(lngs[0])
        units.append(_Unit(unit_id, path, level, population, c_lat, c_lng, lngs, lats))
    return units


def status_of(covered: int, samples: int) -> str:
    if covered == samples:
        return CoverageStatus.COVERED
    return CoverageStatus.NOT_COVERED if covered == 0 else CoverageStatus.PARTLY


def coverage_compute(*, mode: str, minutes: int, kind: str = "") -> CoverageRun:
    """Compute (or return the already computed) coverage for the current version."""
    key = coverage_key(mode=mode, minutes=minutes, kind=kind)
    run, _ = CoverageRun.objects.get_or_create(
        mode=key.mode, minutes=key.minutes, kind=key.kind, version=key.version
    )
    if run.status == RunStatus.DONE:
        return run
    started = time.perf_counter()
    config = circle_config()
    table = station_table()
    mask = table.kinds == kind if kind else np.ones(len(table), dtype=bool)
    s_lats, s_lngs = table.lats[mask], table.lngs[mask]
    units = _load_units(config.samples_per_unit)
    counts = np.asarray([len(u.lats) for u in units], dtype=np.int64)
    all_lats = np.concatenate([u.lats for u in units] + [np.empty(0)])
    all_lngs = np.concatenate([u.lngs for u in units] + [np.empty(0)])
    reach = config.reach_km(mode, minutes)
    sample_km, _ = nearest_km(all_lats, all_lngs, s_lats, s_lngs)
    covered = sample_km <= reach
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if len(counts) else np.empty(0, int)
    covered_counts: Any = np.add.reduceat(covered.astype(np.int64), starts) if len(units) else []
    centre_km, _ = nearest_km([u.lat for u in units], [u.lng for u in units], s_lats, s_lngs)
    cells = []
    for unit, n, hit, c_km in zip(units, counts, covered_counts, centre_km, strict=True):
        share = int(hit) / int(n)
        population = unit.population
        cells.append(
            CoverageCell(
                run=run,
                unit_id=unit.unit_id,
                unit_path=unit.path,
                level=unit.level,
                samples=int(n),
                covered_samples=int(hit),
                share=share,
                status=status_of(int(hit), int(n)),
                lat=unit.lat,
                lng=unit.lng,
                centre_minutes=float(config.minutes(c_km, mode)) if np.isfinite(c_km) else None,
                population=population,
                covered_population=None if population is None else population * share,
                uncovered_population=None if population is None else population * (1 - share),
            )
        )
    with transaction.atomic():
        locked = CoverageRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RunStatus.DONE:
            return locked  # another worker finished the same version first
        CoverageCell.objects.filter(run=locked).delete()
        CoverageCell.objects.bulk_create(cells, batch_size=_CELL_BATCH)
        locked.status = RunStatus.DONE
        locked.computed_at = timezone.now()
        locked.station_count = len(s_lats)
        locked.unit_count = len(cells)
        locked.sample_count = int(counts.sum())
        locked.duration_ms = int((time.perf_counter() - started) * 1000)
        locked.error = ""
        locked.save()
        # Older versions of the same question are superseded; runs still waiting stay.
        CoverageRun.objects.filter(mode=mode, minutes=minutes, kind=kind).exclude(
            pk=locked.pk
        ).exclude(status=RunStatus.PENDING).delete()
    logger.info(
        "coverage %s/%s/%s: %s units, %s samples, %s ms",
        mode,
        minutes,
        kind or "*",
        locked.unit_count,
        locked.sample_count,
        locked.duration_ms,
    )
    return locked


def coverage_run_execute(*, run_id: int) -> CoverageRun:
    """The task's entry: compute the run's question for the version current now."""
    run = CoverageRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound("coverage run not found")
    try:
        result = coverage_compute(mode=run.mode, minutes=run.minutes, kind=run.kind)
    except Exception as exc:
        logger.exception("coverage run %s failed", run_id)
        CoverageRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
            status=RunStatus.FAILED, error=str(exc)[:255]
        )
        raise
    if result.pk != run.pk:
        # Stations changed while the run waited: the result answers a newer version.
        CoverageRun.objects.filter(pk=run.pk, status=RunStatus.PENDING).delete()
    return result


def coverage_request(*, mode: str, minutes: int, kind: str = "") -> CoverageRun:
    """The run for the current version: done, or pending with its computation queued once."""
    key = coverage_key(mode=mode, minutes=minutes, kind=kind)
    with transaction.atomic():
        run, created = CoverageRun.objects.get_or_create(
            mode=key.mode, minutes=key.minutes, kind=key.kind, version=key.version
        )
        if created or run.status == RunStatus.FAILED:
            if run.status == RunStatus.FAILED:
                run.status, run.error, run.requested_at = RunStatus.PENDING, "", timezone.now()
                run.save(update_fields=["status", "error", "requested_at"])
            from fengqiao.service_circle.tasks import coverage_run

            # Enqueued in this transaction (durable queue): a rolled-back request leaves no task.
            coverage_run.enqueue(run.pk)
    return run
