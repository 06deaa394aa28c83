"""Configuration in the admin: warning rules (validated on save), risk points and devices.
Warnings are read here; they change only through the lifecycle services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.early_warning.models import Device, RiskPoint, Warning, WarningEvent, WarningRule


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin[WarningRule]):
    list_display = (
        "code",
        "name",
        "kind",
        "signal_kind",
        "threshold",
        "colour",
        "deadline_minutes",
        "is_active",
    )
    list_filter = ("kind", "colour", "is_active")
    search_fields = ("code", "name")


class DeviceInline(admin.TabularInline[Device, RiskPoint]):
    model = Device
    extra = 0
    fields = ("device_id", "source", "kind", "last_seen_at", "last_value", "is_active")
    readonly_fields = ("last_seen_at", "last_value")


@admin.register(RiskPoint)
class RiskPointAdmin(admin.ModelAdmin[RiskPoint]):
    list_display = ("code", "name", "point_type", "grid", "last_maintained_on", "is_active")
    list_filter = ("point_type", "is_active")
    search_fields = ("code", "name", "address")
    readonly_fields = ("grid", "version")
    inlines = [DeviceInline]

    def save_model(self, request: HttpRequest, obj: RiskPoint, form: Any, change: bool) -> None:
        from fengqiao.early_warning.points import grid_for

        grid = grid_for(None, obj.lng, obj.lat)
        obj.grid, obj.unit_path = grid, grid.path
        super().save_model(request, obj, form, change)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = ("device_id", "source", "kind", "risk_point", "last_seen_at", "last_value")
    search_fields = ("device_id",)
    raw_id_fields = ("risk_point",)


class WarningEventInline(admin.TabularInline[WarningEvent, Warning]):
    model = WarningEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "message")
    readonly_fields = fields


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin[Warning]):
    list_display = ("pk", "title", "rule", "status", "colour", "assigned_unit", "deadline")
    list_filter = ("status", "colour", "rule")
    search_fields = ("title", "subject_key")
    inlines = [WarningEventInline]

    def has_change_permission(self, request: HttpRequest, obj: Warning | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
