"""Fixtures of the reports tests: a small history in 胜利路街道 (A1) last week and a year
before, one case in 龙塔街道 (B1), the statistics tables rebuilt from it, and clients."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from fengqiao.accounts.auth import api_token_issue
from fengqiao.cases.models import Case
from fengqiao.cases.services import case_register
from fengqiao.metrics.aggregate import rebuild
from fengqiao.reports.periods import Period, previous_week
from fengqiao.testing.cases import B1_POINT, CaseWorld, case_in


def register(world: CaseWorld, who: str = "a1_clerk", **overrides: Any) -> Case:
    return case_register(actor=world.user(who), data=case_in(**overrides)).case


def set_fields(case: Case, **fields: Any) -> None:
    # Test set-up only: put a case into a state that would otherwise take days to reach.
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()


def at(day: Any, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@dataclass
class History:
    world: CaseWorld
    week: Period
    resolved: Case
    escalated: Case
    overdue: Case
    restricted: Case
    b1: Case

    def user(self, key: str) -> Any:
        return self.world.user(key)

    def unit(self, key: str) -> Any:
        return self.world.region.unit(key)


@pytest.fixture
def history(world: CaseWorld) -> History:
    """Last week in A1: one case resolved at first handling, one resolved after an escalation,
    one still open past its deadline and led by the district leader, one restricted case; a
    case in B1; two A1 cases in the same week a year earlier (one resolved)."""
    week = previous_week(timezone.localdate())
    tuesday = week.start + timedelta(days=1)
    resolved = register(world, title="噪音扰民一次化解")
    set_fields(
        resolved,
        created_at=at(tuesday, 9),
        accepted_at=at(tuesday, 9) + timedelta(minutes=20),
        resolved_at=at(tuesday, 9) + timedelta(hours=30),
        status="resolved",
    )
    escalated = register(world, title="物业纠纷升级处理")
    set_fields(
        escalated,
        created_at=at(tuesday, 11),
        accepted_at=at(tuesday, 12),
        resolved_at=at(tuesday, 11) + timedelta(days=4),
        escalation_count=1,
        status="resolved",
    )
    overdue = register(world, title="拖欠工资逾期未办", risk_colour="red", risk_reason="人数多")
    set_fields(
        overdue,
        created_at=at(week.start + timedelta(days=3), 10),
        resolve_deadline=at(week.start + timedelta(days=5), 10),
        overdue=True,
        leader=world.user("a_leader"),
    )
    restricted = register(world, title="家庭暴力保护", risk_colour="orange")
    set_fields(
        restricted,
        created_at=at(tuesday, 15),
        restricted=True,
        overdue=True,
        resolve_deadline=at(week.start + timedelta(days=4), 10),
    )
    b1 = register(world, "b1_clerk", title="龙塔邻里纠纷", **B1_POINT)
    set_fields(b1, created_at=at(tuesday, 10))
    last_year = week.shifted_years(-1)
    for hour, done in ((9, True), (14, False)):
        old = register(world, title="去年同期纠纷")
        set_fields(
            old,
            created_at=at(last_year.start + timedelta(days=2), hour),
            resolved_at=at(last_year.start + timedelta(days=3), hour) if done else None,
            status="resolved" if done else "registered",
        )
    rebuild()
    return History(world, week, resolved, escalated, overdue, restricted, b1)


@pytest.fixture
def login(world: CaseWorld) -> Callable[[str], Client]:
    def as_user(key: str) -> Client:
        client = Client()
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


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def xlsx_sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }
