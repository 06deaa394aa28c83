"""JSON API of the four-level revisits (mounted under /api/v1/): plans, draws, the auditor's
queue, recording a revisit, referral flags and the satisfaction figure — all scoped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from fengqiao.accounts.auth import client_ip
from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.cases.privacy import parties_for
from fengqiao.core.errors import NotFound, ValidationFailed
from fengqiao.revisits import selectors, services
from fengqiao.revisits.flags import flag_list
from fengqiao.revisits.models import LEVELS, RevisitStatus
from fengqiao.revisits.schemas import (
    DrawIn,
    DrawOut,
    FlagOut,
    PlanIn,
    PlanOut,
    PlanPatch,
    ReferIn,
    ResultIn,
    RevisitDetailOut,
    RevisitOut,
    SatisfactionOut,
    draw_out,
    flag_out,
    plan_out,
    revisit_out,
)

router = Router(tags=["revisits"])


@router.get("/revisits/plans", response=list[PlanOut])
def list_plans(request: HttpRequest) -> Any:
    return [plan_out(p) for p in selectors.plan_list(actor=request.user)]


@router.post("/revisits/plans", response={201: PlanOut})
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    return Status(201, plan_out(services.plan_create(actor=request.user, data=payload)))


@router.get("/revisits/plans/{plan_id}", response=PlanOut)
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    return plan_out(selectors.plan_get(actor=request.user, plan_id=plan_id))


@router.patch("/revisits/plans/{plan_id}", response=PlanOut)
def update_plan(request: HttpRequest, plan_id: int, payload: PlanPatch) -> Any:
    return plan_out(services.plan_update(actor=request.user, plan_id=plan_id, data=payload))


@router.get("/revisits/draws", response=list[DrawOut])
def list_draws(request: HttpRequest) -> Any:
    return [draw_out(d) for d in selectors.draw_list(actor=request.user)[:200]]


@router.post("/revisits/draws", response={201: DrawOut})
def create_draw(request: HttpRequest, payload: DrawIn) -> Any:
    draw = services.draw_create(
        actor=request.user, plan_id=payload.plan_id, period=payload.period, seed=payload.seed
    )
    return Status(201, draw_out(selectors.draw_get(actor=request.user, draw_id=draw.pk)))


@router.get("/revisits/draws/{draw_id}", response=DrawOut)
def get_draw(request: HttpRequest, draw_id: int) -> Any:
    return draw_out(selectors.draw_get(actor=request.user, draw_id=draw_id))


@router.get("/revisits/draws/{draw_id}/revisits", response=list[RevisitOut])
def list_draw_revisits(request: HttpRequest, draw_id: int) -> Any:
    draw = selectors.draw_get(actor=request.user, draw_id=draw_id)
    return [revisit_out(r) for r in selectors.revisit_list(actor=request.user, draw=draw)]


@router.get("/revisits/flags", response=list[FlagOut])
def list_flags(request: HttpRequest) -> Any:
    return [flag_out(f) for f in flag_list(actor=request.user)]


@router.post("/revisits/flags/{case_id}/refer", response=dict[str, Any])
def refer_flagged(request: HttpRequest, case_id: int, payload: ReferIn) -> Any:
    case = services.flag_refer(
        actor=request.user,
        case_id=case_id,
        expected_version=payload.version,
        kind=payload.kind,
        reason=payload.reason,
    )
    return {"case_id": case.pk, "status": case.status, "version": case.version}


@router.get("/revisits/satisfaction", response=SatisfactionOut)
def get_satisfaction(request: HttpRequest, unit_id: int, start: datetime, end: datetime) -> Any:
    if end <= start:
        raise ValidationFailed("end must be after start", field="end")
    unit = Jurisdiction.of(request.user).units().filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("organisation unit not found")
    satisfied, reached = selectors.satisfaction(actor=request.user, unit=unit, start=start, end=end)
    return {
        "unit_id": unit.pk,
        "satisfied": satisfied,
        "reached": reached,
        "rate": satisfied / reached if reached else None,
    }


@router.get("/revisits", response=list[RevisitOut])
def list_revisits(
    request: HttpRequest, mine: bool = False, status: str = "", level: str = ""
) -> Any:
    """Revisits you may see (``mine``: your queue, with the unassigned ones)."""
    if status and status not in RevisitStatus.values:
        raise ValidationFailed("unknown status", field="status")
    if level and level not in LEVELS:
        raise ValidationFailed("unknown level", field="level")
    revisits = selectors.revisit_list(actor=request.user, mine=mine, status=status, level=level)
    return [revisit_out(r) for r in revisits[:500]]


@router.get("/revisits/{revisit_id}", response=RevisitDetailOut)
def get_revisit(request: HttpRequest, revisit_id: int, unmask: bool = False) -> Any:
    """One revisit with the parties to call (``unmask``: full phones, logged) and its flags."""
    revisit = selectors.revisit_get(actor=request.user, revisit_id=revisit_id)
    parties = parties_for(
        actor=request.user,
        case=revisit.case,
        reveal=unmask,
        purpose="revisit",
        ip_address=client_ip(request),
    )
    return {
        **revisit_out(revisit),
        "parties": [
            {"name": p.name, "role": p.role, "phone": p.phone, "masked": p.masked} for p in parties
        ],
        "flags": [flag_out(f) for f in flag_list(actor=request.user, case_ids=[revisit.case_id])],
    }


@router.post("/revisits/{revisit_id}/result", response=RevisitOut)
def record_result(request: HttpRequest, revisit_id: int, payload: ResultIn) -> Any:
    services.revisit_record(actor=request.user, revisit_id=revisit_id, result=payload)
    return revisit_out(selectors.revisit_get(actor=request.user, revisit_id=revisit_id))
