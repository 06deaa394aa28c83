from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fengqiao.core.errors import PermissionDenied
from fengqiao.signals.models import Signal, SignalBatch
from fengqiao.signals.permissions import may_read, sees_gridless
from fengqiao.signals.selectors import signal_scope


@admin.register(SignalBatch)
class SignalBatchAdmin(admin.ModelAdmin[SignalBatch]):
    """Batches span territories, so only the roles that see every signal see them."""

    list_display = ("id", "source", "received_at", "count", "duplicates", "evaluated_at")
    list_filter = ("source",)
    readonly_fields = ("source", "received_at", "count", "duplicates", "evaluated_at")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return sees_gridless(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin[Signal]):
    """Read-only: a signal is evidence of what a sensor said; nobody edits one by hand."""

    list_display = ("observed_at", "source", "device_id", "kind", "value", "grid_id", "batch_id")
    list_filter = ("source", "kind")
    search_fields = ("=device_id",)
    show_full_result_count = False  # a count over the whole partitioned table is slow

    def get_queryset(self, request: HttpRequest) -> QuerySet[Signal]:
        queryset = super().get_queryset(request)
        try:
            return queryset.filter(signal_scope(request.user))
        except PermissionDenied:
            return queryset.none()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_read(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
