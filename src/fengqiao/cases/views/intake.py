"""The intake desk: register a case in under a minute, with live help beside the form.

As the clerk types, htmx asks for category suggestions (from the description), likely
duplicates (earlier cases with the same parties, place, category or wording) and a routing
preview (who will lead, with which deadlines, and why). Without JavaScript the "check" button
posts the whole form and the same panels are rendered into the page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.cases.duplicates import find_duplicates
from fengqiao.cases.forms import (
    IntakePreview,
    IntakeSubmission,
    LinkReportForm,
    PointForm,
    apply_domain_error,
    category_default_risks,
)
from fengqiao.cases.models import Case
from fengqiao.cases.permissions import may_register
from fengqiao.cases.services import case_link_report, case_register, routing_input, routing_preview
from fengqiao.cases.views.case_context import case_endpoint
from fengqiao.core.errors import DomainError, NotFound
from fengqiao.orgs import selectors as org_selectors
from fengqiao.orgs.models import Level
from fengqiao.taxonomy.models import Category, RiskColour
from fengqiao.taxonomy.suggest import suggest_categories
from fengqiao.web.http import acting_user, is_htmx

P = ParamSpec("P")
SUGGESTION_LIMIT = 5
DUPLICATE_LIMIT = 5


def register_role_required(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """403 for roles that do not register cases (analysts, auditors)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not may_register(request.user):
            raise HttpForbidden(_("Your role does not register cases."))
        return view(request, *args, **kwargs)

    return wrapper


# --- panel contexts -------------------------------------------------------------------------


def suggestions_context(text: str, selected: str) -> dict[str, Any]:
    return {
        "suggestions": suggest_categories(text, limit=SUGGESTION_LIMIT) if text.strip() else [],
        "selected_category": selected,
        "has_text": bool(text.strip()),
    }


def duplicates_context(actor: Any, preview: IntakePreview) -> dict[str, Any]:
    category_id: int | None = None
    territory_id: int | None = None
    if preview.routing_data is not None:
        try:
            inputs = routing_input(actor, preview.routing_data)
        except DomainError:
            pass
        else:
            category_id, territory_id = inputs.category.pk, inputs.territory.pk
    if category_id is None and preview.category_code:
        category_id = (
            Category.objects.filter(code=preview.category_code, is_active=True)
            .values_list("pk", flat=True)
            .first()
        )
    searched = bool(preview.text.strip() or preview.phones or preview.id_numbers)
    candidates = (
        find_duplicates(
            actor=actor,
            text=preview.text,
            category_id=category_id,
            territory_id=territory_id,
            phones=preview.phones,
            id_numbers=preview.id_numbers,
            limit=DUPLICATE_LIMIT,
        )
        if searched
        else []
    )
    return {"duplicates": candidates, "duplicates_searched": searched}


