"""Every read of risk points, devices and warnings, scoped to what the acting user may see.

A user sees a warning when its place or the unit it is assigned to lies in their units' subtrees,
and a risk point when its grid does. Not found and not allowed are the same 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role
from fengqiao.core.errors import NotFound
from fengqiao.early_warning.models import (
    Device,
    RiskPoint,
    Warning,
    WarningEvent,
    WarningRule,
)
from fengqiao.early_warning.states import OPEN_STATUSES, WarningStatus
from fengqiao.orgs.models import OrgUnit, subtree_range_kwargs


def warning_visibility(user: Any) -> Q:
    jurisdiction = Jurisdiction.of(user)
    return jurisdiction.unit_q("unit_path") | jurisdiction.unit_q("assigned_unit_path")


def warning_queryset(user: Any) -> QuerySet[Warning]:
    return Warning.objects.filter(warning_visibility(user))


def warning_get(*, actor: Any, warning_id: int, for_update: bool = False) -> Warning:
    warnings = warning_queryset(actor).select_related(
        "rule", "unit", "assigned_unit", "risk_point", "verified_by", "case"
    )
    if for_update:
        warnings = warnings.select_for_update(of=("self",))
    warning = warnings.filter(pk=warning_id).first()
    if warning is None:
        raise NotFound("warning not found")
    return warning


def warning_list(
    *,
    actor: Any,
    status: list[str] | None = None,
    open_only: bool = False,
    colour: str = "",
    rule_code: str = "",
    unit: OrgUnit | None = None,
    mine: bool = False,
    overdue: bool = False,
) -> QuerySet[Warning]:
    """Soonest deadline first; ``mine`` is a grid worker's verification tasks (assigned, in their
    grids) or, for others, what is assigned to their own units."""
    warnings = warning_queryset(actor).select_related("rule", "unit", "assigned_unit", "risk_point")
    if status:
        warnings = warnings.filter(status__in=status)
    if open_only:
        warnings = warnings.filter(status__in=OPEN_STATUSES)
    if colour:
        warnings = warnings.filter(colour=colour)
    if rule_code:
        warnings = warnings.filter(rule__code=rule_code)
    if unit is not None:
        if not Jurisdiction.of(actor).covers_path(unit.path):
            raise NotFound("organisation unit not found")
        warnings = warnings.filter(
            Q(**subtree_range_kwargs("unit_path", unit.path))
            | Q(**subtree_range_kwargs("assigned_unit_path", unit.path))
        )
    if mine:
        warnings = warnings.filter(verification_tasks_q(actor))
    if overdue:
        warnings = warnings.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.now())
    return warnings.order_by("deadline", "pk")


def verification_tasks_q(actor: Any) -> Q:
    jurisdiction = Jurisdiction.of(actor)
    if getattr(actor, "role", "") == Role.GRID_WORKER:
        return jurisdiction.unit_q("unit_path") & Q(status=WarningStatus.ASSIGNED)
    return jurisdiction.unit_q("assigned_unit_path") & Q(status__in=OPEN_STATUSES)


def board_warnings(user: Any, colour: str) -> QuerySet[Warning]:
    """Open warnings of one colour in the user's jurisdiction (for the risk boards)."""
    return (
        warning_queryset(user)
        .filter(status__in=OPEN_STATUSES, colour=colour)
        .select_related("rule", "unit", "assigned_unit", "risk_point")
        .order_by("deadline", "pk")
    )


def warning_timeline(*, actor: Any, warning: Warning) -> QuerySet[WarningEvent]:
    # The warning was fetched through warning_get, so it is in scope already.
    return WarningEvent.objects.filter(warning=warning).select_related("actor").order_by("at", "pk")


def rule_list(*, active_only: bool = False) -> QuerySet[WarningRule]:
    """Rules are configuration, the same for everyone signed in."""
    rules = WarningRule.objects.select_related("category").order_by("code")
    return rules.filter(is_active=True) if active_only else rules


def point_queryset(user: Any) -> QuerySet[RiskPoint]:
    return RiskPoint.objects.filter(Jurisdiction.of(user).unit_q("unit_path"))


def point_list(
    *,
    actor: Any,
    point_type: str = "",
    unit: OrgUnit | None = None,
    q: str = "",
    overdue_only: bool = False,
    active_only: bool = True,
) -> QuerySet[RiskPoint]:
    points = point_queryset(actor).select_related("grid", "grid__parent")
    if active_only:
        points = points.filter(is_active=True)
    if point_type:
        points = points.filter(point_type=point_type)
    if unit is not None:
        if not Jurisdiction.of(actor).covers_path(unit.path):
            raise NotFound("organisation unit not found")
        points = points.filter(**subtree_range_kwargs("unit_path", unit.path))
    if q:
        points = points.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(address__icontains=q)
        )
    points = points.order_by("unit_path", "code")
    if overdue_only:
        today = timezone.localdate()
        ids = [p.pk for p in points if (due := p.maintenance_due_on) is not None and due < today]
        points = points.filter(pk__in=ids)
    return points


def point_get(*, actor: Any, point_id: int, for_update: bool = False) -> RiskPoint:
    points = point_queryset(actor).select_related("grid", "grid__parent")
    if for_update:
        points = points.select_for_update(of=("self",))
    point = points.filter(pk=point_id).first()
    if point is None:
        raise NotFound("risk point not found")
    return point


def point_devices(*, actor: Any, point: RiskPoint) -> QuerySet[Device]:
    return Device.objects.filter(risk_point=point).order_by("device_id")


def point_warnings(*, actor: Any, point: RiskPoint) -> QuerySet[Warning]:
    return (
        warning_queryset(actor)
        .filter(risk_point=point)
        .select_related("rule")
        .order_by("-last_fired_at", "-pk")
    )


def warning_actions(*, actor: Any, warning: Warning) -> list[str]:
    """What the actor may do to the warning now (the same checks the services make)."""
    from fengqiao.early_warning.states import ACTION_ROLES, WarningAction, actions_from

    role: str = (
        Role.ADMIN if getattr(actor, "is_superuser", False) else str(getattr(actor, "role", ""))
    )
    jurisdiction = Jurisdiction.of(actor)
    allowed = []
    for action in actions_from(warning.status):
        if role not in ACTION_ROLES[action]:
            continue
        if action in {WarningAction.VERIFY, WarningAction.DISMISS} and not (
            jurisdiction.covers_path(warning.unit_path)
        ):
            continue
        allowed.append(action)
    return allowed
