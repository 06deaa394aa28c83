"""The case lifecycle: statuses and the only transitions allowed between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted")
    IN_HANDLING = "in_handling", _("In handling")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REFERRED = "referred", _("Referred")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged")


class Action(models.TextChoices):
    """What a user does to a case; each action is one edge (or a few) in the table below."""

    ACCEPT = "accept", _("Accept")
    START = "start", _("Start handling")
    ESCALATE = "escalate", _("Escalate one level up")
    RESOLVE = "resolve", _("Mark resolved")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")
    REFER = "refer", _("Refer to litigation/arbitration/reconsideration")
    WITHDRAW = "withdraw", _("Withdraw")
    MERGE = "merge", _("Merge into another case")


S = CaseStatus
OPEN_STATUSES = frozenset({S.REGISTERED, S.ACCEPTED, S.IN_HANDLING, S.ESCALATED})
FINAL_STATUSES = frozenset({S.CLOSED, S.WITHDRAWN, S.MERGED})

# (action, from) -> to. Anything not listed is illegal and raises a 409 without changing anything.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Action.ACCEPT, S.REGISTERED): S.ACCEPTED,
    (Action.ACCEPT, S.ESCALATED): S.ACCEPTED,
    (Action.START, S.ACCEPTED): S.IN_HANDLING,
    (Action.ESCALATE, S.REGISTERED): S.ESCALATED,
    (Action.ESCALATE, S.ACCEPTED): S.ESCALATED,
    (Action.ESCALATE, S.IN_HANDLING): S.ESCALATED,
    (Action.RESOLVE, S.IN_HANDLING): S.RESOLVED,
    (Action.CLOSE, S.RESOLVED): S.CLOSED,
    (Action.CLOSE, S.REFERRED): S.CLOSED,
    (Action.REOPEN, S.RESOLVED): S.IN_HANDLING,
    (Action.REOPEN, S.CLOSED): S.IN_HANDLING,
    (Action.REFER, S.ACCEPTED): S.REFERRED,
    (Action.REFER, S.IN_HANDLING): S.REFERRED,
    (Action.WITHDRAW, S.REGISTERED): S.WITHDRAWN,
    (Action.WITHDRAW, S.ACCEPTED): S.WITHDRAWN,
    (Action.WITHDRAW, S.IN_HANDLING): S.WITHDRAWN,
    (Action.WITHDRAW, S.ESCALATED): S.WITHDRAWN,
    (Action.MERGE, S.REGISTERED): S.MERGED,
    (Action.MERGE, S.ACCEPTED): S.MERGED,
    (Action.MERGE, S.IN_HANDLING): S.MERGED,
    (Action.MERGE, S.ESCALATED): S.MERGED,
}


def target_status(action: str, current: str) -> str | None:
    return TRANSITIONS.get((action, current))


def actions_from(current: str) -> list[str]:
    return [action for (action, source) in TRANSITIONS if source == current]
