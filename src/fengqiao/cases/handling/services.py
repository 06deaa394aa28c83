"""Joint handling and mediation: assignments, sessions, agreements, judicial confirmation,
protective orders. Each function changes its rows and writes the case's timeline in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role
from fengqiao.cases.handling.models import (
    Agreement,
    AgreementStatus,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ConfirmationStatus,
    JudicialConfirmation,
    MediationSession,
    ProtectiveOrder,
)
from fengqiao.cases.lifecycle import on_lead_side
from fengqiao.cases.models import Case, EventKind
from fengqiao.cases.permissions import EDIT_ROLES, role_of
from fengqiao.cases.routing.engine import lineage
from fengqiao.cases.selectors import case_get
from fengqiao.cases.services import bump_version, event_write, notify_department
from fengqiao.cases.states import OPEN_STATUSES
from fengqiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.core.text import system_text
from fengqiao.notifications.models import NotificationKind
from fengqiao.orgs.models import Department, DepartmentType

MEDIATING_ROLES = frozenset({Role.MEDIATOR, Role.CLERK, Role.LIAISON, Role.LEADER, Role.ADMIN})


def _require_lead_side(actor: Any, case: Case) -> None:
    if role_of(actor) not in EDIT_ROLES or not on_lead_side(actor, case):
        raise PermissionDenied(gettext("only the lead unit or department can do this"))


def _require_open(case: Case) -> None:
    if case.status not in OPEN_STATUSES:
        raise Conflict(
            gettext("the case is %(status)s") % {"status": case.get_status_display()},
            field="status",
        )


def reachable_departments(
    actor: Any, case: Case, department_type: str = ""
) -> QuerySet[Department]:
    """Departments the case can be handed to (or a court asked): up the lead unit's lineage — a
    township case may need the district court — up a cross-region partner's lineage, or
    anywhere in the actor's own scope."""
    units = lineage(case.lead_unit)
    for partner in case.partner_units.all():
        units += lineage(partner)
    departments = Department.objects.filter(
        Q(org_unit__in=units) | Q(pk__in=Jurisdiction.of(actor).departments().values("pk")),
        is_active=True,
    )
    if department_type:
        departments = departments.filter(department_type=department_type)
    return departments.select_related("org_unit").order_by("org_unit__path", "name")


def _reachable(
    actor: Any, case: Case, department_id: int, field: str, department_type: str = ""
) -> Department:
    department = (
        reachable_departments(actor, case, department_type).filter(pk=department_id).first()
    )
    if department is None:
        message = gettext("choose a court") if department_type else gettext("unknown department")
        raise ValidationFailed(message, field=field)
    return department


@transaction.atomic
def assignment_add(
    *,
    actor: Any,
    case_id: int,
    department_id: int,
    task: str,
    deadline: datetime | None = None,
    role: str = AssignmentRole.CO,
    assignee_id: int | None = None,
) -> Assignment:
    case = case_get(actor=actor, case_id=case_id, for_update=True)
    _require_lead_side(actor, case)
    _require_open(case)
    department = _reachable(actor, case, department_id, "department_id")
    if (
        role == AssignmentRole.LEAD
        and case.assignments.filter(
            role=AssignmentRole.LEAD,
            status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, AssignmentStatus.DONE],
        ).exists()
    ):
        raise Conflict(gettext("the case already has a lead assignment"), field="role")
    if case.assignments.filter(
        department=department, status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED]
    ).exists():
        raise Conflict(
            gettext("%(department)s already holds an open assignment on this case")
            % {"department": department.name},
            field="department_id",
        )
    assignee = None
    if assignee_id is not None:
        assignee = department.members.filter(pk=assignee_id, is_active=True).first()
        if assignee is None:
            raise ValidationFailed(
                gettext("the assignee must be an active member of the department"),
                field="assignee_id",
            )
    deadline = deadline or case.resolve_deadline
    if deadline <= timezone.now():
        raise ValidationFailed(gettext("the deadline must be in the future"), field="deadline")
    assignment = Assignment.objects.create(
        case=case,
        department=department,
        assignee=assignee,
        role=role,
        task=task,
        deadline=deadline,
        created_by=actor,
    )
    if case.restricted and assignee is not None:
        case.handlers.add(assignee)
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.ASSIGNMENT,
        action="assign",
        message=system_text(
            gettext_noop("%(role)s: %(department)s — %(task)s"),
            role=AssignmentRole(assignment.role).label,
            department=department.name,
            task=task,
        ),
        assignment_id=assignment.pk,
    )
    bump_version(case, None)
    notify_department(
        department,
        case=case,
        kind=NotificationKind.ASSIGNMENT,
        message=system_text(
            gettext_noop("%(number)s %(title)s: %(task)s"),
            number=case.number,
            title=case.title,
            task=task,
        ),
    )
    return assignment


