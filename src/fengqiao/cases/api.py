"""Cases API: intake, lists and queues, detail, transitions, reports, parties, assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Status
from ninja.params.functions import Header, Query

from fengqiao.accounts.auth import client_ip
from fengqiao.accounts.models import User
from fengqiao.cases import selectors
from fengqiao.cases.api_schemas import (
    AgreementIn,
    AssignmentIn,
    AssignmentOut,
    AssignmentUpdateIn,
    CaseDetailOut,
    CaseSummaryOut,
    ConfirmationDecisionIn,
    ConfirmationRequestIn,
    CreatedOut,
    DuplicateOut,
    EventOut,
    MarkReadIn,
    MediationSessionIn,
    NotificationOut,
    PartyOut,
    PerformanceIn,
    ProtectiveOrderIn,
    ReportOut,
    RoutingOut,
    TransitionIn,
)
from fengqiao.cases.duplicates import find_duplicates
from fengqiao.cases.handling import services as handling
from fengqiao.cases.handling.models import Assignment
from fengqiao.cases.lifecycle import allowed_actions, case_transition
from fengqiao.cases.models import Case, Report
from fengqiao.cases.privacy import parties_for, reporter_phone, reveal_allowed
from fengqiao.cases.schemas import CaseIn, CaseUpdate, PartyIn, ReportIn
from fengqiao.cases.services import (
    case_link_report,
    case_register,
    case_update,
    party_add,
    routing_input,
    routing_preview,
)
from fengqiao.notifications.models import Notification
from fengqiao.notifications.services import notification_mark_read
from fengqiao.orgs.selectors import unit_get

router = Router(tags=["cases"])


class CaseUpdateIn(CaseUpdate):
    version: int


def summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "status": case.status,
        "category_code": case.category.code,
        "category_name": case.category.name,
        "channel_code": case.channel.code,
        "risk_colour": case.risk_colour,
        "territory_id": case.territory_id,
        "lead_unit_id": case.lead_unit_id,
        "lead_unit_name": case.lead_unit.name,
        "lead_department_id": case.lead_department_id,
        "people_involved": case.people_involved,
        "amount": case.amount,
        "accept_deadline": case.accept_deadline,
        "resolve_deadline": case.resolve_deadline,
        "overdue": case.overdue,
        "restricted": case.restricted,
        "created_at": case.created_at,
        "version": case.version,
    }


def assignment_out(assignment: Assignment) -> dict[str, Any]:
    return {
        "id": assignment.pk,
        "case_id": assignment.case_id,
        "department_id": assignment.department_id,
        "department_name": assignment.department.name,
        "assignee_id": assignment.assignee_id,
        "role": assignment.role,
        "status": assignment.status,
        "task": assignment.task,
        "deadline": assignment.deadline,
        "notes": assignment.notes,
        "version": assignment.version,
    }


def report_out(report: Report, *, reveal: bool) -> dict[str, Any]:
    return {
        "id": report.pk,
        "channel_code": report.channel.code,
        "external_id": report.external_id,
        "received_at": report.received_at,
        "reporter_name": report.reporter_name,
        "reporter_phone": reporter_phone(report.reporter_phone, reveal=reveal),
        "content": report.content,
    }


def detail(
    request: HttpRequest,
    case: Case,
    *,
    unmask: bool,
    written: dict[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """The case as the API shows it. ``written``: related rows a registration just wrote."""
    written = written or {}

    def _loaded(name: str, *related: str) -> list[Any]:
        if name in written:
            return written[name]
        return list(getattr(case, name).select_related(*related))

    reveal = reveal_allowed(request.user, unmask)
    parties = parties_for(
        actor=request.user,
        case=case,
        reveal=reveal,
        purpose="api",
        ip_address=client_ip(request),
        parties=written.get("parties"),
    )
    return {
        **summary(case),
        "description": case.description,
        "address": case.address if reveal else "",
        "lat": case.lat,
        "lng": case.lng,
        "risk_reason": case.risk_reason,
        "routing_explanation": case.routing_explanation,
        "leader_id": case.leader_id,
        "accepted_at": case.accepted_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "escalation_count": case.escalation_count,
        "reopen_count": case.reopen_count,
        "merged_into_id": case.merged_into_id,
        "tracking_code": case.tracking_code,
        "partner_unit_ids": [u.pk for u in _loaded("partner_units")],
        "parties": [vars(p) for p in parties],
        "reports": [report_out(r, reveal=reveal) for r in _loaded("reports", "channel")],
        "assignments": [assignment_out(a) for a in _loaded("assignments", "department")],
        "allowed_actions": allowed_actions(actor=request.user, case=case),
    }


@router.post("/cases", response={200: CaseDetailOut, 201: CaseDetailOut})
def create_case(
    request: HttpRequest,
    payload: CaseIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> Any:
    """Register a case with its first report. Retrying with the same ``Idempotency-Key`` header, or
    a report whose (channel, external_id) is known, returns the first result and creates nothing."""
    registration = case_register(
        actor=request.user, data=payload, idempotency_key=idempotency_key[:128]
    )
    if registration.created:
        # Just written by this request, with its reports, parties and assignments in hand.
        return Status(
            201,
            detail(request, registration.case, unmask=False, written=registration.written),
        )
    case = selectors.case_get(actor=request.user, case_id=registration.case.pk)
    return Status(200, detail(request, case, unmask=False))


@router.get("/cases", response=list[CaseSummaryOut])
def list_cases(
    request: HttpRequest,
    status: str = "",
    open_only: bool = False,
    category: str = "",
    channel: str = "",
    risk_colour: str = "",
    unit_id: int | None = None,
    q: str = "",
    overdue: bool | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    order: str = "deadline",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Any:
    unit = unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
    cases = selectors.case_list(
        actor=request.user,
        status=[s for s in status.split(",") if s],
        open_only=open_only,
        category_code=category,
        channel_code=channel,
        risk_colour=risk_colour,
        unit=unit,
        q=q,
        overdue=overdue,
        created_from=created_from,
        created_to=created_to,
        order=order,
    )
    return [summary(c) for c in cases[offset : offset + limit]]


@router.get("/cases/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: int, unmask: bool = False) -> Any:
    """``unmask=true`` shows full ID numbers, phones and addresses to roles that need them; each
    such view is written to the personal-data access log."""
    return detail(request, selectors.case_get(actor=request.user, case_id=case_id), unmask=unmask)


@router.patch("/cases/{case_id}", response=CaseDetailOut)
def patch_case(request: HttpRequest, case_id: int, payload: CaseUpdateIn) -> Any:
    changes = CaseUpdate.model_validate(payload.model_dump(exclude_unset=True, exclude={"version"}))
    case_update(
        actor=request.user, case_id=case_id, expected_version=payload.version, changes=changes
    )
    return detail(request, selectors.case_get(actor=request.user, case_id=case_id), unmask=False)


@router.post("/cases/{case_id}/transitions", response=CaseDetailOut)
def transition(request: HttpRequest, case_id: int, payload: TransitionIn) -> Any:
    case_transition(
        actor=request.user,
        case_id=case_id,
        action=payload.action,
        expected_version=payload.version,
        reason=payload.reason,
        referral_kind=payload.referral_kind,
        referral_body=payload.referral_body,
        merge_into_id=payload.merge_into_id,
        public_note=payload.public_note,
    )
    return detail(request, selectors.case_get(actor=request.user, case_id=case_id), unmask=False)


@router.get("/cases/{case_id}/timeline", response=list[EventOut])
def timeline(request: HttpRequest, case_id: int) -> Any:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    return [
        {
            "id": e.pk,
            "case_id": e.case_id,
            "at": e.at,
            "actor": str(e.actor) if e.actor else None,
            "kind": e.kind,
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "message": e.message,
            "data": e.data,
        }
        for e in selectors.case_timeline(actor=request.user, case=case)
    ]


@router.post("/cases/{case_id}/reports", response={200: ReportOut, 201: ReportOut})
def link_report(request: HttpRequest, case_id: int, payload: ReportIn) -> Any:
    report, created = case_link_report(actor=request.user, case_id=case_id, data=payload)
    return Status(201 if created else 200, report_out(report, reveal=False))


@router.get("/cases/{case_id}/parties", response=list[PartyOut])
def list_parties(request: HttpRequest, case_id: int, unmask: bool = False) -> Any:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    return [
        vars(p)
        for p in parties_for(
            actor=request.user,
            case=case,
            reveal=unmask,
            purpose="api",
            ip_address=client_ip(request),
        )
    ]


@router.post("/cases/{case_id}/parties", response={201: CreatedOut})
def add_party(request: HttpRequest, case_id: int, payload: PartyIn) -> Any:
    party = party_add(actor=request.user, case_id=case_id, data=payload)
    return Status(201, {"id": party.pk})


@router.get("/cases/{case_id}/assignments", response=list[AssignmentOut])
def list_assignments(request: HttpRequest, case_id: int) -> Any:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    return [assignment_out(a) for a in case.assignments.select_related("department")]


@router.post("/cases/{case_id}/assignments", response={201: AssignmentOut})
def add_assignment(request: HttpRequest, case_id: int, payload: AssignmentIn) -> Any:
    assignment = handling.assignment_add(
        actor=request.user,
        case_id=case_id,
        department_id=payload.department_id,
        task=payload.task,
        deadline=payload.deadline,
        role=payload.role,
        assignee_id=payload.assignee_id,
    )
    return Status(201, assignment_out(assignment))


@router.patch("/assignments/{assignment_id}", response=AssignmentOut)
def update_assignment(request: HttpRequest, assignment_id: int, payload: AssignmentUpdateIn) -> Any:
    assignment = handling.assignment_update(
        actor=request.user,
        assignment_id=assignment_id,
        expected_version=payload.version,
        move=payload.move,
        note=payload.note,
        assignee_id=payload.assignee_id,
    )
    return assignment_out(assignment)


@router.post("/cases/{case_id}/mediation-sessions", response={201: CreatedOut})
def add_session(request: HttpRequest, case_id: int, payload: MediationSessionIn) -> Any:
    session = handling.mediation_session_record(
        actor=request.user, case_id=case_id, **payload.model_dump()
    )
    return Status(201, {"id": session.pk})


@router.post("/cases/{case_id}/agreements", response={201: CreatedOut})
def add_agreement(request: HttpRequest, case_id: int, payload: AgreementIn) -> Any:
    agreement = handling.agreement_record(
        actor=request.user, case_id=case_id, **payload.model_dump()
    )
    return Status(201, {"id": agreement.pk})


@router.post("/agreements/{agreement_id}/performance", response=CreatedOut)
def set_performance(request: HttpRequest, agreement_id: int, payload: PerformanceIn) -> Any:
    agreement = handling.agreement_set_performance(
        actor=request.user,
        agreement_id=agreement_id,
        performed=payload.performed,
        note=payload.note,
    )
    return {"id": agreement.pk}


@router.post("/agreements/{agreement_id}/confirmations", response={201: CreatedOut})
def request_confirmation(
    request: HttpRequest, agreement_id: int, payload: ConfirmationRequestIn
) -> Any:
    """Ask a court to confirm a mediation agreement (司法确认)."""
    confirmation = handling.confirmation_request(
        actor=request.user, agreement_id=agreement_id, court_id=payload.court_id
    )
    return Status(201, {"id": confirmation.pk})


@router.post("/confirmations/{confirmation_id}/decision", response=CreatedOut)
def decide_confirmation(
    request: HttpRequest, confirmation_id: int, payload: ConfirmationDecisionIn
) -> Any:
    """The court's answer; only the court asked may give it."""
    confirmation = handling.confirmation_decide(
        actor=request.user,
        confirmation_id=confirmation_id,
        confirmed=payload.confirmed,
        note=payload.note,
    )
    return {"id": confirmation.pk}


