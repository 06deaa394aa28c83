"""Admin: the employer register (details editable, place and code set by imports) and read-only
indicator values and scores, all limited to the staff member's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import F
from django.http import HttpRequest

from fengqiao.core.admin_scope import JurisdictionScopedAdmin
from fengqiao.labour.models import Employer, IndicatorValue, LabourScore


@admin.register(Employer)
class EmployerAdmin(JurisdictionScopedAdmin):
    scope_path_field = "unit_path"
    list_display = ("name", "kind", "code", "unit", "workers", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "contractor")
    fields = (
        "kind",
        "code",
        "name",
        "industry",
        "address",
        "unit",
        "lng",
        "lat",
        "workers",
        "contractor",
        "contractor_code",
        "is_active",
    )
    # Code, kind and place come from imports, which validate them and resolve the grid.
    readonly_fields = ("kind", "code", "unit", "lng", "lat", "contractor_code")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Employer, form: Any, change: bool) -> None:
        obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["version"])


class _ReadOnly(JurisdictionScopedAdmin):
    scope_path_field = "employer__unit_path"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndicatorValue)
class IndicatorValueAdmin(_ReadOnly):
    list_display = ("employer", "period", "indicator", "value", "source")
    list_filter = ("indicator", "source", "period")
    search_fields = ("employer__name", "employer__code")


@admin.register(LabourScore)
class LabourScoreAdmin(_ReadOnly):
    list_display = ("employer", "period", "score", "colour", "computed_at")
    list_filter = ("colour", "period")
    search_fields = ("employer__name", "employer__code")
