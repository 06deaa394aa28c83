"""Building and refreshing the statistics tables from the cases.

Like ``hotspots/counts.py``, this module reads cases **system-wide**, without an acting user: the
tables are statistics over every case, maintained by the worker where nobody is signed in. Only
counters, histograms and the few fields of :class:`~fengqiao.metrics.models.OpenCase` leave
it; every read by a person is scoped by unit path in :mod:`fengqiao.metrics.selectors`.

Both paths share one pipeline, so "incremental = rebuild" holds by construction:
cases → facts (:func:`_facts`) → base rows per (day, place, category, channel, level)
(:func:`_base_rows`) → roll-ups for every unit above grid level (:func:`_rollups`).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fengqiao.cases.models import Case, Party
from fengqiao.cases.states import OPEN_STATUSES, CaseStatus
from fengqiao.core.bulk import bulk_insert
from fengqiao.early_warning.models import RiskPoint, Warning
from fengqiao.metrics.dirty import mark_dirty
from fengqiao.metrics.models import (
    ROLLUP_LEVELS,
    DailyStat,
    DirtyDay,
    OpenCase,
    StatKind,
    StatsVersion,
    Watermark,
)
from fengqiao.metrics.stats import COUNTERS, Tally, bucket_of
from fengqiao.orgs.models import PATH_SEGMENT_WIDTH, OrgUnit

FLUSH_ROWS = 20_000
REFRESH_BATCH = 500
REVISITS_APP = "fengqiao.revisits"
BaseKey = tuple[str, int, int, int | None]  # place path, major category, channel, lead level


def revisits_installed() -> bool:
    return apps.is_installed(REVISITS_APP)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _facts(cases: QuerySet[Case]) -> QuerySet[Case, dict[str, Any]]:
    """One dict per case with what the metrics need, the "known before" tests done in SQL."""
    earlier = Party.objects.filter(case__created_at__lt=OuterRef("case__created_at"))
    own = Party.objects.filter(case_id=OuterRef("pk"))
    annotations: dict[str, Any] = {
        "major": Coalesce("category__parent_id", "category_id"),
        "lead_level": F("lead_unit__level"),
        "proactive": F("channel__is_proactive"),
        "known_id": Exists(
            own.exclude(id_number="").filter(
                Exists(earlier.filter(id_number=OuterRef("id_number")))
            )
        ),
        "known_phone": Exists(
            own.exclude(phone="").filter(Exists(earlier.filter(phone=OuterRef("phone"))))
        ),
        "known_point": Exists(
            RiskPoint.objects.filter(
                grid_id=OuterRef("territory_id"), created_at__lt=OuterRef("created_at")
            )
        ),
        "known_warning": Exists(
            Warning.objects.filter(
                unit_id=OuterRef("territory_id"), first_fired_at__lt=OuterRef("created_at")
            )
        ),
    }
    if revisits_installed():
        from fengqiao.revisits.models import Revisit

        answers = Revisit.objects.filter(case_id=OuterRef("pk"), reached=True).exclude(
            satisfied=None
        )
        for name, extra in (("answered", Q()), ("satisfied", Q(satisfied=True))):
            annotations[name] = Coalesce(
                Subquery(
                    answers.filter(extra).values("case_id").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            )
    else:
        annotations["answered"] = Value(0)
        annotations["satisfied"] = Value(0)
    facts: QuerySet[Case, dict[str, Any]] = (
        cases.exclude(status=CaseStatus.MERGED)
        .annotate(**annotations)
        .values(
            "pk",
            "created_at",
            "territory_path",
            "channel_id",
            "status",
            "accepted_at",
            "resolved_at",
            "escalation_count",
            "reopen_count",
            "overdue",
            "risk_colour",
            "leader_id",
            "resolve_deadline",
            *annotations,
        )
    )
    return facts


def _count_case(tally: Tally, fact: Mapping[str, Any]) -> None:
    c = tally.counts
    c["registered"] += 1
    if fact["resolved_at"] is not None:
        c["resolved"] += 1
        if not fact["escalation_count"] and not fact["reopen_count"]:
            c["one_time"] += 1
        seconds = (fact["resolved_at"] - fact["created_at"]).total_seconds()
        tally.resolve_hist[bucket_of(seconds)] += 1
    if fact["accepted_at"] is not None:
        c["accepted"] += 1
        seconds = (fact["accepted_at"] - fact["created_at"]).total_seconds()
        tally.accept_hist[bucket_of(seconds)] += 1
    c["proactive"] += bool(fact["proactive"])
    c["known"] += bool(
        fact["known_id"] or fact["known_phone"] or fact["known_point"] or fact["known_warning"]
    )
    c["overdue"] += bool(fact["overdue"])
    c["escalated"] += fact["escalation_count"] > 0
    c["reopened"] += fact["reopen_count"] > 0
    c["answered"] += fact["answered"]
    c["satisfied"] += fact["satisfied"]
    if fact["status"] in OPEN_STATUSES:
        c[f"open_{fact['risk_colour']}"] += 1
        c["open_overdue"] += bool(fact["overdue"])
        c["open_leader"] += fact["leader_id"] is not None


def _base_rows(facts: Iterable[Mapping[str, Any]]) -> dict[BaseKey, Tally]:
    tallies: dict[BaseKey, Tally] = defaultdict(Tally)
    for fact in facts:
        key = (fact["territory_path"], fact["major"], fact["channel_id"], fact["lead_level"])
        _count_case(tallies[key], fact)
    return tallies


def _open_case(fact: Mapping[str, Any], day: date) -> OpenCase | None:
    if fact["status"] not in OPEN_STATUSES:
        return None
    return OpenCase(
        case_id=fact["pk"],
        day=day,
        territory_path=fact["territory_path"],
        risk_colour=fact["risk_colour"],
        overdue=fact["overdue"],
        leader_id=fact["leader_id"],
        resolve_deadline=fact["resolve_deadline"],
    )


def unit_map() -> dict[str, tuple[int, int]]:
    """Every unit's path → (id, level)."""
    return {
        path: (pk, level) for path, pk, level in OrgUnit.objects.values_list("path", "pk", "level")
    }


