from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fengqiao.accounts.auth import api_token_authenticate, api_token_issue, api_token_revoke
from fengqiao.accounts.models import ApiToken, User
from fengqiao.testing.region import PASSWORD


class TestLoginThrottling:
    def test_correct_password_logs_in(self, region):
        assert Client().login(username="a1_clerk", password=PASSWORD)

    def test_account_is_locked_after_five_failures_even_with_the_right_password(self, region):
        client = Client()
        for _ in range(5):
            assert not client.login(username="a1_clerk", password="wrong")
        assert not client.login(username="a1_clerk", password=PASSWORD)

    def test_other_accounts_are_not_affected(self, region):
        client = Client()
        for _ in range(5):
            client.login(username="a1_clerk", password="wrong")
        assert client.login(username="a2_clerk", password=PASSWORD)

    def test_success_clears_earlier_failures(self, region):
        client = Client()
        for _ in range(4):
            client.login(username="a1_clerk", password="wrong")
        assert client.login(username="a1_clerk", password=PASSWORD)
        for _ in range(4):
            client.login(username="a1_clerk", password="wrong")
        assert client.login(username="a1_clerk", password=PASSWORD)

    def test_passwords_are_hashed_with_argon2_in_production_settings(self):
        from django.conf import settings

        from fengqiao import settings as production

        assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
        assert settings.AUTH_USER_MODEL == "accounts.User"


class TestApiTokens:
    def test_only_a_digest_is_stored(self, region):
        token, secret = api_token_issue(user=region.users["a1_clerk"], name="12345 hotline")
        assert secret not in token.digest
        assert not ApiToken.objects.filter(digest=secret).exists()
        assert api_token_authenticate(secret) == region.users["a1_clerk"]

    def test_revoked_token_is_refused(self, region):
        token, secret = api_token_issue(user=region.users["a1_clerk"], name="x")
        api_token_revoke(user=region.users["a1_clerk"], token_id=token.pk)
        assert api_token_authenticate(secret) is None

    def test_token_of_inactive_user_is_refused(self, region):
        _token, secret = api_token_issue(user=region.users["a1_clerk"], name="x")
        User.objects.filter(username="a1_clerk").update(is_active=False)
        assert api_token_authenticate(secret) is None

    def test_token_command_prints_a_working_token(self, region):
        out = io.StringIO()
        call_command("token", "a1_clerk", stdout=out)
        assert api_token_authenticate(out.getvalue().strip()) == region.users["a1_clerk"]

    def test_token_command_rejects_unknown_user(self, db):
        with pytest.raises(CommandError, match="no active user"):
            call_command("token", "nobody")


class TestCreateUserCommand:
    def test_creates_user_in_units(self, region):
        call_command(
            "createuser",
            "newclerk",
            "--role",
            "clerk",
            "--unit",
            region.unit("A1").code,
            "--password",
            "a-long-enough-passphrase",
            stdout=io.StringIO(),
        )
        user = User.objects.get(username="newclerk")
        assert list(user.units.all()) == [region.unit("A1")]
        assert user.check_password("a-long-enough-passphrase")

    def test_unknown_unit_is_a_clear_error(self, region):
        with pytest.raises(CommandError, match="unknown org unit code"):
            call_command(
                "createuser",
                "x",
                "--role",
                "clerk",
                "--unit",
                "123456789012",
                "--password",
                "pw-long-enough-1",
            )

    def test_weak_password_is_refused(self, region):
        with pytest.raises(CommandError, match="password"):
            call_command(
                "createuser",
                "x",
                "--role",
                "clerk",
                "--unit",
                region.unit("A1").code,
                "--password",
                "123",
            )
        assert not User.objects.filter(username="x").exists()