@router.post("/cases/{case_id}/protective-orders", response={201: CreatedOut})
def add_protective_order(request: HttpRequest, case_id: int, payload: ProtectiveOrderIn) -> Any:
    """Record a personal safety protection order; the case becomes restricted."""
    order = handling.protective_order_record(
        actor=request.user, case_id=case_id, **payload.model_dump()
    )
    return Status(201, {"id": order.pk})


@router.get("/notifications", response=list[NotificationOut])
def my_notifications(
    request: HttpRequest, unread: bool = False, limit: int = Query(50, ge=1, le=500)
) -> Any:
    # Authenticated by the router's auth, so never anonymous here.
    notifications = Notification.objects.filter(user=cast(User, request.user))
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at")[:limit]


@router.post("/notifications/read", response=dict[str, int])
def read_notifications(request: HttpRequest, payload: MarkReadIn) -> Any:
    return {"marked": notification_mark_read(user=request.user, notification_ids=payload.ids)}


@router.get("/queues/mine", response=list[AssignmentOut])
def my_queue(request: HttpRequest) -> Any:
    """Open assignments on me or my department, soonest deadline first."""
    return [assignment_out(a) for a in selectors.queue_mine(actor=request.user)[:500]]


@router.get("/queues/unit", response=list[CaseSummaryOut])
def unit_queue(request: HttpRequest, unit_id: int | None = None) -> Any:
    """Open cases led by my units (or one of them), soonest deadline first."""
    unit = unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
    return [summary(c) for c in selectors.queue_unit(actor=request.user, unit=unit)[:500]]


