"""Who may do what to a case. Roles grant actions; jurisdiction decides on which cases."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.models import Role
from fengqiao.cases.states import Action

REGISTER_ROLES = frozenset(
    {Role.CLERK, Role.GRID_WORKER, Role.MEDIATOR, Role.LIAISON, Role.LEADER, Role.ADMIN}
)

ACTION_ROLES: dict[str, frozenset[str]] = {
    Action.ACCEPT: frozenset({Role.CLERK, Role.MEDIATOR, Role.LIAISON, Role.LEADER, Role.ADMIN}),
    Action.START: frozenset({Role.CLERK, Role.MEDIATOR, Role.LIAISON, Role.LEADER, Role.ADMIN}),
    Action.ESCALATE: frozenset({Role.CLERK, Role.MEDIATOR, Role.LIAISON, Role.LEADER, Role.ADMIN}),
    Action.RESOLVE: frozenset({Role.CLERK, Role.MEDIATOR, Role.LIAISON, Role.LEADER, Role.ADMIN}),
    Action.CLOSE: frozenset({Role.CLERK, Role.MEDIATOR, Role.LEADER, Role.ADMIN}),
    Action.REOPEN: frozenset({Role.LEADER, Role.AUDITOR, Role.ADMIN}),
    Action.REFER: frozenset({Role.CLERK, Role.MEDIATOR, Role.LEADER, Role.ADMIN}),
    Action.WITHDRAW: frozenset({Role.CLERK, Role.MEDIATOR, Role.ADMIN}),
    Action.MERGE: frozenset({Role.CLERK, Role.LEADER, Role.ADMIN}),
}

# Roles whose work needs a party's full ID number, phone and address (registering, mediating,
# revisiting); each unmasked view is still logged. Everyone else sees them masked.
UNMASK_ROLES = frozenset({Role.CLERK, Role.MEDIATOR, Role.LIAISON, Role.AUDITOR, Role.ADMIN})
# Roles that may edit case details and assignments (not the lifecycle).
EDIT_ROLES = frozenset({Role.CLERK, Role.MEDIATOR, Role.LIAISON, Role.LEADER, Role.ADMIN})
# Roles that may set a case's risk colour or name the leading official.
RISK_ROLES = frozenset({Role.CLERK, Role.MEDIATOR, Role.LEADER, Role.ADMIN})


def role_of(user: Any) -> str:
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    return str(getattr(user, "role", ""))


def may_register(user: Any) -> bool:
    return role_of(user) in REGISTER_ROLES


def role_allows(user: Any, action: str) -> bool:
    return role_of(user) in ACTION_ROLES.get(action, frozenset())


def may_unmask(user: Any) -> bool:
    return role_of(user) in UNMASK_ROLES
