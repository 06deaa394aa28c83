"""Scoped reads for the cockpit: the unit in view, stat rows, open-case counts and lists.

Statistics are aggregates (no names, phones or texts); a person reads them only for a unit inside
their jurisdiction (404 otherwise). Case rows shown in lists come through
``cases.selectors.case_queryset`` so restricted cases stay hidden from those who may not see them.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from datetime import date
from functools import reduce
from typing import Any, Protocol

from django.db.models import Q, Subquery

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_queryset
from fengqiao.core.errors import NotFound
from fengqiao.metrics.models import ROLLUP_LEVELS, DailyStat, OpenCase, StatKind
from fengqiao.metrics.stats import COUNTERS
from fengqiao.orgs.models import OrgUnit, subtree_range_kwargs


class Placed(Protocol):
    """A unit as the stat reads need it (an ``OrgUnit`` or the map's cached shape)."""

    @property
    def path(self) -> str: ...

    @property
    def level(self) -> int: ...


ROW_FIELDS = ("day", "unit_path", "major_id", "channel_id", "lead_level", *COUNTERS)
HIST_FIELDS = ("accept_hist", "resolve_hist")


def unit_get(*, actor: Any, unit_id: int) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=unit_id).defer("boundary").first()
    if unit is None or not Jurisdiction.of(actor).covers_path(unit.path):
        raise NotFound("unit not found")
    return unit


def unit_check(*, actor: Any, unit: OrgUnit) -> None:
    if not Jurisdiction.of(actor).covers_path(unit.path):
        raise NotFound("unit not found")


def home_unit(*, actor: Any) -> OrgUnit:
    """The top of what the actor sees: the unit the cockpit opens on."""
    unit = Jurisdiction.of(actor).root_units().defer("boundary").order_by("path").first()
    if unit is None:
        raise NotFound("unit not found")
    return unit


def lineage(unit: OrgUnit, *, actor: Any) -> list[OrgUnit]:
    """The unit's ancestors the actor may see, then the unit: the breadcrumb."""
    jurisdiction = Jurisdiction.of(actor)
    paths = [p for p in unit.ancestor_paths() if jurisdiction.covers_path(p)]
    above = list(OrgUnit.objects.filter(path__in=paths).defer("boundary").order_by("path"))
    return [*above, unit]


def children(unit: OrgUnit) -> list[OrgUnit]:
    return list(unit.children.filter(is_active=True).defer("boundary").order_by("path"))


def rollup_kind(*, major: int | None, channel: int | None, group: str | None) -> int | None:
    """The roll-up rows that answer a question, or ``None`` when only base rows can."""
    used = {name for name, on in (("major", major), ("channel", channel)) if on}
    if group is not None:
        used.add(group)
    kinds = {
        frozenset(): StatKind.TOTAL,
        frozenset({"major"}): StatKind.MAJOR,
        frozenset({"channel"}): StatKind.CHANNEL,
        frozenset({"level"}): StatKind.LEVEL,
    }
    return kinds.get(frozenset(used))


def stat_rows(
    units: Sequence[OrgUnit],
    *,
    start: date,
    end: date,
    major: int | None = None,
    channel: int | None = None,
    group: str | None = None,
) -> list[dict[str, Any]]:
    """Stat rows covering each of ``units`` (callers have checked jurisdiction on them).

    The city, districts and townships answer from their own roll-up rows when one dimension at
    most is in play; villages, grids, and questions mixing dimensions sum the base rows of the
    unit's subtree.
    """
    return stat_rows_in(units, periods=[(start, end)], major=major, channel=channel, group=group)


def stat_rows_in(
    units: Sequence[OrgUnit],
    *,
    periods: Sequence[tuple[date, date]],
    major: int | None = None,
    channel: int | None = None,
    group: str | None = None,
) -> list[dict[str, Any]]:
    """:func:`stat_rows` for several periods (inclusive day ranges) in one query."""
    kind = rollup_kind(major=major, channel=channel, group=group)
    scope = _scope_q(units, kind)
    if scope is None or not periods:
        return []
    days = reduce(operator.or_, (Q(day__gte=first, day__lte=last) for first, last in periods))
    rows = DailyStat.objects.filter(scope, days)
    if major:
        rows = rows.filter(major_id=major)
    if channel:
        rows = rows.filter(channel_id=channel)
    return list(rows.values(*ROW_FIELDS, *HIST_FIELDS))


