"""Case page actions of joint handling and mediation: assignments, co-handling departments,
mediation sessions, agreements, judicial confirmation and protective orders.

Each URL names the case first; the case is fetched through the selectors (404 outside the
jurisdiction) and the assignment, agreement or confirmation must belong to it (404 otherwise).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from fengqiao.cases import detail
from fengqiao.cases.case_forms import (
    AgreementForm,
    AssignmentMoveForm,
    CoHandlingForm,
    ConfirmationDecideForm,
    ConfirmationRequestForm,
    PerformanceForm,
    ProtectiveOrderForm,
    SessionForm,
)
from fengqiao.cases.handling import services as handling
from fengqiao.cases.handling.models import AssignmentRole
from fengqiao.cases.models import Case
from fengqiao.cases.views.case_context import case_endpoint, run_action


def _belongs(case: Case, related: str, pk: int) -> None:
    """404 unless the row is one of the case's own (its assignments, agreements …)."""
    if not getattr(case, related).filter(pk=pk).exists():
        raise Http404("not part of this case")


@case_endpoint("POST")
def assignment_move(
    request: HttpRequest, actor: Any, case: Case, assignment_id: int
) -> HttpResponse:
    """Accept, complete or return an assignment, take it personally, or add a progress note."""
    _belongs(case, "assignments", assignment_id)
    form = AssignmentMoveForm(request.POST, assignment_id=assignment_id)

    def perform(data: dict[str, Any]) -> object:
        move = data["move"]
        return handling.assignment_update(
            actor=actor,
            assignment_id=assignment_id,
            expected_version=data["version"],
            move=move if move in handling.STATUS_MOVES else None,
            note=data.get("note", ""),
            assignee_id=actor.pk if move == "take" else None,
        )

    return run_action(request, case, form, perform, _("Assignment updated."))


@case_endpoint("POST")
def assignment_add(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    """Hand the case to one more department for joint handling (联调)."""
    form = CoHandlingForm(request.POST, departments=detail.departments_for(actor, case))

    def perform(data: dict[str, Any]) -> object:
        deadline: datetime | None = data.get("deadline")
        return handling.assignment_add(
            actor=actor,
            case_id=case.pk,
            department_id=data["department"],
            task=data["task"],
            deadline=deadline,
            role=AssignmentRole.CO,
        )

    return run_action(request, case, form, perform, _("Department added to the case."))


@case_endpoint("POST")
def session_add(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    form = SessionForm(request.POST)

    def perform(data: dict[str, Any]) -> object:
        return handling.mediation_session_record(
            actor=actor,
            case_id=case.pk,
            held_at=data["held_at"],
            place=data["place"],
            participants=data["participants"],
            record=data["record"],
        )

    return run_action(request, case, form, perform, _("Mediation session recorded."))


@case_endpoint("POST")
def agreement_add(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    form = AgreementForm(request.POST)

    def perform(data: dict[str, Any]) -> object:
        return handling.agreement_record(
            actor=actor,
            case_id=case.pk,
            terms=data["terms"],
            amount=data["amount"],
            performance_deadline=data.get("performance_deadline"),
        )

    return run_action(request, case, form, perform, _("Agreement recorded."))


@case_endpoint("POST")
def agreement_performance(
    request: HttpRequest, actor: Any, case: Case, agreement_id: int
) -> HttpResponse:
    _belongs(case, "agreements", agreement_id)
    form = PerformanceForm(request.POST, agreement_id=agreement_id)

    def perform(data: dict[str, Any]) -> object:
        return handling.agreement_set_performance(
            actor=actor,
            agreement_id=agreement_id,
            performed=data["outcome"] == "performed",
            note=data.get("note", ""),
        )

    return run_action(request, case, form, perform, _("Performance recorded."))


@case_endpoint("POST")
def confirmation_request(
    request: HttpRequest, actor: Any, case: Case, agreement_id: int
) -> HttpResponse:
    """Ask a court to confirm the agreement (司法确认)."""
    _belongs(case, "agreements", agreement_id)
    form = ConfirmationRequestForm(
        request.POST, agreement_id=agreement_id, courts=detail.courts_for(actor, case)
    )

    def perform(data: dict[str, Any]) -> object:
        return handling.confirmation_request(
            actor=actor, agreement_id=agreement_id, court_id=data["court"]
        )

    return run_action(request, case, form, perform, _("Judicial confirmation requested."))


@case_endpoint("POST")
def confirmation_decide(
    request: HttpRequest, actor: Any, case: Case, confirmation_id: int
) -> HttpResponse:
    """The court's answer to a confirmation request."""
    if not case.agreements.filter(confirmations__pk=confirmation_id).exists():
        raise Http404("not part of this case")
    form = ConfirmationDecideForm(request.POST, confirmation_id=confirmation_id)

    def perform(data: dict[str, Any]) -> object:
        return handling.confirmation_decide(
            actor=actor,
            confirmation_id=confirmation_id,
            confirmed=data["decision"] == "confirm",
            note=data.get("note", ""),
        )

    return run_action(request, case, form, perform, _("Decision recorded."))


@case_endpoint("POST")
def protective_order_add(request: HttpRequest, actor: Any, case: Case) -> HttpResponse:
    """A personal safety protection order (人身安全保护令) in a domestic-violence case."""
    form = ProtectiveOrderForm(request.POST, courts=detail.courts_for(actor, case))

    def perform(data: dict[str, Any]) -> object:
        return handling.protective_order_record(
            actor=actor,
            case_id=case.pk,
            court_id=data["court"],
            valid_until=data["valid_until"],
            measures=data["measures"],
            issued_at=data.get("issued_at"),
        )

    return run_action(request, case, form, perform, _("Protective order recorded."))


urlpatterns: list[URLPattern] = [
    path(
        "<int:case_id>/assignments/<int:assignment_id>/",
        assignment_move,
        name="assignment_move",
    ),
    path("<int:case_id>/assignments/add/", assignment_add, name="assignment_add"),
    path("<int:case_id>/sessions/", session_add, name="session_add"),
    path("<int:case_id>/agreements/", agreement_add, name="agreement_add"),
    path(
        "<int:case_id>/agreements/<int:agreement_id>/performance/",
        agreement_performance,
        name="agreement_performance",
    ),
    path(
        "<int:case_id>/agreements/<int:agreement_id>/confirmation/",
        confirmation_request,
        name="confirmation_request",
    ),
    path(
        "<int:case_id>/confirmations/<int:confirmation_id>/decision/",
        confirmation_decide,
        name="confirmation_decide",
    ),
    path("<int:case_id>/protective-orders/", protective_order_add, name="protective_order_add"),
]