def routing_context(actor: Any, preview: IntakePreview) -> dict[str, Any]:
    if preview.routing_data is None:
        return {"routing": None, "routing_error": ""}
    try:
        decision = routing_preview(actor=actor, data=preview.routing_data)
    except DomainError as exc:
        return {"routing": None, "routing_error": exc.message}
    return {
        "routing": decision,
        "routing_error": "",
        "accept_minutes": int(decision.accept_within.total_seconds() // 60),
        "resolve_days": decision.resolve_within.days,
    }


def intake_context(actor: Any, submission: IntakeSubmission, **extra: Any) -> dict[str, Any]:
    roots = list(org_selectors.root_nodes(actor=actor))
    return {
        "submission": submission,
        "form": submission.form,
        "parties": submission.parties,
        "category_risks": category_default_risks(),
        "intake_text": {
            "risk": {value: str(label) for value, label in RiskColour.choices},
            # %s is the colour's name.
            "riskDefault": _("The category's risk colour: %s"),
        },
        "map_sources": [
            reverse("api-v1:unit_geojson", kwargs={"unit_id": unit.pk}) + f"?level={Level.GRID}"
            for unit in roots
        ],
        **extra,
    }


# --- views ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@register_role_required
def intake(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    if request.method != "POST":
        submission = IntakeSubmission(actor=actor)
        return render(request, "cases/intake.html", intake_context(actor, submission))
    submission = IntakeSubmission(actor=actor, data=request.POST)
    if "check" in request.POST:
        # The no-JavaScript way to the live panels: render them into the page.
        preview = submission.preview()
        context = intake_context(
            actor,
            submission,
            checked=True,
            **suggestions_context(preview.text, preview.category_code),
            **duplicates_context(actor, preview),
            **routing_context(actor, preview),
        )
        return render(request, "cases/intake.html", context)
    if submission.is_valid() and (data := submission.case_in()) is not None:
        try:
            registration = case_register(
                actor=actor, data=data, idempotency_key=submission.idempotency_key
            )
        except DomainError as exc:
            submission.apply_error(exc)
        else:
            case = registration.case
            if registration.created:
                messages.success(
                    request,
                    _("Case %(number)s registered. Tracking code for the citizen: %(code)s.")
                    % {"number": case.number, "code": case.tracking_code},
                )
            else:
                messages.info(
                    request,
                    _("This was already registered as case %(number)s.") % {"number": case.number},
                )
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/intake.html", intake_context(actor, submission), status=422)


@require_GET
@login_required
@register_role_required
def intake_suggest(request: HttpRequest) -> HttpResponse:
    text = " ".join(request.GET.get(name, "")[:4000] for name in ("title", "description"))
    context = suggestions_context(text, request.GET.get("category", ""))
    return render(request, "cases/intake_suggestions.html", context)


@require_GET
@login_required
@register_role_required
def intake_locate(request: HttpRequest) -> HttpResponse:
    """The grid under a point clicked on the map, if it lies in the clerk's jurisdiction."""
    actor = acting_user(request)
    form = PointForm(request.GET)
    context: dict[str, Any] = {"point": form, "grid": None, "breadcrumbs": []}
    if form.is_valid():
        grid = org_selectors.grid_at(
            actor=actor, lng=form.cleaned_data["lng"], lat=form.cleaned_data["lat"]
        )
        if grid is not None:
            context["grid"] = grid
            context["breadcrumbs"] = org_selectors.unit_breadcrumbs(actor=actor, unit=grid)
    return render(request, "cases/intake_location.html", context)


@require_POST
@login_required
@register_role_required
def intake_duplicates(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    preview = IntakeSubmission(actor=actor, data=request.POST).preview()
    return render(request, "cases/intake_duplicates.html", duplicates_context(actor, preview))


@require_POST
@login_required
@register_role_required
def intake_routing(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    preview = IntakeSubmission(actor=actor, data=request.POST).preview()
    return render(request, "cases/intake_routing.html", routing_context(actor, preview))


@case_endpoint("POST")
@register_role_required
def intake_link(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    """Record this arrival as another report of an earlier case instead of a new case."""
    form = LinkReportForm(request.POST)
    if form.is_valid() and (report := form.report_in()) is not None:
        try:
            _report, created = case_link_report(actor=actor, case_id=case.pk, data=report)
        except NotFound:
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("Linked as another report of case %(number)s.") % {"number": case.number},
                )
            else:
                messages.info(
                    request,
                    _("This report was already linked to case %(number)s.")
                    % {"number": case.number},
                )
            target = reverse("cases:detail", kwargs={"case_id": case.pk})
            if is_htmx(request):
                return HttpResponse(headers={"HX-Redirect": target})
            return redirect(target)
    if is_htmx(request):
        return render(request, "cases/intake_link_error.html", {"link_form": form})
    submission = IntakeSubmission(actor=actor, data=request.POST)
    context = intake_context(actor, submission, link_form=form, link_case=case)
    return render(request, "cases/intake.html", context, status=422)


urlpatterns: list[URLPattern] = [
    path("intake/", intake, name="intake"),
    path("intake/suggest/", intake_suggest, name="intake_suggest"),
    path("intake/locate/", intake_locate, name="intake_locate"),
    path("intake/duplicates/", intake_duplicates, name="intake_duplicates"),
    path("intake/routing/", intake_routing, name="intake_routing"),
    path("intake/link/<int:case_id>/", intake_link, name="intake_link"),
]
