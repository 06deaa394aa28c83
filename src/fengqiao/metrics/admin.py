"""Statistics are derived data: visible to staff (within their jurisdiction), never edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.core.admin_scope import JurisdictionScopedAdmin
from fengqiao.metrics.models import DailyStat


@admin.register(DailyStat)
class DailyStatAdmin(JurisdictionScopedAdmin):
    scope_path_field = "unit_path"
    list_display = ("day", "unit_path", "kind", "major", "channel", "lead_level", "registered")
    list_filter = ("kind",)
    date_hierarchy = "day"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
