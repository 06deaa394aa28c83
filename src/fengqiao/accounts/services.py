"""Creating and changing users."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from fengqiao.accounts.models import Role, User
from fengqiao.core.errors import Conflict, ValidationFailed
from fengqiao.orgs.models import Department, OrgUnit


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    units: Iterable[OrgUnit] = (),
    department: Department | None = None,
    display_name: str = "",
    phone: str = "",
    is_staff: bool | None = None,
    is_superuser: bool = False,
    check_password_strength: bool = True,
) -> User:
    if role not in Role.values:
        raise ValidationFailed(
            gettext("unknown role %(role)s; one of %(roles)s")
            % {"role": role, "roles": ", ".join(Role.values)},
            field="role",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(
            gettext("user %(username)s already exists") % {"username": username}, field="username"
        )
    user = User(
        username=username,
        role=role,
        department=department,
        display_name=display_name,
        phone=phone,
        is_staff=(role == Role.ADMIN) if is_staff is None else is_staff,
        is_superuser=is_superuser,
    )
    if check_password_strength:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed("; ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save()
    unit_list = list(units)
    if not unit_list and not is_superuser:
        raise ValidationFailed(
            gettext("a user needs at least one organisation unit"), field="units"
        )
    user.units.set(unit_list)
    return user
