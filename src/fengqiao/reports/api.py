"""JSON API of generated reports (mounted under /api/v1/): list, request, status, download —
all scoped by jurisdiction like the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Status

from fengqiao.accounts.auth import client_ip
from fengqiao.core.errors import PermissionDenied
from fengqiao.reports import selectors
from fengqiao.reports.models import GeneratedReport
from fengqiao.reports.schemas import Kind, ReportOut, ReportRequestIn
from fengqiao.reports.services import report_download, report_request

router = Router(tags=["reports"])
LIST_LIMIT = 500


def _out(report: GeneratedReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "unit_id": report.unit_id,
        "unit_code": report.unit.code,
        "unit_name": report.unit.name,
        "kind": report.kind,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "format": report.format,
        "status": report.status,
        "generated_at": report.generated_at,
        "by_schedule": report.by_schedule,
        "requested_by": report.requested_by.username if report.requested_by else None,
        "size": report.size,
        "checksum": report.checksum,
        "error": report.error,
        "download_url": reverse("api-v1:reports_download", args=[report.pk])
        if report.ready
        else None,
    }


@router.get("/reports", response=list[ReportOut])
def list_reports(request: HttpRequest, unit_id: int | None = None, kind: Kind | None = None) -> Any:
    """Reports of the units you may see (of one unit with ``unit_id``), newest period first."""
    if not selectors.may_use_reports(request.user):
        raise PermissionDenied("your role does not read reports")
    unit = selectors.unit_get(actor=request.user, unit_id=unit_id) if unit_id else None
    reports = selectors.report_list(actor=request.user, unit=unit, kind=kind or "")
    return [_out(r) for r in reports[:LIST_LIMIT]]


@router.post("/reports", response={202: list[ReportOut]})
def request_reports(request: HttpRequest, payload: ReportRequestIn) -> Any:
    """Queue generation (one report per format); poll ``GET /reports/{id}`` until ``done``.
    Asking again for the same unit, kind, period and format regenerates that report."""
    reports = report_request(
        actor=request.user,
        unit_id=payload.unit_id,
        kind=payload.kind,
        period_start=payload.period_start,
        formats=payload.formats,
    )
    return Status(202, [_out(r) for r in reports])


@router.get("/reports/{report_id}", response=ReportOut)
def get_report(request: HttpRequest, report_id: int) -> Any:
    return _out(selectors.report_get(actor=request.user, report_id=report_id))


@router.get("/reports/{report_id}/download", url_name="reports_download")
def download_report(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report's file (PDF or XLSX); each download is recorded."""
    got = report_download(
        actor=request.user, report_id=report_id, via="api", ip_address=client_ip(request)
    )
    response = HttpResponse(got.content, content_type=got.report.content_type)
    response["Content-Disposition"] = f'attachment; filename="{got.filename}"'
    return response
