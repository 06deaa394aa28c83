"""Scoped reads of plans, draws and revisits, and the satisfaction figure for the cockpit.

A plan is visible to users whose jurisdiction covers its unit, and to users below it (a
township sees the plan its district samples it by). A revisit is visible only with its case:
``case_queryset`` decides, as for every other read of cases. Hidden and missing are both 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role
from fengqiao.cases.permissions import role_of
from fengqiao.cases.selectors import case_queryset
from fengqiao.core.errors import NotFound
from fengqiao.orgs.models import OrgUnit, subtree_range_kwargs
from fengqiao.revisits.models import LEVELS, Revisit, RevisitDraw, RevisitStatus, SamplingPlan

# Roles that edit plans, draw samples and record revisits.
AUDIT_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})


def may_audit(actor: Any) -> bool:
    return role_of(actor) in AUDIT_ROLES


def plan_visibility(actor: Any) -> Q:
    jurisdiction = Jurisdiction.of(actor)
    if jurisdiction.unrestricted:
        return Q()
    above = {root[:n] for root in jurisdiction.paths for n in range(1, len(root) + 1)}
    return jurisdiction.unit_q("unit_path") | Q(unit_path__in=sorted(above))


def plan_list(*, actor: Any) -> QuerySet[SamplingPlan]:
    return SamplingPlan.objects.filter(plan_visibility(actor)).select_related("unit")


def plan_get(*, actor: Any, plan_id: int, for_update: bool = False) -> SamplingPlan:
    plans = plan_list(actor=actor)
    if for_update:
        plans = plans.select_for_update(of=("self",))
    plan = plans.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("sampling plan not found")
    return plan


def plan_editable(actor: Any, plan: SamplingPlan) -> bool:
    return may_audit(actor) and Jurisdiction.of(actor).covers_path(plan.unit_path)


def draw_list(*, actor: Any, plan: SamplingPlan | None = None) -> QuerySet[RevisitDraw]:
    draws = RevisitDraw.objects.filter(plan__in=plan_list(actor=actor)).select_related(
        "plan", "plan__unit", "drawn_by"
    )
    if plan is not None:
        draws = draws.filter(plan=plan)
    return draws.order_by("-period", "plan__unit_path")


def draw_get(*, actor: Any, draw_id: int) -> RevisitDraw:
    draw = draw_list(actor=actor).filter(pk=draw_id).first()
    if draw is None:
        raise NotFound("revisit draw not found")
    return draw


def revisit_queryset(actor: Any) -> QuerySet[Revisit]:
    return Revisit.objects.filter(case__in=case_queryset(actor)).select_related(
        "case", "case__category", "case__territory", "draw", "draw__plan", "assigned_to"
    )


def revisit_list(
    *,
    actor: Any,
    mine: bool = False,
    status: str = "",
    draw: RevisitDraw | None = None,
    level: str = "",
) -> QuerySet[Revisit]:
    revisits = revisit_queryset(actor)
    if mine:
        # The auditor's own, plus those nobody in the draw could be assigned to.
        revisits = revisits.filter(Q(assigned_to=actor) | Q(assigned_to__isnull=True))
    if status:
        revisits = revisits.filter(status=status)
    if draw is not None:
        revisits = revisits.filter(draw=draw)
    if level:
        revisits = revisits.filter(level=level)
    # The four levels in their own order (mediator first), not alphabetically.
    level_order = Case(
        *(When(level=level, then=Value(n)) for n, level in enumerate(LEVELS)),
        output_field=IntegerField(),
    )
    return revisits.order_by("status", "-draw__period", "case__number", level_order)


def revisit_get(*, actor: Any, revisit_id: int) -> Revisit:
    revisit = revisit_queryset(actor).filter(pk=revisit_id).first()
    if revisit is None:
        raise NotFound("revisit not found")
    return revisit


def satisfaction(*, actor: Any, unit: OrgUnit, start: datetime, end: datetime) -> tuple[int, int]:
    """(satisfied, reached) over revisits recorded in [start, end) on cases in ``unit``'s subtree.

    Counted per revisit: a case revisited by two levels gives two answers, as the four-level
    reports count them. Unreached parties are not in the denominator. ``NotFound`` when the unit
    is outside the actor's jurisdiction.
    """
    if not Jurisdiction.of(actor).covers_path(unit.path):
        raise NotFound("organisation unit not found")
    figures = Revisit.objects.filter(
        status=RevisitStatus.DONE,
        reached=True,
        revisited_at__gte=start,
        revisited_at__lt=end,
        **subtree_range_kwargs("territory_path", unit.path),
    ).aggregate(reached=Count("pk"), satisfied=Count("pk", filter=Q(satisfied=True)))
    return int(figures["satisfied"]), int(figures["reached"])
