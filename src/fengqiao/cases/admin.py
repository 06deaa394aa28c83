"""Admin views of cases are read-only: every change goes through the services (and the UI)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fengqiao.cases.models import Case, PersonalDataAccess
from fengqiao.cases.selectors import case_queryset


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "title",
        "status",
        "category",
        "risk_colour",
        "lead_unit",
        "resolve_deadline",
        "overdue",
    ]
    list_filter = ["status", "risk_colour", "overdue", "restricted"]
    search_fields = ["number", "title"]
    date_hierarchy = "created_at"
    exclude = ["handlers", "partner_units"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return case_queryset(request.user).select_related("category", "lead_unit")


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    """Who saw unmasked personal data, when, and why: for auditors and administrators."""

    list_display = ["at", "user", "case", "fields", "purpose", "ip_address"]
    list_filter = ["purpose"]
    search_fields = ["user__username", "case__number"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PersonalDataAccess]:
        return (
            super()
            .get_queryset(request)
            .filter(case__in=case_queryset(request.user))
            .select_related("user", "case")
        )