def _assignment_for_update(actor: Any, assignment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("case", "department")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise NotFound(gettext("assignment not found"))
    case_get(actor=actor, case_id=assignment.case_id)  # 404 when the case is out of sight
    return assignment


def may_work_on_assignment(
    actor: Any, assignment: Assignment, *, lead_side: bool | None = None
) -> bool:
    """The assignee, the assigned department, or the case's lead side. Pass ``lead_side`` when
    checking several assignments of one case, so it is worked out once."""
    jurisdiction = Jurisdiction.of(actor)
    if assignment.assignee_id == jurisdiction.user_id or (
        jurisdiction.department_id is not None
        and assignment.department_id == jurisdiction.department_id
    ):
        return True
    return on_lead_side(actor, assignment.case) if lead_side is None else lead_side


STATUS_MOVES = {
    "accept": ({AssignmentStatus.PENDING}, AssignmentStatus.ACCEPTED),
    "complete": ({AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED}, AssignmentStatus.DONE),
    "return": ({AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED}, AssignmentStatus.RETURNED),
}
# How each move reads on the timeline.
MOVE_TEXT = {
    "accept": gettext_noop("accepted"),
    "complete": gettext_noop("completed"),
    "return": gettext_noop("returned"),
}
MOVE_REFUSED = {
    "accept": gettext_noop("cannot accept an assignment that is %(status)s"),
    "complete": gettext_noop("cannot complete an assignment that is %(status)s"),
    "return": gettext_noop("cannot return an assignment that is %(status)s"),
}


@transaction.atomic
def assignment_update(
    *,
    actor: Any,
    assignment_id: int,
    expected_version: int,
    move: str | None = None,
    note: str = "",
    assignee_id: int | None = None,
) -> Assignment:
    """Accept, complete or return an assignment, add a progress note, or take it personally."""
    assignment = _assignment_for_update(actor, assignment_id)
    if not may_work_on_assignment(actor, assignment):
        raise PermissionDenied(gettext("this assignment belongs to another department"))
    if assignment.version != expected_version:
        raise Conflict(
            gettext("the assignment was changed by someone else; reload it"),
            field="version",
            current_version=assignment.version,
        )
    if move is None and not note.strip() and assignee_id is None:
        raise ValidationFailed(gettext("nothing to change"))
    parts: list[str] = []
    if move is not None:
        if move not in STATUS_MOVES:
            raise ValidationFailed(
                gettext("move must be one of %(moves)s") % {"moves": ", ".join(STATUS_MOVES)},
                field="move",
            )
        sources, target = STATUS_MOVES[move]
        if assignment.status not in sources:
            raise Conflict(
                gettext(MOVE_REFUSED[move]) % {"status": assignment.get_status_display()},
                field="move",
            )
        if move == "return" and not note.strip():
            raise ValidationFailed(gettext("say why the assignment is returned"), field="note")
        assignment.status = target
        if target in {AssignmentStatus.DONE, AssignmentStatus.RETURNED}:
            assignment.completed_at = timezone.now()
        parts.append(system_text(MOVE_TEXT[move]))
    if assignee_id is not None:
        assignee = assignment.department.members.filter(pk=assignee_id, is_active=True).first()
        if assignee is None:
            raise ValidationFailed(
                gettext("the assignee must be an active member of the department"),
                field="assignee_id",
            )
        assignment.assignee = assignee
        if assignment.case.restricted:
            assignment.case.handlers.add(assignee)
        parts.append(system_text(gettext_noop("taken by %(user)s"), user=assignee))
    if note.strip():
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        assignment.notes = f"{assignment.notes}\n[{stamp} {actor}] {note.strip()}".strip()
        parts.append(note.strip())
    assignment.version = F("version") + 1
    assignment.save()
    assignment.refresh_from_db()
    event_write(
        case=assignment.case,
        actor=actor,
        kind=EventKind.ASSIGNMENT,
        action=move or "note",
        message=system_text(
            gettext_noop("%(department)s: %(changes)s"),
            department=assignment.department.name,
            changes="; ".join(parts),
        ),
        assignment_id=assignment.pk,
    )
    return assignment


@transaction.atomic
def mediation_session_record(
    *, actor: Any, case_id: int, held_at: datetime, place: str, participants: str, record: str
) -> MediationSession:
    case = case_get(actor=actor, case_id=case_id, for_update=True)
    if role_of(actor) not in MEDIATING_ROLES or not works_on(actor, case):
        raise PermissionDenied(gettext("only handlers of this case record mediation sessions"))
    _require_open(case)
    if held_at > timezone.now():
        raise ValidationFailed(gettext("a session is recorded after it is held"), field="held_at")
    session = MediationSession.objects.create(
        case=case,
        held_at=held_at,
        place=place,
        participants=participants,
        record=record,
        mediator=actor,
    )
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.MEDIATION,
        action="session",
        message=system_text(gettext_noop("mediation session at %(place)s"), place=place),
        session_id=session.pk,
    )
    bump_version(case, None)
    return session


