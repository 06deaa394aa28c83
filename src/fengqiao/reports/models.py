"""Generated report files (weekly, monthly, dispatch-meeting) and the record of their downloads.

One row per unit, kind, period and format: generating the same report again replaces its file
in place, so a list never shows two versions of one report.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.models import TimestampedModel


def report_storage() -> Storage:
    """Files live under the deployment's ``var/reports`` (beside the database and secret key),
    never under static files: every download goes through a scoped view."""
    return FileSystemStorage(location=settings.CONFIG.var_dir / "reports")


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly report")
    MONTHLY = "monthly", _("Monthly report")
    DISPATCH_RED = "dispatch-red", _("Red dispatch-meeting report")
    DISPATCH_ORANGE = "dispatch-orange", _("Orange dispatch-meeting report")
    DISPATCH_GREEN = "dispatch-green", _("Green dispatch-meeting report")

    @classmethod
    def dispatch_colour(cls, kind: str) -> str:
        """``"red"`` for ``dispatch-red``; empty for the weekly and monthly reports."""
        return kind.removeprefix("dispatch-") if kind.startswith("dispatch-") else ""


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"


CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class GeneratedReport(TimestampedModel):
    unit = models.ForeignKey(
        "orgs.OrgUnit", models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    # Copied so that the jurisdiction filter is one index range, as for cases and meetings.
    unit_path = models.CharField(max_length=24, editable=False, db_index=True)
    kind = models.CharField(_("report"), max_length=16, choices=ReportKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    file = models.FileField(_("file"), storage=report_storage, max_length=200, blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    # Empty when the schedule produced the report.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    by_schedule = models.BooleanField(_("by schedule"), default=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")
        ordering = ["-period_start", "kind", "format", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "period_start", "format"],
                name="reports_one_file_per_unit_kind_period_format",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="reports_period_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["unit_path", "period_start"], name="reports_path_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%Y-%m-%d} {self.format}"

    @property
    def ready(self) -> bool:
        return self.status == ReportStatus.DONE and bool(self.file)

    @property
    def in_progress(self) -> bool:
        return self.status in {ReportStatus.QUEUED, ReportStatus.RUNNING}

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[ReportFormat(self.format)]


class ReportDownload(models.Model):
    """Who downloaded which report when: reports carry case titles and unit figures."""

    report = models.ForeignKey(GeneratedReport, models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    via = models.CharField(max_length=8)  # "web" or "api"
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("report download")
        verbose_name_plural = _("report downloads")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report_id} by {self.user_id} at {self.at:%Y-%m-%d %H:%M}"
