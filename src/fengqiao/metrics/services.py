"""The metrics: one unit's figures, their breakdowns and trends (docs/metrics.md).

The cockpit page, the CSV/XLSX export, the API and the reports all call these three functions;
none computes a figure any other way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, TypedDict

from django.utils.translation import gettext

from fengqiao.core.errors import ValidationFailed
from fengqiao.metrics import selectors
from fengqiao.metrics.aggregate import revisits_installed
from fengqiao.metrics.stats import Figures, Tally, figures_from
from fengqiao.metrics.statsql import Placed
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.taxonomy.models import Category, Channel

By = Literal["child", "category", "channel", "level"]
Grain = Literal["day", "week", "month"]
BY_VALUES: tuple[str, ...] = ("child", "category", "channel", "level")
GRAIN_VALUES: tuple[str, ...] = ("day", "week", "month")
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    figures: Figures
    unit: OrgUnit | None = None  # set when breaking down by child: the drill-down target


@dataclass(frozen=True)
class TrendPoint:
    start: date
    figures: Figures


def same_day_last_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationFailed(gettext("the end must not be before the start"), field="end")
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed(gettext("choose a period of at most three years"), field="start")


def _major(code: str) -> int | None:
    if not code:
        return None
    category = Category.objects.filter(code=code).values_list("pk", "parent_id").first()
    if category is None:
        raise ValidationFailed(gettext("unknown category"), field="category")
    return category[1] or category[0]


def _channel(code: str) -> int | None:
    if not code:
        return None
    pk = Channel.objects.filter(code=code).values_list("pk", flat=True).first()
    if pk is None:
        raise ValidationFailed(gettext("unknown channel"), field="channel")
    return pk


class _Dims(TypedDict):
    major: int | None
    channel: int | None


def _filters(category: str, channel: str) -> _Dims:
    return {"major": _major(category), "channel": _channel(channel)}


def _figures(tally: Tally) -> Figures:
    return figures_from(tally, satisfaction_known=revisits_installed())


def unit_figures(
    *,
    actor: Any,
    unit: OrgUnit,
    start: date,
    end: date,
    category: str = "",
    channel: str = "",
) -> Figures:
    """Every metric of ``unit`` for cases registered from ``start`` to ``end`` (inclusive)."""
    selectors.unit_check(actor=actor, unit=unit)
    _check_period(start, end)
    filters = _filters(category, channel)
    last_year = (same_day_last_year(start), same_day_last_year(end))
    now, before = Tally(), Tally()
    # Both periods in one read. A period longer than a year overlaps last year's: a day in
    # both counts in both.
    for row in selectors.stat_rows_in([unit], periods=[(start, end), last_year], **filters):
        if start <= row["day"] <= end:
            now.add_row(row)
        if last_year[0] <= row["day"] <= last_year[1]:
            before.add_row(row)
    return _figures(now).with_last_year(_figures(before))


def registered_by_place(
    *,
    actor: Any,
    unit: OrgUnit,
    places: Sequence[Placed],
    start: date,
    end: date,
    category: str = "",
    channel: str = "",
) -> dict[str, int]:
    """The ``registered`` figure of each of ``places`` (the unit or its children), by path.

    The map needs only this figure; summing it in the database spares reading every row's
    histograms. Each equals that place's :func:`unit_figures` (a test holds them together).
    """
    selectors.unit_check(actor=actor, unit=unit)
    _check_period(start, end)
    if any(not p.path.startswith(unit.path) for p in places):
        raise ValidationFailed(gettext("a place outside the unit"), field="unit")
    if not places:
        return {}
    counts = selectors.registered_in(places, start=start, end=end, **_filters(category, channel))
    return {p.path: counts.get(p.path, 0) for p in places}


def breakdown(
    *,
    actor: Any,
    unit: OrgUnit,
    start: date,
    end: date,
    by: str,
    category: str = "",
    channel: str = "",
    org_version: Any = None,
) -> list[BreakdownRow]:
    """The unit's figures split by child unit, major category, channel or lead level.

    ``org_version`` (the cockpit's reading of the org tree's version) lets the list of
    children be reused while the tree is unchanged.
    """
    selectors.unit_check(actor=actor, unit=unit)
    _check_period(start, end)
    if by not in BY_VALUES:
        raise ValidationFailed(gettext("unknown breakdown"), field="by")
    filters = _filters(category, channel)
    if by == "child":
        return _by_child(unit, start, end, filters, org_version)
    field = {"category": "major_id", "channel": "channel_id", "level": "lead_level"}[by]
    group = {"category": "major", "channel": "channel", "level": "level"}[by]
    tallies: dict[int, Tally] = defaultdict(Tally)
    for row in selectors.stat_rows([unit], start=start, end=end, group=group, **filters):
        if row[field] is not None:
            tallies[row[field]].add_row(row)
    labels = _labels(by, list(tallies))
    rows = [
        BreakdownRow(key=labels[key][0], label=labels[key][1], figures=_figures(tally))
        for key, tally in tallies.items()
    ]
    return sorted(rows, key=lambda r: (-(r.figures.registered.value or 0), r.key))


def _by_child(
    unit: OrgUnit, start: date, end: date, filters: _Dims, org_version: Any
) -> list[BreakdownRow]:
    kids = selectors.children(unit, org_version)
    if not kids:
        return []
    tallies: dict[str, Tally] = defaultdict(Tally)
    width = len(kids[0].path)
    for row in selectors.stat_rows(kids, start=start, end=end, **filters):
        tallies[row["unit_path"][:width]].add_row(row)
    return [
        BreakdownRow(
            key=kid.code, label=kid.name, figures=_figures(tallies.get(kid.path, Tally())), unit=kid
        )
        for kid in kids
    ]


def _labels(by: str, keys: list[int]) -> dict[int, tuple[str, str]]:
    if by == "level":
        return {key: (str(key), str(Level(key).label)) for key in keys}
    model = Category if by == "category" else Channel
    found = model.objects.filter(pk__in=keys).values_list("pk", "code", "name_zh")
    return {pk: (code, name) for pk, code, name in found}


def period_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def trend(
    *,
    actor: Any,
    unit: OrgUnit,
    start: date,
    end: date,
    grain: str = "day",
    category: str = "",
    channel: str = "",
) -> list[TrendPoint]:
    """The unit's figures per day, week (from Monday) or month, every period listed."""
    selectors.unit_check(actor=actor, unit=unit)
    _check_period(start, end)
    if grain not in GRAIN_VALUES:
        raise ValidationFailed(gettext("unknown grain"), field="grain")
    filters = _filters(category, channel)
    tallies: dict[date, Tally] = defaultdict(Tally)
    for row in selectors.stat_rows([unit], start=start, end=end, **filters):
        tallies[period_start(row["day"], grain)].add_row(row)
    points: list[TrendPoint] = []
    current = period_start(start, grain)
    while current <= end:
        points.append(TrendPoint(current, _figures(tallies.get(current, Tally()))))
        current = _next(current, grain)
    return points


def _next(day: date, grain: str) -> date:
    if grain == "week":
        return day + timedelta(days=7)
    if grain == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)
