"""Demo four-level revisits, loaded once by ``init --demo`` after the cases.

The demo auditor's district (永川区) gets a sampling plan. Most of its mediation-type cases closed
in the last few months get the mediation session and agreement a mediator would have recorded
(the generated cases carry none), a few long-running open cases a session but no agreement (so the
referral flags have something to show), then each complete month is drawn with a recorded seed
and most revisits are recorded through the real service: nearly everyone reached, most satisfied,
the odd agreement not performed. Everything comes from one seeded generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import Role, User
from fengqiao.cases.handling.models import Agreement, MediationSession
from fengqiao.cases.models import Case
from fengqiao.cases.states import CaseStatus
from fengqiao.demo.plan import DEFAULT_SEED
from fengqiao.orgs.models import Level, subtree_range_kwargs
from fengqiao.revisits.models import Revisit, SamplingPlan, default_shares
from fengqiao.revisits.sampling import parse_period
from fengqiao.revisits.schemas import PlanIn, ResultIn
from fengqiao.revisits.services import draw_create, plan_create, revisit_record

MONTHS = 3
# Share of closed mediation-type cases that went through a recorded mediation.
MEDIATED = 0.4
RECORDED = 0.85
LONG_RUNNING = 6


@dataclass(frozen=True)
class DemoRevisitsSummary:
    created: bool
    draws: int = 0
    revisits: int = 0
    recorded: int = 0

    def summary(self) -> str:
        return f"{self.draws} monthly draws, {self.recorded} of {self.revisits} revisits recorded"


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _months(today: date, count: int) -> list[str]:
    """The ``count`` complete months before ``today``'s, oldest first."""
    periods: list[str] = []
    first = today.replace(day=1)
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        periods.append(f"{first.year:04d}-{first.month:02d}")
    return periods[::-1]


def _mediate(rng: random.Random, cases: list[Case], mediator: User) -> None:
    sessions, agreements = [], []
    for case in cases:
        start = case.accepted_at or case.created_at
        end = case.resolved_at or case.closed_at or start
        sessions.append(
            MediationSession(
                case=case,
                held_at=start + (end - start) * rng.uniform(0.2, 0.6),
                place="人民调解室",
                participants="双方当事人、调解员",
                record="双方陈述事实，调解员释法明理，促成和解。",
                mediator=mediator,
            )
        )
        if case.status == CaseStatus.CLOSED and rng.random() < 0.85:
            agreements.append(
                Agreement(
                    case=case,
                    terms="双方自愿达成调解协议，按约定履行。",
                    amount=case.amount or Decimal("0"),
                    signed_at=end,
                    performance_deadline=(end + timedelta(days=30)).date(),
                    recorded_by=mediator,
                )
            )
    MediationSession.objects.bulk_create(sessions)
    Agreement.objects.bulk_create(agreements)


def _result(rng: random.Random, has_agreement: bool, version: int) -> ResultIn:
    if rng.random() < 0.08:
        return ResultIn(version=version, reached=False, note="电话两次无人接听")
    satisfied = rng.random() < 0.9
    performed = (rng.random() < 0.95) if has_agreement else None
    return ResultIn(
        version=version,
        reached=True,
        satisfied=satisfied,
        agreement_performed=performed,
        problem_found="" if performed is not False else "对方未按协议付款",
        note="当事人对调解结果表示认可" if satisfied else "当事人认为处理时间过长",
    )


def load_demo_revisits(
    stdout: TextIO | None = None,
    *,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    months: int = MONTHS,
) -> DemoRevisitsSummary:
    auditor = User.objects.filter(username="auditor", role=Role.AUDITOR).first()
    mediator = User.objects.filter(role=Role.MEDIATOR).order_by("pk").first()
    district = (
        auditor.units.filter(level=Level.DISTRICT).order_by("path").first() if auditor else None
    )
    if auditor is None or mediator is None or district is None:
        _say(stdout, "No demo auditor and mediator; revisits skipped")
        return DemoRevisitsSummary(False)
    if SamplingPlan.objects.filter(unit=district).exists():
        _say(stdout, "The demo revisits are already loaded; nothing created")
        return DemoRevisitsSummary(False)
    rng = random.Random(seed)
    today = today or timezone.localdate()
    periods = _months(today, months)
    with transaction.atomic():
        shares = default_shares()
        shares["mediator"]["ordinary"] = 50
        plan = plan_create(
            actor=auditor,
            data=PlanIn(
                unit_id=district.pk,
                name=f"{district.name}四级抽访",
                amount_threshold=Decimal("50000"),
                people_threshold=10,
                shares=shares,
            ),
        )
        in_district = subtree_range_kwargs("territory_path", district.path)
        start, _ = parse_period(periods[0])
        closed = list(
            Case.objects.filter(
                status=CaseStatus.CLOSED,
                closed_at__gte=start,
                category__code__startswith="M",
                restricted=False,
                mediation_sessions__isnull=True,
                agreements__isnull=True,
                **in_district,
            ).order_by("number")
        )
        long_open = list(
            Case.objects.filter(
                status=CaseStatus.IN_HANDLING,
                created_at__lt=timezone.now() - timedelta(days=75),
                mediation_sessions__isnull=True,
                agreements__isnull=True,
                restricted=False,
                **in_district,
            ).order_by("number")[:LONG_RUNNING]
        )
        _mediate(rng, [c for c in closed if rng.random() < MEDIATED] + long_open, mediator)
        draws = [
            draw_create(actor=auditor, plan_id=plan.pk, period=p, seed=rng.randrange(10**6))
            for p in periods
        ]
    total = recorded = 0
    for draw in draws:
        for revisit in Revisit.objects.filter(draw=draw).select_related("case").order_by("pk"):
            total += 1
            if rng.random() > RECORDED:
                continue
            has_agreement = revisit.case.agreements.exists()
            with transaction.atomic():
                revisit_record(
                    actor=revisit.assigned_to or auditor,
                    revisit_id=revisit.pk,
                    result=_result(rng, has_agreement, revisit.version),
                )
                # Revisits happen a few days to weeks after closing, not all on loading day.
                closed_at = revisit.case.closed_at or timezone.now()
                when = min(
                    closed_at + timedelta(days=rng.uniform(3, 25)),
                    datetime.combine(today, datetime.min.time(), tzinfo=closed_at.tzinfo),
                )
                Revisit.objects.filter(pk=revisit.pk).update(revisited_at=when)
            recorded += 1
    summary = DemoRevisitsSummary(True, len(draws), total, recorded)
    _say(stdout, f"Created the revisits of {district.name}: {summary.summary()}")
    return summary
