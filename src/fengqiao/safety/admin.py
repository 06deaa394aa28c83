"""Admin for the index configuration: dimensions with their indicators, and the settings row.

Validation lives on the models (``clean``) and, for what spans rows, in the inline formset: a
dimension's active indicator weights must add up to 100 %.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from fengqiao.core.admin_scope import JurisdictionScopedAdmin
from fengqiao.safety.config import dimension_weight_problem
from fengqiao.safety.models import Dimension, IndexResult, IndexSettings, Indicator


class IndicatorFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        weights = [
            form.cleaned_data.get("weight") or 0.0
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("is_active")
        ]
        problem = dimension_weight_problem(weights)
        if problem:
            raise ValidationError(problem)


class IndicatorInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Indicator
    formset = IndicatorFormSet
    extra = 0
    fields = (
        "order",
        "code",
        "name_zh",
        "name_en",
        "direction",
        "unit",
        "weight",
        "normalisation",
        "good_value",
        "bad_value",
        "source",
        "is_active",
    )


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name_zh", "name_en", "weight", "order", "is_active")
    list_editable = ("weight", "order", "is_active")
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "code",
        "name_zh",
        "dimension",
        "direction",
        "unit",
        "weight",
        "normalisation",
        "source",
        "is_active",
    )
    list_filter = ("dimension", "direction", "normalisation", "is_active")
    search_fields = ("code", "name_zh", "name_en", "source")
    # Weights are edited per dimension (inline), where their sum can be checked.
    readonly_fields = ("weight",)


@admin.register(IndexSettings)
class IndexSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "red_below", "orange_below", "yellow_below", "negative_bottom_n")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not IndexSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndexResult)
class IndexResultAdmin(JurisdictionScopedAdmin):
    scope_path_field = "unit_path"
    list_display = ("unit", "period", "index", "colour", "rank", "negative")
    list_filter = ("period", "level", "colour", "negative")
    readonly_fields = [f.name for f in IndexResult._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
