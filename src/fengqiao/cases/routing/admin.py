from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from fengqiao.cases.routing.models import RoutingRule
from fengqiao.cases.routing.services import rule_problems


class RoutingRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = RoutingRule
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        candidate = RoutingRule(
            **{k: v for k, v in cleaned.items() if k in {f.name for f in RoutingRule._meta.fields}}
        )
        for field, message in rule_problems(candidate).items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = RoutingRuleForm
    list_display = ["priority", "name", "lead_level", "lead_department_type", "is_active"]
    list_display_links = ["name"]
    list_editable = ["priority", "is_active"]
    ordering = ["priority"]
    fieldsets = [
        (None, {"fields": ["name", "priority", "is_active", "description"]}),
        (
            "Conditions",
            {
                "fields": [
                    "category_codes",
                    "channel_codes",
                    "risk_colours",
                    "min_people",
                    "min_amount",
                    "cross_region",
                ]
            },
        ),
        (
            "Outcome",
            {
                "fields": [
                    "lead_level",
                    "lead_department_type",
                    "co_department_types",
                    "accept_minutes",
                    "resolve_days",
                    "restrict_visibility",
                ]
            },
        ),
    ]
