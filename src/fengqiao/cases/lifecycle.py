"""The one place where a case changes status (see ``states.TRANSITIONS``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role
from fengqiao.cases.deadlines import schedule_deadlines
from fengqiao.cases.handling.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Referral,
    ReferralKind,
)
from fengqiao.cases.models import Case, EventKind
from fengqiao.cases.permissions import role_allows, role_of
from fengqiao.cases.routing.engine import LEVEL_KEY, lineage, nearest_department
from fengqiao.cases.selectors import case_get
from fengqiao.cases.services import bump_version, event_write, notify_department
from fengqiao.cases.states import Action, CaseStatus, actions_from, target_status
from fengqiao.core.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.core.text import system_text
from fengqiao.notifications.models import NotificationKind
from fengqiao.orgs.models import OrgUnit

ACTIVE_ASSIGNMENT = (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED)


def on_lead_side(actor: Any, case: Case) -> bool:
    """May act on the case's lifecycle: the lead unit is in their jurisdiction, or they (or their
    department) hold the lead assignment. Co-handlers work on their own assignment only."""
    jurisdiction = Jurisdiction.of(actor)
    # A liaison speaks for their department, not for the territory they are stationed in.
    if role_of(actor) != Role.LIAISON and jurisdiction.covers_path(case.lead_unit_path):
        return True
    lead = case.assignments.filter(role=AssignmentRole.LEAD, status__in=ACTIVE_ASSIGNMENT)
    if (
        jurisdiction.department_id is not None
        and lead.filter(department_id=jurisdiction.department_id).exists()
    ):
        return True
    return lead.filter(assignee_id=jurisdiction.user_id).exists()


def allowed_actions(*, actor: Any, case: Case) -> list[str]:
    """What the actor may do to the case now: the buttons shown on the case page."""
    if not on_lead_side(actor, case) and not _reopener(actor, case):
        return []
    return [
        a
        for a in actions_from(case.status)
        if role_allows(actor, a) and _structurally_possible(a, case)
    ]


def _reopener(actor: Any, case: Case) -> bool:
    # Auditors reopen what their revisits find unresolved, anywhere in their jurisdiction.
    return role_allows(actor, Action.REOPEN) and Jurisdiction.of(actor).covers_path(
        case.territory_path
    )


def _structurally_possible(action: str, case: Case) -> bool:
    if action == Action.ESCALATE:
        return case.lead_unit.parent_id is not None
    return True


def case_transition(
    *,
    actor: Any,
    case_id: int,
    action: str,
    expected_version: int | None,
    reason: str = "",
    referral_kind: str = "",
    referral_body: str = "",
    merge_into_id: int | None = None,
    public_note: str = "",
) -> Case:
    """Apply an action: check role, jurisdiction and state; change the case; write the event."""
    with transaction.atomic():
        case = case_get(actor=actor, case_id=case_id, for_update=True)
        if action not in Action.values:
            raise ValidationFailed(
                gettext("unknown action %(action)s") % {"action": action}, field="action"
            )
        if not role_allows(actor, action):
            raise PermissionDenied(
                gettext("your role may not do “%(action)s” on cases")
                % {"action": Action(action).label}
            )
        if not (on_lead_side(actor, case) or (action == Action.REOPEN and _reopener(actor, case))):
            raise PermissionDenied(
                gettext("only the lead unit or department can change this case's status")
            )
        target = target_status(action, case.status)
        if target is None:
            raise Conflict(
                gettext("“%(action)s” is not possible on a case that is %(status)s")
                % {"action": Action(action).label, "status": case.get_status_display()},
                field="action",
                status=case.status,
            )
        if (
            action in {Action.ESCALATE, Action.REFER, Action.WITHDRAW, Action.MERGE, Action.REOPEN}
            and not reason.strip()
        ):
            raise ValidationFailed(
                gettext("give a reason for “%(action)s”") % {"action": Action(action).label},
                field="reason",
            )
        bump_version(case, expected_version)
        source = case.status
        _apply(actor, case, action, target, reason, referral_kind, referral_body, merge_into_id)
        case.save()
        event_write(
            case=case,
            actor=actor,
            kind=EventKind.TRANSITION,
            action=action,
            from_status=source,
            to_status=case.status,
            message=reason,
            public=True,
            **({"public_note": public_note} if public_note else {}),
        )
        return case


def _apply(
    actor: Any,
    case: Case,
    action: str,
    target: str,
    reason: str,
    referral_kind: str,
    referral_body: str,
    merge_into_id: int | None,
) -> None:
    now = timezone.now()
    if action == Action.ACCEPT:
        case.accepted_at = case.accepted_at or now
    elif action == Action.ESCALATE:
        _escalate(actor, case, reason)
    elif action == Action.RESOLVE:
        case.resolved_at = now
        case.assignments.filter(status__in=ACTIVE_ASSIGNMENT).update(
            status=AssignmentStatus.DONE, completed_at=now
        )
    elif action == Action.CLOSE:
        case.closed_at = now
    elif action == Action.REOPEN:
        case.reopen_count += 1
        case.resolved_at = None
        case.closed_at = None
    elif action == Action.REFER:
        if referral_kind not in ReferralKind.values:
            raise ValidationFailed(
                gettext("referral kind must be one of %(kinds)s")
                % {"kinds": ", ".join(ReferralKind.values)},
                field="referral_kind",
            )
        Referral.objects.create(
            case=case, kind=referral_kind, body=referral_body, reason=reason, referred_by=actor
        )
    elif action == Action.MERGE:
        target_case = _merge_target(actor, case, merge_into_id)
        case.merged_into = target_case
        event_write(
            case=target_case,
            actor=actor,
            kind=EventKind.MERGE,
            message=system_text(
                gettext_noop("case %(number)s merged into this one: %(reason)s"),
                number=case.number,
                reason=reason,
            ),
            merged_case_id=case.pk,
        )
    if target in {CaseStatus.WITHDRAWN, CaseStatus.MERGED, CaseStatus.REFERRED}:
        case.assignments.filter(status__in=ACTIVE_ASSIGNMENT).update(
            status=AssignmentStatus.CANCELLED
        )
    case.status = target


def _merge_target(actor: Any, case: Case, merge_into_id: int | None) -> Case:
    if merge_into_id is None:
        raise ValidationFailed(gettext("name the case to merge into"), field="merge_into_id")
    if merge_into_id == case.pk:
        raise ValidationFailed(
            gettext("a case cannot be merged into itself"), field="merge_into_id"
        )
    target = case_get(actor=actor, case_id=merge_into_id, for_update=True)
    if target.status in {CaseStatus.MERGED, CaseStatus.WITHDRAWN}:
        raise Conflict(
            gettext("cannot merge into a merged or withdrawn case"), field="merge_into_id"
        )
    return target


def _escalate(actor: Any, case: Case, reason: str) -> None:
    """Move the lead one level up; the upper unit must accept within the category's time."""
    old_unit = case.lead_unit
    if old_unit.parent_id is None:
        raise Conflict(gettext("the case is already led at the top level"), field="action")
    new_unit = OrgUnit.objects.get(pk=old_unit.parent_id)
    chain = lineage(new_unit)
    department_type = case.category.responsible.get(LEVEL_KEY[new_unit.level], "")
    department = nearest_department(chain, department_type)
    now = timezone.now()
    case.assignments.filter(role=AssignmentRole.LEAD, status__in=ACTIVE_ASSIGNMENT).update(
        status=AssignmentStatus.RETURNED,
        completed_at=now,
        notes=system_text(gettext_noop("escalated: %(reason)s"), reason=reason),
    )
    case.lead_unit, case.lead_unit_path, case.lead_department = new_unit, new_unit.path, department
    case.escalation_count += 1
    case.accept_deadline = now + timedelta(minutes=case.category.acceptance_minutes)
    case.resolve_deadline = max(
        case.resolve_deadline, now + timedelta(days=case.category.resolution_days)
    )
    case.overdue = False
    case.updated_at = now
    if department is not None:
        Assignment.objects.create(
            case=case,
            department=department,
            role=AssignmentRole.LEAD,
            deadline=case.resolve_deadline,
            task=system_text(gettext_noop("escalated: %(reason)s"), reason=reason),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        notify_department(
            department,
            case=case,
            kind=NotificationKind.ESCALATION,
            message=system_text(
                gettext_noop("%(number)s escalated to %(unit)s: %(reason)s"),
                number=case.number,
                unit=new_unit.name,
                reason=reason,
            ),
        )
    schedule_deadlines(case)


def system_escalate(*, case: Case, reason: str) -> None:
    """Escalation by a breached deadline: no user, same rules, same event."""
    target = target_status(Action.ESCALATE, case.status)
    if target is None:
        return
    bump_version(case, None)
    source = case.status
    _escalate(None, case, reason)
    case.status = target
    case.save()
    event_write(
        case=case,
        actor=None,
        kind=EventKind.TRANSITION,
        action=Action.ESCALATE,
        from_status=source,
        to_status=target,
        message=reason,
        public=True,
        automatic=True,
    )
