"""Every read of cases goes through here, scoped to what the acting user may see.

A user sees a case when its place or its lead unit lies in their units' subtrees, when it is
shared with their jurisdiction (cross-region), or when it is assigned to them or their department.
Restricted cases (domestic violence) are further limited to named handlers and leaders.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Q, QuerySet, Value, When

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role
from fengqiao.cases.handling.models import Assignment
from fengqiao.cases.models import Case, Party, TimelineEvent
from fengqiao.cases.permissions import role_of
from fengqiao.cases.states import OPEN_STATUSES
from fengqiao.core.errors import NotFound
from fengqiao.orgs.models import OrgUnit, subtree_range_kwargs
from fengqiao.taxonomy.models import RiskColour


def case_visibility(user: Any) -> Q:
    jurisdiction = Jurisdiction.of(user)
    if jurisdiction.unrestricted:
        return Q()
    if jurisdiction.user_id is None:
        return Q(pk__in=[])
    in_units = jurisdiction.unit_q("territory_path") | jurisdiction.unit_q("lead_unit_path")
    partnered = Case.partner_units.through.objects.filter(jurisdiction.unit_q("orgunit__path"))
    assigned_q = Q(assignee_id=jurisdiction.user_id)
    if jurisdiction.department_id is not None:
        assigned_q |= Q(department_id=jurisdiction.department_id)
    assigned = Assignment.objects.filter(assigned_q).values("case_id")
    scope = in_units | Q(pk__in=partnered.values("case_id")) | Q(pk__in=assigned)
    if role_of(user) == Role.LEADER:
        return scope
    # Restricted cases: only people named on the case, holding one of its assignments, or acting
    # as the designated liaison of a department that holds one (so the task can be picked up).
    named = Case.handlers.through.objects.filter(user_id=jurisdiction.user_id).values("case_id")
    personal = Assignment.objects.filter(assignee_id=jurisdiction.user_id).values("case_id")
    allowed = Q(restricted=False) | Q(pk__in=named) | Q(pk__in=personal)
    if role_of(user) == Role.LIAISON and jurisdiction.department_id is not None:
        allowed |= Q(
            pk__in=Assignment.objects.filter(department_id=jurisdiction.department_id).values(
                "case_id"
            )
        )
    return scope & allowed


def case_queryset(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(case_visibility(user))


def visible_among(
    actor: Any,
    pks: Any,
    *,
    fields: Sequence[str],
    related: Sequence[str] = (),
    order: Sequence[str] = ("pk",),
) -> list[Case]:
    """The cases among ``pks`` (ids, or a subquery of ids) that ``actor`` may see, in ``order``,
    with only ``fields`` loaded (plus what the rule below needs).

    :func:`case_visibility` is applied whenever it could hide one of them. It cannot when every
    one is unrestricted and placed inside the actor's own units: "placed in the actor's units"
    alone makes a case visible then, whatever the role. For a short list (the cockpit's watch
    list, refreshed every minute) that is the common case, and it spares compiling and planning
    the full rule with its subqueries.
    """
    candidates = list(
        Case.objects.filter(pk__in=pks)
        .select_related(*related)
        .only(*fields, "restricted", "territory_path")
        .order_by(*order)
    )
    jurisdiction = Jurisdiction.of(actor)
    if any(c.restricted or not jurisdiction.covers_path(c.territory_path) for c in candidates):
        allowed = case_queryset(actor).filter(pk__in=[c.pk for c in candidates])
        visible = set(allowed.values_list("pk", flat=True))
        candidates = [c for c in candidates if c.pk in visible]
    return candidates


def case_get(*, actor: Any, case_id: int, for_update: bool = False) -> Case:
    queryset = case_queryset(actor).select_related(
        "category",
        "category__parent",
        "channel",
        "territory",
        "lead_unit",
        "lead_department",
        "leader",
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    case = queryset.filter(pk=case_id).first()
    if case is None:
        raise NotFound("case not found")
    return case


def case_get_by_number(*, actor: Any, number: str) -> Case:
    case = case_queryset(actor).filter(number=number).first()
    if case is None:
        raise NotFound("case not found")
    return case


def case_list(
    *,
    actor: Any,
    status: list[str] | None = None,
    open_only: bool = False,
    category_code: str = "",
    channel_code: str = "",
    risk_colour: str = "",
    unit: OrgUnit | None = None,
    q: str = "",
    overdue: bool | None = None,
    created_from: Any = None,
    created_to: Any = None,
    order: str = "deadline",
) -> QuerySet[Case]:
    cases = case_queryset(actor).select_related(
        "category", "channel", "territory", "lead_unit", "lead_department"
    )
    if status:
        cases = cases.filter(status__in=status)
    if open_only:
        cases = cases.filter(status__in=OPEN_STATUSES)
    if category_code:
        cases = cases.filter(
            Q(category__code=category_code) | Q(category__parent__code=category_code)
        )
    if channel_code:
        cases = cases.filter(channel__code=channel_code)
    if risk_colour:
        cases = cases.filter(risk_colour=risk_colour)
    if unit is not None:
        cases = cases.filter(
            Q(**subtree_range_kwargs("territory_path", unit.path))
            | Q(**subtree_range_kwargs("lead_unit_path", unit.path))
        )
    if q:
        cases = cases.filter(
            Q(number__icontains=q)
            | Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(address__icontains=q)
        )
    if overdue is not None:
        cases = cases.filter(overdue=overdue)
    if created_from is not None:
        cases = cases.filter(created_at__gte=created_from)
    if created_to is not None:
        cases = cases.filter(created_at__lt=created_to)
    if order == "risk":
        # Red first: the colours' codes do not sort by severity.
        severity = DbCase(
            When(risk_colour=RiskColour.RED, then=Value(0)),
            When(risk_colour=RiskColour.ORANGE, then=Value(1)),
            default=Value(2),
        )
        return cases.order_by(severity, "resolve_deadline", "pk")
    ordering = {
        "deadline": ["resolve_deadline", "pk"],
        "newest": ["-created_at", "-pk"],
        "oldest": ["created_at", "pk"],
    }.get(order, ["resolve_deadline", "pk"])
    return cases.order_by(*ordering)


def case_timeline(*, actor: Any, case: Case) -> QuerySet[TimelineEvent]:
    """The case's events, and those of cases merged into it: merging keeps both histories."""
    ids = [case.pk, *case_queryset(actor).filter(merged_into=case).values_list("pk", flat=True)]
    return (
        TimelineEvent.objects.filter(case_id__in=ids).select_related("actor").order_by("at", "pk")
    )


