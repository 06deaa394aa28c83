"""JSON API of the metrics (mounted under /api/v1/): the same figures as the cockpit page."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router

from fengqiao.metrics import selectors, services
from fengqiao.metrics.forms import default_period
from fengqiao.metrics.schemas import BreakdownOut, FiguresOut, TrendOut
from fengqiao.orgs.models import OrgUnit

router = Router(tags=["metrics"])


def _scope(
    request: HttpRequest, unit_id: int | None, start: date | None, end: date | None
) -> tuple[OrgUnit, date, date]:
    actor = request.user
    unit = (
        selectors.unit_get(actor=actor, unit_id=unit_id)
        if unit_id is not None
        else selectors.home_unit(actor=actor)
    )
    first, last = default_period()
    return unit, start or first, end or last


@router.get("/metrics/figures", response=FiguresOut)
def figures(
    request: HttpRequest,
    unit_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    category: str = "",
    channel: str = "",
) -> dict[str, Any]:
    unit, start, end = _scope(request, unit_id, start, end)
    result = services.unit_figures(
        actor=request.user, unit=unit, start=start, end=end, category=category, channel=channel
    )
    return {
        "unit_id": unit.pk,
        "unit_code": unit.code,
        "unit_name": unit.name,
        "start": start,
        "end": end,
        "category": category,
        "channel": channel,
        "metrics": result.as_dict(),
    }


@router.get("/metrics/breakdown", response=BreakdownOut)
def breakdown(
    request: HttpRequest,
    by: str = "child",
    unit_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    category: str = "",
    channel: str = "",
) -> dict[str, Any]:
    unit, start, end = _scope(request, unit_id, start, end)
    rows = services.breakdown(
        actor=request.user,
        unit=unit,
        start=start,
        end=end,
        by=by,
        category=category,
        channel=channel,
    )
    return {
        "unit_id": unit.pk,
        "by": by,
        "start": start,
        "end": end,
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "unit_id": row.unit.pk if row.unit else None,
                "metrics": row.figures.as_dict(),
            }
            for row in rows
        ],
    }


@router.get("/metrics/trend", response=TrendOut)
def trend(
    request: HttpRequest,
    grain: str = "day",
    unit_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    category: str = "",
    channel: str = "",
) -> dict[str, Any]:
    unit, start, end = _scope(request, unit_id, start, end)
    points = services.trend(
        actor=request.user,
        unit=unit,
        start=start,
        end=end,
        grain=grain,
        category=category,
        channel=channel,
    )
    return {
        "unit_id": unit.pk,
        "grain": grain,
        "start": start,
        "end": end,
        "points": [{"start": p.start, "metrics": p.figures.as_dict()} for p in points],
    }
