"""Reads for the case page: one visible case's parts, and which of its forms the user may use.

Every function takes a case already fetched through :func:`fengqiao.cases.selectors.case_get`
(so jurisdiction has been applied) and reads its rows through it. The "may" flags mirror the
checks the services make, so the page offers only what would succeed; the services still check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role, User
from fengqiao.cases import selectors
from fengqiao.cases.handling.models import (
    Agreement,
    AgreementStatus,
    Assignment,
    AssignmentStatus,
    ConfirmationStatus,
    JudicialConfirmation,
)
from fengqiao.cases.handling.services import (
    MEDIATING_ROLES,
    STATUS_MOVES,
    may_work_on_assignment,
    reachable_departments,
    works_on,
)
from fengqiao.cases.lifecycle import allowed_actions, on_lead_side
from fengqiao.cases.models import Case, EventKind, PartyRole, Report
from fengqiao.cases.permissions import (
    EDIT_ROLES,
    RISK_ROLES,
    may_register,
    may_unmask,
    role_of,
)
from fengqiao.cases.privacy import PartyView, reporter_phone
from fengqiao.cases.services import eligible_leaders
from fengqiao.cases.states import OPEN_STATUSES, Action, CaseStatus
from fengqiao.orgs.models import Department, DepartmentType
from fengqiao.taxonomy.models import RiskColour

OPEN_ASSIGNMENT = (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED)
# Timeline actions that are not lifecycle actions: assignment moves and mediation steps.
OTHER_ACTIONS = {
    "assign": _("Handed to a department"),
    "complete": _("Assignment completed"),
    "return": _("Assignment returned"),
    "note": _("Progress note"),
    "session": _("Mediation session"),
    "agreement": _("Agreement signed"),
    "performance": _("Agreement performance"),
    "confirmation_requested": _("Judicial confirmation requested"),
    "confirmation_decided": _("Judicial confirmation decided"),
    "protective_order": _("Protective order"),
    "dispatch": _("Dispatch meeting decision"),
}


@dataclass(frozen=True)
class Capabilities:
    actions: list[str]
    unmask: bool
    edit: bool
    set_risk: bool
    link_report: bool
    add_party: bool
    add_assignment: bool
    mediate: bool
    record_performance: bool
    request_confirmation: bool
    protective_order: bool


def capabilities(actor: Any, case: Case) -> Capabilities:
    role = role_of(actor)
    is_open = case.status in OPEN_STATUSES
    lead_side = on_lead_side(actor, case)
    # Handlers of the case: the lead side, or whoever holds an open assignment on it.
    working = works_on(actor, case)
    return Capabilities(
        actions=allowed_actions(actor=actor, case=case),
        unmask=may_unmask(actor),
        edit=role in EDIT_ROLES,
        set_risk=role in RISK_ROLES,
        link_report=may_register(actor),
        add_party=role in EDIT_ROLES,
        add_assignment=role in EDIT_ROLES and lead_side and is_open,
        mediate=role in MEDIATING_ROLES and working and is_open,
        record_performance=working or role == Role.AUDITOR,
        request_confirmation=working,
        # Protection orders belong to domestic-violence cases, which routing restricts.
        protective_order=working and case.restricted,
    )


@dataclass(frozen=True)
class Deadline:
    kind: str  # "accept" or "resolve"
    due: datetime
    met_at: datetime | None
    # "met", "overdue", "running", or "stopped" (the case left the open statuses unmet)
    state: str


def _deadline(kind: str, due: datetime, met_at: datetime | None, running: bool) -> Deadline:
    if met_at is not None:
        state = "met"
    elif not running:
        state = "stopped"
    else:
        state = "overdue" if due < timezone.now() else "running"
    return Deadline(kind, due, met_at, state)


def deadlines(case: Case) -> list[Deadline]:
    running = case.status in OPEN_STATUSES
    return [
        _deadline("accept", case.accept_deadline, case.accepted_at, running),
        _deadline("resolve", case.resolve_deadline, case.resolved_at, running),
    ]


@dataclass(frozen=True)
class ReportRow:
    report: Report
    phone: str


def report_rows(case: Case) -> list[ReportRow]:
    reports = case.reports.select_related("channel").order_by("received_at", "pk")
    return [ReportRow(r, reporter_phone(r.reporter_phone, reveal=False)) for r in reports]


@dataclass(frozen=True)
class PartyRow:
    party: PartyView
    role_label: str


def party_rows(parties: list[PartyView]) -> list[PartyRow]:
    return [PartyRow(p, _label(PartyRole, p.role)) for p in parties]


@dataclass
class AssignmentRow:
    assignment: Assignment
    moves: list[str]
    may_take: bool
    may_note: bool
    form: Any = None

    @property
    def workable(self) -> bool:
        return bool(self.moves) or self.may_take or self.may_note


def assignment_rows(actor: Any, case: Case) -> list[AssignmentRow]:
    jurisdiction = Jurisdiction.of(actor)
    lead_side = on_lead_side(actor, case)
    rows: list[AssignmentRow] = []
    assignments = case.assignments.select_related("department", "assignee").order_by(
        "-role", "deadline", "pk"
    )
    for assignment in assignments:
        own_department = (
            jurisdiction.department_id is not None
            and assignment.department_id == jurisdiction.department_id
        )
        may_work = may_work_on_assignment(actor, assignment, lead_side=lead_side)
        is_open = assignment.status in OPEN_ASSIGNMENT
        moves = (
            [m for m, (sources, _target) in STATUS_MOVES.items() if assignment.status in sources]
            if may_work
            else []
        )
        rows.append(
            AssignmentRow(
                assignment=assignment,
                moves=moves,
                may_take=may_work
                and is_open
                and own_department
                and assignment.assignee_id != jurisdiction.user_id,
                may_note=may_work and is_open,
            )
        )
    return rows


@dataclass
class AgreementRow:
    agreement: Agreement
    confirmations: list[JudicialConfirmation]
    may_request: bool
    may_record_performance: bool
    decidable: list[JudicialConfirmation]
    forms: dict[str, Any] = field(default_factory=dict)


def agreement_rows(actor: Any, case: Case, caps: Capabilities) -> list[AgreementRow]:
    jurisdiction = Jurisdiction.of(actor)
    rows: list[AgreementRow] = []
    for agreement in case.agreements.select_related("recorded_by").order_by("signed_at", "pk"):
        confirmations = list(
            agreement.confirmations.select_related("court").order_by("requested_at", "pk")
        )
        pending = [c for c in confirmations if c.status == ConfirmationStatus.REQUESTED]
        decidable = [
            c
            for c in pending
            if c.court_id == jurisdiction.department_id or role_of(actor) == Role.ADMIN
        ]
        rows.append(
            AgreementRow(
                agreement=agreement,
                confirmations=confirmations,
                # A confirmed agreement needs no second request; a rejected one may be retried.
                may_request=caps.request_confirmation
                and not any(c.status != ConfirmationStatus.REJECTED for c in confirmations),
                may_record_performance=caps.record_performance
                and agreement.status == AgreementStatus.SIGNED,
                decidable=decidable,
            )
        )
    return rows


@dataclass(frozen=True)
class TimelineRow:
    at: datetime
    actor: str
    kind: str
    kind_label: str
    action_label: str
    from_label: str
    to_label: str
    message: str
    public_note: str
    public: bool
    other_case: str


def _label(choices: type[Any], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _action_label(kind: str, action: str) -> str:
    if kind == EventKind.TRANSITION and action in Action.values:
        return _label(Action, action)
    if kind == EventKind.ASSIGNMENT and action == Action.ACCEPT:
        return str(_("Assignment accepted"))
    return str(OTHER_ACTIONS.get(action, action))


def colour_set(case: Case, timeline: list[TimelineRow]) -> TimelineRow | None:
    """The timeline row that gave the case its present colour (newest first), if it changed
    after registration; otherwise the colour is the registering clerk's."""
    return next(
        (
            row
            for row in timeline
            if row.kind == EventKind.RISK and not row.other_case and row.to_label
        ),
        None,
    )


