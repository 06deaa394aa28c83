"""A small hand-made history for the metric tests: cases registered through the real services,
moved through the real lifecycle (one escalated, one reopened), then placed at chosen times."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from fengqiao.cases.lifecycle import case_transition
from fengqiao.cases.models import Case
from fengqiao.cases.schemas import CaseUpdate
from fengqiao.cases.services import case_register, case_update
from fengqiao.testing.cases import A1_POINT, B1_POINT, case_in

DAY = date(2026, 3, 10)


def at(day: date, hour: int = 9, **delta: float) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour))) + timedelta(**delta)


def register(
    world: Any,
    who: str,
    *,
    channel: str = "visit",
    phone: str,
    point: Any = None,
    category: str = "M02.04",
) -> Case:
    data = case_in(
        category=category,
        report={"channel": channel, "reporter_name": "张三", "reporter_phone": phone},
        parties=[{"role": "applicant", "name": "张三", "phone": phone}],
        **(point or A1_POINT),
    )
    return case_register(actor=world.user(who), data=data).case


def act(world: Any, who: str, case: Case, action: str, **kwargs: Any) -> Case:
    version = Case.objects.values_list("version", flat=True).get(pk=case.pk)
    return case_transition(
        actor=world.user(who), case_id=case.pk, action=action, expected_version=version, **kwargs
    )


def place(case: Case, **moments: Any) -> None:
    """Put the case's timestamps where the hand computation needs them."""
    Case.objects.filter(pk=case.pk).update(**moments)


def build(world: Any) -> dict[str, Case]:
    """Four cases in 胜利路街道 on DAY, one in 龙塔街道, one in 胜利路 a year earlier.

    c1 visit:      accepted +30 min, resolved +2 days, first time          (one-time)
    c2 grid-patrol: accepted +3 h, escalated, resolved +5 days             (proactive; not one-time)
    c3 12345:      accepted +1 h, resolved, reopened, resolved +10 days    (known: c1's phone)
    c4 visit:      never accepted, overdue, red, leader-led                (open)
    """
    c1 = register(world, "a1_clerk", phone="13800000001")
    for action in ("accept", "start", "resolve"):
        act(world, "a1_clerk", c1, action)
    place(c1, created_at=at(DAY), accepted_at=at(DAY, minutes=30), resolved_at=at(DAY, days=2))

    c2 = register(world, "a1_clerk", channel="grid-patrol", phone="13800000002")
    act(world, "a1_clerk", c2, "accept")
    act(world, "a1_clerk", c2, "escalate", reason="调解无果")
    for action in ("accept", "start", "resolve"):
        act(world, "a1_clerk", c2, action)
    place(
        c2,
        created_at=at(DAY, 10),
        accepted_at=at(DAY, 10, hours=3),
        resolved_at=at(DAY, 10, days=5),
    )

    c3 = register(world, "a1_clerk", channel="12345", phone="13800000001")
    for action in ("accept", "start", "resolve", "close"):
        act(world, "a1_clerk", c3, action)
    act(world, "a_auditor", c3, "reopen", reason="回访发现协议未履行")
    act(world, "a1_clerk", c3, "resolve")
    place(
        c3,
        created_at=at(DAY, 11),
        accepted_at=at(DAY, 11, hours=1),
        resolved_at=at(DAY, 11, days=10),
        closed_at=None,
    )

    c4 = register(world, "a1_clerk", phone="13800000004")
    version = Case.objects.values_list("version", flat=True).get(pk=c4.pk)
    case_update(
        actor=world.user("a_leader"),
        case_id=c4.pk,
        expected_version=version,
        changes=CaseUpdate(
            risk_colour="red", risk_reason="群体性", leader_id=world.user("a_leader").pk
        ),
    )
    place(c4, created_at=at(DAY, 15), overdue=True, resolve_deadline=at(DAY, days=3))

    c5 = register(world, "b1_clerk", phone="13800000005", point=B1_POINT)
    place(c5, created_at=at(DAY, 12))

    c6 = register(world, "a1_clerk", phone="13800000006")
    place(c6, created_at=at(DAY.replace(year=2025), 9))
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5, "c6": c6}
