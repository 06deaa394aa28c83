from __future__ import annotations

from django.contrib import admin

from fengqiao.service_circle.models import CoverageRun


@admin.register(CoverageRun)
class CoverageRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: runs are computed by the worker; deleting one only forces a recomputation."""

    list_display = [
        "mode",
        "minutes",
        "kind",
        "status",
        "requested_at",
        "computed_at",
        "unit_count",
        "sample_count",
        "duration_ms",
    ]
    list_filter = ["mode", "status"]
    readonly_fields = [f.name for f in CoverageRun._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
