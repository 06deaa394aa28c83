"""Sessions and their users are read with written-out statements: the same rows Django reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.accounts.auth import ThrottledModelBackend
from fengqiao.accounts.models import User
from fengqiao.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_project_uses_it() -> None:
    assert settings.SESSION_ENGINE == "fengqiao.accounts.sessions"


def test_a_saved_session_loads() -> None:
    store = SessionStore()
    store["answer"] = 42
    store.save()
    assert SessionStore(store.session_key).load() == {"answer": 42}


def test_an_expired_session_is_not_loaded_and_its_key_is_dropped() -> None:
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    stale = SessionStore(store.session_key)
    assert stale.load() == {}
    assert stale.session_key is None


def test_an_unknown_key_loads_nothing() -> None:
    assert SessionStore("x" * 32).load() == {}


def test_signing_out_ends_the_session_for_its_cookie(region) -> None:
    client = Client()
    client.force_login(region.users["a_leader"])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("metrics:cockpit")).status_code == 200
    client.post(reverse("logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = replay.get(reverse("metrics:cockpit"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_session_user_is_loaded_whole_and_checked(region) -> None:
    backend = ThrottledModelBackend()
    leader = region.users["a_leader"]
    loaded = backend.get_user(leader.pk)
    assert loaded is not None
    assert (loaded.pk, loaded.role, loaded.last_login, loaded.date_joined) == (
        leader.pk,
        leader.role,
        leader.last_login,
        leader.date_joined,
    )
    assert backend.get_user(10**9) is None
    User.objects.filter(pk=leader.pk).update(is_active=False)
    assert backend.get_user(leader.pk) is None


def test_a_deactivated_user_is_signed_out_on_the_next_request(region) -> None:
    client = Client()
    client.force_login(region.users["a_leader"])
    assert client.get(reverse("metrics:cockpit")).status_code == 200
    User.objects.filter(pk=region.users["a_leader"].pk).update(is_active=False)
    assert client.get(reverse("metrics:cockpit")).status_code == 302
