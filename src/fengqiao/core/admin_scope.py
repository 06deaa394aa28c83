"""Admin-site scoping: staff see and edit only what lies in their jurisdiction."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from fengqiao.accounts.jurisdiction import Jurisdiction


class JurisdictionScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin whose rows are filtered by the unit path at ``scope_path_field``."""

    scope_path_field = "org_unit__path"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        return queryset.filter(
            Jurisdiction.of(request.user).unit_q(self.scope_path_field)
        ).distinct()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if (
            db_field.related_model is not None
            and db_field.related_model._meta.label == "orgs.OrgUnit"
        ):
            kwargs["queryset"] = Jurisdiction.of(request.user).units()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if (
            db_field.related_model is not None
            and db_field.related_model._meta.label == "orgs.OrgUnit"
        ):
            kwargs["queryset"] = Jurisdiction.of(request.user).units()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def _in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()
