"""Setting a case's risk colour, and recording dispatch meetings on the boards.

A colour change goes through the cases' own update path (``case_update``), so it is one version
check and one timeline event with who, when and why, exactly as from the case page.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, EventKind
from fengqiao.cases.permissions import role_of
from fengqiao.cases.schemas import CaseUpdate
from fengqiao.cases.selectors import case_get, case_queryset
from fengqiao.cases.services import case_update, event_write
from fengqiao.cases.states import OPEN_STATUSES
from fengqiao.core.errors import PermissionDenied, ValidationFailed
from fengqiao.core.text import system_text
from fengqiao.notifications.models import NotificationKind
from fengqiao.notifications.services import notify
from fengqiao.orgs.models import Level, OrgUnit, subtree_range_kwargs
from fengqiao.risk import warning_items
from fengqiao.risk.models import DispatchDecision, DispatchMeeting
from fengqiao.risk.policy import CHAIR_ROLES, DISPATCH_ROLES, MEETING_LEVEL
from fengqiao.risk.schemas import DecisionIn, MeetingIn
from fengqiao.taxonomy.models import RiskColour

REASON_MAX = 255


def risk_colour_set(
    *, actor: Any, case_id: int, colour: str, reason: str, expected_version: int
) -> Case:
    """Give a case a colour, saying why; the reason is required whenever the colour changes."""
    if colour not in RiskColour.values:
        raise ValidationFailed(gettext("choose red, orange or green"), field="colour")
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            gettext("at most %(n)d characters") % {"n": REASON_MAX}, field="reason"
        )
    case = case_get(actor=actor, case_id=case_id)
    if colour != case.risk_colour and not reason:
        raise ValidationFailed(gettext("say why the risk colour changes"), field="reason")
    changes: dict[str, str] = {}
    if colour != case.risk_colour:
        changes["risk_colour"] = colour
    if reason and reason != case.risk_reason:
        changes["risk_reason"] = reason
    if not changes:
        raise ValidationFailed(gettext("the case already has this colour and reason"))
    return case_update(
        actor=actor,
        case_id=case_id,
        expected_version=expected_version,
        changes=CaseUpdate.model_validate(changes),
    )


def may_record_meeting(user: Any) -> bool:
    return role_of(user) in DISPATCH_ROLES


@transaction.atomic
def dispatch_meeting_record(*, actor: Any, data: MeetingIn) -> DispatchMeeting:
    """Record a sitting of a board: who chaired, which items it reviewed and what it decided.

    Every item must be on that board for that unit, as the recorder sees it. Each decision on a
    case is written to the case's timeline, and a named owner is notified."""
    if not may_record_meeting(actor):
        raise PermissionDenied(gettext("your role cannot record dispatch meetings"))
    jurisdiction = Jurisdiction.of(actor)
    unit = _meeting_unit(jurisdiction, data)
    chair = _chair(actor, jurisdiction, data)
    today = timezone.localdate()
    if data.held_on > today:
        raise ValidationFailed(
            gettext("a meeting cannot be recorded ahead of time"), field="held_on"
        )
    if data.next_review_on <= data.held_on:
        raise ValidationFailed(
            gettext("the next review must come after the meeting"), field="next_review_on"
        )
    cases, warnings = _items(actor, jurisdiction, unit, data)
    meeting = DispatchMeeting.objects.create(
        colour=data.colour,
        unit=unit,
        unit_path=unit.path,
        held_on=data.held_on,
        chair=chair,
        notes=data.notes,
        next_review_on=data.next_review_on,
        created_by=actor,
    )
    owners = _owners(jurisdiction, data.decisions)
    decisions = DispatchDecision.objects.bulk_create(
        DispatchDecision(
            meeting=meeting,
            case=cases.get(d.case_id) if d.case_id else None,
            warning_id=d.warning_id,
            item_title=(cases[d.case_id].title if d.case_id else warnings[d.warning_id or 0])[:200],
            decision=d.decision,
            owner_text=d.owner_text,
            owner_user=owners.get(d.owner_user_id or 0),
            due_on=d.due_on,
        )
        for d in data.decisions
    )
    colour_label = RiskColour(data.colour).label
    for decision in decisions:
        if decision.case is not None:
            event_write(
                case=decision.case,
                actor=actor,
                kind=EventKind.NOTE,
                action="dispatch",
                message=system_text(
                    gettext_noop("%(board)s board dispatch meeting of %(date)s: %(decision)s"),
                    board=colour_label,
                    date=data.held_on.isoformat(),
                    decision=decision.decision,
                ),
                meeting_id=meeting.pk,
                decision_id=decision.pk,
                owner=str(decision.owner_user or decision.owner_text),
                due_on=decision.due_on.isoformat() if decision.due_on else None,
            )
        if decision.owner_user is not None:
            notify(
                users=[decision.owner_user],
                kind=NotificationKind.ASSIGNMENT,
                message=system_text(
                    gettext_noop("%(board)s board dispatch: %(item)s — %(decision)s"),
                    board=colour_label,
                    item=decision.item_title,
                    decision=decision.decision,
                ),
                case=decision.case,
            )
    return meeting


