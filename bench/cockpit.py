"""Cockpit speed on 1,000,000 cases: each panel's server time against one ``SELECT count(*)``.

For SQLite and for PostgreSQL (a scratch database), in a child process each: migrate, build a
city of 4 districts × 4 townships × 4 villages × 4 grids (256 grids), load the shipped taxonomy
and channels, insert ``cases`` cases spread over three years (seeded; ``executemany`` in one
transaction on SQLite, ``COPY`` on PostgreSQL), build the statistics with the product's own
``rebuild()``, then time — signed in as a city-level leader, the default 30-day period — the
cockpit page shell, each htmx panel and the map GeoJSON, ``repeats`` times each, two ways:

- ``http``: a signed-in browser's GET handed to Django's WSGI handler as gunicorn hands it
  (every middleware, session, auth, and the connection handling at the end of the request: the
  server's whole time, without the test client's own bookkeeping); ``direct``: the panel's own
  work (the view's cached render path, or the GeoJSON view called with a prepared request)
  without the HTTP stack;
- **warm** (``http``, ``direct``): repeated identical requests after two warm-up rounds, so the
  panels come from the fragment cache (a wall display between statistics refreshes);
- **cold** (``http_cold``, ``direct_cold``): before every timed call the statistics get a new
  version (as the worker's refresh does every minute), so every panel is computed from the
  statistics tables; the map geometry, which changes only with the org tree, stays cached. The
  first map of a new process (geometry loaded too) is reported as ``fresh_process_map_geojson_ms``.

The baseline is a full ``SELECT count(*)`` over the cases table on the same database (median of
as many runs). Reported: p95 milliseconds of each panel and of the whole page (shell + every
panel + map, summed per round), and their ratios to the baseline (target: every panel ≤ 0.2,
i.e. no panel scans the cases).

    python bench/cockpit.py [--cases 1000000] [--repeats 10] [--db sqlite postgresql]
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg import SRC, fengqiao_env, scratch_database

SEED = 20251125
DEFAULT_CASES = 1_000_000
DEFAULT_REPEATS = 20
TARGET_RATIO = 0.2
YEARS = 3
CHUNK = 50_000


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


# ---------------------------------------------------------------- child: one database


def _build_tree() -> list[Any]:
    from fengqiao.orgs.models import Level, OrgUnit, child_path

    def square(lng: float, lat: float, size: float) -> dict[str, Any]:
        ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size]]
        return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}

    city = OrgUnit.objects.create(
        code="500000000000", name="重庆市", level=Level.CITY, path=child_path("", 1),
        boundary=square(105.0, 29.0, 1.6),
    )  # fmt: skip
    grids = []
    size = 1.6
    parents = [(city, 105.0, 29.0)]
    codes = {Level.DISTRICT: 0, Level.TOWNSHIP: 0, Level.VILLAGE: 0, Level.GRID: 0}
    for level in (Level.DISTRICT, Level.TOWNSHIP, Level.VILLAGE, Level.GRID):
        size /= 2
        children = []
        for parent, lng, lat in parents:
            for n in range(4):
                codes[level] += 1
                x, y = lng + size * (n % 2), lat + size * (n // 2)
                serial = codes[level]
                code = (
                    f"{parent.code}{n + 1:03d}" if level == Level.GRID
                    else f"5{level}{serial:010d}"
                )  # fmt: skip
                unit = OrgUnit.objects.create(
                    code=code, name=f"{Level(level).label}{serial}", level=level, parent=parent,
                    path=child_path(parent.path, n + 1), boundary=square(x, y, size),
                    population=20_000 // (4 ** (level - 2)),
                )  # fmt: skip
                children.append((unit, x, y))
                if level == Level.GRID:
                    grids.append(unit)
        parents = children
    return grids


def _insert_cases(count: int, grids: list[Any], leader_id: int) -> float:
    from django.db import connection, transaction

    from fengqiao.cases.models import Case
    from fengqiao.taxonomy.models import Category, Channel

    rng = random.Random(SEED)
    minors = list(Category.objects.filter(parent__isnull=False).values_list("pk", "parent_id"))
    major_weights = {}
    for _, major in minors:
        major_weights.setdefault(major, rng.paretovariate(1.2))
    minor_weights = [major_weights[major] for _, major in minors]
    channels = list(Channel.objects.values_list("pk", flat=True))
    channel_weights = [rng.paretovariate(1.0) for _ in channels]
    grid_weights = [rng.lognormvariate(0, 0.8) for _ in grids]
    # Cumulative weights once: ``choices`` would otherwise re-add them for every case.
    minor_cum = list(itertools.accumulate(minor_weights))
    channel_cum = list(itertools.accumulate(channel_weights))
    grid_cum = list(itertools.accumulate(grid_weights))
    township = {g.pk: (g.parent.parent_id, g.parent.parent.path) for g in grids}
    district = {g.pk: (g.parent.parent.parent_id, g.parent.parent.parent.path) for g in grids}

    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    now = datetime.now(UTC)
    start = now - timedelta(days=365 * YEARS)
    span = (now - start).total_seconds()
    sqlite = connection.vendor == "sqlite"

    def stamp(value: datetime | None) -> Any:
        if value is None or not sqlite:
            return value
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")

    def row(i: int) -> tuple[Any, ...]:
        created = start + timedelta(seconds=span * (i + rng.random()) / count)
        age = (now - created).days
        grid = rng.choices(grids, cum_weights=grid_cum)[0]
        category, _ = rng.choices(minors, cum_weights=minor_cum)[0]
        escalated = rng.random() < 0.08
        lead_id, lead_path = district[grid.pk] if escalated else township[grid.pk]
        accepted = created + timedelta(minutes=rng.lognormvariate(3.5, 1.2))
        resolved: datetime | None = created + timedelta(days=rng.lognormvariate(1.8, 0.9))
        open_case = age < 60 and rng.random() < min(0.9, 6 / (age + 1) + 0.2)
        status = "closed"
        if open_case or (resolved is not None and resolved > now):
            status, resolved = rng.choice(["accepted", "in_handling", "escalated"]), None
        elif rng.random() < 0.05:
            status, resolved = rng.choice(["withdrawn", "referred"]), None
        colour = rng.choices(["green", "orange", "red"], [80, 15, 5])[0]
        values = {
            "number": f"B{i:010d}", "title": "纠纷", "description": "", "category": category,
            "channel": rng.choices(channels, cum_weights=channel_cum)[0], "status": status,
            "lat": None, "lng": None, "address": "", "territory": grid.pk,
            "territory_path": grid.path, "lead_unit": lead_id, "lead_unit_path": lead_path,
            "lead_department": None, "leader": leader_id if rng.random() < 0.01 else None,
            "people_involved": 1, "amount": "0", "risk_colour": colour, "risk_reason": "",
            "restricted": False, "routing_rule": None, "routing_explanation": "",
            "accept_deadline": stamp(created + timedelta(hours=2)),
            "resolve_deadline": stamp(created + timedelta(days=30)),
            "accepted_at": stamp(accepted), "resolved_at": stamp(resolved),
            "closed_at": stamp(resolved), "overdue": rng.random() < 0.05,
            "escalation_count": int(escalated), "reopen_count": int(rng.random() < 0.03),
            "merged_into": None, "tracking_code": f"T{i:010d}", "created_by": None,
            "version": 1, "created_at": stamp(created), "updated_at": stamp(created),
        }  # fmt: skip
        return tuple(values[f.name] for f in fields)

    table = connection.ops.quote_name(Case._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for first in range(0, count, CHUNK):
            rows = [row(i) for i in range(first, min(count, first + CHUNK))]
            if sqlite:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)  # noqa: S608
            else:
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for values in rows:
                        copy.write_row(values)
    return time.perf_counter() - began


def _count_baseline(repeats: int) -> float:
    from django.db import connection

    samples = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")  # warm the cache once
        for _ in range(repeats):
            began = time.perf_counter()
            cursor.execute("SELECT count(*) FROM cases_case")
            cursor.fetchone()
            samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def _measure(
    calls: dict[str, Callable[[], object]],
    repeats: int,
    baseline: float,
    before: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """p95 of each call and of one round of all of them, after two warm-up rounds.

    ``before`` runs (untimed) before every call: the cold runs invalidate the caches there.
    """
    samples: dict[str, list[float]] = {name: [] for name in calls}
    totals: list[float] = []
    for round_ in range(repeats + 2):
        total = 0.0
        for name, call in calls.items():
            if before is not None:
                before()
            began = time.perf_counter()
            call()
            elapsed = time.perf_counter() - began
            total += elapsed
            if round_ >= 2:
                samples[name].append(elapsed)
        if round_ >= 2:
            totals.append(total)
    panels = {}
    for name, values in samples.items():
        p95 = _p95(values)
        panels[name] = {"p95_ms": round(p95 * 1000, 2), "ratio": round(p95 / baseline, 3)}
    whole = _p95(totals)
    return {
        "panels": panels,
        "whole_page": {"p95_ms": round(whole * 1000, 2), "ratio": round(whole / baseline, 3)},
    }


def child(cases: int, repeats: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client, RequestFactory
    from django.urls import reverse

    from fengqiao.accounts.models import Role
    from fengqiao.accounts.services import user_create
    from fengqiao.metrics import fragments
    from fengqiao.metrics.aggregate import bump_version, rebuild
    from fengqiao.metrics.models import DailyStat
    from fengqiao.metrics.views import PANELS, map_geojson, panel_html
    from fengqiao.taxonomy.services import load_default_channels, load_default_taxonomy

    call_command("migrate", verbosity=0)
    load_default_taxonomy()
    load_default_channels()
    grids = _build_tree()
    city = grids[0].parent.parent.parent.parent
    leader = user_create(
        username="bench_leader", password=secrets.token_urlsafe(16), role=Role.LEADER, units=[city],
        check_password_strength=False,
    )  # fmt: skip
    figures: dict[str, Any] = {"vendor": connection.vendor, "cases": cases}
    figures["insert_seconds"] = round(_insert_cases(cases, grids, leader.pk), 1)
    began = time.perf_counter()
    written = rebuild()
    figures["rebuild_seconds"] = round(time.perf_counter() - began, 1)
    figures["stat_rows"] = written["stats"]
    figures["open_cases"] = written["open"]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    baseline = _count_baseline(repeats)
    figures["count_star_ms"] = round(baseline * 1000, 2)

    client = Client(HTTP_HOST="localhost")
    client.force_login(leader)
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    handler = WSGIHandler()
    urls = {"page": reverse("metrics:cockpit")}
    urls.update({name: reverse("metrics:panel", args=[city.pk, name]) for name in PANELS})
    urls["map.geojson"] = reverse("metrics:map", args=[city.pk])

    def fetch(url: str) -> Callable[[], object]:
        path, _, query = url.partition("?")

        def get() -> object:
            environ = {
                "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
                "SCRIPT_NAME": "", "SERVER_NAME": "localhost", "SERVER_PORT": "80",
                "HTTP_HOST": "localhost", "HTTP_COOKIE": cookie, "wsgi.input": io.BytesIO(),
                "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
            }  # fmt: skip
            status: list[str] = []
            body = b"".join(handler(environ, lambda line, headers, *_: status.append(line)))
            if not status[0].startswith("200"):
                raise RuntimeError(f"{url}: HTTP {status[0]}")
            return body

        return get

    request = RequestFactory().get("/cockpit/")
    request.user = leader

    def direct(name: str) -> Callable[[], object]:
        # The panel's own work (cache lookup or statistics, selectors, template), no HTTP stack.
        def call() -> object:
            return panel_html(request, city, name)

        return call

    def map_direct() -> object:
        return map_geojson(request, city.pk)

    def invalidate() -> None:
        # What a worker refresh does to the readers, every minute: a new statistics version.
        # The map geometry stays cached (it changes with the org tree, not with the numbers);
        # a new process pays for it once, measured apart as "fresh_process".
        with transaction.atomic():
            bump_version()

    # The machine may be shared: its load during the timings says how far to trust them.
    figures["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    functions: dict[str, Callable[[], object]] = {name: direct(name) for name in PANELS}
    functions["map.geojson"] = map_direct
    fetches = {name: fetch(url) for name, url in urls.items()}
    figures["http"] = _measure(fetches, repeats, baseline)
    figures["direct"] = _measure(functions, repeats, baseline)
    figures["http_cold"] = _measure(fetches, repeats, baseline, before=invalidate)
    figures["direct_cold"] = _measure(functions, repeats, baseline, before=invalidate)
    # The first request of a new server process: nothing cached at all, geometry included.
    fragments.clear()
    start = time.perf_counter()
    map_direct()
    figures["fresh_process_map_geojson_ms"] = round((time.perf_counter() - start) * 1000, 2)
    for mode in ("http", "direct", "http_cold", "direct_cold"):
        worst = max(p["ratio"] for name, p in figures[mode]["panels"].items() if name != "page")
        figures[f"worst_panel_ratio_{mode}"] = worst
        figures[f"target_met_{mode}"] = worst <= TARGET_RATIO
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    figures["daily_stat_rows_total"] = DailyStat.objects.count()
    return figures


# ---------------------------------------------------------------- parent


def _run_child(database_url: str, home: str, cases: int, repeats: int) -> dict[str, Any]:
    env = fengqiao_env(database_url, home)
    env["DJANGO_SETTINGS_MODULE"] = "fengqiao.settings"
    result = subprocess.run(
        [sys.executable, __file__, "--child", "--cases", str(cases), "--repeats", str(repeats)],
        env=env, capture_output=True, text=True, check=False, cwd=str(SRC),
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-4000:])
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def run(
    cases: int = DEFAULT_CASES,
    repeats: int = DEFAULT_REPEATS,
    databases: tuple[str, ...] = ("sqlite", "postgresql"),
) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "cases": cases,
        "repeats": repeats,
        "target_ratio": TARGET_RATIO,
        "measurement": {
            "http": "warm: WSGI handler (whole server time), repeated identical requests",
            "direct": "warm: the panel's render path / GeoJSON view without the HTTP stack",
            "http_cold": "cold: WSGI handler, statistics version bumped before every request",
            "direct_cold": "cold: as direct, statistics version bumped before every call",
            "page": "the page shell alone; whole_page sums shell, every panel and the map",
        },
    }
    for database in databases:
        home = tempfile.mkdtemp(prefix="fengqiao-bench-cockpit-")
        began = time.perf_counter()
        try:  # the SQLite file of a million cases is most of a gigabyte: never leave it behind
            if database == "sqlite":
                sqlite = f"sqlite:///{Path(home) / 'bench.sqlite3'}"
                result = _run_child(sqlite, home, cases, repeats)
            else:
                with scratch_database("cockpit") as url:
                    result = _run_child(url, home, cases, repeats)
        finally:
            shutil.rmtree(home, ignore_errors=True)
        result["run_seconds"] = round(time.perf_counter() - began, 1)
        figures[database] = result
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.cases, args.repeats)))
        return
    print(json.dumps(run(args.cases, args.repeats, tuple(args.db)), indent=2))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    main()
