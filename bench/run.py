"""Benchmarks, printed as JSON lines. Each figure is a ratio against a baseline run in this process.

point_in_grid: resolving points to grids through the cached STRtree (``resolve_grid_ids``) versus
a plain loop that tests each point against every grid polygon (prepared shapely geometries).
signals_latency, warning_rules, hotspots, safety_index, service_circle, cockpit: see each script's docstring
(``bench/<name>.py``), run as processes of their own.
intake: ``POST /api/v1/cases`` under ``fengqiao serve`` versus a bare Django view that inserts one
row, same gunicorn settings, PostgreSQL (``bench/intake.py``).
bulk_import: ``fengqiao import cases`` versus PostgreSQL ``COPY`` of the same file
(``bench/bulk_import.py``).

    python bench/run.py                     # all of them
    python bench/run.py intake bulk_import  # a subset
    python bench/run.py bulk_import --rows 100000

The PostgreSQL benches create and drop scratch databases on ``FENGQIAO_BENCH_PG``
(default postgresql://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

# What this process sets for its own Django; the benches run as children each set up their own
# database and must not inherit this one (two of them building a city in one file collide).
_OWN_ENV: set[str] = set()


def _setup_django() -> None:
    home = tempfile.mkdtemp(prefix="fengqiao-bench-")
    defaults = {
        "FENGQIAO_HOME": home,
        "FENGQIAO_DATABASE_URL": f"sqlite:///{Path(home) / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "fengqiao.settings",
    }
    for key, value in defaults.items():
        if key not in os.environ:
            os.environ[key] = value
            _OWN_ENV.add(key)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _square(lng: float, lat: float, size: float) -> dict[str, object]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def bench_point_in_grid(
    side: int = 100, points: int = 100_000, baseline_points: int = 2_000
) -> dict[str, object]:
    import shapely
    from shapely.geometry import shape
    from shapely.prepared import prep

    from fengqiao.orgs import geometry
    from fengqiao.orgs.models import Level, OrgUnit, child_path

    size = 0.005
    city = OrgUnit.objects.create(
        code="500000000000", name="city", level=Level.CITY, path=child_path("", 1)
    )
    district = OrgUnit.objects.create(
        code="500100000000",
        name="d",
        level=Level.DISTRICT,
        parent=city,
        path=child_path(city.path, 1),
    )
    township = OrgUnit.objects.create(
        code="500100001000",
        name="t",
        level=Level.TOWNSHIP,
        parent=district,
        path=child_path(district.path, 1),
    )
    villages = OrgUnit.objects.bulk_create(
        OrgUnit(
            code=f"500100001{v:03d}",
            name=f"v{v}",
            level=Level.VILLAGE,
            parent=township,
            path=child_path(township.path, v),
        )
        for v in range(1, side + 1)
    )
    grids = []
    for row, village in enumerate(villages):
        for col in range(side):
            grids.append(
                OrgUnit(
                    code=f"{village.code}{col + 1:03d}",
                    name=f"g{row}-{col}",
                    level=Level.GRID,
                    parent=village,
                    path=child_path(village.path, col + 1),
                    boundary=_square(106 + col * size, 29 + row * size, size),
                )
            )
    OrgUnit.objects.bulk_create(grids, batch_size=2000)
    rng = random.Random(7)
    span = side * size
    pts = [
        (106 + rng.random() * span * 1.02, 29 + rng.random() * span * 1.02) for _ in range(points)
    ]

    geometry.invalidate()
    start = time.perf_counter()
    geometry.grid_index()
    build_seconds = time.perf_counter() - start

    start = time.perf_counter()
    resolved = geometry.resolve_grid_ids(pts)
    index_seconds = time.perf_counter() - start

    # Lowest id first, the same tie-break on shared borders as resolve_grid_ids.
    grid_rows = OrgUnit.objects.filter(level=Level.GRID).order_by("pk")
    polygons = [(g.pk, prep(shape(g.boundary))) for g in grid_rows]
    start = time.perf_counter()
    naive = []
    for lng, lat in pts[:baseline_points]:
        point = shapely.Point(lng, lat)
        naive.append(next((pk for pk, poly in polygons if poly.intersects(point)), None))
    naive_seconds = time.perf_counter() - start
    mismatches = sum(1 for a, b in zip(naive, resolved[:baseline_points], strict=True) if a != b)

    index_rate = points / index_seconds
    naive_rate = baseline_points / naive_seconds
    return {
        "bench": "point_in_grid",
        "grids": len(grids),
        "points": points,
        "index_build_seconds": round(build_seconds, 3),
        "index_points_per_second": round(index_rate),
        "naive_points_per_second": round(naive_rate, 1),
        "speedup_vs_naive": round(index_rate / naive_rate, 1),
        "mismatches_in_baseline_sample": mismatches,
        "unresolved_share": round(sum(1 for r in resolved if r is None) / points, 4),
    }


# Benches with their own set-up (their own scratch database or Django settings) run as a
# process of their own; each prints one JSON document.
EXTERNAL = {
    "signals_latency": "signals_latency.py",
    "warning_rules": "warning_rules.py",
    "hotspots": "hotspots.py",
    "safety_index": "safety_index.py",
    "service_circle": "service_circle.py",
    "cockpit": "cockpit.py",
}


def _external(script: Path, name: str) -> dict[str, object]:
    import subprocess

    env = {key: value for key, value in os.environ.items() if key not in _OWN_ENV}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False, env=env
    )
    if done.returncode != 0:
        return {"bench": name, "error": done.stderr.strip().splitlines()[-1:]}
    result: dict[str, object] = json.loads(done.stdout)
    return {"bench": name, **{k: v for k, v in result.items() if k != "bench"}}


def main() -> None:
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent / "src"))
    sys.path.insert(0, str(here))
    from bulk_import import DEFAULT_ROWS, bench_bulk_import
    from intake import bench_intake

    benches = ("point_in_grid", "intake", "bulk_import", *EXTERNAL)
    parser = argparse.ArgumentParser(description="Fengqiao benchmarks, as JSON lines.")
    parser.add_argument(
        "names", nargs="*", metavar="BENCH", help=f"{', '.join(benches)}; default: all"
    )
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="bulk_import rows")
    parser.add_argument("--seconds", type=float, default=20.0, help="intake seconds per side")
    args = parser.parse_args()
    if unknown := set(args.names) - set(benches):
        parser.error(f"unknown bench {', '.join(sorted(unknown))}")
    for name in args.names or benches:
        if name == "point_in_grid":
            _setup_django()
            result = bench_point_in_grid()
        elif name == "intake":
            result = bench_intake(args.seconds)
        elif name == "bulk_import":
            result = bench_bulk_import(args.rows)
        else:
            result = _external(here / EXTERNAL[name], name)
        print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