def _scope_q(units: Sequence[Placed], kind: int | None) -> Q | None:
    rolled = [u.path for u in units if kind is not None and u.level in ROLLUP_LEVELS]
    based = [u.path for u in units if kind is None or u.level not in ROLLUP_LEVELS]
    parts: list[Q] = []
    if rolled:
        parts.append(Q(kind=kind, unit_path__in=rolled))
    if based:
        ranges = (Q(**subtree_range_kwargs("unit_path", path)) for path in based)
        parts.append(Q(kind=StatKind.BASE) & reduce(operator.or_, ranges))
    return reduce(operator.or_, parts) if parts else None


OPEN_FIELDS = ("open_red", "open_orange", "open_green", "open_overdue", "open_leader")


def _open_rows(units: Sequence[Placed]) -> list[dict[str, Any]]:
    """Stat rows (any day) that still hold open cases, covering each of ``units``."""
    scope = _scope_q(units, StatKind.TOTAL)
    if scope is None:
        return []
    # Both tables are written in one transaction, so no stat row before the oldest open case's
    # day holds an open case: the index on that day bounds the read to the recent rows (and
    # with no open case at all, the comparison with NULL selects none).
    first = OpenCase.objects.order_by("day").values("day")[:1]
    still_open = Q(open_red__gt=0) | Q(open_orange__gt=0) | Q(open_green__gt=0)
    rows = DailyStat.objects.filter(scope, still_open, day__gte=Subquery(first))
    return list(rows.values("unit_path", *OPEN_FIELDS))


def _open_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"red": 0, "orange": 0, "green": 0, "overdue": 0, "leader_led": 0}
    for row in rows:
        counts["red"] += row["open_red"]
        counts["orange"] += row["open_orange"]
        counts["green"] += row["open_green"]
        counts["overdue"] += row["open_overdue"]
        counts["leader_led"] += row["open_leader"]
    counts["total"] = counts["red"] + counts["orange"] + counts["green"]
    return counts


def colour_counts(*, actor: Any, unit: OrgUnit) -> dict[str, int]:
    """Open cases by risk colour, plus overdue and leader-led counts, in the unit."""
    unit_check(actor=actor, unit=unit)
    return _open_counts(_open_rows([unit]))


def colours_by_child(
    *, actor: Any, unit: OrgUnit, kids: Sequence[Placed]
) -> dict[str, dict[str, int]]:
    """Open-case counts of each of the unit's children (or the unit itself), by path."""
    unit_check(actor=actor, unit=unit)
    grouped: dict[str, list[dict[str, Any]]] = {kid.path: [] for kid in kids}
    if not kids:
        return {}
    width = len(kids[0].path)
    for row in _open_rows(kids):
        grouped.setdefault(row["unit_path"][:width], []).append(row)
    return {path: _open_counts(rows) for path, rows in grouped.items()}


def watch_list(*, actor: Any, unit: OrgUnit, limit: int = 12) -> list[Case]:
    """Open cases flagged overdue or led by an official (包案) in the unit, by deadline."""
    unit_check(actor=actor, unit=unit)
    ids = list(
        OpenCase.objects.filter(**subtree_range_kwargs("territory_path", unit.path))
        .filter(Q(overdue=True) | Q(leader__isnull=False))
        .order_by("resolve_deadline", "pk")
        .values_list("case_id", flat=True)[: limit * 3]
    )
    # Only what the list shows: a territory row would drag its whole boundary along.
    cases = (
        case_queryset(actor)
        .filter(pk__in=ids)
        .select_related("leader")
        .only("number", "title", "resolve_deadline", "overdue", "leader")
        .order_by("resolve_deadline", "pk")
    )
    return list(cases[:limit])
