"""Who may push and read signals: the one place that decides it."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.models import Role

# Roles that may post signals from a browser session; an integration posts with an API token
# (issued by an administrator with ``fengqiao token``), whatever its user's role.
POST_ROLES = frozenset({Role.ADMIN, Role.ANALYST})
# Roles that may read raw signals (API and the /signals/ page), within their jurisdiction.
READ_ROLES = frozenset({Role.ADMIN, Role.ANALYST, Role.LEADER})
# Signals that resolve to no grid belong to no jurisdiction; only these roles see them.
GRIDLESS_ROLES = frozenset({Role.ADMIN, Role.ANALYST})


def role_of(user: Any) -> str:
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    return str(getattr(user, "role", ""))


def may_post(user: Any, *, via_token: bool) -> bool:
    if user is None or not getattr(user, "is_active", False):
        return False
    return via_token or role_of(user) in POST_ROLES


def may_read(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and role_of(user) in READ_ROLES


def sees_gridless(user: Any) -> bool:
    return role_of(user) in GRIDLESS_ROLES
