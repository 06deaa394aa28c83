"""API tokens verified once are trusted by the process for a few seconds (intake throughput);
revocation and deactivation still take effect within that window."""

from __future__ import annotations

import pytest

from fengqiao.accounts import auth
from fengqiao.accounts.auth import api_token_authenticate, api_token_issue, api_token_revoke
from fengqiao.accounts.models import User


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: now[0])
    return now


def test_revoking_in_this_process_takes_effect_at_once(region, clock):
    clerk = region.users["a1_clerk"]
    token, secret = api_token_issue(user=clerk, name="12345")
    assert api_token_authenticate(secret) == clerk
    api_token_revoke(user=clerk, token_id=token.pk)
    assert api_token_authenticate(secret) is None


def test_a_deactivated_user_is_refused_once_the_window_ends(region, clock, settings):
    settings.FENGQIAO_API_TOKEN_CACHE_SECONDS = 5
    _token, secret = api_token_issue(user=region.users["a1_clerk"], name="12345")
    assert api_token_authenticate(secret) is not None
    # As if another process (the admin) deactivated the user: this one cannot know yet.
    User.objects.filter(username="a1_clerk").update(is_active=False)
    clock[0] += 4.9
    assert api_token_authenticate(secret) is not None
    clock[0] += 0.2
    assert api_token_authenticate(secret) is None


def test_without_a_window_every_request_checks(region, clock, settings):
    settings.FENGQIAO_API_TOKEN_CACHE_SECONDS = 0
    _token, secret = api_token_issue(user=region.users["a1_clerk"], name="12345")
    assert api_token_authenticate(secret) is not None
    User.objects.filter(username="a1_clerk").update(is_active=False)
    assert api_token_authenticate(secret) is None


def test_each_request_gets_its_own_user(region, clock):
    _token, secret = api_token_issue(user=region.users["a1_clerk"], name="12345")
    first = api_token_authenticate(secret)
    assert first is not None
    first.display_name = "changed by one request"
    second = api_token_authenticate(secret)
    assert second is not None
    assert second is not first
    assert second.display_name != "changed by one request"
    # The jurisdiction was computed once, when the token was verified, and travels with copies.
    assert second._fengqiao_jurisdiction is first._fengqiao_jurisdiction  # type: ignore[attr-defined]