def rollup_paths(path: str, units: Mapping[str, tuple[int, int]]) -> Iterator[str]:
    """The place's ancestors and itself that carry roll-up rows (city, district, township)."""
    for end in range(PATH_SEGMENT_WIDTH, len(path) + 1, PATH_SEGMENT_WIDTH):
        prefix = path[:end]
        unit = units.get(prefix)
        if unit is not None and unit[1] in ROLLUP_LEVELS:
            yield prefix


def _rollups(
    base: Iterable[tuple[BaseKey, Mapping[str, Any]]],
    units: Mapping[str, tuple[int, int]],
    targets: set[str] | None = None,
) -> dict[tuple[str, int, int | None], Tally]:
    """Sum base rows into (unit, kind, dimension value) for the roll-up units (all, or ``targets``)."""
    tallies: dict[tuple[str, int, int | None], Tally] = defaultdict(Tally)
    for (path, major, channel, level), row in base:
        for prefix in rollup_paths(path, units):
            if targets is not None and prefix not in targets:
                continue
            for key in (
                (prefix, StatKind.TOTAL, None),
                (prefix, StatKind.MAJOR, major),
                (prefix, StatKind.CHANNEL, channel),
                (prefix, StatKind.LEVEL, level),
            ):
                tallies[key].add_row(row)
    return tallies


STAT_COLUMNS: tuple[str, ...] = (
    "day",
    "unit_id",
    "unit_path",
    "kind",
    "major_id",
    "channel_id",
    "lead_level",
    *COUNTERS,
    "accept_hist",
    "resolve_hist",
)
StatRow = tuple[Any, ...]


def _stat(
    day: date,
    path: str,
    units: Mapping[str, tuple[int, int]],
    kind: int,
    dims: tuple[int | None, int | None, int | None],
    tally: Tally,
) -> StatRow:
    row = tally.as_row()
    return (
        day,
        units[path][0],
        path,
        int(kind),
        *dims,
        *(row[name] for name in COUNTERS),
        json.dumps(row["accept_hist"]),
        json.dumps(row["resolve_hist"]),
    )


def _day_rows(
    day: date,
    base: dict[BaseKey, Tally],
    rollups: dict[tuple[str, int, int | None], Tally],
    units: Mapping[str, tuple[int, int]],
) -> list[StatRow]:
    rows = [
        _stat(day, path, units, StatKind.BASE, (major, channel, level), tally)
        for (path, major, channel, level), tally in base.items()
    ]
    for (path, kind, value), tally in rollups.items():
        dims = (
            value if kind == StatKind.MAJOR else None,
            value if kind == StatKind.CHANNEL else None,
            value if kind == StatKind.LEVEL else None,
        )
        rows.append(_stat(day, path, units, kind, dims, tally))
    return rows


