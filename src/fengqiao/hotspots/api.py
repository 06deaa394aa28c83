"""JSON API of hotspots (mounted under /api/v1/): the latest run's list and on-demand runs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.params.functions import Query

from fengqiao.hotspots import selectors
from fengqiao.hotspots.models import Hotspot, HotspotRun
from fengqiao.hotspots.schemas import HotspotListOut, HotspotOut, RunIn, RunOut
from fengqiao.hotspots.services import hotspot_run_request
from fengqiao.orgs.selectors import unit_get

router = Router(tags=["hotspots"])
LIST_LIMIT = 500


def hotspot_out(hotspot: Hotspot) -> HotspotOut:
    return HotspotOut(
        rank=hotspot.rank,
        grid_id=hotspot.grid_id,
        grid_code=hotspot.grid.code,
        grid_name=hotspot.grid.name,
        category_code=hotspot.category.code,
        category_name=hotspot.category.name,
        window_start=hotspot.window_start,
        window_end=hotspot.window_end,
        observed=hotspot.observed,
        expected=hotspot.expected,
        p_value=hotspot.p_value,
        q_value=hotspot.q_value,
        score=hotspot.score,
        explanation=hotspot.explanation,
        history=hotspot.history,
    )


def _listing(
    request: HttpRequest,
    run: HotspotRun | None,
    unit_id: int | None,
    category_id: int | None,
    limit: int,
) -> HotspotListOut:
    unit = unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
    hotspots: list[HotspotOut] = []
    if run is not None:
        rows = selectors.hotspot_list(
            actor=request.user, run=run, unit=unit, category_id=category_id
        )
        hotspots = [hotspot_out(h) for h in rows[: max(1, min(limit, LIST_LIMIT))]]
    return HotspotListOut(
        run=RunOut.model_validate(run, from_attributes=True) if run else None, hotspots=hotspots
    )


@router.get("/hotspots", response=HotspotListOut)
def list_hotspots(
    request: HttpRequest,
    unit_id: int | None = None,
    category_id: int | None = None,
    limit: int = Query(100, ge=1, le=LIST_LIMIT),
) -> Any:
    """Hotspots of the latest finished run in your jurisdiction, most significant first."""
    return _listing(request, selectors.latest_run(), unit_id, category_id, limit)


@router.post("/hotspots/runs", response={202: RunOut})
def start_run(request: HttpRequest, payload: RunIn) -> Any:
    """Queue a run (analysts, leaders, administrators); a run already in progress is returned."""
    run = hotspot_run_request(
        actor=request.user,
        method=payload.method,
        category_level=payload.category_level,
        window_end=payload.window_end,
    )
    return Status(202, run)


@router.get("/hotspots/runs/{run_id}", response=HotspotListOut)
def get_run(
    request: HttpRequest,
    run_id: int,
    unit_id: int | None = None,
    category_id: int | None = None,
    limit: int = Query(100, ge=1, le=LIST_LIMIT),
) -> Any:
    """A run's status and, once done, its hotspots in your jurisdiction."""
    run = selectors.run_get(actor=request.user, run_id=run_id)
    return _listing(request, run, unit_id, category_id, limit)
