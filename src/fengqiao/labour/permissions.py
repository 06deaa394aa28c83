"""Who may do what with labour-dispute risk. Jurisdiction decides on which employers."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Role
from fengqiao.cases.permissions import role_of
from fengqiao.core.errors import PermissionDenied

P = ParamSpec("P")
R = TypeVar("R")

# Industry data comes in through analysts; administrators configure and repair.
IMPORT_ROLES = frozenset({Role.ANALYST, Role.ADMIN})
# Recomputing on demand and editing the register.
MANAGE_ROLES = frozenset({Role.ANALYST, Role.ADMIN})


def may_import(user: Any) -> bool:
    return role_of(user) in IMPORT_ROLES


def may_manage(user: Any) -> bool:
    return role_of(user) in MANAGE_ROLES


def check_import(user: Any) -> None:
    if not may_import(user):
        raise PermissionDenied(_("only analysts and administrators import labour data"))


def check_manage(user: Any) -> None:
    if not may_manage(user):
        raise PermissionDenied(_("only analysts and administrators manage labour risk"))


def requires(check: Callable[[Any], None]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare an API operation's permission on the route: ``@requires(check_import)``."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            request = args[0]
            assert isinstance(request, HttpRequest)  # noqa: S101 - ninja passes the request first
            check(request.user)
            return view(*args, **kwargs)

        # Ninja reads the operation's parameters from the wrapper; give it the view's, with
        # the annotations resolved in the view's module rather than this one.
        wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        return wrapper

    return decorate
