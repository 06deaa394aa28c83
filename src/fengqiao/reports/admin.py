"""Generated reports in the admin: read-only, scoped by the admin's jurisdiction like the pages."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fengqiao.cases.admin import ReadOnlyAdmin
from fengqiao.reports.models import GeneratedReport, ReportDownload
from fengqiao.reports.selectors import report_queryset


@admin.register(GeneratedReport)
class GeneratedReportAdmin(ReadOnlyAdmin):
    list_display = ("unit", "kind", "period_start", "format", "status", "generated_at", "size")
    list_filter = ("kind", "format", "status", "by_schedule")
    date_hierarchy = "period_start"

    def get_queryset(self, request: HttpRequest) -> QuerySet[GeneratedReport]:
        return report_queryset(request.user).select_related("unit", "requested_by")


@admin.register(ReportDownload)
class ReportDownloadAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "report", "via", "ip_address")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportDownload]:
        return ReportDownload.objects.filter(
            report__in=report_queryset(request.user)
        ).select_related("user", "report")