def _meeting_unit(jurisdiction: Jurisdiction, data: MeetingIn) -> OrgUnit:
    unit = jurisdiction.units().filter(pk=data.unit_id, is_active=True).first()
    if unit is None:
        raise ValidationFailed(
            gettext("unknown unit, or outside your jurisdiction"), field="unit_id"
        )
    level = MEETING_LEVEL[data.colour]
    if unit.level != level:
        raise ValidationFailed(
            gettext("the %(board)s board meets at %(level)s level")
            % {"board": RiskColour(data.colour).label, "level": Level(level).label},
            field="unit_id",
        )
    return unit


def _chair(actor: Any, jurisdiction: Jurisdiction, data: MeetingIn) -> User:
    if data.chair_id is None:
        chair: User | None = actor
    else:
        chair = jurisdiction.users().filter(pk=data.chair_id, is_active=True).first()
    if chair is None:
        raise ValidationFailed(
            gettext("unknown chair, or outside your jurisdiction"), field="chair_id"
        )
    roles = CHAIR_ROLES[data.colour]
    if roles is not None and role_of(chair) not in roles:
        raise ValidationFailed(
            gettext("the %(board)s board is chaired by a leader")
            % {"board": RiskColour(data.colour).label},
            field="chair_id",
        )
    return chair


def _items(
    actor: Any, jurisdiction: Jurisdiction, unit: OrgUnit, data: MeetingIn
) -> tuple[dict[int, Case], dict[int, str]]:
    """The reviewed cases and warnings (titles), each checked to be on this board and unit."""
    seen: set[str] = set()
    for index, decision in enumerate(data.decisions):
        key = f"case:{decision.case_id}" if decision.case_id else f"warning:{decision.warning_id}"
        if key in seen:
            raise ValidationFailed(
                gettext("this item is reviewed twice"), field=f"decisions.{index}"
            )
        seen.add(key)
        if decision.due_on is not None and decision.due_on < data.held_on:
            raise ValidationFailed(
                gettext("the due date lies before the meeting"),
                field=f"decisions.{index}.due_on",
            )
    case_ids = [d.case_id for d in data.decisions if d.case_id]
    cases: dict[int, Case] = {}
    if case_ids:
        on_board = (
            case_queryset(actor)
            .filter(pk__in=case_ids, status__in=OPEN_STATUSES, risk_colour=data.colour)
            .filter(_in_unit(unit))
        )
        cases = {case.pk: case for case in on_board}
    warning_ids = [d.warning_id for d in data.decisions if d.warning_id]
    warnings: dict[int, str] = {}
    if warning_ids:
        warnings = {
            w.pk: str(w.title)
            for w in warning_items.open_warnings(actor=actor, colour=data.colour, unit=unit)
            if w.pk in warning_ids
        }
    for index, decision in enumerate(data.decisions):
        if decision.case_id and decision.case_id not in cases:
            raise ValidationFailed(
                gettext("no open %(colour)s case with this id in the meeting's unit")
                % {"colour": RiskColour(data.colour).label},
                field=f"decisions.{index}.case_id",
            )
        if decision.warning_id and decision.warning_id not in warnings:
            raise ValidationFailed(
                gettext("no open %(colour)s warning with this id in the meeting's unit")
                % {"colour": RiskColour(data.colour).label},
                field=f"decisions.{index}.warning_id",
            )
    return cases, warnings


def _in_unit(unit: OrgUnit) -> Q:
    return Q(**subtree_range_kwargs("territory_path", unit.path)) | Q(
        **subtree_range_kwargs("lead_unit_path", unit.path)
    )


def _owners(jurisdiction: Jurisdiction, decisions: list[DecisionIn]) -> dict[int, User]:
    ids = {d.owner_user_id for d in decisions if d.owner_user_id}
    if not ids:
        return {}
    found = {u.pk: u for u in jurisdiction.users().filter(pk__in=ids, is_active=True)}
    for index, decision in enumerate(decisions):
        if decision.owner_user_id and decision.owner_user_id not in found:
            raise ValidationFailed(
                gettext("unknown person, or outside your jurisdiction"),
                field=f"decisions.{index}.owner_user_id",
            )
    return found
