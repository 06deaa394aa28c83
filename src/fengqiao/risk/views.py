"""Risk pages: the hub, the three boards with their meeting form, and the meetings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from fengqiao.cases.forms import add_form_error, apply_domain_error, pydantic_errors
from fengqiao.core.errors import DomainError
from fengqiao.orgs.models import OrgUnit
from fengqiao.risk import selectors, warning_items
from fengqiao.risk.boards import Board, board
from fengqiao.risk.forms import (
    BaseDecisionFormSet,
    MeetingForm,
    decision_formset,
    filter_units,
    meeting_in,
)
from fengqiao.risk.policy import BOARD_DESCRIPTIONS, BOARD_TITLES, COLOURS, review_period
from fengqiao.risk.services import dispatch_meeting_record, may_record_meeting
from fengqiao.taxonomy.models import RiskColour
from fengqiao.web.http import acting_user, not_found_as_404

BOARD_PAGE_SIZE = 100
RECENT_MEETINGS = 10
MEETINGS_PAGE_SIZE = 50


def _colour(colour: str) -> str:
    if colour not in COLOURS:
        raise Http404("no such board")
    return colour


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    cases = selectors.open_case_counts(actor=actor)
    colours = [
        {
            "code": colour,
            "label": RiskColour(colour).label,
            "title": BOARD_TITLES[colour],
            "cases": cases.get(colour, 0),
            "warnings": warning_items.warning_count(actor=actor, colour=colour),
            "url": reverse("risk:board", args=[colour]),
        }
        for colour in COLOURS
    ]
    meetings = selectors.meeting_list(actor=actor)[:RECENT_MEETINGS]
    return render(request, "risk/home.html", {"colours": colours, "meetings": meetings})


def _unit_filter(request: HttpRequest, units: list[OrgUnit]) -> OrgUnit | None:
    raw = request.GET.get("unit", "")
    if not raw:
        return None
    found = next((u for u in units if str(u.pk) == raw), None)
    if found is None:
        # A unit outside the jurisdiction is answered like a missing one.
        raise Http404("organisation unit not found")
    return found


def _board_context(
    request: HttpRequest,
    colour: str,
    *,
    meeting_form: MeetingForm | None = None,
    formset: BaseDecisionFormSet | None = None,
) -> dict[str, Any]:
    actor = acting_user(request)
    units = filter_units(actor)
    unit = _unit_filter(request, units)
    result: Board = board(actor=actor, colour=colour, unit=unit)
    page = Paginator(result.items, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "colour": colour,
        "colour_label": RiskColour(colour).label,
        "title": BOARD_TITLES[colour],
        "description": BOARD_DESCRIPTIONS[colour] % {"days": review_period(colour).days},
        "board": result,
        "page": page,
        "items": list(page.object_list),
        "units": units,
        "unit": unit,
        "colours": [(c, RiskColour(c).label, reverse("risk:board", args=[c])) for c in COLOURS],
        "may_record": may_record_meeting(actor),
    }
    if context["may_record"]:
        context["meeting_form"] = meeting_form or MeetingForm(actor=actor, colour=colour)
        context["formset"] = formset or decision_formset(None, actor=actor, items=context["items"])
        query = {"unit": unit.pk} if unit else {}
        if page.number > 1:
            query["page"] = page.number
        context["record_url"] = reverse("risk:meeting_record", args=[colour]) + (
            f"?{urlencode(query)}" if query else ""
        )
    return context


@login_required
@require_GET
@not_found_as_404
def board_page(request: HttpRequest, colour: str) -> HttpResponse:
    context = _board_context(request, _colour(colour))
    return render(request, "risk/board.html", context)


@login_required
@require_POST
@not_found_as_404
def meeting_record(request: HttpRequest, colour: str) -> HttpResponse:
    colour = _colour(colour)
    actor = acting_user(request)
    if not may_record_meeting(actor):
        raise Http404("no such page")
    meeting_form = MeetingForm(request.POST, actor=actor, colour=colour)
    context = _board_context(request, colour)
    formset = decision_formset(request.POST, actor=actor, items=context["items"])
    if meeting_form.is_valid() and formset.is_valid():
        try:
            meeting = dispatch_meeting_record(
                actor=actor, data=meeting_in(colour, meeting_form, formset)
            )
        except ValidationError as exc:
            for loc, message in pydantic_errors(exc):
                add_form_error(meeting_form, None, message if not loc else f"{loc[0]}: {message}")
        except DomainError as exc:
            apply_domain_error(meeting_form, exc, _FIELD_MAP)
        else:
            messages.success(
                request,
                _("Dispatch meeting of %(date)s recorded: %(n)d item(s) reviewed.")
                % {"date": meeting.held_on.isoformat(), "n": meeting.decisions.count()},
            )
            query = request.GET.urlencode()
            return redirect(reverse("risk:board", args=[colour]) + (f"?{query}" if query else ""))
    context.update(meeting_form=meeting_form, formset=formset, meeting_open=True)
    return render(request, "risk/board.html", context, status=422)


_FIELD_MAP = {"unit_id": "unit", "chair_id": "chair"}


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    colour = request.GET.get("colour", "")
    if colour and colour not in COLOURS:
        colour = ""
    meetings = selectors.meeting_list(actor=actor, colour=colour)
    page = Paginator(meetings, MEETINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "colour": colour,
        "colours": [(c, RiskColour(c).label) for c in COLOURS],
    }
    return render(request, "risk/meetings.html", context)


@login_required
@require_GET
@not_found_as_404
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    meeting = selectors.meeting_get(actor=actor, meeting_id=pk)
    decisions = selectors.meeting_decisions(actor=actor, meeting=meeting)
    context = {
        "meeting": meeting,
        "decisions": decisions,
        "board_url": reverse("risk:board", args=[meeting.colour]),
    }
    return render(request, "risk/meeting_detail.html", context)
