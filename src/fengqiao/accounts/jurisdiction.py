"""The one place that decides what a user may see.

A user sees the subtrees of the org units they belong to. Cases (later) add what is assigned to
the user or their department; that rule builds on :meth:`Jurisdiction.unit_q` and
``department_id`` here rather than re-deriving scope elsewhere.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import cache, reduce
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q, QuerySet

from fengqiao.orgs.models import Department, OrgUnit, Station, subtree_range_kwargs

if TYPE_CHECKING:
    from fengqiao.accounts.models import User

_NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Jurisdiction:
    user_id: int | None
    unrestricted: bool
    paths: tuple[str, ...]
    department_id: int | None

    @classmethod
    def of(cls, user: Any) -> Jurisdiction:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls(None, False, (), None)
        if user.is_superuser:
            return cls(user.pk, True, (), user.department_id)
        cached: Jurisdiction | None = getattr(user, "_fengqiao_jurisdiction", None)
        if cached is not None:
            return cached
        paths = sorted(_unit_paths(user.pk))
        # A unit inside another of the user's units adds nothing; dropping it keeps the Q short.
        roots: list[str] = []
        for path in paths:
            if not any(path.startswith(root) for root in roots):
                roots.append(path)
        jurisdiction = cls(user.pk, False, tuple(roots), user.department_id)
        user._fengqiao_jurisdiction = jurisdiction
        return jurisdiction

    def unit_q(self, path_field: str = "path") -> Q:
        """Q over any model whose ``path_field`` is an OrgUnit path (e.g. ``"org_unit__path"``)."""
        if self.unrestricted:
            return Q()
        if not self.paths:
            return _NOTHING
        return reduce(operator.or_, (Q(**subtree_range_kwargs(path_field, p)) for p in self.paths))

    def covers_path(self, path: str) -> bool:
        return self.unrestricted or any(path.startswith(root) for root in self.paths)

    def units(self) -> QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(self.unit_q())

    def root_units(self) -> QuerySet[OrgUnit]:
        """The top of what the user sees: their own units, or the root(s) for the unrestricted."""
        if self.unrestricted:
            return OrgUnit.objects.filter(parent__isnull=True)
        return OrgUnit.objects.filter(path__in=self.paths)

    def departments(self) -> QuerySet[Department]:
        scope = self.unit_q("org_unit__path")
        if self.department_id is not None and not self.unrestricted:
            scope |= Q(pk=self.department_id)
        return Department.objects.filter(scope)

    def stations(self) -> QuerySet[Station]:
        return Station.objects.filter(self.unit_q("org_unit__path"))

    def users(self) -> QuerySet[User]:
        from fengqiao.accounts.models import User

        if self.unrestricted:
            return User.objects.all()
        if self.user_id is None:
            return User.objects.none()
        in_scope = User.objects.filter(self.unit_q("units__path")).values("pk")
        return User.objects.filter(Q(pk__in=in_scope) | Q(pk=self.user_id))


def _unit_paths(user_id: int) -> list[str]:
    """The paths of the user's active units. Read on every signed-in request: one statement
    written out from the models' names (the ORM spent longer building it than running it)."""
    with connection.cursor() as cursor:
        cursor.execute(_unit_paths_statement(connection.vendor), [user_id])
        return [row[0] for row in cursor.fetchall()]


@cache
def _unit_paths_statement(vendor: str) -> str:
    from fengqiao.accounts.models import User

    through = User.units.through._meta
    quote = connection.ops.quote_name
    unit_id = quote(through.get_field("orgunit").column)
    user_column = quote(through.get_field("user").column)
    return (
        f"SELECT u.{quote('path')} FROM {quote(OrgUnit._meta.db_table)} u "  # noqa: S608
        f"JOIN {quote(through.db_table)} m ON m.{unit_id} = u.{quote('id')} "
        f"WHERE m.{user_column} = %s AND u.{quote('is_active')}"
    )


def jurisdiction_of(user: Any) -> Jurisdiction:
    return Jurisdiction.of(user)