def timeline_rows(actor: Any, case: Case) -> list[TimelineRow]:
    """Newest first, including the events of cases merged into this one."""
    events = list(selectors.case_timeline(actor=actor, case=case))
    others = {
        c.pk: c.number
        for c in selectors.case_queryset(actor).filter(merged_into=case).only("pk", "number")
    }
    rows: list[TimelineRow] = []
    for event in reversed(events):
        labels = RiskColour if event.kind == EventKind.RISK else CaseStatus
        rows.append(
            TimelineRow(
                at=event.at,
                actor=str(event.actor) if event.actor else "",
                kind=event.kind,
                kind_label=_label(EventKind, event.kind),
                action_label=_action_label(event.kind, event.action),
                from_label=_label(labels, event.from_status) if event.from_status else "",
                to_label=_label(labels, event.to_status) if event.to_status else "",
                message=event.message,
                public_note=str(event.data.get("public_note", "")) if event.data else "",
                public=event.public,
                other_case=others.get(event.case_id, ""),
            )
        )
    return rows


def departments_for(actor: Any, case: Case) -> QuerySet[Department]:
    return reachable_departments(actor, case)


def courts_for(actor: Any, case: Case) -> QuerySet[Department]:
    return reachable_departments(actor, case, DepartmentType.COURT)


def leaders_for(case: Case) -> QuerySet[User]:
    """Leaders who may be named the case's leading official (包案领导)."""
    return eligible_leaders(case)