def _write_stats(rows: list[StatRow]) -> None:
    """Insert stat rows as plain tuples: ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

    A rebuild writes millions of rows; building a model instance per row (``bulk_create``) was
    most of its time.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(DailyStat._meta.db_table)
    # The names are the table's columns (foreign keys as their ``_id`` columns).
    columns = ", ".join(quote(name) for name in STAT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(STAT_COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def _day_of(moment: datetime) -> date:
    return timezone.localtime(moment).date()


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recompute every statistics table from all cases, in one transaction."""
    # Marks first: a change committed after this statement keeps its mark for the next refresh.
    DirtyDay.objects.all().delete()
    DailyStat.objects.all().delete()
    OpenCase.objects.all().delete()
    units = unit_map()
    written = {"stats": 0, "open": 0, "cases": 0}
    stats: list[StatRow] = []
    opens: list[OpenCase] = []

    def flush() -> None:
        _write_stats(stats)
        bulk_insert(OpenCase, opens)
        written["stats"] += len(stats)
        written["open"] += len(opens)
        stats.clear()
        opens.clear()

    day: date | None = None
    day_facts: list[dict[str, Any]] = []

    def close_day() -> None:
        if day is None:
            return
        base = _base_rows(day_facts)
        rolled = _rollups(((key, t.as_row()) for key, t in base.items()), units)
        stats.extend(_day_rows(day, base, rolled, units))
        opens.extend(o for o in (_open_case(f, day) for f in day_facts) if o is not None)
        written["cases"] += len(day_facts)
        day_facts.clear()
        if len(stats) >= FLUSH_ROWS:
            flush()

    for fact in _facts(Case.objects.order_by("created_at")).iterator(chunk_size=5000):
        fact_day = _day_of(fact["created_at"])
        if fact_day != day:
            close_day()
            day = fact_day
        day_facts.append(fact)
    close_day()
    flush()
    if revisits_installed():
        Watermark.objects.update_or_create(key="revisits", defaults={"at": timezone.now()})
    bump_version()
    return written


def bump_version() -> None:
    """Give the statistics a new version (call inside the transaction that changed them)."""
    StatsVersion.objects.update_or_create(
        pk=1, defaults={"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    )


def _mark_revisited() -> None:
    """Revisits changed since the last look make their cases' days dirty (satisfaction)."""
    if not revisits_installed():
        return
    from fengqiao.revisits.models import Revisit

    now = timezone.now()
    mark = Watermark.objects.select_for_update().filter(key="revisits").first()
    changed = Revisit.objects.all()
    if mark is not None:
        # A revisit saved just before the last look may have committed just after it.
        changed = changed.filter(updated_at__gte=mark.at - timedelta(minutes=5))
    pairs = [
        (_day_of(created), path)
        for created, path in changed.values_list("case__created_at", "case__territory_path")
    ]
    if pairs:
        mark_dirty(pairs)
    Watermark.objects.update_or_create(key="revisits", defaults={"at": now})


@transaction.atomic
def refresh(*, limit: int = REFRESH_BATCH) -> int:
    """Recompute the (day, place) pairs marked dirty; returns how many were done."""
    _mark_revisited()
    marks = list(DirtyDay.objects.order_by("day", "unit_path")[:limit])
    if not marks:
        return 0
    units = unit_map()
    by_day: dict[date, set[str]] = defaultdict(set)
    for mark in marks:
        by_day[mark.day].add(mark.unit_path)
    for day, paths in by_day.items():
        _refresh_day(day, paths, units)
    done = Q(pk__in=[])
    for mark in marks:
        # Only the mark as read: one touched meanwhile stays for the next run.
        done |= Q(pk=mark.pk, marked_at=mark.marked_at)
    DirtyDay.objects.filter(done).delete()
    bump_version()
    return len(marks)


def _refresh_day(day: date, paths: set[str], units: Mapping[str, tuple[int, int]]) -> None:
    start = _local_midnight(day)
    end = _local_midnight(day + timedelta(days=1))
    cases = Case.objects.filter(
        created_at__gte=start, created_at__lt=end, territory_path__in=sorted(paths)
    )
    facts = list(_facts(cases))
    base = _base_rows(facts)
    DailyStat.objects.filter(day=day, kind=StatKind.BASE, unit_path__in=paths).delete()
    OpenCase.objects.filter(day=day, territory_path__in=paths).delete()
    targets = {prefix for path in paths for prefix in rollup_paths(path, units)}
    DailyStat.objects.filter(day=day, kind__lt=StatKind.BASE, unit_path__in=targets).delete()
    _write_stats(_day_rows(day, base, {}, units))
    bulk_insert(OpenCase, [o for o in (_open_case(f, day) for f in facts) if o is not None])
    # Roll-ups of the touched units from every base row of the day (other places included).
    day_base = (
        (
            (row["unit_path"], row["major_id"], row["channel_id"], row["lead_level"]),
            row,
        )
        for row in DailyStat.objects.filter(day=day, kind=StatKind.BASE).values()
    )
    rolled = _rollups(day_base, units, targets)
    _write_stats(_day_rows(day, {}, rolled, units))
