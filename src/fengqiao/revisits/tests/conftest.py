"""Fixtures of the revisit tests: closed mediation cases in chosen months, and district A's plan.

Cases are registered through the real service; their closing and mediation records are then
written directly, so a test can place dozens of closed cases in a given month cheaply.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.cases.handling.models import Agreement, AgreementStatus, MediationSession
from fengqiao.cases.models import Case
from fengqiao.cases.services import case_register
from fengqiao.revisits.models import SamplingPlan
from fengqiao.revisits.schemas import PlanIn
from fengqiao.revisits.services import plan_create
from fengqiao.testing.cases import A1_POINT, B1_POINT, CaseWorld, case_in

MARCH = "2025-03"


def at(period: str, day: int = 10) -> datetime:
    year, month = (int(x) for x in period.split("-"))
    return datetime(year, month, day, 12, tzinfo=timezone.get_current_timezone())


def mediated(
    world: CaseWorld,
    *,
    period: str = MARCH,
    amount: int = 1000,
    people: int = 2,
    agreement: bool = True,
    session: bool = True,
    closed: bool = True,
    where: str = "A1",
    category: str = "M02.04",
    restricted: bool = False,
    session_days_ago: int | None = None,
    agreement_status: str = AgreementStatus.SIGNED,
) -> Case:
    clerk, point = ("a1_clerk", A1_POINT) if where == "A1" else ("b1_clerk", B1_POINT)
    case = case_register(actor=world.user(clerk), data=case_in(category=category, **point)).case
    changes: dict[str, Any] = {
        "amount": Decimal(amount),
        "people_involved": people,
        "restricted": restricted,
    }
    if closed:
        changes.update(status="closed", closed_at=at(period), resolved_at=at(period))
    else:
        changes.update(status="in_handling")
    Case.objects.filter(pk=case.pk).update(**changes)
    mediator = world.user("a1_mediator")
    if session:
        held = (
            timezone.now() - timedelta(days=session_days_ago)
            if session_days_ago is not None
            else at(period, 2)
        )
        MediationSession.objects.create(
            case=case, held_at=held, place="调解室", participants="双方", record="调解记录",
            mediator=mediator,
        )  # fmt: skip
    if agreement:
        Agreement.objects.create(
            case=case, terms="赔偿", amount=Decimal(amount), recorded_by=mediator,
            status=agreement_status,
        )  # fmt: skip
    case.refresh_from_db()
    return case


def plan_in(world: CaseWorld, **overrides: Any) -> PlanIn:
    data: dict[str, Any] = {
        "unit_id": world.region.unit("A").pk,
        "name": "永川区四级抽访",
        "amount_threshold": Decimal("50000"),
        "people_threshold": 10,
        "shares": {
            "mediator": {"major": 100, "ordinary": 100},
            "committee_head": {"major": 100, "ordinary": 30},
            "judicial_office": {"major": 100, "ordinary": 10},
            "district_bureau": {"major": 50, "ordinary": 5},
        },
    }
    data.update(overrides)
    return PlanIn.model_validate(data)


@pytest.fixture
def plan(world: CaseWorld) -> SamplingPlan:
    return plan_create(actor=world.user("a_auditor"), data=plan_in(world))
