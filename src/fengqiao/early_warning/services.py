"""Warnings: raising (by the engine or another module), the lifecycle, and turning into a case.

Every change to a warning happens here, in one transaction, with a timeline event. The lifecycle
is raised → assigned to the township automatically (deadline from the rule; its people and the
grid's workers are notified) → verified on site by the grid worker (or a false alarm) → handled
→ closed with feedback; or turned into a case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role, User
from fengqiao.core.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.core.text import system_text
from fengqiao.early_warning.models import (
    RiskPoint,
    RuleKind,
    Warning,
    WarningEvent,
    WarningEventKind,
    WarningRule,
)
from fengqiao.early_warning.rules import rule_validate
from fengqiao.early_warning.selectors import warning_get
from fengqiao.early_warning.states import (
    ACTION_ROLES,
    OPEN_STATUSES,
    WarningAction,
    WarningStatus,
    target_status,
)
from fengqiao.notifications.models import NotificationKind
from fengqiao.notifications.services import notify
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.taxonomy.models import RiskColour

# A warning turned into a case gets this category when its rule names none.
CASE_CATEGORY_BY_POINT_TYPE = {
    "septic_tank": "M09.08",
    "construction_site": "M09.03",
    "dangerous_building": "M03.01",
}
FALLBACK_CASE_CATEGORY = "M18.01"


def event_write(
    *,
    warning: Warning,
    actor: Any,
    kind: str,
    message: str = "",
    from_status: str = "",
    to_status: str = "",
    at: datetime | None = None,
    **data: Any,
) -> WarningEvent:
    return WarningEvent.objects.create(
        warning=warning,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        message=message,
        data=data,
    )


# --- rules other modules raise through ---------------------------------------------------


def rule_ensure(
    *,
    code: str,
    name: str,
    kind: str = RuleKind.EXTERNAL,
    colour: str = RiskColour.ORANGE,
    deadline_minutes: int = 1440,
    description: str = "",
) -> WarningRule:
    """The rule with this code, created on first use; an existing rule is left as configured."""
    rule = WarningRule.objects.filter(code=code).first()
    if rule is not None:
        return rule
    rule = WarningRule(
        code=code,
        name=name,
        kind=kind,
        colour=colour,
        deadline_minutes=deadline_minutes,
        description=description,
    )
    rule_validate(rule)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        return WarningRule.objects.get(code=code)
    return rule


# --- raising -------------------------------------------------------------------------------


def warning_raise(
    *,
    rule_code: str,
    subject_key: str,
    unit: OrgUnit,
    colour: str,
    title: str,
    explanation: str,
    value: float | None = None,
    lng: float | None = None,
    lat: float | None = None,
    risk_point: RiskPoint | None = None,
    fired_at: datetime | None = None,
) -> Warning:
    """Raise a warning, or update the open one of the same rule and subject (idempotent).

    A new warning is assigned to the township of ``unit`` at once; a repeat only counts the fire,
    keeps the last value and adds a "fired again" event.
    """
    rule = WarningRule.objects.filter(code=rule_code).first()
    if rule is None:
        raise ValidationFailed(
            gettext("unknown warning rule %(code)s") % {"code": rule_code}, field="rule_code"
        )
    if colour not in RiskColour.values:
        raise ValidationFailed(gettext("red, orange or green"), field="colour")
    now = fired_at or timezone.now()
    with transaction.atomic():
        existing = _open_warning(rule, subject_key)
        if existing is not None:
            return _fire_again(existing, colour, title, explanation, value, now)
        try:
            with transaction.atomic():
                warning = Warning.objects.create(
                    rule=rule,
                    subject_key=subject_key[:120],
                    colour=colour,
                    title=title[:200],
                    explanation=explanation,
                    value=value,
                    first_fired_at=now,
                    last_fired_at=now,
                    lng=lng,
                    lat=lat,
                    risk_point=risk_point,
                    unit=unit,
                    unit_path=unit.path,
                    created_at=now,
                )
        except IntegrityError:
            # Another worker raised it between our look and our insert: that one is the warning.
            existing = _open_warning(rule, subject_key)
            if existing is None:
                raise
            return _fire_again(existing, colour, title, explanation, value, now)
        event_write(
            warning=warning,
            actor=None,
            kind=WarningEventKind.RAISED,
            to_status=WarningStatus.RAISED,
            message=explanation,
            at=now,
            rule=rule.code,
            value=value,
        )
        _assign(warning, actor=None, at=now)
    return warning


def _open_warning(rule: WarningRule, subject_key: str) -> Warning | None:
    return (
        Warning.objects.select_for_update()
        .filter(rule=rule, subject_key=subject_key[:120], status__in=OPEN_STATUSES)
        .first()
    )


def _fire_again(
    warning: Warning, colour: str, title: str, explanation: str, value: float | None, at: datetime
) -> Warning:
    Warning.objects.filter(pk=warning.pk).update(
        fire_count=F("fire_count") + 1,
        title=title[:200],
        value=value,
        colour=colour,
        explanation=explanation,
        last_fired_at=at,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    warning.refresh_from_db()
    event_write(
        warning=warning,
        actor=None,
        kind=WarningEventKind.FIRED_AGAIN,
        message=explanation,
        at=at,
        value=value,
        fire_count=warning.fire_count,
    )
    return warning


def township_of(unit: OrgUnit) -> OrgUnit:
    """The township a place belongs to; a unit above township level handles its own warnings."""
    if unit.level <= Level.TOWNSHIP:
        return unit
    township = OrgUnit.objects.filter(path__in=unit.ancestor_paths(), level=Level.TOWNSHIP).first()
    return township or unit


def _assign(warning: Warning, *, actor: Any, at: datetime) -> None:
    township = township_of(warning.unit)
    warning.status = WarningStatus.ASSIGNED
    warning.assigned_unit = township
    warning.assigned_unit_path = township.path
    warning.assigned_at = at
    warning.deadline = at + timedelta(minutes=warning.rule.deadline_minutes)
    warning.save(
        update_fields=[
            "status",
            "assigned_unit",
            "assigned_unit_path",
            "assigned_at",
            "deadline",
            "updated_at",
        ]
    )
    event_write(
        warning=warning,
        actor=actor,
        kind=WarningEventKind.ASSIGNED,
        from_status=WarningStatus.RAISED,
        to_status=WarningStatus.ASSIGNED,
        at=at,
        message=system_text(
            gettext_noop("assigned to %(unit)s, to be handled within %(minutes)s minutes"),
            unit=township.name,
            minutes=warning.rule.deadline_minutes,
        ),
        unit_id=township.pk,
    )
    notify(
        users=_people_to_tell(warning, township),
        kind=NotificationKind.ASSIGNMENT,
        message=system_text(
            gettext_noop("Warning: %(title)s (%(place)s), handle by %(deadline)s"),
            title=warning.title,
            place=warning.unit.name,
            deadline=timezone.localtime(warning.deadline).strftime("%m-%d %H:%M"),
        ),
    )


def _people_to_tell(warning: Warning, township: OrgUnit) -> list[User]:
    """The township's own people, and the grid workers whose grids hold the place."""
    enclosing = [*warning.unit.ancestor_paths(), warning.unit.path]
    workers = Q(role=Role.GRID_WORKER, units__path__in=enclosing, units__level__gt=township.level)
    return list(
        User.objects.filter(Q(units=township) | workers, is_active=True).distinct().order_by("pk")
    )


