"""Small request helpers shared by the server-rendered views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, cast

from django.http import Http404, HttpRequest, HttpResponse

from fengqiao.core.errors import NotFound

if TYPE_CHECKING:
    from fengqiao.accounts.models import User

P = ParamSpec("P")


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required``."""
    return cast("User", request.user)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def not_found_as_404(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Turn the selectors' ``NotFound`` (missing *or* outside the jurisdiction) into a plain 404."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper
