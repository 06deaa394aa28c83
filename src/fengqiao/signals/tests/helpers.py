"""Shared builders for the signals tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from fengqiao.accounts.auth import api_token_issue
from fengqiao.accounts.models import User

# Inside grid A1a-g1 (105.00–105.01, 29.00–29.01) and B1a-g1 (105.50–105.51, 29.00–29.01).
IN_A1 = (105.005, 29.005)
IN_B1 = (105.505, 29.005)
NOWHERE = (100.0, 20.0)


def at(minutes_ago: float = 0) -> str:
    return (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()


def item(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source": "septic",
        "device_id": "ST-001",
        "kind": "level",
        "value": 0.5,
        "observed_at": at(1),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}


def token_client(user: User) -> Client:
    _token, secret = api_token_issue(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def session_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def aware(moment: str) -> datetime:
    return datetime.fromisoformat(moment)
