"""JSON API of risk colours and dispatch boards (mounted under /api/v1/)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.params.functions import Query

from fengqiao.core.errors import NotFound
from fengqiao.orgs.selectors import unit_get
from fengqiao.risk import selectors
from fengqiao.risk.boards import BoardItem, board
from fengqiao.risk.models import DispatchDecision, DispatchMeeting
from fengqiao.risk.policy import review_period
from fengqiao.risk.schemas import Colour, MeetingIn, RiskColourIn
from fengqiao.risk.services import dispatch_meeting_record, risk_colour_set

router = Router(tags=["risk"])


class FailureOut(Schema):
    code: str
    message: str


class BoardItemOut(Schema):
    kind: str
    id: int
    number: str
    title: str
    category: str
    unit_id: int | None
    unit_name: str
    colour: str
    reason: str
    set_by: str
    set_at: datetime | None
    deadline: datetime | None
    owners: list[str]
    overdue_tasks: list[str]
    last_review_on: date | None
    last_decision: str | None
    last_meeting_id: int | None
    next_review_on: date | None
    under_control: bool
    failures: list[FailureOut]


class BoardOut(Schema):
    colour: str
    review_period_days: int
    items: int
    cases: int
    warnings: int
    under_control: int
    entries: list[BoardItemOut]


class DecisionOut(Schema):
    id: int
    case_id: int | None
    warning_id: int | None
    item_title: str
    decision: str
    owner_text: str
    owner_user_id: int | None
    due_on: date | None


class MeetingOut(Schema):
    id: int
    colour: str
    unit_id: int
    unit_name: str
    held_on: date
    chair_id: int
    chair: str
    notes: str
    next_review_on: date
    created_by_id: int
    created_at: datetime


class MeetingDetailOut(MeetingOut):
    decisions: list[DecisionOut]


class CaseRiskOut(Schema):
    id: int
    risk_colour: str
    risk_reason: str
    version: int
    set_by: str
    set_at: datetime | None


def item_out(item: BoardItem) -> dict[str, Any]:
    decision = item.last_decision
    return {
        "kind": item.kind,
        "id": item.pk,
        "number": item.number,
        "title": item.title,
        "category": item.category,
        "unit_id": item.unit.pk if item.unit else None,
        "unit_name": item.unit.name if item.unit else "",
        "colour": item.colour,
        "reason": item.reason,
        "set_by": item.set_by,
        "set_at": item.set_at,
        "deadline": item.deadline,
        "owners": item.owners,
        "overdue_tasks": item.overdue_tasks,
        "last_review_on": item.last_review_on,
        "last_decision": decision.decision if decision else None,
        "last_meeting_id": decision.meeting_id if decision else None,
        "next_review_on": item.next_review_on,
        "under_control": item.under_control,
        "failures": [{"code": f.code, "message": f.message} for f in item.failures],
    }


def meeting_out(meeting: DispatchMeeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "colour": meeting.colour,
        "unit_id": meeting.unit_id,
        "unit_name": meeting.unit.name,
        "held_on": meeting.held_on,
        "chair_id": meeting.chair_id,
        "chair": str(meeting.chair),
        "notes": meeting.notes,
        "next_review_on": meeting.next_review_on,
        "created_by_id": meeting.created_by_id,
        "created_at": meeting.created_at,
    }


def decision_out(decision: DispatchDecision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "case_id": decision.case_id,
        "warning_id": decision.warning_id,
        "item_title": decision.case.title if decision.case else decision.item_title,
        "decision": decision.decision,
        "owner_text": decision.owner_text,
        "owner_user_id": decision.owner_user_id,
        "due_on": decision.due_on,
    }


def meeting_detail(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    decisions = selectors.meeting_decisions(actor=request.user, meeting=meeting)
    return {**meeting_out(meeting), "decisions": [decision_out(d) for d in decisions]}


@router.get("/risk/boards/{colour}", response=BoardOut)
def get_board(request: HttpRequest, colour: str, unit_id: int | None = None) -> Any:
    """Open cases and warnings of one colour in my jurisdiction, each with its "under control"
    verdict and the reasons it fails (``no_owner``, ``not_reviewed``, ``review_stale``,
    ``overdue_task``)."""
    if colour not in ("red", "orange", "green"):
        raise NotFound("no such board")
    unit = unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
    result = board(actor=request.user, colour=colour, unit=unit)
    return {
        "colour": colour,
        "review_period_days": review_period(colour).days,
        "items": len(result.items),
        "cases": result.case_count,
        "warnings": result.warning_count,
        "under_control": result.under_control_count,
        "entries": [item_out(item) for item in result.items],
    }


@router.get("/risk/meetings", response=list[MeetingOut])
def list_meetings(
    request: HttpRequest,
    colour: Colour | None = None,
    unit_id: int | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Any:
    unit = unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
    meetings = selectors.meeting_list(
        actor=request.user, colour=colour or "", unit_path=unit.path if unit else ""
    )
    return [meeting_out(m) for m in meetings[offset : offset + limit]]


@router.post("/risk/meetings", response={201: MeetingDetailOut})
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Any:
    """Record a dispatch meeting: the items it reviewed (cases or warnings on that board, in
    the meeting's unit), the decisions, and the next review date."""
    meeting = dispatch_meeting_record(actor=request.user, data=payload)
    return Status(201, meeting_detail(request, meeting.pk))


@router.get("/risk/meetings/{meeting_id}", response=MeetingDetailOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> Any:
    return meeting_detail(request, meeting_id)


@router.post("/cases/{case_id}/risk", response=CaseRiskOut)
def set_case_risk(request: HttpRequest, case_id: int, payload: RiskColourIn) -> Any:
    """Set a case's risk colour with the reason (required when the colour changes); ``version``
    is the case version you saw (a stale one answers 409)."""
    case = risk_colour_set(
        actor=request.user,
        case_id=case_id,
        colour=payload.colour,
        reason=payload.reason,
        expected_version=payload.version,
    )
    setting = selectors.colour_setting(actor=request.user, case_id=case.pk)
    return {
        "id": case.pk,
        "risk_colour": case.risk_colour,
        "risk_reason": case.risk_reason,
        "version": case.version,
        "set_by": setting.by,
        "set_at": setting.at,
    }
