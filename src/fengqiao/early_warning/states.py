"""Warning lifecycle: statuses and the only transitions allowed between them.

raised → assigned (to the township, automatically) → verified on site (or dismissed as a false
alarm) → handled → closed with feedback; or converted into a case from any open status before
handling is done.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role


class WarningStatus(models.TextChoices):
    RAISED = "raised", _("Raised")
    ASSIGNED = "assigned", _("Assigned")
    VERIFIED = "verified", _("Verified on site")
    HANDLED = "handled", _("Handled")
    CLOSED = "closed", _("Closed")
    FALSE_ALARM = "false_alarm", _("False alarm")
    CONVERTED = "converted", _("Turned into a case")


class WarningAction(models.TextChoices):
    ASSIGN = "assign", _("Assign")
    VERIFY = "verify", _("Verify on site")
    DISMISS = "dismiss", _("False alarm")
    HANDLE = "handle", _("Record handling")
    CLOSE = "close", _("Close with feedback")
    CONVERT = "convert", _("Turn into a case")


W = WarningStatus
OPEN_STATUSES = frozenset({W.RAISED, W.ASSIGNED, W.VERIFIED, W.HANDLED})
FINAL_STATUSES = frozenset({W.CLOSED, W.FALSE_ALARM, W.CONVERTED})

# (action, from) -> to. Anything else is illegal: a 409 that changes nothing.
TRANSITIONS: dict[tuple[str, str], str] = {
    (WarningAction.ASSIGN, W.RAISED): W.ASSIGNED,
    (WarningAction.VERIFY, W.ASSIGNED): W.VERIFIED,
    (WarningAction.DISMISS, W.ASSIGNED): W.FALSE_ALARM,
    (WarningAction.HANDLE, W.VERIFIED): W.HANDLED,
    (WarningAction.CLOSE, W.HANDLED): W.CLOSED,
    (WarningAction.CONVERT, W.RAISED): W.CONVERTED,
    (WarningAction.CONVERT, W.ASSIGNED): W.CONVERTED,
    (WarningAction.CONVERT, W.VERIFIED): W.CONVERTED,
}

# Who may take each action; jurisdiction then decides on which warnings. Verification is the grid
# worker's job on site; the township's staff handle, close and escalate into a case.
ACTION_ROLES: dict[str, frozenset[str]] = {
    WarningAction.ASSIGN: frozenset({Role.CLERK, Role.LEADER, Role.ADMIN}),
    WarningAction.VERIFY: frozenset({Role.GRID_WORKER, Role.ADMIN}),
    WarningAction.DISMISS: frozenset({Role.GRID_WORKER, Role.ADMIN}),
    WarningAction.HANDLE: frozenset(
        {Role.CLERK, Role.MEDIATOR, Role.LIAISON, Role.GRID_WORKER, Role.LEADER, Role.ADMIN}
    ),
    WarningAction.CLOSE: frozenset({Role.CLERK, Role.LEADER, Role.ADMIN}),
    WarningAction.CONVERT: frozenset({Role.CLERK, Role.LEADER, Role.ADMIN}),
}


def target_status(action: str, current: str) -> str | None:
    return TRANSITIONS.get((action, current))


def actions_from(current: str) -> list[str]:
    return [action for (action, source) in TRANSITIONS if source == current]
