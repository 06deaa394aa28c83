"""Requesting, generating and downloading reports.

A request (a button, the API, or the schedule) upserts the one row of its unit, kind, period and
format and queues its generation on the durable queue in the same transaction; the task builds
the content with the requester's view (the schedule's view is the whole unit), renders it and
replaces the file. Reports are stored in the deployment language whoever asked for them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from fengqiao.accounts.models import Role
from fengqiao.core.errors import NotFound, PermissionDenied, ValidationFailed
from fengqiao.core.queue import Call, enqueue_many
from fengqiao.orgs.models import OrgUnit
from fengqiao.reports import periods
from fengqiao.reports.document import ReportContent, render_pdf, render_xlsx
from fengqiao.reports.models import (
    GeneratedReport,
    ReportDownload,
    ReportFormat,
    ReportKind,
    ReportStatus,
)
from fengqiao.reports.selectors import may_use_reports, report_get, unit_get

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SystemActor:
    """Who reads data for a scheduled report: the schedule reports on a whole unit, for whoever
    will later be allowed to open the file (decided at download by the report's unit)."""

    pk: None = None
    id: None = None
    username: str = "system"
    role: str = Role.ADMIN
    department_id: None = None
    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = True
    is_staff: bool = False

    def __str__(self) -> str:
        return self.username


SYSTEM = SystemActor()


def _rhythm(kind: str) -> str:
    return periods.MONTHLY if kind == ReportKind.MONTHLY else periods.WEEKLY


def report_period(kind: str, period_start: date) -> periods.Period:
    if kind not in ReportKind.values:
        raise ValidationFailed("unknown report kind", field="kind")
    period = periods.period_for(_rhythm(kind), period_start)
    if period.start > timezone.localdate():
        raise ValidationFailed("the period has not begun yet", field="period_start")
    return period


def _upsert(
    *,
    unit: OrgUnit,
    kind: str,
    period: periods.Period,
    fmt: str,
    requested_by: Any,
) -> tuple[GeneratedReport, bool]:
    """Queue one report; ``False`` when it is already being generated (no second task)."""
    key = {"unit": unit, "kind": kind, "period_start": period.start, "format": fmt}
    report = GeneratedReport.objects.select_for_update().filter(**key).first()
    if report is None:
        try:
            with transaction.atomic():
                report = GeneratedReport.objects.create(
                    **key, unit_path=unit.path, period_end=period.end
                )
        except IntegrityError:
            # A concurrent request created it first: queue behind that one.
            report = GeneratedReport.objects.select_for_update().get(**key)
            return report, False
    elif report.in_progress:
        return report, False
    report.status = ReportStatus.QUEUED
    report.requested_by = None if requested_by is SYSTEM else requested_by
    report.by_schedule = requested_by is SYSTEM
    report.error = ""
    report.save(update_fields=["status", "requested_by", "by_schedule", "error", "updated_at"])
    return report, True


def _queue(reports: Sequence[GeneratedReport]) -> None:
    from fengqiao.reports.tasks import report_generate_task

    enqueue_many([Call(report_generate_task, kwargs={"report_id": r.pk}) for r in reports])


@transaction.atomic(durable=True)
def report_request(
    *, actor: Any, unit_id: int, kind: str, period_start: date, formats: Sequence[str]
) -> list[GeneratedReport]:
    """Queue the report of ``unit_id`` for the period starting ``period_start`` in each format."""
    if not may_use_reports(actor):
        raise PermissionDenied("your role does not produce reports")
    unit = unit_get(actor=actor, unit_id=unit_id)
    period = report_period(kind, period_start)
    if not formats or any(f not in ReportFormat.values for f in formats):
        raise ValidationFailed("choose pdf and/or xlsx", field="formats")
    reports, queued = [], []
    for fmt in dict.fromkeys(formats):
        report, fresh = _upsert(unit=unit, kind=kind, period=period, fmt=fmt, requested_by=actor)
        reports.append(report)
        if fresh:
            queued.append(report)
    _queue(queued)
    return reports


@transaction.atomic(durable=True)
def reports_schedule_period(
    *, kind: str, period: periods.Period, units: Sequence[OrgUnit]
) -> list[GeneratedReport]:
    """The schedule's requests: every unit, both formats, one row each however often it runs."""
    queued = []
    for unit in units:
        for fmt in ReportFormat.values:
            report, fresh = _upsert(
                unit=unit, kind=kind, period=period, fmt=fmt, requested_by=SYSTEM
            )
            if fresh:
                queued.append(report)
    _queue(queued)
    return queued


def build_content(*, actor: Any, report: GeneratedReport) -> ReportContent:
    period = periods.Period(report.period_start, report.period_end)
    colour = ReportKind.dispatch_colour(report.kind)
    # Stored files are official records: written in the deployment language (see core.text).
    with translation.override(settings.LANGUAGE_CODE):
        if colour:
            from fengqiao.reports.dispatch import dispatch_content

            return dispatch_content(actor=actor, unit=report.unit, colour=colour, period=period)
        from fengqiao.reports.periodic import periodic_content

        return periodic_content(
            actor=actor, unit=report.unit, rhythm=_rhythm(report.kind), period=period
        )


def render(content: ReportContent, fmt: str) -> bytes:
    return render_pdf(content) if fmt == ReportFormat.PDF else render_xlsx(content)


def file_name(report: GeneratedReport) -> str:
    rhythm = _rhythm(report.kind)
    label = periods.label(rhythm, periods.Period(report.period_start, report.period_end))
    return f"{report.unit.code}/{report.kind}-{label}.{report.format}"


def download_name(report: GeneratedReport) -> str:
    return file_name(report).replace("/", "-")


def _claim(report_id: int) -> GeneratedReport | None:
    with transaction.atomic():
        report = (
            GeneratedReport.objects.select_for_update(of=("self",))
            .select_related("unit", "requested_by")
            .filter(pk=report_id)
            .first()
        )
        if report is None:
            raise NotFound("report not found")
        # Running already: a redelivery after a worker died mid-way, so take it over.
        if report.status not in {ReportStatus.QUEUED, ReportStatus.RUNNING}:
            return None
        report.status = ReportStatus.RUNNING
        report.save(update_fields=["status", "updated_at"])
        return report


def report_generate(*, report_id: int) -> GeneratedReport | None:
    """Build, render and store one queued report; ``None`` if it was not queued (a redelivered
    task). Failures are recorded on the report rather than retried forever."""
    report = _claim(report_id)
    if report is None:
        return None
    try:
        actor = SYSTEM if report.by_schedule else report.requested_by
        if actor is None:
            raise PermissionDenied("the person who asked for this report no longer exists")
        data = render(build_content(actor=actor, report=report), report.format)
        name = file_name(report)
        storage = report.file.storage
        old = report.file.name
        # Same unit, kind, period and format: the new file replaces the old one in place.
        for stale in {old, name} - {""}:
            if storage.exists(stale):
                storage.delete(stale)
        stored = storage.save(name, ContentFile(data))
    except Exception as exc:
        logger.exception("report %s failed", report_id)
        GeneratedReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=str(exc)[:500], updated_at=timezone.now()
        )
        report.refresh_from_db()
        return report
    GeneratedReport.objects.filter(pk=report_id).update(
        status=ReportStatus.DONE,
        file=stored,
        size=len(data),
        checksum=hashlib.sha256(data).hexdigest(),
        generated_at=timezone.now(),
        error="",
        updated_at=timezone.now(),
    )
    report.refresh_from_db()
    return report


@dataclass(frozen=True)
class Download:
    report: GeneratedReport
    content: bytes
    filename: str


@transaction.atomic(durable=True)
def report_download(
    *, actor: Any, report_id: int, via: str, ip_address: str | None = None
) -> Download:
    """The file of a ready report, with the download recorded (404 outside the jurisdiction)."""
    report = report_get(actor=actor, report_id=report_id)
    if not report.ready:
        raise NotFound("report file not ready")
    with report.file.open("rb") as handle:
        content = handle.read()
    ReportDownload.objects.create(report=report, user=actor, via=via, ip_address=ip_address)
    return Download(report, content, download_name(report))