# --- the lifecycle -------------------------------------------------------------------------


def _begin(*, actor: Any, warning_id: int, action: str, expected_version: int | None) -> Warning:
    """Fetch for update, then check role, place, version and state, in that order."""
    warning = warning_get(actor=actor, warning_id=warning_id, for_update=True)
    role: str = (
        Role.ADMIN if getattr(actor, "is_superuser", False) else str(getattr(actor, "role", ""))
    )
    if role not in ACTION_ROLES[action]:
        raise PermissionDenied(
            gettext("your role may not do “%(action)s” on warnings")
            % {"action": WarningAction(action).label}
        )
    if action in {WarningAction.VERIFY, WarningAction.DISMISS} and not Jurisdiction.of(
        actor
    ).covers_path(warning.unit_path):
        raise PermissionDenied(gettext("only a grid worker of this place may verify it"))
    if target_status(action, warning.status) is None:
        raise Conflict(
            gettext("a warning that is “%(status)s” cannot be “%(action)s”")
            % {
                "status": WarningStatus(warning.status).label,
                "action": WarningAction(action).label,
            },
            field="action",
        )
    queryset = Warning.objects.filter(pk=warning.pk)
    if expected_version is not None:
        queryset = queryset.filter(version=expected_version)
    if queryset.update(version=F("version") + 1, updated_at=timezone.now()) != 1:
        raise Conflict(
            gettext("the warning was changed by someone else; reload it and try again"),
            field="version",
            current_version=Warning.objects.filter(pk=warning.pk)
            .values_list("version", flat=True)
            .first(),
        )
    warning.version = (expected_version or warning.version) + 1
    return warning


def _required(note: str, field: str) -> str:
    note = note.strip()
    if not note:
        raise ValidationFailed(gettext("this field is required"), field=field)
    return note


@transaction.atomic
def warning_assign(*, actor: Any, warning_id: int, expected_version: int | None) -> Warning:
    """Assign a warning left raised (its automatic assignment did not happen) by hand."""
    warning = _begin(
        actor=actor,
        warning_id=warning_id,
        action=WarningAction.ASSIGN,
        expected_version=expected_version,
    )
    _assign(warning, actor=actor, at=timezone.now())
    return warning


