"""15-minute service circle on a city of 10,000 grids and 3,000 stations: product versus plain code.

A scratch SQLite database gets a seeded square city (10 townships × 10 villages × 100 grids of
0.005°, about 0.5 km) and ``stations`` stations at random places. Then:

* nearest: ``fengqiao.service_circle.nearest.nearest_stations`` (one NumPy haversine pass over
  the cached station table, ten nearest, rows fetched by id) for ``queries`` random points,
  versus the plain way: read the stations, loop computing the haversine to each, sort. Reported as
  the 95th percentile of each; ``nearest_ratio`` = baseline p95 / product p95 (the same ten
  stations must come first);
* coverage: ``coverage_compute`` end to end (read units, sample 25 points per unit, one k-d tree
  query against all stations, write one row per grid and village), versus computing the same
  shares with a brute-force NumPy distance matrix per unit (no database at all), timed on every
  10th unit and scaled to the city. ``coverage_ratio`` = baseline seconds / product seconds; the
  covered shares must agree.

    python bench/service_circle.py [--side 100] [--stations 3000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

SEED = 20261125
BASELINE_STRIDE = 10
CELL = 0.005
LNG0, LAT0 = 105.0, 29.0


def _setup_django() -> None:
    if "DJANGO_SETTINGS_MODULE" not in os.environ:
        home = tempfile.mkdtemp(prefix="fengqiao-bench-service-")
        os.environ["FENGQIAO_HOME"] = home
        os.environ["FENGQIAO_DATABASE_URL"] = f"sqlite:///{Path(home) / 'bench.sqlite3'}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "fengqiao.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _square(lng: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _region(side: int) -> list[Any]:
    """City > district > 10 townships (rows of villages) > villages (10 × 10 grid blocks)."""
    from fengqiao.orgs.models import Level, OrgUnit, child_path

    rng = np.random.default_rng(SEED)
    city = OrgUnit.objects.create(
        code="510000000000", name="基准市", level=Level.CITY, path=child_path("", 9)
    )
    district = OrgUnit.objects.create(
        code="510100000000",
        name="基准区",
        level=Level.DISTRICT,
        parent=city,
        path=child_path(city.path, 1),
    )
    block = 10  # grids per village side
    villages_side = side // block
    townships = OrgUnit.objects.bulk_create(
        OrgUnit(
            code=f"5101{t:03d}00000",
            name=f"第{t}街道",
            level=Level.TOWNSHIP,
            parent=district,
            path=child_path(district.path, t),
        )
        for t in range(1, villages_side + 1)
    )
    villages: list[OrgUnit] = []
    for t, township in enumerate(townships):
        for v in range(villages_side):
            lng, lat = LNG0 + v * block * CELL, LAT0 + t * block * CELL
            villages.append(
                OrgUnit(
                    code=f"5101{t + 1:03d}{v + 1:03d}00",
                    name=f"第{t + 1}街道第{v + 1}社区",
                    level=Level.VILLAGE,
                    parent=township,
                    path=child_path(township.path, v + 1),
                    boundary=_square(lng, lat, block * CELL),
                    centroid_lat=lat + block * CELL / 2,
                    centroid_lng=lng + block * CELL / 2,
                )
            )
    villages = OrgUnit.objects.bulk_create(villages, batch_size=500)
    grids: list[OrgUnit] = []
    for village in villages:
        ring = village.boundary["coordinates"][0]  # type: ignore[index]
        lng0, lat0 = ring[0]
        for n in range(block * block):
            lng, lat = lng0 + (n % block) * CELL, lat0 + (n // block) * CELL
            grids.append(
                OrgUnit(
                    code=f"{village.code}{n + 1:03d}",
                    name=f"{village.name}第{n + 1}网格",
                    level=Level.GRID,
                    parent=village,
                    path=child_path(village.path, n + 1),
                    boundary=_square(lng, lat, CELL),
                    centroid_lat=lat + CELL / 2,
                    centroid_lng=lng + CELL / 2,
                    population=int(rng.integers(200, 3000)),
                )
            )
    return OrgUnit.objects.bulk_create(grids, batch_size=1000)


def _stations(grids: list[Any], side: int, count: int) -> None:
    from fengqiao.orgs.models import Station, StationKind

    rng = np.random.default_rng(SEED + 1)
    kinds = list(StationKind.values)
    lngs = LNG0 + rng.uniform(0, side * CELL, count)
    lats = LAT0 + rng.uniform(0, side * CELL, count)
    by_cell = {
        (
            round((g.centroid_lng - LNG0) / CELL - 0.5),
            round((g.centroid_lat - LAT0) / CELL - 0.5),
        ): g
        for g in grids
    }
    week = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    Station.objects.bulk_create(
        (
            Station(
                name=f"站点{i}",
                kind=kinds[i % len(kinds)],
                org_unit=by_cell[(int((lng - LNG0) // CELL), int((lat - LAT0) // CELL))],
                lat=lat,
                lng=lng,
                opening_schedule=week,
            )
            for i, (lng, lat) in enumerate(zip(lngs, lats, strict=True))
        ),
        batch_size=1000,
    )


def _haversine(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def _haversine_matrix(lats: Any, lngs: Any, s_lats: Any, s_lngs: Any) -> Any:
    """(points, stations) great-circle km, the textbook formula broadcast over both sets."""
    p1 = np.radians(lats)[:, None]
    p2 = np.radians(s_lats)[None, :]
    dl = np.radians(s_lngs[None, :] - lngs[:, None])
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _bench_nearest(side: int, queries: int) -> dict[str, Any]:
    from fengqiao.accounts.models import User
    from fengqiao.orgs.models import Station
    from fengqiao.service_circle.nearest import nearest_stations

    admin = User.objects.create_superuser("bench-admin", password="bench-admin-pw-1")  # noqa: S106
    rng = np.random.default_rng(SEED + 2)
    points = np.column_stack(
        (LAT0 + rng.uniform(0, side * CELL, queries), LNG0 + rng.uniform(0, side * CELL, queries))
    )
    nearest_stations(actor=admin, lat=float(points[0, 0]), lng=float(points[0, 1]))  # warm cache
    product: list[float] = []
    baseline: list[float] = []
    for lat, lng in points.tolist():
        started = time.perf_counter()
        found = nearest_stations(actor=admin, lat=lat, lng=lng, mode="walk", limit=10)
        product.append(time.perf_counter() - started)
        started = time.perf_counter()
        rows = Station.objects.filter(is_active=True).values_list("id", "lat", "lng")
        ranked = sorted((_haversine(lat, lng, s_lat, s_lng), pk) for pk, s_lat, s_lng in rows)[:10]
        baseline.append(time.perf_counter() - started)
        if [f.station.pk for f in found] != [pk for _, pk in ranked]:
            raise AssertionError(f"nearest stations differ at {lat}, {lng}")
    return {
        "nearest_queries": queries,
        "nearest_product_p95_ms": round(_p95(product) * 1000, 3),
        "nearest_baseline_p95_ms": round(_p95(baseline) * 1000, 3),
        "nearest_ratio": round(_p95(baseline) / _p95(product), 2),
    }


def _bench_coverage() -> dict[str, Any]:
    from fengqiao.orgs.geometry import parse_boundary
    from fengqiao.orgs.models import Level, OrgUnit
    from fengqiao.service_circle.config import circle_config
    from fengqiao.service_circle.coverage import coverage_compute, sample_points
    from fengqiao.service_circle.models import CoverageCell
    from fengqiao.service_circle.stations import station_table

    started = time.perf_counter()
    run = coverage_compute(mode="walk", minutes=15)
    product = time.perf_counter() - started

    config = circle_config()
    reach = config.reach_km("walk", 15)
    table = station_table()
    started = time.perf_counter()
    shares: dict[int, float] = {}
    units = list(
        OrgUnit.objects.filter(level__in=[Level.VILLAGE, Level.GRID])
        .order_by("path")
        .values_list("id", "boundary")
    )
    # Every BASELINE_STRIDE-th unit: the brute force is slow enough that timing all of them
    # would dominate the bench; its time is scaled up to the whole city.
    for unit_id, boundary in units[::BASELINE_STRIDE]:
        lngs, lats = sample_points(parse_boundary(boundary), config.samples_per_unit)
        km = _haversine_matrix(lats, lngs, table.lats, table.lngs)
        shares[unit_id] = float((km.min(axis=1) <= reach).sum()) / len(lats)
    baseline = (time.perf_counter() - started) * len(units) / len(shares)
    stored = dict(CoverageCell.objects.filter(run=run).values_list("unit_id", "share"))
    mismatches = sum(abs(stored[k] - v) > 1e-9 for k, v in shares.items())
    if mismatches:
        raise AssertionError(f"{mismatches} unit shares differ")
    grids = CoverageCell.objects.filter(run=run, level=Level.GRID)
    return {
        "coverage_units": run.unit_count,
        "coverage_samples": run.sample_count,
        "coverage_grids_covered": grids.filter(status="covered").count(),
        "coverage_grids_partly": grids.filter(status="partly").count(),
        "coverage_product_s": round(product, 3),
        "coverage_baseline_s": round(baseline, 3),
        "coverage_ratio": round(baseline / product, 2),
    }


def run(side: int = 100, stations: int = 3000, queries: int = 200) -> dict[str, Any]:
    _setup_django()
    grids = _region(side)
    _stations(grids, side, stations)
    result: dict[str, Any] = {"bench": "service_circle", "grids": len(grids), "stations": stations}
    result.update(_bench_nearest(side, queries))
    result.update(_bench_coverage())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=100, help="grids per side (multiple of 10)")
    parser.add_argument("--stations", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(run(side=args.side, stations=args.stations, queries=args.queries)))


if __name__ == "__main__":
    main()
