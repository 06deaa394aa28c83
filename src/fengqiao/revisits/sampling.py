"""Which closed cases a plan samples in a month, and the reproducible draw itself.

Reproducibility: candidates are sorted by case number (unique and never changes), then each
(level, grade) stratum is drawn with its own ``random.Random(f"{seed}/{level}/{grade}")``, so the
same plan, period and seed select the same cases, and changing one stratum's share leaves the
others' selections as they were. Sizes round **up**: ``ceil(candidates × share / 100)``, so a
share above zero never samples nobody from a non-empty grade.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from fengqiao.cases.handling.models import Agreement, MediationSession
from fengqiao.cases.states import CaseStatus
from fengqiao.core.errors import ValidationFailed
from fengqiao.orgs.models import subtree_range_kwargs
from fengqiao.revisits.models import GRADES, LEVELS, Grade, SamplingPlan

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_period(period: str) -> tuple[datetime, datetime]:
    """The month ``YYYY-MM`` as [start, end) in the deployment time zone."""
    match = _PERIOD.match(period or "")
    if match is None:
        raise ValidationFailed(gettext("period must be a month such as 2025-03"), field="period")
    year, month = int(match.group(1)), int(match.group(2))
    tz = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def previous_period(now: datetime | None = None) -> str:
    first = timezone.localtime(now or timezone.now()).date().replace(day=1)
    last_month = first - timedelta(days=1)
    return f"{last_month.year:04d}-{last_month.month:02d}"


@dataclass(frozen=True)
class Candidate:
    case_id: int
    number: str
    territory_path: str
    amount: Decimal
    people: int

    def grade(self, plan: SamplingPlan) -> str:
        major = self.amount >= plan.amount_threshold or self.people >= plan.people_threshold
        return Grade.MAJOR if major else Grade.ORDINARY


_FIELDS = (
    "case_id",
    "case__number",
    "case__territory_path",
    "case__amount",
    "case__people_involved",
)


def candidates(plan: SamplingPlan, period: str) -> list[Candidate]:
    """Closed mediation cases of the plan's territory closed in the period, by case number.

    Read through the mediation records rather than the cases: the draw covers the plan's whole
    territory whoever starts it (so it stays reproducible), and the plan's unit is checked against
    the actor's jurisdiction by the service. Restricted cases (domestic violence) are never
    sampled: auditors outside the named handlers may not see them.
    """
    start, end = parse_period(period)
    closed = Q(
        case__status=CaseStatus.CLOSED,
        case__closed_at__gte=start,
        case__closed_at__lt=end,
        case__restricted=False,
        **subtree_range_kwargs("case__territory_path", plan.unit_path),
    )
    rows: dict[int, tuple[Any, ...]] = {
        row[0]: row for row in Agreement.objects.filter(closed).values_list(*_FIELDS)
    }
    if not plan.agreement_required:
        for row in MediationSession.objects.filter(closed).values_list(*_FIELDS):
            rows.setdefault(row[0], row)
    found = [Candidate(r[0], r[1], r[2], Decimal(r[3]), int(r[4])) for r in rows.values()]
    return sorted(found, key=lambda c: c.number)


@dataclass(frozen=True)
class Sample:
    """What a draw selects: ``chosen[level][grade]`` are case ids in case-number order."""

    sizes: dict[str, dict[str, dict[str, int]]]
    chosen: dict[str, dict[str, list[Candidate]]]
    candidate_count: int

    def pairs(self) -> list[tuple[str, str, Candidate]]:
        return [
            (level, grade, candidate)
            for level in LEVELS
            for grade in GRADES
            for candidate in self.chosen[level][grade]
        ]


def stratum_size(count: int, share: int) -> int:
    return min(count, math.ceil(count * share / 100))


def sample(plan: SamplingPlan, period: str, seed: int) -> Sample:
    pool = candidates(plan, period)
    by_grade: dict[str, list[Candidate]] = {grade: [] for grade in GRADES}
    for candidate in pool:
        by_grade[candidate.grade(plan)].append(candidate)
    sizes: dict[str, dict[str, dict[str, int]]] = {}
    chosen: dict[str, dict[str, list[Candidate]]] = {}
    for level in LEVELS:
        sizes[level], chosen[level] = {}, {}
        for grade in GRADES:
            stratum = by_grade[grade]
            share = plan.share(level, grade)
            size = stratum_size(len(stratum), share)
            rng = random.Random(f"{seed}/{level}/{grade}")  # noqa: S311 (sampling, not secrets)
            picked = rng.sample(stratum, size)
            chosen[level][grade] = sorted(picked, key=lambda c: c.number)
            sizes[level][grade] = {"candidates": len(stratum), "share": share, "size": size}
    return Sample(sizes=sizes, chosen=chosen, candidate_count=len(pool))
