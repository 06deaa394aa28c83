from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.testing.region import PASSWORD


class TestLogin:
    def test_page_renders_a_username_and_password_form(self, db):
        response = Client().get(reverse("login"))
        assert response.status_code == 200
        assert 'name="username"' in response.text
        assert 'type="password"' in response.text

    def test_correct_password_signs_in_and_opens_home(self, region):
        client = Client()
        response = client.post(reverse("login"), {"username": "a1_clerk", "password": PASSWORD})
        assert response.status_code == 302
        assert response.url == reverse("home")
        assert client.get(reverse("home")).status_code == 200

    def test_wrong_password_shows_an_error_and_stays_signed_out(self, region):
        client = Client()
        response = client.post(reverse("login"), {"username": "a1_clerk", "password": "wrong"})
        assert response.status_code == 200
        assert 'class="alert alert-error"' in response.text
        assert "登录已暂时锁定" not in response.text
        assert client.get(reverse("home")).status_code == 302

    def test_locked_account_gets_a_distinct_message(self, region, settings):
        client = Client()
        for _ in range(settings.FENGQIAO_LOGIN_MAX_FAILURES):
            client.post(reverse("login"), {"username": "a1_clerk", "password": "wrong"})
        response = client.post(reverse("login"), {"username": "a1_clerk", "password": PASSWORD})
        assert response.status_code == 200
        assert "登录已暂时锁定" in response.text
        assert 'class="alert alert-error"' not in response.text
        assert client.get(reverse("home")).status_code == 302

    def test_signed_in_user_is_sent_home_from_the_login_page(self, client_for):
        response = client_for("a_leader").get(reverse("login"))
        assert response.status_code == 302
        assert response.url == reverse("home")


class TestLogout:
    def test_post_signs_out(self, client_for):
        client = client_for("a1_clerk")
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 302

    def test_get_is_refused(self, client_for):
        assert client_for("a1_clerk").get(reverse("logout")).status_code == 405


class TestAnonymous:
    @pytest.mark.parametrize(
        ("name", "needs_unit"),
        [
            ("home", False),
            ("orgs:tree", False),
            ("orgs:unit", True),
            ("orgs:children", True),
            ("orgs:find_grid", True),
        ],
    )
    def test_is_redirected_to_login(self, region, name, needs_unit):
        args = [region.unit("A1").pk] if needs_unit else []
        response = Client().get(reverse(name, args=args))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