def works_on(actor: Any, case: Case) -> bool:
    jurisdiction = Jurisdiction.of(actor)
    if on_lead_side(actor, case):
        return True
    assignments = case.assignments.filter(
        status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED]
    )
    if (
        jurisdiction.department_id
        and assignments.filter(department_id=jurisdiction.department_id).exists()
    ):
        return True
    return assignments.filter(assignee_id=jurisdiction.user_id).exists()


@transaction.atomic
def agreement_record(
    *, actor: Any, case_id: int, terms: str, amount: Decimal, performance_deadline: date | None
) -> Agreement:
    case = case_get(actor=actor, case_id=case_id, for_update=True)
    if role_of(actor) not in MEDIATING_ROLES or not works_on(actor, case):
        raise PermissionDenied(gettext("only handlers of this case record agreements"))
    _require_open(case)
    if amount < 0:
        raise ValidationFailed(gettext("the amount cannot be negative"), field="amount")
    agreement = Agreement.objects.create(
        case=case,
        terms=terms,
        amount=amount,
        performance_deadline=performance_deadline,
        recorded_by=actor,
    )
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.MEDIATION,
        action="agreement",
        public=True,
        message=system_text(
            gettext_noop("mediation agreement signed, amount %(amount)s yuan"), amount=amount
        ),
        agreement_id=agreement.pk,
    )
    bump_version(case, None)
    return agreement


@transaction.atomic
def agreement_set_performance(
    *, actor: Any, agreement_id: int, performed: bool, note: str = ""
) -> Agreement:
    agreement = (
        Agreement.objects.select_for_update().select_related("case").filter(pk=agreement_id).first()
    )
    if agreement is None:
        raise NotFound(gettext("agreement not found"))
    case = case_get(actor=actor, case_id=agreement.case_id, for_update=True)
    if not works_on(actor, case) and role_of(actor) != Role.AUDITOR:
        raise PermissionDenied(gettext("only handlers of this case or auditors record performance"))
    agreement.status = AgreementStatus.PERFORMED if performed else AgreementStatus.REFUSED
    agreement.save(update_fields=["status", "updated_at"])
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.MEDIATION,
        action="performance",
        message=system_text(
            gettext_noop("agreement %(status)s: %(note)s"),
            status=AgreementStatus(agreement.status).label,
            note=note,
        ).rstrip(": ："),
        agreement_id=agreement.pk,
    )
    bump_version(case, None)
    return agreement


