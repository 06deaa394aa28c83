from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.testing.cases import A1_POINT

PHONE = "13800138000"


def submission(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": "M02.04",
        "description": "楼上邻居连续两周晚间装修，多次沟通无果，影响孩子休息。",
        "address": "胜利路街道红旗社区3栋2单元",
        "lat": A1_POINT["lat"],
        "lng": A1_POINT["lng"],
        "name": "王芳",
        "phone": PHONE,
        "id_number": "",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def citizen() -> Client:
    # English pages: the assertions name English msgids, whatever the translations say.
    return Client(REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def client_for_staff(region) -> Client:
    """A signed-in staff member: the public pages must not show them the staff menu."""
    client = Client()
    client.force_login(region.users["city_admin"])
    return client
