"""Scoped reads for the cockpit: the unit in view, stat rows, open-case counts and lists.

Statistics are aggregates (no names, phones or texts); a person reads them only for a unit inside
their jurisdiction (404 otherwise). Case rows shown in lists come through
``cases.selectors.case_queryset`` so restricted cases stay hidden from those who may not see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Q

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.cases.models import Case
from fengqiao.cases.selectors import visible_among
from fengqiao.core.errors import NotFound
from fengqiao.metrics import statsql
from fengqiao.metrics.models import OPEN_COUNT_FIELDS, OpenCase, StatKind
from fengqiao.metrics.statsql import Placed
from fengqiao.orgs.models import OrgUnit, subtree_range_kwargs

# Rows of the org tree reused while its version holds (per process; the tree changes rarely,
# and every cockpit request names a unit).
_MEMO_LIMIT = 4096
_org_memo: dict[tuple[Any, ...], tuple[Any, Any]] = {}


def _remember(key: tuple[Any, ...], org_version: Any, value: Any) -> None:
    if len(_org_memo) >= _MEMO_LIMIT:
        _org_memo.clear()
    _org_memo[key] = (org_version, value)


def unit_get(*, actor: Any, unit_id: int, org_version: Any = None) -> OrgUnit:
    """The unit in view, if the actor's jurisdiction covers it.

    With ``org_version`` (the org tree's version, :func:`fengqiao.metrics.fragments.versions`)
    the row is reused while that version holds: every cockpit request names a unit, and the
    tree changes rarely. The jurisdiction check runs on every call all the same.
    """
    known = _org_memo.get(("unit", unit_id)) if org_version is not None else None
    unit: OrgUnit | None
    if known is not None and known[0] == org_version:
        unit = known[1]
    else:
        unit = OrgUnit.objects.filter(pk=unit_id).defer("boundary").first()
        if org_version is not None:
            _remember(("unit", unit_id), org_version, unit)
    if unit is None or not Jurisdiction.of(actor).covers_path(unit.path):
        raise NotFound("unit not found")
    return unit


def forget_org_rows() -> None:
    _org_memo.clear()


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


def children(unit: OrgUnit, org_version: Any = None) -> list[OrgUnit]:
    """The unit's active children by path; reused while ``org_version`` holds (as unit_get)."""
    key = ("children", unit.pk, unit.path)
    known = _org_memo.get(key) if org_version is not None else None
    if known is not None and known[0] == org_version:
        return list(known[1])
    kids = list(unit.children.filter(is_active=True).defer("boundary").order_by("path"))
    if org_version is not None:
        _remember(key, org_version, kids)
    return list(kids)


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
    return statsql.rows(units, kind, periods=periods, major=major, channel=channel)


def registered_in(
    units: Sequence[Placed],
    *,
    start: date,
    end: date,
    major: int | None = None,
    channel: int | None = None,
) -> dict[str, int]:
    """Cases registered from ``start`` to ``end`` in each of ``units`` (same level), by path:
    summed in the database, from the same rows :func:`stat_rows` reads."""
    kind = rollup_kind(major=major, channel=channel, group=None)
    sums = statsql.sums_by_owner(
        units, kind, ["registered"], periods=[(start, end)], major=major, channel=channel
    )
    return {path: values[0] for path, values in sums.items()}


def _open_sums(units: Sequence[Placed]) -> dict[str, dict[str, int]]:
    """Open-case counts summed in the database, per each of ``units`` (by path).

    Only stat rows that still hold an open case are read, from a small partial index that
    carries the counts (no table rows): a few hundred entries for a whole city, however long
    the history.
    """
    sums = statsql.sums_by_owner(units, StatKind.TOTAL, OPEN_COUNT_FIELDS, open_only=True)
    return {
        path: _open_counts(dict(zip(OPEN_NAMES.values(), values, strict=True)))
        for path, values in sums.items()
    }


# The colour panel's names for the summed open-case columns.
OPEN_NAMES = {
    "open_red": "red",
    "open_orange": "orange",
    "open_green": "green",
    "open_overdue": "overdue",
    "open_leader": "leader_led",
}


def _open_counts(sums: dict[str, int | None] | None) -> dict[str, int]:
    counts = {name: int((sums or {}).get(name) or 0) for name in OPEN_NAMES.values()}
    counts["total"] = counts["red"] + counts["orange"] + counts["green"]
    return counts


def colour_counts(*, actor: Any, unit: OrgUnit) -> dict[str, int]:
    """Open cases by risk colour, plus overdue and leader-led counts, in the unit."""
    unit_check(actor=actor, unit=unit)
    return _open_sums([unit]).get(unit.path) or _open_counts(None)


def colours_by_child(
    *, actor: Any, unit: OrgUnit, kids: Sequence[Placed]
) -> dict[str, dict[str, int]]:
    """Open-case counts of each of the unit's children (or the unit itself), by path."""
    unit_check(actor=actor, unit=unit)
    sums = _open_sums(kids)
    return {kid.path: sums.get(kid.path) or _open_counts(None) for kid in kids}


# What the list shows; a territory row would drag its whole boundary along.
WATCH_FIELDS = (
    *("number", "title", "resolve_deadline", "overdue", "leader"),
    *("leader__display_name", "leader__username"),
)


def watch_list(*, actor: Any, unit: OrgUnit, limit: int = 12) -> list[Case]:
    """Open cases flagged overdue or led by an official (包案) in the unit, by deadline."""
    unit_check(actor=actor, unit=unit)
    flagged = (
        OpenCase.objects.filter(**subtree_range_kwargs("territory_path", unit.path))
        .filter(Q(overdue=True) | Q(leader__isnull=False))
        .order_by("resolve_deadline", "pk")
        .values("case_id")[: limit * 3]
    )
    order = ("resolve_deadline", "pk")
    cases = visible_among(actor, flagged, fields=WATCH_FIELDS, related=("leader",), order=order)
    return cases[:limit]
