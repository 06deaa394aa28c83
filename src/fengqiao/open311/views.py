"""Open311 GeoReport v2 endpoints: parse → authenticate → one service call → JSON or XML.

``services`` may be read without a key; ``requests`` (read and write) need the ``api_key`` of a
Fengqiao API token, and see what that token's user sees. Errors are Open311 error lists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal, cast

import pydantic
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from fengqiao.accounts.auth import api_token_authenticate
from fengqiao.core.errors import DomainError, PermissionDenied, ValidationFailed
from fengqiao.open311 import services
from fengqiao.open311.formats import Format, Payload, error, render
from fengqiao.open311.schemas import parse_request_post, parse_request_query

KeyRule = Literal["required", "none"]
Endpoint = Callable[..., Payload]
# Domain field names, as the Open311 client knows them.
_FIELD_NAMES = {
    "category": "service_code",
    "report.channel": "channel",
    "lng": "long",
    "unit_id": "address_string",
}


def _describe(exc: DomainError) -> str:
    field = _FIELD_NAMES.get(exc.field or "", exc.field)
    if field and field not in exc.message:
        return f"{field}: {exc.message}"
    return exc.message


def _status_of(exc: DomainError) -> int:
    # Open311 answers every invalid or missing field with 400.
    return 400 if isinstance(exc, ValidationFailed) else exc.status_code


def _authenticate(request: HttpRequest) -> Any:
    secret = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    user = api_token_authenticate(secret) if secret else None
    if user is None:
        raise PermissionDenied("api_key is missing or invalid", field="api_key")
    return user


def open311(
    *, methods: tuple[str, ...], key: KeyRule
) -> Callable[[Endpoint], Callable[..., HttpResponse]]:
    """Method check, API key, and the mapping of domain errors to Open311 errors."""

    def decorator(endpoint: Endpoint) -> Callable[..., HttpResponse]:
        @functools.wraps(endpoint)
        def view(request: HttpRequest, fmt: str, **kwargs: str) -> HttpResponse:
            output = cast(Format, fmt)
            if request.method not in methods:
                response = error(405, f"method {request.method} is not allowed here", output)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                actor = _authenticate(request) if key == "required" else None
                return render(endpoint(request, actor, **kwargs), output)
            except DomainError as exc:
                return error(_status_of(exc), _describe(exc), output)
            except pydantic.ValidationError as exc:
                first = exc.errors()[0]
                field = ".".join(str(part) for part in first["loc"])
                field = _FIELD_NAMES.get(field, field)
                return error(400, f"{field}: {first['msg']}", output)

        return view

    return decorator


@open311(methods=("GET",), key="none")
def service_list(request: HttpRequest, actor: None) -> Payload:
    return Payload(root="services", item="service", data=services.service_list())


@open311(methods=("GET",), key="none")
def service_definition(request: HttpRequest, actor: None, service_code: str) -> Payload:
    return Payload(
        root="service_definition",
        data=services.service_definition(service_code=service_code),
    )


@csrf_exempt  # token-authenticated machine clients; no cookies are involved
@open311(methods=("GET", "POST"), key="required")
def requests(request: HttpRequest, actor: Any) -> Payload:
    if request.method == "POST":
        created, is_new = services.request_create(
            actor=actor,
            data=parse_request_post(request.POST.dict()),
            status_url=request.build_absolute_uri(reverse("public:status")),
        )
        return Payload(
            root="service_requests",
            item="request",
            data=[created],
            status=201 if is_new else 200,
        )
    return Payload(
        root="service_requests",
        item="request",
        data=services.request_list(actor=actor, query=parse_request_query(request.GET.dict())),
    )


@open311(methods=("GET",), key="required")
def request_detail(request: HttpRequest, actor: Any, service_request_id: str) -> Payload:
    return Payload(
        root="service_requests",
        item="request",
        data=services.request_get(actor=actor, service_request_id=service_request_id),
    )
