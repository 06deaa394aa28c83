"""Every read of labour-dispute risk, scoped to what the acting user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_queryset
from fengqiao.core.errors import NotFound
from fengqiao.labour.complaints import add_months, employer_match
from fengqiao.labour.models import Employer, IndicatorValue, LabourScore
from fengqiao.orgs.models import OrgUnit, subtree_range_kwargs

RELATED_CASES = 50


def employer_queryset(actor: Any) -> QuerySet[Employer]:
    return Employer.objects.filter(Jurisdiction.of(actor).unit_q("unit_path"))


def employer_get(*, actor: Any, employer_id: int) -> Employer:
    employer = (
        employer_queryset(actor)
        .select_related("unit", "unit__parent")
        .defer("unit__boundary", "unit__parent__boundary")
        .filter(pk=employer_id)
        .first()
    )
    if employer is None:
        raise NotFound("employer not found")
    return employer


def score_periods(*, actor: Any) -> list[date]:
    """Months with scores for employers the actor sees, newest first."""
    scores = LabourScore.objects.filter(Jurisdiction.of(actor).unit_q("employer__unit_path"))
    return list(scores.order_by("-period").values_list("period", flat=True).distinct())


def ranked_scores(
    *,
    actor: Any,
    period: date,
    unit: OrgUnit | None = None,
    kind: str = "",
    colour: str = "",
    q: str = "",
) -> QuerySet[LabourScore]:
    """The month's scores of active employers in the actor's jurisdiction, highest first."""
    scores = LabourScore.objects.filter(
        Jurisdiction.of(actor).unit_q("employer__unit_path"),
        period=period,
        employer__is_active=True,
    )
    if unit is not None:
        scores = scores.filter(**subtree_range_kwargs("employer__unit_path", unit.path))
    if kind:
        scores = scores.filter(employer__kind=kind)
    if colour:
        scores = scores.filter(colour=colour)
    if q:
        scores = scores.filter(Q(employer__name__icontains=q) | Q(employer__code__icontains=q))
    return (
        scores.select_related("employer", "employer__unit")
        .defer("employer__unit__boundary")
        .order_by("-score", "employer__name", "employer_id")
    )


def employer_scores(*, employer: Employer) -> QuerySet[LabourScore]:
    """An employer's scores, oldest first (the caller got the employer through a selector)."""
    return LabourScore.objects.filter(employer=employer).order_by("period")


def employer_indicators(*, employer: Employer) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.filter(employer=employer).order_by("period", "indicator")


@dataclass(frozen=True)
class History:
    periods: list[date]
    # indicator -> one value per period (None where not reported)
    series: dict[str, list[float | None]]
    scores: list[float | None]


def employer_history(*, employer: Employer) -> History:
    values = list(employer_indicators(employer=employer))
    scores = {s.period: s.score for s in employer_scores(employer=employer)}
    periods = sorted({v.period for v in values} | set(scores))
    index = {p: i for i, p in enumerate(periods)}
    series: dict[str, list[float | None]] = {}
    for value in values:
        series.setdefault(value.indicator, [None] * len(periods))[index[value.period]] = value.value
    return History(periods, series, [scores.get(p) for p in periods])


def employer_cases(*, actor: Any, employer: Employer, months: int = 24) -> QuerySet[Case]:
    """Wage and labour cases naming the employer that the actor may see (their own scope, not
    the system-wide count behind the score)."""
    today = date.today()  # noqa: DTZ011 (a calendar month, not an instant)
    since = add_months(date(today.year, today.month, 1), 1 - months)
    return (
        case_queryset(actor)
        .filter(
            employer_match(employer), category__code__startswith="M10", created_at__date__gte=since
        )
        .select_related("category", "lead_unit")
        .distinct()
        .order_by("-created_at")[:RELATED_CASES]
    )


def employer_warnings(*, actor: Any, employer: Employer) -> list[Any]:
    """Warnings raised for the employer, through the early-warning app's scoped reads."""
    from fengqiao.labour.warnings import warnings_for

    return warnings_for(actor=actor, employer=employer)
