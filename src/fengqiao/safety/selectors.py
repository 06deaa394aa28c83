"""Reads of index results and values, always scoped to the acting user's jurisdiction.

A unit's result is visible to people whose units contain it (``unit_path`` in their subtrees);
a result outside the jurisdiction is "not found", exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import NotFound
from fengqiao.orgs.models import OrgUnit, subtree_range_kwargs
from fengqiao.safety.compute import INDEX_LEVELS
from fengqiao.safety.models import Dimension, IndexResult, Indicator, IndicatorValue


def result_queryset(actor: Any) -> QuerySet[IndexResult]:
    return IndexResult.objects.filter(Jurisdiction.of(actor).unit_q("unit_path"))


def periods(*, actor: Any) -> list[str]:
    """Periods with results the actor may see, newest first."""
    labels = result_queryset(actor).values_list("period", flat=True).distinct()
    return sorted(set(labels), reverse=True)


def default_period(*, actor: Any) -> str | None:
    """The newest month with results (a quarter only when no month has any)."""
    available = periods(actor=actor)
    months = [p for p in available if "Q" not in p]
    candidates = months or available
    return candidates[0] if candidates else None


def result_list(
    *,
    actor: Any,
    period: str,
    level: int | None = None,
    within: OrgUnit | None = None,
    colour: str = "",
    negative_only: bool = False,
) -> QuerySet[IndexResult]:
    results = result_queryset(actor).filter(period=period).select_related("unit", "unit__parent")
    if level is not None:
        results = results.filter(level=level)
    if within is not None:
        results = results.filter(**subtree_range_kwargs("unit_path", within.path))
    if colour:
        results = results.filter(colour=colour)
    if negative_only:
        results = results.filter(negative=True)
    return results.order_by("level", "rank", "unit_path")


def unit_get(*, actor: Any, unit_id: int) -> OrgUnit:
    """A township or village the actor may see."""
    unit = (
        Jurisdiction.of(actor)
        .units()
        .filter(pk=unit_id, level__in=INDEX_LEVELS)
        .select_related("parent")
        .first()
    )
    if unit is None:
        raise NotFound("unit not found")
    return unit


def result_get(*, actor: Any, unit_id: int, period: str) -> IndexResult:
    result = (
        result_queryset(actor)
        .filter(unit_id=unit_id, period=period)
        .select_related("unit", "unit__parent", "unit__parent__parent")
        .first()
    )
    if result is None:
        raise NotFound("index result not found")
    return result


def unit_history(*, actor: Any, unit: OrgUnit) -> list[IndexResult]:
    """The unit's results, oldest first: months, then quarters (two separate series)."""
    results = list(result_queryset(actor).filter(unit=unit).order_by("period"))
    return [r for r in results if "Q" not in r.period] + [r for r in results if "Q" in r.period]


def unit_values(*, actor: Any, unit: OrgUnit, period: str) -> dict[str, float]:
    """Imported values of the unit for the period, by indicator code."""
    if not Jurisdiction.of(actor).covers_path(unit.path):
        raise NotFound("unit not found")
    rows = IndicatorValue.objects.filter(unit=unit, period=period).values_list(
        "indicator__code", "value"
    )
    return dict(rows)


def dimensions_with_indicators() -> list[Dimension]:
    """The configuration (not personal, not per unit: readable by every signed-in user)."""
    return list(Dimension.objects.prefetch_related("indicators").order_by("order", "code"))


def indicators_by_code() -> dict[str, Indicator]:
    return {i.code: i for i in Indicator.objects.select_related("dimension")}


@dataclass(frozen=True)
class ContributionRow:
    indicator: Indicator | None
    code: str
    value: float | None
    risk: float
    points: float

    @property
    def share(self) -> float:
        """Risk as a percentage, for a bar in the table."""
        return round(self.risk * 100, 1)


def contribution_rows(
    result: IndexResult, indicators: dict[str, Indicator]
) -> list[ContributionRow]:
    """The result's contributions, largest first (an indicator since deleted keeps its code)."""
    rows = [
        ContributionRow(indicators.get(code), code, value, risk, points)
        for code, value, risk, points in result.contributions
    ]
    return sorted(rows, key=lambda row: (-row.points, row.code))


def result_features(*, actor: Any, period: str, level: int) -> dict[str, Any]:
    """GeoJSON of the visible units of ``level`` with their index, for the choropleth map."""
    results = result_list(actor=actor, period=period, level=level).filter(
        unit__boundary__isnull=False
    )
    features = [
        {
            "type": "Feature",
            "geometry": r.unit.boundary,
            "properties": {
                "id": r.unit_id,
                "name": r.unit.name,
                "index": r.index,
                "colour": r.colour,
                "rank": r.rank,
                "rank_of": r.rank_of,
                "negative": r.negative,
            },
        }
        for r in results
    ]
    return {"type": "FeatureCollection", "features": features}
