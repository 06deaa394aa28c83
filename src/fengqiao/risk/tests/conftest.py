"""Fixtures of the risk tests: red cases in two townships, signed-in clients, API clients."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.auth import api_token_issue
from fengqiao.cases.handling.models import Assignment
from fengqiao.cases.models import Case
from fengqiao.cases.services import case_register
from fengqiao.risk.models import DispatchDecision, DispatchMeeting
from fengqiao.testing.cases import B1_POINT, CaseWorld, case_in


def register(world: CaseWorld, who: str = "a1_clerk", **overrides: Any) -> Case:
    return case_register(actor=world.user(who), data=case_in(**overrides)).case


def set_fields(case: Case, **fields: Any) -> None:
    # Test set-up only: put a case into a state that would otherwise take days to reach.
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()


def reviewed(world: CaseWorld, case: Case, *, on: date, colour: str = "red") -> DispatchDecision:
    """A past meeting of the district that reviewed the case (written directly: the service
    refuses no past dates, but this keeps set-up independent of it)."""
    region = world.region
    meeting = DispatchMeeting.objects.create(
        colour=colour,
        unit=region.unit("A"),
        unit_path=region.unit("A").path,
        held_on=on,
        chair=world.user("a_leader"),
        next_review_on=on + timedelta(days=14),
        created_by=world.user("a_leader"),
    )
    return DispatchDecision.objects.create(
        meeting=meeting, case=case, item_title=case.title, decision="继续跟进"
    )


@pytest.fixture
def red_a1(world: CaseWorld) -> Case:
    """A red case in 胜利路街道 with a named leading official and no overdue work."""
    case = register(world, title="拖欠工资群体纠纷", risk_colour="red", risk_reason="人数众多")
    set_fields(case, leader=world.user("a_leader"))
    return case


@pytest.fixture
def red_b1(world: CaseWorld) -> Case:
    return register(
        world, "b1_clerk", title="龙塔红色纠纷", risk_colour="red", risk_reason="群体", **B1_POINT
    )


@pytest.fixture
def login(world: CaseWorld, client: Client) -> Callable[[str], Client]:
    def as_user(key: str) -> Client:
        client.force_login(world.user(key))
        return client

    return as_user


@pytest.fixture
def api(world: CaseWorld) -> Callable[[str], Client]:
    def client_for(username: str) -> Client:
        _token, secret = api_token_issue(user=world.user(username), name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return client_for


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json")


def overdue_assignment(case: Case) -> None:
    Assignment.objects.filter(case=case).update(deadline=timezone.now() - timedelta(hours=1))
