"""Earlier complaints: wage cases in Fengqiao naming an employer, counted per month.

This is a *system-scoped* read of cases. A score is one number per employer and must not depend
on who asks, so the count looks at every case through :func:`cases.selectors.case_queryset` with
:data:`SYSTEM_READER`, an unrestricted reader that exists only here. Only the counts leave this
module; the cases themselves are listed to people through their own jurisdiction
(:func:`labour.selectors.employer_cases`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time
from types import SimpleNamespace
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fengqiao.cases.selectors import case_queryset
from fengqiao.labour.models import Employer

SYSTEM_READER: Any = SimpleNamespace(
    pk=None,
    is_authenticated=True,
    is_active=True,
    is_superuser=True,
    department_id=None,
    role="admin",
)


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _start_of(month: date) -> datetime:
    return timezone.make_aware(datetime.combine(month, time.min), timezone.get_current_timezone())


def employer_match(employer: Employer) -> Q:
    """Cases with an organisation party that is this employer (or, for a project, its
    contractor), by credit code or by exact name."""
    codes = {employer.code, employer.contractor_code} - {""}
    names = {employer.name, employer.contractor} - {""}
    return Q(parties__kind="organisation") & (
        Q(parties__org_code__in=codes) | Q(parties__name__in=names)
    )


def complaint_counts(
    employers: Iterable[Employer], months: Iterable[date], *, prefix: str, window: int
) -> dict[tuple[int, date], int]:
    """For each employer and month: cases of categories under ``prefix`` registered in the
    ``window`` months ending with that month (the month included)."""
    employers = list(employers)
    months = sorted(set(months))
    if not employers or not months:
        return {}
    by_code: dict[str, set[int]] = defaultdict(set)
    by_name: dict[str, set[int]] = defaultdict(set)
    for employer in employers:
        for code in {employer.code, employer.contractor_code} - {""}:
            by_code[code].add(employer.pk)
        for name in {employer.name, employer.contractor} - {""}:
            by_name[name].add(employer.pk)
    since = _start_of(add_months(months[0], 1 - window))
    until = _start_of(add_months(months[-1], 1))
    rows = (
        case_queryset(SYSTEM_READER)
        .filter(
            Q(category__code__startswith=prefix),
            created_at__gte=since,
            created_at__lt=until,
            parties__kind="organisation",
        )
        .exclude(status="merged")
        .filter(Q(parties__org_code__in=list(by_code)) | Q(parties__name__in=list(by_name)))
        .values_list("pk", "created_at", "parties__org_code", "parties__name")
    )
    # One case counts once per employer, however many of its parties name that employer.
    seen: dict[int, tuple[date, set[int]]] = {}
    for case_id, created_at, org_code, name in rows:
        local = timezone.localtime(created_at).date()
        matched = by_code.get(org_code, set()) | by_name.get(name, set())
        month = date(local.year, local.month, 1)
        seen.setdefault(case_id, (month, set()))[1].update(matched)
    counts: dict[tuple[int, date], int] = {}
    for month_of_case, employer_ids in seen.values():
        for month in months:
            if add_months(month, 1 - window) <= month_of_case <= month:
                for employer_id in employer_ids:
                    key = (employer_id, month)
                    counts[key] = counts.get(key, 0) + 1
    return counts
