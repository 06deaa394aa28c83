"""Pages of the reports: the list for a jurisdiction and for one unit, the request button, the
row that polls while a report is generated, and the scoped download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts.auth import client_ip
from fengqiao.core.errors import ValidationFailed
from fengqiao.orgs.models import OrgUnit
from fengqiao.reports import selectors
from fengqiao.reports.forms import ReportRequestForm, default_day
from fengqiao.reports.models import ReportKind
from fengqiao.reports.services import report_download, report_request
from fengqiao.web.http import acting_user, not_found_as_404

LIST_LIMIT = 200
FORM_FIELDS = {"period_start": "day", "kind": "kind", "formats": "formats", "unit_id": "unit"}


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/forbidden.html", status=403)


def _initial(request: HttpRequest, unit: OrgUnit | None) -> dict[str, Any]:
    kind = request.GET.get("kind", ReportKind.WEEKLY)
    if kind not in ReportKind.values:
        kind = ReportKind.WEEKLY
    initial: dict[str, Any] = {"kind": kind, "day": request.GET.get("day") or default_day(kind)}
    if unit is not None:
        initial["unit"] = unit.pk
    return initial


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    if not selectors.may_use_reports(actor):
        return _forbidden(request)
    units = selectors.report_units(actor=actor)
    form = ReportRequestForm(units=units, initial=_initial(request, None))
    reports = selectors.report_list(actor=actor)[:LIST_LIMIT]
    return render(
        request,
        "reports/index.html",
        {"form": form, "reports": reports, "units": units, "limit": LIST_LIMIT},
    )


@require_GET
@login_required
@not_found_as_404
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = acting_user(request)
    org_unit = selectors.unit_get(actor=actor, unit_id=unit_id)
    form = ReportRequestForm(
        units=selectors.requestable_units(actor=actor), initial=_initial(request, org_unit)
    )
    reports = selectors.report_list(actor=actor, unit=org_unit)[:LIST_LIMIT]
    children = selectors.report_units(actor=actor).filter(parent=org_unit)
    return render(
        request,
        "reports/unit.html",
        {"unit": org_unit, "form": form, "reports": reports, "children": children},
    )


@require_POST
@login_required
def request_report(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    if not selectors.may_use_reports(actor):
        return _forbidden(request)
    form = ReportRequestForm(request.POST, units=selectors.requestable_units(actor=actor))
    if form.is_valid():
        try:
            queued = report_request(
                actor=actor,
                unit_id=form.cleaned_data["unit"].pk,
                kind=form.cleaned_data["kind"],
                period_start=form.period_start(),
                formats=form.cleaned_data["formats"],
            )
        except ValidationFailed as exc:
            form.add_error(FORM_FIELDS.get(exc.field or ""), exc.message)
        else:
            messages.success(
                request,
                _("The report is being generated; it appears below when ready.")
                if any(r.in_progress for r in queued)
                else _("The report is ready."),
            )
            return redirect("reports:unit", unit_id=form.cleaned_data["unit"].pk)
    return render(request, "reports/request.html", {"form": form}, status=422)


@require_GET
@login_required
@not_found_as_404
def row(request: HttpRequest, report_id: int) -> HttpResponse:
    """One list row; while its report is generated the row asks again every few seconds."""
    report = selectors.report_get(actor=acting_user(request), report_id=report_id)
    # The unit's own page leaves out the unit column; the list of a jurisdiction shows it.
    show_unit = request.GET.get("compact") != "1"
    return render(request, "reports/_row.html", {"report": report, "show_unit": show_unit})


@require_GET
@login_required
@not_found_as_404
def download(request: HttpRequest, report_id: int) -> HttpResponse:
    got = report_download(
        actor=acting_user(request), report_id=report_id, via="web", ip_address=client_ip(request)
    )
    response = HttpResponse(got.content, content_type=got.report.content_type)
    response["Content-Disposition"] = f'attachment; filename="{got.filename}"'
    return response
