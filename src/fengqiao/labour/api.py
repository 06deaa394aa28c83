"""JSON API of labour-dispute risk (mounted under /api/v1/)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.params.functions import Query

from fengqiao.core.errors import ValidationFailed
from fengqiao.labour import selectors, services
from fengqiao.labour.importer import parse_period
from fengqiao.labour.permissions import check_import, check_manage, requires
from fengqiao.labour.presenters import employer_out, score_out
from fengqiao.labour.schemas import (
    ComputeIn,
    ComputeOut,
    EmployerDetailOut,
    EmployerOut,
    EmployerUpdateIn,
    ImportOut,
    IndicatorRowIn,
    ScoreOut,
)
from fengqiao.orgs.models import subtree_range_kwargs
from fengqiao.orgs.selectors import unit_get

router = Router(tags=["labour"])


def _month(raw: str, field: str = "period") -> date:
    try:
        return parse_period(raw)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field=field) from exc


@router.get("/labour/scores", response=list[ScoreOut])
def list_scores(
    request: HttpRequest,
    period: str = "",
    unit_id: int | None = None,
    kind: str = "",
    colour: str = "",
    q: str = "",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Any:
    """The ranked list of one month (default: the latest), highest score first, each with its
    contributions: value, normalised value, weight and points per indicator."""
    if period:
        month: date | None = _month(period)
    else:
        periods = selectors.score_periods(actor=request.user)
        month = periods[0] if periods else None
    if month is None:
        return []
    unit = unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
    scores = selectors.ranked_scores(
        actor=request.user, period=month, unit=unit, kind=kind, colour=colour, q=q
    )
    return [
        score_out(score, rank=offset + n + 1)
        for n, score in enumerate(scores[offset : offset + limit])
    ]


@router.get("/labour/employers", response=list[EmployerOut])
def list_employers(
    request: HttpRequest,
    unit_id: int | None = None,
    kind: str = "",
    q: str = "",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Any:
    employers = selectors.employer_queryset(request.user).select_related("unit")
    if unit_id:
        unit = unit_get(actor=request.user, unit_id=unit_id)
        employers = employers.filter(**subtree_range_kwargs("unit_path", unit.path))
    if kind:
        employers = employers.filter(kind=kind)
    if q:
        employers = employers.filter(name__icontains=q)
    employers = employers.defer("unit__boundary").order_by("name", "pk")
    return [employer_out(e) for e in employers[offset : offset + limit]]


@router.get("/labour/employers/{employer_id}", response=EmployerDetailOut)
def get_employer(request: HttpRequest, employer_id: int) -> Any:
    employer = selectors.employer_get(actor=request.user, employer_id=employer_id)
    scores = list(selectors.employer_scores(employer=employer))
    history = selectors.employer_history(employer=employer)
    latest = scores[-1] if scores else None
    if latest is not None:
        latest.employer = employer
    return {
        **employer_out(employer),
        "latest": score_out(latest) if latest else None,
        "history": vars(history),
    }


@router.patch("/labour/employers/{employer_id}", response=EmployerOut)
@requires(check_manage)
def patch_employer(request: HttpRequest, employer_id: int, payload: EmployerUpdateIn) -> Any:
    employer = services.employer_update(
        actor=request.user,
        employer_id=employer_id,
        expected_version=payload.version,
        changes=payload.changes(),
    )
    return employer_out(selectors.employer_get(actor=request.user, employer_id=employer.pk))


@router.get("/labour/employers/{employer_id}/scores", response=list[ScoreOut])
def employer_scores(request: HttpRequest, employer_id: int) -> Any:
    employer = selectors.employer_get(actor=request.user, employer_id=employer_id)
    scores = list(selectors.employer_scores(employer=employer))
    for score in scores:
        score.employer = employer
    return [score_out(score) for score in scores]


@router.post("/labour/indicators", response={201: ImportOut})
@requires(check_import)
def import_indicators(request: HttpRequest, payload: list[IndicatorRowIn]) -> Any:
    """Import a batch of rows (one employer and month each). Every row is checked first; any
    problem is a 422 listing each one with its item ``index`` and ``field``, and nothing is
    written. Re-sending a batch changes nothing. Scores are recomputed in the background."""
    summary = services.indicators_import(
        actor=request.user,
        rows=[(index, row.as_cells()) for index, row in enumerate(payload)],
        by_index=True,
    )
    return Status(201, {**vars(summary), "summary": summary.summary()})


@router.post("/labour/scores/compute", response=ComputeOut)
@requires(check_manage)
def compute_scores(request: HttpRequest, payload: ComputeIn) -> Any:
    """Recompute one month now (default: the latest) and raise its warnings."""
    month = _month(payload.period) if payload.period else None
    result = services.labour_recompute(actor=request.user, period=month)
    return {"runs": [vars(run) for run in result.runs], "warnings": result.warnings}
