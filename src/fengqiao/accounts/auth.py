"""Authentication: a throttled password backend and API bearer tokens."""

from __future__ import annotations

import copy
import functools
import hashlib
import secrets
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import ApiToken, LoginAttempt, User
from fengqiao.core.errors import NotFound

TOKEN_PREFIX = "fq_"  # noqa: S105  (a marker, not a secret)


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def login_blocked(username: str, ip_address: str | None) -> bool:
    since = timezone.now() - timedelta(seconds=settings.FENGQIAO_LOGIN_WINDOW_SECONDS)
    failures = LoginAttempt.objects.filter(at__gte=since, succeeded=False)
    if failures.filter(username=username.lower()).count() >= settings.FENGQIAO_LOGIN_MAX_FAILURES:
        return True
    return (
        ip_address is not None
        and failures.filter(ip_address=ip_address).count()
        >= settings.FENGQIAO_LOGIN_MAX_FAILURES_PER_IP
    )


@functools.cache
def _user_by_pk_statement(vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in User._meta.concrete_fields)
    pk = quote(User._meta.pk.column)
    return f"SELECT {columns} FROM {quote(User._meta.db_table)} WHERE {pk} = %s"  # noqa: S608


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses a username (or address) after repeated failures in a window.

    A refused attempt is answered exactly like a wrong password, so throttling does not reveal
    whether the account exists.
    """

    def get_user(self, user_id: Any) -> User | None:
        # Every signed-in request loads its user. A written-out statement (through ``raw``,
        # which still converts each column) costs less than half of building ``get(pk=…)``.
        found = list(User._default_manager.raw(_user_by_pk_statement(connection.vendor), [user_id]))
        if not found or not self.user_can_authenticate(found[0]):
            return None
        return found[0]

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        ip_address = client_ip(request)
        if login_blocked(username, ip_address):
            if request is not None:
                request.fengqiao_login_throttled = True  # type: ignore[attr-defined]
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        LoginAttempt.objects.create(
            username=username.lower(), ip_address=ip_address, succeeded=user is not None
        )
        if user is not None:
            LoginAttempt.objects.filter(username=username.lower(), succeeded=False).delete()
        return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored or shown again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:12], digest=_digest(secret)
    )
    return token, secret


# Tokens verified in this process in the last FENGQIAO_API_TOKEN_CACHE_SECONDS, by digest, with
# their user and its jurisdiction: an integration posting hundreds of requests a second would
# otherwise look up the same token, user and units every time. The price is a window: revoking
# a token in this process takes effect at once, but in the other server processes (and
# deactivating the user, or changing their role or units) only once the entry expires.
_verified: dict[str, tuple[float, User]] = {}
_VERIFIED_LIMIT = 10_000


def api_token_authenticate(secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    digest = _digest(secret)
    hit = _verified.get(digest)
    if hit is not None and hit[0] > time.monotonic():
        # A copy per request: whatever a request caches on its user stays with that request.
        return copy.copy(hit[1])
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        _verified.pop(digest, None)
        return None
    now = timezone.now()
    # Writing on every request would turn reads into writes; a minute's precision is enough.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    seconds = settings.FENGQIAO_API_TOKEN_CACHE_SECONDS
    if seconds > 0:
        Jurisdiction.of(user)  # kept on the user, so the cached copies carry it
        if len(_verified) >= _VERIFIED_LIMIT:
            _verified.clear()
        _verified[digest] = (time.monotonic() + seconds, user)
        return copy.copy(user)
    return user


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound("no such active token")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    _verified.pop(token.digest, None)
    return token
