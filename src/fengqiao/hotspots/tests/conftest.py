"""A world with a cluster of cases in 胜利路街道 (A1) and one in 龙塔街道 (B1), and a quiet grid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.cases.models import Case
from fengqiao.cases.services import case_register
from fengqiao.testing.cases import A1_POINT, B1_POINT, CaseWorld, case_in

# A point in grid A1a-g2 (the second square of 红旗社区).
A1_G2_POINT = {"lng": 105.015, "lat": 29.005}
NEIGHBOURS = "M02.04"  # minor category of major M02
SEPTIC = "M09.08"  # minor category of major M09


def local_noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def register(
    world: CaseWorld, *, user: str, point: dict[str, float], category: str, at: datetime
) -> Case:
    """Register through the real service, then date it back to ``at`` (history)."""
    case = case_register(actor=world.user(user), data=case_in(category=category, **point)).case
    Case.objects.filter(pk=case.pk).update(created_at=at)
    return case


@dataclass
class HotWorld:
    world: CaseWorld
    today: date

    def user(self, key: str) -> Any:
        return self.world.user(key)

    def unit(self, key: str) -> Any:
        return self.world.region.unit(key)


def build_hot_world(world: CaseWorld) -> HotWorld:
    today = timezone.localdate()
    # Six neighbour disputes in grid A1a-g1 over the last three days: a hotspot.
    for offset in (0, 0, 1, 1, 2, 2):
        register(
            world,
            user="a1_clerk",
            point=A1_POINT,
            category=NEIGHBOURS,
            at=local_noon(today - timedelta(days=offset)),
        )
    # Five septic-tank reports in B1a-g1 this week: a hotspot in another district.
    for offset in (0, 1, 2, 3, 4):
        register(
            world,
            user="b1_clerk",
            point=B1_POINT,
            category=SEPTIC,
            at=local_noon(today - timedelta(days=offset)),
        )
    # A grid that always sees a neighbour dispute every week or two: nothing unusual.
    for offset in range(3, 91, 9):
        register(
            world,
            user="a1_clerk",
            point=A1_G2_POINT,
            category=NEIGHBOURS,
            at=local_noon(today - timedelta(days=offset)),
        )
    return HotWorld(world, today)


@pytest.fixture
def hot(world: CaseWorld) -> HotWorld:
    return build_hot_world(world)