@router.post("/routing/preview", response=RoutingOut)
def preview(request: HttpRequest, payload: CaseIn) -> Any:
    """Where the case would go, and why, without registering it."""
    decision = routing_preview(actor=request.user, data=payload)
    return {
        "lead_unit_id": decision.lead_unit.pk,
        "lead_unit_name": decision.lead_unit.name,
        "lead_department_id": decision.lead_department.pk if decision.lead_department else None,
        "lead_department_name": decision.lead_department.name if decision.lead_department else None,
        "co_departments": [
            {"id": d.pk, "name": d.name, "type": d.department_type} for d in decision.co_departments
        ],
        "accept_minutes": int(decision.accept_within.total_seconds() // 60),
        "resolve_days": decision.resolve_within.days,
        "rule": decision.rule.name if decision.rule else None,
        "restricted": decision.restricted,
        "reasons": decision.reasons,
    }


@router.post("/intake/duplicates", response=list[DuplicateOut])
def duplicates(request: HttpRequest, payload: CaseIn) -> Any:
    """Likely earlier cases of the same dispute, for the clerk to link instead of creating."""
    inputs = routing_input(request.user, payload)
    found = find_duplicates(
        actor=request.user,
        text=f"{payload.title} {payload.description}",
        category_id=inputs.category.pk,
        territory_id=inputs.territory.pk,
        phones=[p.phone for p in payload.parties] + [payload.report.reporter_phone],
        id_numbers=[p.id_number for p in payload.parties],
    )
    return [{"case": summary(c.case), "score": c.score, "reasons": c.reasons} for c in found]
