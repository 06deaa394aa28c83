"""Template context for every page: the signed-in user's header and the role-aware menu.

The menu is declared once in :data:`NAV_ITEMS`. A later feature (cases, queues, boards, the
cockpit) adds one :class:`NavItem` naming the roles that see it; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role
from fengqiao.cases.permissions import REGISTER_ROLES


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    # Roles that see the item; ``None`` means every signed-in user.
    roles: frozenset[str] | None = None
    staff_only: bool = False
    # The item is highlighted while the current view's name starts with one of these.
    active_prefixes: tuple[str, ...] = ()

    def visible_to(self, user: Any) -> bool:
        if self.staff_only and not user.is_staff:
            return False
        return self.roles is None or user.role in self.roles or user.is_superuser


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str | Promise
    url: str
    active: bool


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("home", _("Home"), "home", active_prefixes=("home",)),
    NavItem(
        "intake",
        _("Intake"),
        "cases:intake",
        roles=REGISTER_ROLES,
        active_prefixes=("cases:intake",),
    ),
    NavItem(
        "queue",
        _("My queue"),
        "cases:queue_mine",
        roles=frozenset({Role.MEDIATOR, Role.LIAISON, Role.CLERK, Role.GRID_WORKER}),
        active_prefixes=("cases:queue_mine",),
    ),
    NavItem(
        "unit_queue",
        _("Unit queue"),
        "cases:queue_unit",
        roles=frozenset({Role.CLERK, Role.MEDIATOR, Role.LEADER, Role.ADMIN}),
        active_prefixes=("cases:queue_unit",),
    ),
    NavItem(
        "cases",
        _("Cases"),
        "cases:list",
        active_prefixes=("cases:list", "cases:detail", "cases:export"),
    ),
    NavItem(
        "risk",
        _("Risk"),
        "risk:home",
        roles=frozenset(
            {
                Role.LEADER,
                Role.ANALYST,
                Role.ADMIN,
                Role.CLERK,
                Role.MEDIATOR,
                Role.GRID_WORKER,
                Role.LIAISON,
                Role.AUDITOR,
            }
        ),
        active_prefixes=("risk:", "early_warning:", "hotspots:", "labour:", "safety:"),
    ),
    NavItem(
        "reports",
        pgettext_lazy("generated documents", "Reports"),
        "reports:index",
        roles=frozenset({Role.LEADER, Role.ANALYST, Role.ADMIN, Role.AUDITOR, Role.CLERK}),
        active_prefixes=("reports:",),
    ),
    NavItem(
        "revisits",
        _("Revisits"),
        "revisits:queue",
        roles=frozenset({Role.AUDITOR, Role.LEADER, Role.ADMIN}),
        active_prefixes=("revisits:",),
    ),
    NavItem(
        "service_circle",
        _("Service circle"),
        "service_circle:nearest",
        active_prefixes=("service_circle:",),
    ),
    NavItem(
        "cockpit",
        _("Cockpit"),
        "metrics:cockpit",
        roles=frozenset({Role.LEADER, Role.ANALYST, Role.ADMIN, Role.AUDITOR}),
        active_prefixes=("metrics:",),
    ),
    NavItem(
        "org", pgettext_lazy("org browser", "Organisation"), "orgs:tree", active_prefixes=("orgs:",)
    ),
    NavItem("admin", _("Admin"), "admin:index", staff_only=True, active_prefixes=("admin:",)),
)


def nav_links(user: Any, view_name: str) -> list[NavLink]:
    return [
        NavLink(
            key=item.key,
            label=item.label,
            url=reverse(item.url_name),
            active=any(view_name.startswith(prefix) for prefix in item.active_prefixes),
        )
        for item in NAV_ITEMS
        if item.visible_to(user)
    ]


def _lazy(func: Callable[[], Any]) -> Any:
    # Pages rendered for htmx swaps go through context processors too; nothing here runs a
    # query unless the template actually shows the header.
    return SimpleLazyObject(func)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    view_name = (match.view_name or "") if match is not None else ""
    return {
        "current_role": user.role,
        "current_role_label": user.get_role_display(),
        "nav_links": _lazy(lambda: nav_links(user, view_name)),
        # Names only: a unit row otherwise carries its whole boundary polygon.
        "header_units": _lazy(
            lambda: list(
                Jurisdiction.of(user)
                .root_units()
                .only("pk", "name", "name_en", "path")
                .order_by("path")[:3]
            )
        ),
    }
