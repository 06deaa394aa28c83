from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.services import user_create
from fengqiao.early_warning.models import RiskPoint, Warning
from fengqiao.early_warning.points import PointIn, point_save
from fengqiao.early_warning.rules import load_default_rules
from fengqiao.testing.cases import A1_POINT, B1_POINT, CaseWorld
from fengqiao.testing.region import PASSWORD


@dataclass
class EarlyWarningWorld:
    world: CaseWorld
    septic: RiskPoint  # 龙塔街道 工农社区 (B1a-g1), maintenance long overdue
    slope: RiskPoint  # 胜利路街道 红旗社区 (A1a-g1)

    def user(self, key: str) -> User:
        return self.world.user(key)


def make_point(actor: Any, **overrides: Any) -> RiskPoint:
    data: dict[str, Any] = {
        "code": "YB-HFC-0002",
        "name": "工农社区农转非安置房2号化粪池",
        "point_type": "septic_tank",
        **B1_POINT,
        "address": "渝北区龙塔街道工农社区农转非安置房2号楼旁",
        "owner_org": "重庆安居物业服务有限公司",
        "owner_contact": "陈经理",
        "owner_phone": "13912345678",
        "maintenance_interval_days": 90,
        "last_maintained_on": timezone.localdate() - timedelta(days=100),
        "devices": [],
    }
    data.update(overrides)
    point, _created = point_save(actor=actor, data=PointIn.model_validate(data))
    return point


@pytest.fixture
def ew(world: CaseWorld) -> EarlyWarningWorld:
    return build_early_warning_world(world)


def build_early_warning_world(world: CaseWorld) -> EarlyWarningWorld:
    load_default_rules()
    region = world.region
    world.users["b1a_grid"] = user_create(
        username="b1a_grid",
        password=PASSWORD,
        role=Role.GRID_WORKER,
        units=[region.units["B1a-g1"]],
        check_password_strength=False,
    )
    admin = region.users["city_admin"]
    septic = make_point(admin, devices=["YB-HFC-0002-LV"])
    slope = make_point(
        admin,
        code="YC-BP-0001",
        name="红旗社区后山边坡",
        point_type="slope",
        **A1_POINT,
        address="胜利路街道红旗社区后山",
        maintenance_interval_days=None,
        last_maintained_on=None,
        devices=["YC-BP-0001-D1"],
    )
    return EarlyWarningWorld(world, septic, slope)


@pytest.fixture
def api(ew: EarlyWarningWorld) -> Callable[[str], Client]:
    def client_for(username: str) -> Client:
        client = Client()
        client.force_login(ew.user(username))
        return client

    return client_for


def stored_signals(items: list[dict[str, Any]]) -> int:
    """Store signals the way the API does and return the batch id (evaluation not run yet)."""
    from fengqiao.signals.services import signals_ingest

    return signals_ingest(actor=None, items=items).batch_id


def signal(device_id: str, kind: str, value: float | None, at: datetime | None = None) -> dict:
    return {
        "source": "test-iot",
        "device_id": device_id,
        "kind": kind,
        "value": value,
        "observed_at": (at or timezone.now()).isoformat(),
    }


def open_warnings() -> list[Warning]:
    return list(Warning.objects.filter(status__in=["raised", "assigned", "verified", "handled"]))
