"""Case list and search, the two work queues, and the CSV/XLSX exports (HTML + htmx).

Every read goes through :mod:`fengqiao.cases.filters`, which builds on the jurisdiction-scoped
:mod:`fengqiao.cases.selectors`; a filter narrows what the user may see, never widens it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from fengqiao.accounts.auth import client_ip
from fengqiao.cases import exports
from fengqiao.cases.deadlines import PENDING_FOR, REMINDER_SHARE
from fengqiao.cases.filters import (
    CaseFilterForm,
    clean_query,
    filter_data,
    filtered_cases,
    queue_mine,
    queue_unit,
)
from fengqiao.cases.handling.models import Assignment
from fengqiao.cases.models import Case, DeadlineKind
from fengqiao.cases.permissions import may_unmask
from fengqiao.cases.privacy import reveal_allowed
from fengqiao.cases.states import OPEN_STATUSES, CaseStatus
from fengqiao.core.errors import PermissionDenied
from fengqiao.web.http import acting_user, is_htmx

PAGE_SIZE = 50
RESULTS_TARGET = "case-results"


# --- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    at: datetime
    # "overdue", "due_soon" (past the reminder share of its time), "running", "missed" (stopped
    # after running late) or "stopped".
    state: str
    remaining: timedelta

    @property
    def label(self) -> str:
        if self.state == "overdue":
            return _("overdue by %(time)s") % {"time": short_duration(self.remaining)}
        if self.state in {"due_soon", "running"}:
            return _("%(time)s left") % {"time": short_duration(self.remaining)}
        if self.state == "missed":
            return _("was overdue")
        return ""


def short_duration(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes >= 24 * 60:
        days = minutes // (24 * 60)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes >= 60:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def deadline(
    *, due: datetime, start: datetime, now: datetime, running: bool, late: bool
) -> Deadline:
    if not running:
        return Deadline(due, "missed" if late else "stopped", timedelta(0))
    if due <= now:
        return Deadline(due, "overdue", now - due)
    state = "due_soon" if now >= start + (due - start) * REMINDER_SHARE else "running"
    return Deadline(due, state, due - now)


@dataclass(frozen=True)
class CaseRow:
    case: Case
    resolve: Deadline
    accept: Deadline | None

    @property
    def highlight(self) -> str:
        states = {self.resolve.state, self.accept.state if self.accept else ""}
        if "overdue" in states:
            return "overdue"
        return "due_soon" if "due_soon" in states else ""


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    due: Deadline

    @property
    def highlight(self) -> str:
        return self.due.state if self.due.state in {"overdue", "due_soon"} else ""


def case_row(case: Case, now: datetime) -> CaseRow:
    resolve = deadline(
        due=case.resolve_deadline,
        start=case.created_at,
        now=now,
        running=case.status in OPEN_STATUSES,
        late=exports.overdue_now(case, now),
    )
    if case.status not in PENDING_FOR[DeadlineKind.ACCEPT]:
        return CaseRow(case, resolve, accept=None)
    # An escalated case's acceptance clock restarted when it was escalated.
    accept_start = case.updated_at if case.status == CaseStatus.ESCALATED else case.created_at
    accept = deadline(
        due=case.accept_deadline, start=accept_start, now=now, running=True, late=False
    )
    return CaseRow(case, resolve, accept)


def case_rows(cases: Iterable[Case], now: datetime) -> list[CaseRow]:
    return [case_row(case, now) for case in cases]


def assignment_rows(assignments: Iterable[Assignment], now: datetime) -> list[AssignmentRow]:
    return [
        AssignmentRow(
            a,
            deadline(due=a.deadline, start=a.created_at, now=now, running=True, late=False),
        )
        for a in assignments
    ]


# --- helpers ------------------------------------------------------------------------------


def _paged(request: HttpRequest, items: Any) -> dict[str, Any]:
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_ends=1)),
    }


def _wants_results(request: HttpRequest) -> bool:
    # A history restore asks for the whole page, whatever element first fetched the URL.
    return (
        is_htmx(request)
        and request.headers.get("HX-Target") == RESULTS_TARGET
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _pushed_url(name: str, query: str, page: Page[Any]) -> str:
    parts = [query] if query else []
    if page.number > 1:
        parts.append(f"page={page.number}")
    return reverse(name) + ("?" + "&".join(parts) if parts else "")


def _respond(
    request: HttpRequest, name: str, template: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or only the results when htmx swaps them; the URL follows the filters."""
    partial = _wants_results(request)
    response = render(request, context["results_template"] if partial else template, context)
    if partial and context.get("page") is not None:
        response["HX-Push-Url"] = _pushed_url(name, context["query"], context["page"])
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _filter_context(form: CaseFilterForm, query: str) -> dict[str, Any]:
    return {
        "form": form,
        "query": query,
        "query_prefix": f"{query}&" if query else "",
        "results_target": RESULTS_TARGET,
    }


