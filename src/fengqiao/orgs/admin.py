from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from fengqiao.core.admin_scope import JurisdictionScopedAdmin
from fengqiao.core.errors import DomainError
from fengqiao.orgs.geometry import InvalidGeometry, parse_boundary
from fengqiao.orgs.models import Department, OrgUnit, Station, Stationing
from fengqiao.orgs.services import org_unit_create, org_unit_move, org_unit_set_boundary


class OrgUnitForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = OrgUnit
        fields = [
            "code",
            "name",
            "name_en",
            "level",
            "parent",
            "boundary",
            "population",
            "is_active",
        ]

    def clean_boundary(self) -> Any:
        boundary = self.cleaned_data.get("boundary")
        if boundary:
            try:
                parse_boundary(boundary)
            except InvalidGeometry as exc:
                raise forms.ValidationError(str(exc)) from exc
        return boundary


@admin.register(OrgUnit)
class OrgUnitAdmin(JurisdictionScopedAdmin):
    form = OrgUnitForm
    scope_path_field = "path"
    list_display = ["code", "name", "level", "parent", "population", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        # Paths, centroids and moves are maintained by the services, never by a raw save.
        try:
            if not change:
                created = org_unit_create(
                    code=obj.code,
                    name=obj.name,
                    name_en=obj.name_en,
                    level=obj.level,
                    parent=obj.parent,
                    boundary=obj.boundary,
                    population=obj.population,
                )
                obj.pk, obj.path = created.pk, created.path
                return
            before = OrgUnit.objects.get(pk=obj.pk)
            if obj.parent_id != before.parent_id and obj.parent is not None:
                org_unit_move(unit=before, new_parent=obj.parent)
                obj.path = OrgUnit.objects.get(pk=obj.pk).path
            obj.save(
                update_fields=["code", "name", "name_en", "population", "is_active", "updated_at"]
            )
            if obj.boundary != before.boundary:
                org_unit_set_boundary(unit=obj, boundary=obj.boundary)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


class StationingInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Stationing
    extra = 0
    autocomplete_fields = ["department"]


@admin.register(Department)
class DepartmentAdmin(JurisdictionScopedAdmin):
    list_display = ["name", "department_type", "org_unit", "phone", "is_active"]
    list_filter = ["department_type", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["org_unit"]


class StationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Station
        fields = "__all__"

    def clean_opening_schedule(self) -> Any:
        # The schedule's rules live with the service circle, which computes "open now" from it.
        from fengqiao.service_circle.hours import ScheduleInvalid, parse_schedule

        schedule = self.cleaned_data.get("opening_schedule")
        try:
            parse_schedule(schedule)
        except ScheduleInvalid as exc:
            raise forms.ValidationError([str(issue) for issue in exc.issues]) from exc
        return schedule


@admin.register(Station)
class StationAdmin(JurisdictionScopedAdmin):
    form = StationForm
    list_display = ["name", "kind", "org_unit", "opening_hours", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["org_unit"]
    inlines = [StationingInline]
