"""Citizen pages: submit a dispute, see that it arrived, follow it with the tracking code."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_GET, require_http_methods

from fengqiao.accounts.auth import client_ip
from fengqiao.core.errors import NotFound, PermissionDenied, ValidationFailed
from fengqiao.public.forms import StatusForm, SubmissionForm
from fengqiao.public.selectors import grid_layer_bytes, grid_layer_etag
from fengqiao.public.services import RateLimited, ServiceClosed, public_status, public_submit

# The last submission's tracking code, kept in the (anonymous) session for the "received" page so
# the code never travels in a URL.
SESSION_KEY = "fengqiao_public_submitted"
# Form fields a domain validation error can be shown next to; anything else is a page-level error.
_FORM_FIELDS = {"category", "description", "address", "name", "phone", "id_number"}


def _limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = render(request, "public/limited.html", status=429)
    response["Retry-After"] = str(exc.details.get("retry_after", 3600))
    return response


def _closed(request: HttpRequest) -> HttpResponse:
    return render(request, "public/closed.html", status=503)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html")


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    form = SubmissionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = public_submit(data=form.submission(), ip_address=client_ip(request))
        except RateLimited as exc:
            return _limited(request, exc)
        except (ServiceClosed, PermissionDenied):
            # The system account was paused or lost its clerk role in the admin.
            return _closed(request)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in _FORM_FIELDS else None, exc.message)
        else:
            request.session[SESSION_KEY] = {
                "tracking_code": case.tracking_code,
                "registered_at": case.created_at.isoformat(),
            }
            return redirect("public:submitted")
    status = 400 if form.is_bound and form.is_bot else 200
    return render(request, "public/submit.html", {"form": form}, status=status)


@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    receipt: dict[str, Any] | None = request.session.get(SESSION_KEY)
    if not receipt:
        return redirect("public:submit")
    registered_at = parse_datetime(str(receipt.get("registered_at", "")))
    return render(
        request, "public/submitted.html", {"receipt": receipt, "registered_at": registered_at}
    )


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    form = StatusForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form, "not_found": False, "result": None}
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["tracking_code"]
        try:
            context["result"] = public_status(
                tracking_code=code,
                phone_last4=form.cleaned_data["phone_last4"],
                ip_address=client_ip(request),
            )
        except RateLimited as exc:
            return _limited(request, exc)
        except NotFound:
            context["not_found"] = True
        # The digits are never echoed back: the page may be on a shared phone or screen.
        context["form"] = StatusForm(initial={} if context["result"] else {"tracking_code": code})
    return render(request, "public/status.html", context)


@require_GET
@gzip_page
@condition(etag_func=lambda request: grid_layer_etag())
def grids(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        grid_layer_bytes(grid_layer_etag()), content_type="application/geo+json"
    )
    patch_cache_control(response, public=True, max_age=300)
    return response