# --- list and queues ----------------------------------------------------------------------


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    form = CaseFilterForm(filter_data(request.GET), actor=actor)
    context = _filter_context(form, clean_query(request.GET))
    context.update(results_template="cases/_list_results.html", may_unmask=may_unmask(actor))
    if form.is_valid():
        context.update(_paged(request, filtered_cases(actor=actor, form=form)))
        context["rows"] = case_rows(context["page"].object_list, timezone.now())
    return _respond(request, "cases:list", "cases/list.html", context)


@require_GET
@login_required
def my_queue(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    form = CaseFilterForm(_without_page(request.GET), actor=actor)
    context = _filter_context(form, clean_query(request.GET))
    context.update(results_template="cases/_list_queue_mine.html", queue="mine")
    if form.is_valid():
        context.update(_paged(request, queue_mine(actor=actor, form=form)))
        context["rows"] = assignment_rows(context["page"].object_list, timezone.now())
    return _respond(request, "cases:queue_mine", "cases/queue_mine.html", context)


@require_GET
@login_required
def unit_queue(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    form = CaseFilterForm(_without_page(request.GET), actor=actor)
    context = _filter_context(form, clean_query(request.GET))
    context.update(results_template="cases/_list_queue_unit.html", queue="unit")
    if form.is_valid():
        context.update(_paged(request, queue_unit(actor=actor, form=form)))
        context["rows"] = case_rows(context["page"].object_list, timezone.now())
    return _respond(request, "cases:queue_unit", "cases/queue_unit.html", context)


def _without_page(query: QueryDict) -> QueryDict:
    data = query.copy()
    data.pop("page", None)
    return data


# --- exports ------------------------------------------------------------------------------


def _export_problem(
    request: HttpRequest, *, status: int, message: str, form: CaseFilterForm | None = None
) -> HttpResponse:
    query = clean_query(_without_unmask(request.GET))
    context = {"message": message, "form": form, "query": query}
    return render(request, "cases/list_export_problem.html", context, status=status)


def _export_setup(
    request: HttpRequest,
) -> tuple[CaseFilterForm, bool] | HttpResponse:
    actor = acting_user(request)
    form = CaseFilterForm(filter_data(_without_unmask(request.GET)), actor=actor)
    if not form.is_valid():
        return _export_problem(
            request, status=400, form=form, message=_("Some filters are not valid.")
        )
    try:
        reveal = reveal_allowed(actor, request.GET.get("unmask") == "1")
    except PermissionDenied:
        return _export_problem(
            request,
            status=403,
            message=_("Your role may not export unmasked personal data."),
        )
    return form, reveal


def _without_unmask(query: QueryDict) -> QueryDict:
    data = query.copy()
    data.pop("unmask", None)
    return data


def _attachment(response: HttpResponse | StreamingHttpResponse, extension: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(extension)}"'
    response["Cache-Control"] = "no-store"


@require_GET
@login_required
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    setup = _export_setup(request)
    if isinstance(setup, HttpResponse):
        return setup
    form, reveal = setup
    actor = acting_user(request)
    rows = exports.case_rows(
        actor=actor,
        cases=filtered_cases(actor=actor, form=form),
        reveal=reveal,
        ip_address=client_ip(request),
    )
    response = StreamingHttpResponse(
        exports.csv_stream(rows), content_type="text/csv; charset=utf-8"
    )
    _attachment(response, "csv")
    return response


@require_GET
@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    setup = _export_setup(request)
    if isinstance(setup, HttpResponse):
        return setup
    form, reveal = setup
    actor = acting_user(request)
    cases = filtered_cases(actor=actor, form=form)
    total = cases.count()
    if total > exports.XLSX_MAX_ROWS:
        message = _(
            "These filters select %(total)s cases; an Excel export holds at most %(limit)s. "
            "Narrow the filters, or download CSV, which has no limit."
        ) % {"total": total, "limit": exports.XLSX_MAX_ROWS}
        return _export_problem(request, status=400, message=message)
    rows = exports.case_rows(actor=actor, cases=cases, reveal=reveal, ip_address=client_ip(request))
    response = HttpResponse(
        exports.xlsx_bytes(rows, title=_("Cases")),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    _attachment(response, "xlsx")
    return response


urlpatterns: list[URLPattern] = [
    path("", case_list, name="list"),
    path("queue/mine/", my_queue, name="queue_mine"),
    path("queue/unit/", unit_queue, name="queue_unit"),
    path("export.csv", export_csv, name="export_csv"),
    path("export.xlsx", export_xlsx, name="export_xlsx"),
]
