"""JSON API of the safety risk index (mounted under /api/v1/): results, history, the negative
list, the map, configuration, value imports, computation and the warning letter — all scoped."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.params.functions import Query

from fengqiao.safety import selectors
from fengqiao.safety.compute import INDEX_LEVELS, index_compute
from fengqiao.safety.letter import letter_build
from fengqiao.safety.models import IndexResult, Indicator, ValueSource
from fengqiao.safety.schemas import (
    ComputeIn,
    ComputeOut,
    IndicatorOut,
    ResultDetailOut,
    ResultOut,
    ValuesImportOut,
    ValuesIn,
)
from fengqiao.safety.services import values_import

router = Router(tags=["safety"])


def _result(result: IndexResult, indicators: dict[str, Indicator]) -> dict[str, Any]:
    def name(code: str) -> str:
        indicator = indicators.get(code)
        return indicator.name if indicator else code

    return {
        "unit_id": result.unit_id,
        "unit_code": result.unit.code,
        "unit_name": result.unit.name,
        "level": result.level,
        "period": result.period,
        "index": result.index,
        "colour": result.colour,
        "rank": result.rank,
        "rank_of": result.rank_of,
        "district_rank": result.district_rank,
        "district_rank_of": result.district_rank_of,
        "dimension_scores": result.dimension_scores,
        "negative": result.negative,
        "reasons": [{"code": c, "name": name(c), "points": p} for c, p in result.reasons],
        "missing": result.missing,
        "computed_at": result.computed_at,
    }


def _period(request: HttpRequest, period: str) -> str:
    return period or selectors.default_period(actor=request.user) or ""


@router.get("/safety/periods", response=list[str])
def list_periods(request: HttpRequest) -> Any:
    """Periods with results you may see, newest first."""
    return selectors.periods(actor=request.user)


@router.get("/safety/results", response=list[ResultOut])
def list_results(
    request: HttpRequest,
    period: str = "",
    level: int | None = Query(None, ge=3, le=4),
    colour: str = "",
    negative_only: bool = False,
) -> Any:
    """Index results of one period (default: the newest month), safest first."""
    indicators = selectors.indicators_by_code()
    results = selectors.result_list(
        actor=request.user,
        period=_period(request, period),
        level=level,
        colour=colour,
        negative_only=negative_only,
    )
    return [_result(r, indicators) for r in results]


@router.get("/safety/negative-list", response=list[ResultOut])
def negative_list(request: HttpRequest, period: str = "") -> Any:
    """Units on the negative list, with the indicators that took most points off."""
    indicators = selectors.indicators_by_code()
    results = selectors.result_list(
        actor=request.user, period=_period(request, period), negative_only=True
    )
    return [_result(r, indicators) for r in results]


@router.get("/safety/map")
def result_map(
    request: HttpRequest, period: str = "", level: int = Query(INDEX_LEVELS[0], ge=3, le=4)
) -> Any:
    """GeoJSON of the units of ``level`` coloured by their index in ``period``."""
    return selectors.result_features(
        actor=request.user, period=_period(request, period), level=level
    )


@router.get("/safety/units/{unit_id}/history", response=list[ResultOut])
def unit_history(request: HttpRequest, unit_id: int) -> Any:
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id)
    indicators = selectors.indicators_by_code()
    return [_result(r, indicators) for r in selectors.unit_history(actor=request.user, unit=unit)]


@router.get("/safety/units/{unit_id}/results/{period}", response=ResultDetailOut)
def unit_result(request: HttpRequest, unit_id: int, period: str) -> Any:
    result = selectors.result_get(actor=request.user, unit_id=unit_id, period=period)
    indicators = selectors.indicators_by_code()
    body = _result(result, indicators)
    body["contributions"] = [
        {
            "code": row.code,
            "name": row.indicator.name if row.indicator else row.code,
            "dimension": row.indicator.dimension.code if row.indicator else "",
            "unit": row.indicator.unit if row.indicator else "",
            "value": row.value,
            "risk": row.risk,
            "points": row.points,
        }
        for row in selectors.contribution_rows(result, indicators)
    ]
    return body


@router.get("/safety/units/{unit_id}/letter")
def unit_letter(request: HttpRequest, unit_id: int, period: str) -> HttpResponse:
    """The unit's warning letter (预警函) for ``period`` as a PDF."""
    letter = letter_build(actor=request.user, unit_id=unit_id, period=period)
    response = HttpResponse(letter.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
    return response


@router.get("/safety/indicators", response=list[IndicatorOut])
def list_indicators(request: HttpRequest) -> Any:
    return [
        {
            "code": i.code,
            "name_zh": i.name_zh,
            "name_en": i.name_en,
            "dimension": i.dimension.code,
            "direction": i.direction,
            "unit": i.unit,
            "weight": i.weight,
            "normalisation": i.normalisation,
            "good_value": i.good_value,
            "bad_value": i.bad_value,
            "source": i.source,
            "is_active": i.is_active,
        }
        for i in selectors.indicators_by_code().values()
    ]


@router.post("/safety/values", response=ValuesImportOut)
def import_values(request: HttpRequest, payload: ValuesIn) -> Any:
    """Import indicator values (analysts; units in your jurisdiction). One bad row rejects the
    batch: HTTP 422 with ``errors`` = [{index, field, message}]. The periods are recomputed."""
    result = values_import(
        actor=request.user, rows=payload.values, source=ValueSource.API, dry_run=payload.dry_run
    )
    return {
        "created": result.created,
        "updated": result.updated,
        "periods": list(result.periods),
        "dry_run": result.dry_run,
    }


@router.post("/safety/compute", response=ComputeOut)
def compute(request: HttpRequest, payload: ComputeIn) -> Any:
    """Compute the index of every township and village for a period now (analysts)."""
    summary = index_compute(actor=request.user, period=payload.period)
    return {
        "period": summary.period,
        "levels": [
            {"level": r.level, "units": r.units, "red": r.red, "negative": r.negative}
            for r in summary.levels
        ],
    }
