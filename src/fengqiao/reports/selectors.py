"""Scoped reads of generated reports: a report is visible to report readers whose jurisdiction
covers its unit; anyone else gets the same 404 as for a missing report."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role
from fengqiao.cases.permissions import role_of
from fengqiao.core.errors import NotFound
from fengqiao.orgs.models import Level, OrgUnit, subtree_range_kwargs
from fengqiao.reports.models import GeneratedReport

# Reports carry case titles and whole-unit figures: for the people who steer and check the
# work, and the front desk that answers for its centre.
REPORT_ROLES = frozenset({Role.LEADER, Role.ANALYST, Role.ADMIN, Role.AUDITOR, Role.CLERK})


def may_use_reports(actor: Any) -> bool:
    return Jurisdiction.of(actor).user_id is not None and role_of(actor) in REPORT_ROLES


def report_queryset(actor: Any) -> QuerySet[GeneratedReport]:
    if not may_use_reports(actor):
        return GeneratedReport.objects.none()
    return GeneratedReport.objects.filter(Jurisdiction.of(actor).unit_q("unit_path"))


def report_list(
    *, actor: Any, unit: OrgUnit | None = None, kind: str = "", subtree: bool = False
) -> QuerySet[GeneratedReport]:
    """Reports the actor may read; ``unit`` narrows to that unit (or its subtree)."""
    reports = report_queryset(actor).select_related("unit", "requested_by")
    if unit is not None:
        if subtree:
            reports = reports.filter(**subtree_range_kwargs("unit_path", unit.path))
        else:
            reports = reports.filter(unit=unit)
    if kind:
        reports = reports.filter(kind=kind)
    return reports.order_by("-period_start", "unit_path", "kind", "format", "pk")


def report_get(*, actor: Any, report_id: int) -> GeneratedReport:
    report = report_queryset(actor).select_related("unit", "requested_by").filter(pk=report_id)
    found = report.first()
    if found is None:
        raise NotFound("report not found")
    return found


def unit_get(*, actor: Any, unit_id: int) -> OrgUnit:
    if not may_use_reports(actor):
        raise NotFound("unit not found")
    unit = Jurisdiction.of(actor).units().filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise NotFound("unit not found")
    return unit


def report_units(*, actor: Any) -> QuerySet[OrgUnit]:
    """Units offered in the reports page: down to townships, and the actor's own units (a
    village's staff report on their village; other villages are reached by their page)."""
    if not may_use_reports(actor):
        return OrgUnit.objects.none()
    jurisdiction = Jurisdiction.of(actor)
    own = jurisdiction.root_units().values("pk")
    return (
        jurisdiction.units()
        .filter(Q(level__lte=Level.TOWNSHIP) | Q(pk__in=own), is_active=True)
        .order_by("path")
    )


def requestable_units(*, actor: Any) -> QuerySet[OrgUnit]:
    """Every unit the actor may ask a report for: their subtrees, down to villages."""
    if not may_use_reports(actor):
        return OrgUnit.objects.none()
    return Jurisdiction.of(actor).units().filter(is_active=True, level__lte=Level.VILLAGE)
