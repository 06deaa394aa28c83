"""The case page: header, routing, reports, parties (masked, revealed on request), timeline,
and the forms that change the case's status and details. Assignments and mediation steps are in
:mod:`fengqiao.cases.views.case_handling`; the shared machinery in ``case_context``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from fengqiao.accounts.auth import client_ip
from fengqiao.cases import detail
from fengqiao.cases.case_forms import CaseEditForm, TransitionForm
from fengqiao.cases.forms import LinkReportForm, PartyForm
from fengqiao.cases.lifecycle import case_transition
from fengqiao.cases.models import Case
from fengqiao.cases.privacy import parties_for
from fengqiao.cases.services import case_link_report, case_update, party_add
from fengqiao.cases.states import Action
from fengqiao.cases.views import case_handling
from fengqiao.cases.views.case_context import FormRefused, case_endpoint, page_context, run_action
from fengqiao.core.errors import PermissionDenied as DomainForbidden
from fengqiao.web.http import is_htmx

# --- views ----------------------------------------------------------------------------------


@case_endpoint("GET")
def case_detail(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    return render(request, "cases/case_detail.html", page_context(actor, case))


@case_endpoint("GET")
def case_parties(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    """The parties, masked (the "hide again" of the reveal button)."""
    context = page_context(actor, case)
    return render(request, "cases/_case_parties.html", context)


@case_endpoint("POST")
def case_parties_reveal(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    """Full ID numbers, phones and addresses for roles that need them; every view is logged."""
    try:
        parties = parties_for(
            actor=actor, case=case, reveal=True, purpose="detail", ip_address=client_ip(request)
        )
    except DomainForbidden as exc:
        raise HttpForbidden(exc.message) from exc
    context = page_context(actor, case, parties=parties, revealed=True)
    template = "cases/_case_parties.html" if is_htmx(request) else "cases/case_detail.html"
    return render(request, template, context)


@case_endpoint("GET")
def case_timeline(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    context = {"case": case, "timeline": detail.timeline_rows(actor, case)}
    return render(request, "cases/_case_timeline.html", context)


@case_endpoint("POST")
def case_transition_view(request: HttpRequest, actor: Any, case: Case, action: str) -> HttpResponse:
    if action not in Action.values:
        raise Http404("unknown action")
    form = TransitionForm(request.POST, action=action, actor=actor)

    def perform(data: dict[str, Any]) -> object:
        return case_transition(
            actor=actor,
            case_id=case.pk,
            action=action,
            expected_version=data["version"],
            reason=data.get("reason", ""),
            referral_kind=data.get("referral_kind", ""),
            referral_body=data.get("referral_body", ""),
            merge_into_id=form.merge_into_id,
            public_note=data.get("public_note", ""),
        )

    message = _("%(action)s: done.") % {"action": Action(action).label}
    return run_action(request, case, form, perform, message)


@case_endpoint("POST")
def case_edit(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    set_risk = detail.capabilities(actor, case).set_risk
    leaders = detail.leaders_for(case) if set_risk else []
    form = CaseEditForm(request.POST, case=case, leaders=leaders, set_risk=set_risk)

    def perform(data: dict[str, Any]) -> object:
        changes = form.changes()
        if changes is None:
            raise FormRefused
        return case_update(
            actor=actor, case_id=case.pk, expected_version=data["version"], changes=changes
        )

    return run_action(request, case, form, perform, _("Details saved."))


@case_endpoint("POST")
def case_party_add(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    form = PartyForm(request.POST, prefix="party")

    def perform(data: dict[str, Any]) -> object:
        party = form.party_in()
        if party is None:
            raise FormRefused
        return party_add(actor=actor, case_id=case.pk, data=party)

    return run_action(request, case, form, perform, _("Party added."))


@case_endpoint("POST")
def case_link_report_view(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    form = LinkReportForm(request.POST, prefix="link")

    def perform(data: dict[str, Any]) -> object:
        report = form.report_in()
        if report is None:
            raise FormRefused
        return case_link_report(actor=actor, case_id=case.pk, data=report)

    return run_action(request, case, form, perform, _("Report linked."))


urlpatterns: list[URLPattern] = [
    path("<int:case_id>/", case_detail, name="detail"),
    path("<int:case_id>/parties/", case_parties, name="parties"),
    path("<int:case_id>/parties/reveal/", case_parties_reveal, name="parties_reveal"),
    path("<int:case_id>/parties/add/", case_party_add, name="party_add"),
    path("<int:case_id>/timeline/", case_timeline, name="timeline"),
    path("<int:case_id>/actions/<slug:action>/", case_transition_view, name="transition"),
    path("<int:case_id>/edit/", case_edit, name="edit"),
    path("<int:case_id>/reports/", case_link_report_view, name="link_report"),
    *case_handling.urlpatterns,
]
