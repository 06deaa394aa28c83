from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.core.admin_scope import JurisdictionScopedAdmin
from fengqiao.hotspots.models import DailyCaseCount, Hotspot, HotspotRun


class ReadOnlyMixin:
    """Computed tables: rebuilt by runs and the ``hotspots`` command, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DailyCaseCount)
class DailyCaseCountAdmin(ReadOnlyMixin, JurisdictionScopedAdmin):
    scope_path_field = "grid_path"
    list_display = ("day", "grid", "category", "major", "count")
    list_filter = ("day",)
    date_hierarchy = "day"
    list_select_related = ("grid", "category", "major")


@admin.register(HotspotRun)
class HotspotRunAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "created_at",
        "trigger",
        "method",
        "window_end",
        "status",
        "series_evaluated",
        "flagged",
    )
    list_filter = ("status", "trigger", "method")


@admin.register(Hotspot)
class HotspotAdmin(ReadOnlyMixin, JurisdictionScopedAdmin):
    scope_path_field = "grid_path"
    list_display = ("run", "rank", "grid", "category", "explanation", "q_value")
    list_filter = ("run",)
    list_select_related = ("run", "grid", "category")