@transaction.atomic
def warning_verify(
    *, actor: Any, warning_id: int, expected_version: int | None, confirmed: bool, note: str
) -> Warning:
    """The grid worker's on-site check: confirmed (to be handled) or a false alarm (final)."""
    action = WarningAction.VERIFY if confirmed else WarningAction.DISMISS
    note = _required(note, "note")
    warning = _begin(
        actor=actor, warning_id=warning_id, action=action, expected_version=expected_version
    )
    now = timezone.now()
    before = warning.status
    warning.status = target_status(action, before) or before
    warning.verified_at = now
    warning.verified_by = actor
    warning.verification_note = note
    if not confirmed:
        warning.closed_at = now
    warning.save()
    event_write(
        warning=warning,
        actor=actor,
        kind=WarningEventKind.VERIFIED if confirmed else WarningEventKind.FALSE_ALARM,
        from_status=before,
        to_status=warning.status,
        message=note,
        at=now,
    )
    return warning


@transaction.atomic
def warning_handle(
    *, actor: Any, warning_id: int, expected_version: int | None, note: str
) -> Warning:
    note = _required(note, "note")
    warning = _begin(
        actor=actor,
        warning_id=warning_id,
        action=WarningAction.HANDLE,
        expected_version=expected_version,
    )
    now = timezone.now()
    warning.status = WarningStatus.HANDLED
    warning.handled_at = now
    warning.handling_note = note
    warning.save()
    event_write(
        warning=warning,
        actor=actor,
        kind=WarningEventKind.HANDLED,
        from_status=WarningStatus.VERIFIED,
        to_status=WarningStatus.HANDLED,
        message=note,
        at=now,
    )
    return warning


@transaction.atomic
def warning_close(
    *, actor: Any, warning_id: int, expected_version: int | None, feedback: str
) -> Warning:
    feedback = _required(feedback, "feedback")
    warning = _begin(
        actor=actor,
        warning_id=warning_id,
        action=WarningAction.CLOSE,
        expected_version=expected_version,
    )
    now = timezone.now()
    warning.status = WarningStatus.CLOSED
    warning.closed_at = now
    warning.feedback = feedback
    warning.save()
    minutes = int((now - warning.first_fired_at).total_seconds() // 60)
    event_write(
        warning=warning,
        actor=actor,
        kind=WarningEventKind.CLOSED,
        from_status=WarningStatus.HANDLED,
        to_status=WarningStatus.CLOSED,
        message=feedback,
        at=now,
        minutes_since_raised=minutes,
    )
    return warning


@transaction.atomic
def warning_convert(
    *,
    actor: Any,
    warning_id: int,
    expected_version: int | None,
    note: str = "",
    category_code: str = "",
) -> Warning:
    """Turn the warning into a case (channel "sensor"), linked both ways: the warning names the
    case, and the case's report carries the warning's number as its external id."""
    from fengqiao.cases.models import EventKind
    from fengqiao.cases.schemas import CaseIn, ReportIn
    from fengqiao.cases.services import case_register
    from fengqiao.cases.services import event_write as case_event_write

    warning = _begin(
        actor=actor,
        warning_id=warning_id,
        action=WarningAction.CONVERT,
        expected_version=expected_version,
    )
    before = warning.status
    point = warning.risk_point
    category = category_code.strip() or (
        warning.rule.category.code
        if warning.rule.category_id and warning.rule.category is not None
        else CASE_CATEGORY_BY_POINT_TYPE.get(point.point_type if point else "", "")
    )
    description = "\n".join(
        part for part in (warning.explanation, warning.verification_note, note.strip()) if part
    )
    try:
        data = CaseIn(
            title=warning.title,
            description=description if len(description) >= 2 else warning.title,
            category=category or FALLBACK_CASE_CATEGORY,
            report=ReportIn(
                channel="sensor",
                external_id=f"EW-{warning.pk}",
                content=warning.explanation[:2000],
                reporter_name=warning.rule.name[:100],
            ),
            lat=warning.lat if warning.lng is not None else None,
            lng=warning.lng if warning.lat is not None else None,
            unit_id=warning.unit_id,
            address=(point.address if point else "")[:255],
            risk_colour=cast(Any, warning.colour),
            risk_reason=warning.rule.name[:255],
        )
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="category") from exc
    case = case_register(actor=actor, data=data).case
    case_event_write(
        case=case,
        actor=actor,
        kind=EventKind.NOTE,
        message=system_text(
            gettext_noop("turned from warning #%(id)s: %(title)s"),
            id=warning.pk,
            title=warning.title,
        ),
        warning_id=warning.pk,
    )
    now = timezone.now()
    warning.status = WarningStatus.CONVERTED
    warning.case = case
    warning.closed_at = now
    warning.save()
    event_write(
        warning=warning,
        actor=actor,
        kind=WarningEventKind.CONVERTED,
        from_status=before,
        to_status=WarningStatus.CONVERTED,
        message=note.strip()
        or system_text(gettext_noop("case %(number)s registered"), number=case.number),
        at=now,
        case_id=case.pk,
    )
    return warning
