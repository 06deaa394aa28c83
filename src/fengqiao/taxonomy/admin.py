from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.taxonomy.importer import department_type_problem, keyword_problem, level_problem
from fengqiao.taxonomy.models import Category, CategoryKind, Channel


class CategoryAdminForm(forms.ModelForm[Category]):
    """Holds hand edits to the rules the importer applies to files."""

    class Meta:
        model = Category
        fields = "__all__"

    def clean_responsible(self) -> dict[str, str]:
        value = self.cleaned_data.get("responsible")
        if value is None or value == "":
            return {}
        if not isinstance(value, dict):
            raise forms.ValidationError(
                _('Enter an object of level to department type, e.g. {"grid": "community"}.')
            )
        problems = [
            problem
            for level, department in value.items()
            for problem in (
                level_problem(level),
                department_type_problem(department)
                if isinstance(department, str)
                else f"{department!r} is not a department type",
            )
            if problem
        ]
        if problems:
            raise forms.ValidationError(problems)
        return value

    def clean_keywords(self) -> list[str]:
        value = self.cleaned_data.get("keywords")
        if value is None or value == "":
            return []
        if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
            raise forms.ValidationError(_('Enter a list of words, e.g. ["欠薪", "讨薪"].'))
        problems = [problem for word in value if (problem := keyword_problem(word))]
        if problems:
            raise forms.ValidationError(problems)
        return list(dict.fromkeys(word.strip() for word in value))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, parent = cleaned.get("kind"), cleaned.get("parent")
        if kind == CategoryKind.MAJOR and parent is not None:
            self.add_error("parent", _("A major category cannot have a parent."))
        elif kind == CategoryKind.MINOR and (parent is None or parent.kind != CategoryKind.MAJOR):
            self.add_error("parent", _("A minor category needs a major category as its parent."))
        if (
            kind == CategoryKind.MINOR
            and self.instance.pk is not None
            and self.instance.children.exists()
        ):
            self.add_error("kind", _("This category still has minor categories under it."))
        return cleaned


class _ActivationActions:
    """Categories and channels are deactivated, never deleted: cases keep pointing at them."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Activate selected"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = queryset.update(is_active=True, updated_at=timezone.now())
        messages.success(request, _("%(count)d activated.") % {"count": count})

    @admin.action(description=_("Deactivate selected"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = queryset.update(is_active=False, updated_at=timezone.now())
        messages.success(request, _("%(count)d deactivated.") % {"count": count})


@admin.register(Category)
class CategoryAdmin(_ActivationActions, admin.ModelAdmin[Category]):
    form = CategoryAdminForm
    list_display = [
        "code", "kind", "name_zh", "name_en", "parent",
        "acceptance_minutes", "resolution_days", "default_risk", "is_active",
    ]  # fmt: skip
    list_display_links = ["code", "name_zh"]
    list_filter = [
        "kind",
        "default_risk",
        "is_active",
        ("parent", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["parent"]
    search_fields = ["code", "name_zh", "name_en"]
    autocomplete_fields = ["parent"]
    ordering = ["sort_order", "code"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["activate", "deactivate"]
    fieldsets = (
        (
            None,
            {"fields": ("code", "kind", "parent", "name_zh", "name_en", "sort_order", "is_active")},
        ),
        (
            _("Handling"),
            {"fields": ("responsible", "acceptance_minutes", "resolution_days", "default_risk")},
        ),
        (_("Intake"), {"fields": ("keywords",)}),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Category], search_term: str
    ) -> tuple[QuerySet[Category], bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The parent autocomplete offers major categories only.
        if (
            request.GET.get("model_name") == "category"
            and request.GET.get("field_name") == "parent"
        ):
            queryset = queryset.filter(kind=CategoryKind.MAJOR)
        return queryset, may_have_duplicates


@admin.register(Channel)
class ChannelAdmin(_ActivationActions, admin.ModelAdmin[Channel]):
    list_display = ["code", "name_zh", "name_en", "is_proactive", "sort_order", "is_active"]
    list_display_links = ["code", "name_zh"]
    list_filter = ["is_proactive", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering = ["sort_order", "code"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["activate", "deactivate"]
