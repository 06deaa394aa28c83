"""The case page's shared machinery: what the page shows, and how an action answers.

Every view fetches the case through :func:`selectors.case_get` first, so a case outside the
user's jurisdiction is a 404 on every URL, GET or POST, before any form is read. Actions post to
their own URL; with htmx the answer is the refreshed page body (every form on it carries the
case's new version), without it a redirect back to the page. A failed form comes back open, with
its errors, found again by its prefix.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from fengqiao.cases import detail, selectors
from fengqiao.cases.case_forms import (
    AgreementForm,
    AssignmentMoveForm,
    CaseEditForm,
    CoHandlingForm,
    ConfirmationDecideForm,
    ConfirmationRequestForm,
    PerformanceForm,
    ProtectiveOrderForm,
    SessionForm,
    TransitionForm,
)
from fengqiao.cases.forms import LinkReportForm, PartyForm, apply_domain_error
from fengqiao.cases.models import Case
from fengqiao.cases.pii import mask_address
from fengqiao.cases.privacy import PartyView, parties_for
from fengqiao.cases.states import Action
from fengqiao.core.errors import Conflict, DomainError, NotFound
from fengqiao.web.http import acting_user, is_htmx, not_found_as_404

CaseView = Callable[..., HttpResponse]

# Service field names → the page's form fields; "" puts the message above the form.
FIELD_MAP = {
    "version": "",
    "status": "",
    "action": "",
    "role": "",
    "agreement_id": "",
    "assignee_id": "",
    "move": "",
    "merge_into_id": "merge_into",
    "department_id": "department",
    "court_id": "court",
    "leader_id": "leader",
    "report.channel": "channel",
    "content": "description",
}


# The actions that move a case forward get the prominent button.
FORWARD_ACTIONS = frozenset({Action.ACCEPT, Action.START, Action.RESOLVE, Action.CLOSE})

# --- page context ---------------------------------------------------------------------------


def page_context(
    actor: Any,
    case: Case,
    *,
    failed: forms.Form | None = None,
    parties: list[PartyView] | None = None,
    revealed: bool = False,
) -> dict[str, Any]:
    """Everything the page shows; ``failed`` replaces the fresh form with the same prefix."""

    def keep(form: forms.Form) -> forms.Form:
        return failed if failed is not None and failed.prefix == form.prefix else form

    caps = detail.capabilities(actor, case)
    version = {"version": case.version}
    transitions = [
        {
            "action": action,
            "label": Action(action).label,
            "primary": action in FORWARD_ACTIONS,
            "form": keep(TransitionForm(action=action, actor=actor, initial=version)),
        }
        for action in caps.actions
    ]
    assignments = detail.assignment_rows(actor, case)
    for row in assignments:
        fresh = AssignmentMoveForm(
            assignment_id=row.assignment.pk, initial={"version": row.assignment.version}
        )
        row.form = keep(fresh)
    courts = list(detail.courts_for(actor, case))
    agreements = detail.agreement_rows(actor, case, caps)
    for agreement_row in agreements:
        pk = agreement_row.agreement.pk
        agreement_row.forms = {
            "performance": keep(PerformanceForm(agreement_id=pk)),
            "confirmation": keep(ConfirmationRequestForm(agreement_id=pk, courts=courts)),
            "decide": [
                (c, keep(ConfirmationDecideForm(confirmation_id=c.pk)))
                for c in agreement_row.decidable
            ],
        }
    if parties is None:
        parties = parties_for(actor=actor, case=case, reveal=False, purpose="", ip_address=None)
    edit_form = (
        CaseEditForm(
            case=case,
            leaders=detail.leaders_for(case) if caps.set_risk else [],
            set_risk=caps.set_risk,
        )
        if caps.edit
        else None
    )
    timeline = detail.timeline_rows(actor, case)
    return {
        "case": case,
        "caps": caps,
        "address": mask_address(case.address),
        "deadlines": detail.deadlines(case),
        "reports": detail.report_rows(case),
        "parties": detail.party_rows(parties),
        "parties_revealed": revealed,
        "partner_units": list(case.partner_units.all()),
        "assignments": assignments,
        "agreements": agreements,
        "sessions": list(case.mediation_sessions.select_related("mediator")),
        "protective_orders": list(case.protective_orders.select_related("court")),
        "referrals": list(case.referrals.all()),
        "timeline": timeline,
        "colour_set": detail.colour_set(case, timeline),
        "transitions": transitions,
        "edit_form": keep(edit_form) if edit_form is not None else None,
        "party_form": keep(PartyForm(prefix="party")) if caps.add_party else None,
        "link_form": keep(LinkReportForm(prefix="link")) if caps.link_report else None,
        "co_form": keep(CoHandlingForm(departments=detail.departments_for(actor, case)))
        if caps.add_assignment
        else None,
        "session_form": keep(SessionForm()) if caps.mediate else None,
        "agreement_form": keep(AgreementForm()) if caps.mediate else None,
        "po_form": keep(ProtectiveOrderForm(courts=courts)) if caps.protective_order else None,
        "detail_url": reverse("cases:detail", kwargs={"case_id": case.pk}),
    }


def render_page(
    request: HttpRequest,
    case_id: int,
    *,
    failed: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page (or, for htmx, its body) from fresh data, with a failed form kept open."""
    actor = acting_user(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    context = page_context(actor, case, failed=failed)
    context["conflict"] = status == Conflict.status_code
    if is_htmx(request):
        # htmx swaps only 2xx answers; the errors are in the body. The page's own message list
        # is outside the swapped part, so the body shows the messages itself.
        context["htmx_messages"] = True
        return render(request, "cases/_case_main.html", context)
    return render(request, "cases/case_detail.html", context, status=status)


class FormRefused(Exception):
    """Converting the form's data refused it (a schema check); the errors are on the form."""


def run_action(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    perform: Callable[[dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """Validate, call the one service, then refresh (htmx) or redirect; errors stay on the form."""
    if not form.is_valid():
        return render_page(request, case.pk, failed=form, status=422)
    try:
        perform(form.cleaned_data)
    except FormRefused:
        return render_page(request, case.pk, failed=form, status=422)
    except NotFound:
        raise
    except DomainError as exc:
        apply_domain_error(form, exc, FIELD_MAP)
        return render_page(request, case.pk, failed=form, status=exc.status_code)
    messages.success(request, success)
    if is_htmx(request):
        return render_page(request, case.pk)
    return redirect("cases:detail", case_id=case.pk)


def case_endpoint(*methods: str) -> Callable[[CaseView], Callable[..., HttpResponse]]:
    """Sign-in, then the case through the selectors (404 outside the jurisdiction, whatever the
    method), then the method check; the view gets the actor and the visible case."""

    def decorate(view: CaseView) -> Callable[..., HttpResponse]:
        @login_required
        @not_found_as_404
        @functools.wraps(view)
        def wrapper(request: HttpRequest, /, case_id: int, **kwargs: Any) -> HttpResponse:
            actor = acting_user(request)
            case = selectors.case_get(actor=actor, case_id=case_id)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, actor, case, **kwargs)

        return wrapper

    return decorate
