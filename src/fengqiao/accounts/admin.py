from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ["username", "display_name", "role", "department", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "phone"]
    filter_horizontal = ["units"]
    autocomplete_fields = ["department"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("display_name", "phone", "email")}),
        (_("Role and jurisdiction"), {"fields": ("role", "units", "department")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "password1", "password2", "role", "units", "department"),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return Jurisdiction.of(request.user).users()

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "units":
            kwargs["queryset"] = Jurisdiction.of(request.user).units()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Only a superuser may grant superuser or staff status; others would escalate themselves.
        if request.user.is_superuser:
            return ("last_login", "date_joined")
        return ("last_login", "date_joined", "is_superuser", "is_staff", "groups")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "user", "created_at", "last_used_at"]
    fields = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        return super().get_queryset(request).filter(user__in=Jurisdiction.of(request.user).users())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token's secret can only be shown at issue time: use `fengqiao token`