@transaction.atomic
def confirmation_request(*, actor: Any, agreement_id: int, court_id: int) -> JudicialConfirmation:
    agreement = Agreement.objects.select_related("case").filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound(gettext("agreement not found"))
    case = case_get(actor=actor, case_id=agreement.case_id, for_update=True)
    if not works_on(actor, case):
        raise PermissionDenied(gettext("only handlers of this case request judicial confirmation"))
    court = _reachable(actor, case, court_id, "court_id", DepartmentType.COURT)
    if agreement.confirmations.filter(status=ConfirmationStatus.REQUESTED).exists():
        raise Conflict(gettext("a confirmation request is already pending"), field="agreement_id")
    if agreement.confirmations.filter(status=ConfirmationStatus.CONFIRMED).exists():
        raise Conflict(
            gettext("the court has already confirmed this agreement"), field="agreement_id"
        )
    confirmation = JudicialConfirmation.objects.create(agreement=agreement, court=court)
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.MEDIATION,
        action="confirmation_requested",
        public=True,
        message=system_text(
            gettext_noop("judicial confirmation requested from %(court)s"), court=court.name
        ),
        confirmation_id=confirmation.pk,
    )
    notify_department(
        court,
        case=case,
        kind=NotificationKind.ASSIGNMENT,
        message=system_text(
            gettext_noop("%(number)s: judicial confirmation requested"), number=case.number
        ),
    )
    bump_version(case, None)
    return confirmation


@transaction.atomic
def confirmation_decide(
    *, actor: Any, confirmation_id: int, confirmed: bool, note: str = ""
) -> JudicialConfirmation:
    confirmation = (
        JudicialConfirmation.objects.select_for_update(of=("self",))
        .select_related("agreement", "court")
        .filter(pk=confirmation_id)
        .first()
    )
    if confirmation is None:
        raise NotFound(gettext("confirmation request not found"))
    case = case_get(actor=actor, case_id=confirmation.agreement.case_id, for_update=True)
    if (
        Jurisdiction.of(actor).department_id != confirmation.court_id
        and role_of(actor) != Role.ADMIN
    ):
        raise PermissionDenied(gettext("only the court asked can decide"))
    if confirmation.status != ConfirmationStatus.REQUESTED:
        raise Conflict(gettext("this request was already decided"), field="status")
    confirmation.status = ConfirmationStatus.CONFIRMED if confirmed else ConfirmationStatus.REJECTED
    confirmation.decided_at = timezone.now()
    confirmation.note = note
    confirmation.save()
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.MEDIATION,
        action="confirmation_decided",
        public=True,
        message=system_text(
            gettext_noop("court decision: %(status)s: %(note)s"),
            status=ConfirmationStatus(confirmation.status).label,
            note=note,
        ).rstrip(": ："),
    )
    bump_version(case, None)
    return confirmation


@transaction.atomic
def protective_order_record(
    *,
    actor: Any,
    case_id: int,
    court_id: int,
    valid_until: date,
    measures: str,
    issued_at: datetime | None = None,
) -> ProtectiveOrder:
    case = case_get(actor=actor, case_id=case_id, for_update=True)
    if not works_on(actor, case):
        raise PermissionDenied(gettext("only handlers of this case record protective orders"))
    court = _reachable(actor, case, court_id, "court_id", DepartmentType.COURT)
    if valid_until <= timezone.localdate():
        raise ValidationFailed(gettext("the order must be valid beyond today"), field="valid_until")
    order = ProtectiveOrder.objects.create(
        case=case,
        court=court,
        valid_until=valid_until,
        measures=measures,
        issued_at=issued_at or timezone.now(),
        recorded_by=actor,
    )
    if not case.restricted:
        case.restricted = True
        case.save(update_fields=["restricted", "updated_at"])
    case.handlers.add(actor)
    event_write(
        case=case,
        actor=actor,
        kind=EventKind.MEDIATION,
        action="protective_order",
        message=system_text(
            gettext_noop("personal safety protection order by %(court)s, valid until %(until)s"),
            court=court.name,
            until=valid_until,
        ),
    )
    bump_version(case, None)
    return order