def queue_mine(*, actor: Any) -> QuerySet[Assignment]:
    """Open assignments on the actor personally or on their department, soonest deadline first."""
    mine = Q(assignee=actor)
    if getattr(actor, "department_id", None):
        mine |= Q(department_id=actor.department_id, assignee__isnull=True)
    return (
        Assignment.objects.filter(
            mine, status__in=["pending", "accepted"], case__in=case_queryset(actor)
        )
        .select_related("case", "case__category", "department", "assignee")
        .order_by("deadline", "pk")
    )


def queue_unit(*, actor: Any, unit: OrgUnit | None = None) -> QuerySet[Case]:
    """Open cases led by the actor's units (or one unit in scope), soonest deadline first."""
    jurisdiction = Jurisdiction.of(actor)
    cases = case_queryset(actor).filter(status__in=OPEN_STATUSES)
    if unit is not None:
        if not jurisdiction.covers_path(unit.path):
            raise NotFound("organisation unit not found")
        cases = cases.filter(**subtree_range_kwargs("lead_unit_path", unit.path))
    else:
        cases = cases.filter(jurisdiction.unit_q("lead_unit_path"))
    return cases.select_related("category", "lead_unit", "lead_department").order_by(
        "resolve_deadline", "pk"
    )


def parties_matching(*, actor: Any, phones: list[str], id_numbers: list[str]) -> QuerySet[Party]:
    """Parties with one of these phones or ID numbers, on cases the actor may see."""
    match = Q(pk__in=[])
    if phones:
        match |= Q(phone__in=phones)
    if id_numbers:
        match |= Q(id_number__in=id_numbers)
    return Party.objects.filter(match, case__in=case_queryset(actor).exclude(status="merged"))
