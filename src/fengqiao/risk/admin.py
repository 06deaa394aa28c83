"""Admin views of dispatch meetings are read-only: meetings are recorded from the boards."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fengqiao.cases.admin import ReadOnlyAdmin
from fengqiao.risk.models import DispatchDecision, DispatchMeeting
from fengqiao.risk.selectors import meeting_queryset


class DispatchDecisionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DispatchDecision
    extra = 0
    fields = ("case", "warning_id", "item_title", "decision", "owner_text", "owner_user", "due_on")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DispatchMeeting)
class DispatchMeetingAdmin(ReadOnlyAdmin):
    list_display = ("held_on", "colour", "unit", "chair", "next_review_on")
    list_filter = ("colour",)
    date_hierarchy = "held_on"
    inlines = [DispatchDecisionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DispatchMeeting]:
        return meeting_queryset(request.user).select_related("unit", "chair")
