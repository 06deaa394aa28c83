from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fengqiao.accounts.auth import api_token_issue
from fengqiao.cases.models import Case
from fengqiao.cases.services import case_register
from fengqiao.testing.cases import B1_POINT, case_in

BASE = "/open311/v2"


@pytest.fixture
def key_of(world) -> Callable[[str], str]:
    def issue(username: str) -> str:
        _token, secret = api_token_issue(user=world.user(username), name="open311")
        return secret

    return issue


@pytest.fixture
def open311() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def a1_case(world) -> Case:
    return case_register(actor=world.user("a1_clerk"), data=case_in()).case


@pytest.fixture
def b1_case(world) -> Case:
    return case_register(
        actor=world.user("b1_clerk"),
        data=case_in(title="商铺拖欠租金", category="M04.01", **B1_POINT),
    ).case


def request_form(key: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "api_key": key,
        "service_code": "M10.01",
        "lat": B1_POINT["lat"],
        "long": B1_POINT["lng"],
        "address_string": "龙塔街道工农社区建设工地",
        "description": "工地包工头拖欠十二名农民工三个月工资，工人多次讨要无果。",
        "first_name": "建国",
        "last_name": "张",
        "phone": "13700137000",
        "email": "zhang@example.cn",
        "device_id": "hotline-desk-7",
        "account_id": "12345-order-2025-000187",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def parse_xml(content: bytes) -> ET.Element:
    """Our own responses: parsing them with ElementTree is what a client would do."""
    return ET.fromstring(content)  # noqa: S314
