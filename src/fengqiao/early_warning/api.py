"""JSON API of early warning (mounted under /api/v1/): warnings, risk points, rules."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.params.functions import Query

from fengqiao.early_warning import selectors, services
from fengqiao.early_warning.points import PointIn, maintenance_record, point_save
from fengqiao.early_warning.presenters import event_out, point_out, timeline_steps, warning_out
from fengqiao.early_warning.schemas import (
    MaintenanceIn,
    RiskPointDetailOut,
    RiskPointOut,
    RuleOut,
    TransitionIn,
    WarningDetailOut,
    WarningOut,
)
from fengqiao.early_warning.states import WarningAction
from fengqiao.orgs.selectors import unit_get

router = Router(tags=["early_warning"])


def _detail(request: HttpRequest, warning_id: int) -> dict[str, Any]:
    warning = selectors.warning_get(actor=request.user, warning_id=warning_id)
    events = list(selectors.warning_timeline(actor=request.user, warning=warning))
    return {
        **warning_out(warning),
        "lng": warning.lng,
        "lat": warning.lat,
        "verified_at": warning.verified_at,
        "verified_by": str(warning.verified_by) if warning.verified_by else None,
        "verification_note": warning.verification_note,
        "handled_at": warning.handled_at,
        "handling_note": warning.handling_note,
        "closed_at": warning.closed_at,
        "feedback": warning.feedback,
        "allowed_actions": selectors.warning_actions(actor=request.user, warning=warning),
        "events": [event_out(step) for step in timeline_steps(warning, events)],
    }


@router.get("/warnings", response=list[WarningOut])
def list_warnings(
    request: HttpRequest,
    status: str = "",
    open_only: bool = False,
    colour: str = "",
    rule: str = "",
    unit_id: int | None = None,
    mine: bool = False,
    overdue: bool = False,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Any:
    """Warnings in your jurisdiction, soonest deadline first. ``mine``: a grid worker's
    verification tasks, or what is assigned to your units."""
    unit = unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
    warnings = selectors.warning_list(
        actor=request.user,
        status=[s for s in status.split(",") if s],
        open_only=open_only,
        colour=colour,
        rule_code=rule,
        unit=unit,
        mine=mine,
        overdue=overdue,
    )
    return [warning_out(w) for w in warnings[offset : offset + limit]]


@router.get("/warnings/{warning_id}", response=WarningDetailOut)
def get_warning(request: HttpRequest, warning_id: int) -> Any:
    return _detail(request, warning_id)


@router.post("/warnings/{warning_id}/transitions", response=WarningDetailOut)
def transition(request: HttpRequest, warning_id: int, payload: TransitionIn) -> Any:
    """``verify`` / ``dismiss`` (grid worker, with ``note``), ``handle`` (``note``), ``close``
    (``feedback``), ``convert`` (optional ``category``), ``assign``. Carry the ``version`` you
    read: a stale one is 409, an action the status does not allow is 409."""
    common: dict[str, Any] = {
        "actor": request.user,
        "warning_id": warning_id,
        "expected_version": payload.version,
    }
    action = WarningAction(payload.action)
    if action in {WarningAction.VERIFY, WarningAction.DISMISS}:
        services.warning_verify(
            **common, confirmed=action == WarningAction.VERIFY, note=payload.note
        )
    elif action == WarningAction.HANDLE:
        services.warning_handle(**common, note=payload.note)
    elif action == WarningAction.CLOSE:
        services.warning_close(**common, feedback=payload.feedback)
    elif action == WarningAction.CONVERT:
        services.warning_convert(**common, note=payload.note, category_code=payload.category)
    else:
        services.warning_assign(**common)
    return _detail(request, warning_id)


@router.get("/risk-points", response=list[RiskPointOut])
def list_points(
    request: HttpRequest,
    point_type: str = "",
    unit_id: int | None = None,
    q: str = "",
    overdue: bool = False,
    limit: int = Query(200, ge=1, le=2000),
    offset: int = Query(0, ge=0),
) -> Any:
    unit = unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
    points = selectors.point_list(
        actor=request.user, point_type=point_type, unit=unit, q=q, overdue_only=overdue
    )
    return [point_out(p) for p in points[offset : offset + limit]]


def _point_detail(request: HttpRequest, point_id: int) -> dict[str, Any]:
    point = selectors.point_get(actor=request.user, point_id=point_id)
    return {
        **point_out(point),
        "devices": list(selectors.point_devices(actor=request.user, point=point)),
        "open_warnings": selectors.point_warnings(actor=request.user, point=point)
        .filter(status__in=["raised", "assigned", "verified", "handled"])
        .count(),
    }


@router.get("/risk-points/{point_id}", response=RiskPointDetailOut)
def get_point(request: HttpRequest, point_id: int) -> Any:
    return _point_detail(request, point_id)


@router.post("/risk-points", response={200: RiskPointDetailOut, 201: RiskPointDetailOut})
def save_point(request: HttpRequest, payload: PointIn) -> Any:
    """Register a risk point, or update the one with this ``code``; ``devices`` are linked."""
    point, created = point_save(actor=request.user, data=payload)
    return Status(201 if created else 200, _point_detail(request, point.pk))


@router.post("/risk-points/{point_id}/maintenance", response={201: RiskPointDetailOut})
def add_maintenance(request: HttpRequest, point_id: int, payload: MaintenanceIn) -> Any:
    maintenance_record(
        actor=request.user,
        point_id=point_id,
        done_on=payload.done_on,
        note=payload.note,
        expected_version=payload.version,
    )
    return Status(201, _point_detail(request, point_id))


@router.get("/warning-rules", response=list[RuleOut])
def list_rules(request: HttpRequest, active_only: bool = False) -> Any:
    return [
        {
            "code": r.code,
            "name": r.name,
            "kind": r.kind,
            "signal_kind": r.signal_kind,
            "threshold": r.threshold,
            "window_minutes": r.window_minutes,
            "count_n": r.count_n,
            "category": r.category.code if r.category else None,
            "point_types": r.point_types,
            "colour": r.colour,
            "deadline_minutes": r.deadline_minutes,
            "is_active": r.is_active,
        }
        for r in selectors.rule_list(active_only=active_only)
    ]
