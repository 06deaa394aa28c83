"""How the citizen service words a case's status and its public history.

Staff statuses and timeline messages are written for handlers; a citizen gets these plain
sentences instead, and never the message text of an event.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import EventKind
from fengqiao.cases.states import Action, CaseStatus

STATUS_LABEL: dict[str, Promise] = {
    CaseStatus.REGISTERED: _("Received, waiting to be accepted"),
    CaseStatus.ACCEPTED: _("Accepted"),
    CaseStatus.IN_HANDLING: _("Being handled"),
    CaseStatus.ESCALATED: _("Passed to a higher level"),
    CaseStatus.RESOLVED: _("Resolved"),
    CaseStatus.CLOSED: _("Closed"),
    CaseStatus.REFERRED: _("Referred to another procedure"),
    CaseStatus.WITHDRAWN: _("Withdrawn"),
    CaseStatus.MERGED: _("Handled together with another report"),
}

STATUS_EXPLANATION: dict[str, Promise] = {
    CaseStatus.REGISTERED: _(
        "Your report has been received. The responsible unit will accept it shortly."
    ),
    CaseStatus.ACCEPTED: _("The responsible unit has accepted your report and will contact you."),
    CaseStatus.IN_HANDLING: _(
        "Staff or mediators are working on the dispute. They may call you to arrange a meeting."
    ),
    CaseStatus.ESCALATED: _(
        "The dispute needs a higher level's help and has been passed up; it is still being handled."
    ),
    CaseStatus.RESOLVED: _(
        "The dispute has been resolved. You may be called to ask whether you are satisfied."
    ),
    CaseStatus.CLOSED: _("Handling has finished and the case is closed."),
    CaseStatus.REFERRED: _(
        "The dispute is better settled by litigation, arbitration or administrative "
        "reconsideration; the staff have explained the next steps to you."
    ),
    CaseStatus.WITHDRAWN: _("The report was withdrawn."),
    CaseStatus.MERGED: _(
        "Someone else reported the same dispute; both reports are handled as one case."
    ),
}

# What a status change means to the person who reported it.
TRANSITION_TITLE: dict[str, Promise] = {
    CaseStatus.ACCEPTED: _("Accepted by the responsible unit"),
    CaseStatus.IN_HANDLING: _("Handling started"),
    CaseStatus.ESCALATED: _("Passed to a higher level for handling"),
    CaseStatus.RESOLVED: _("Marked resolved"),
    CaseStatus.CLOSED: _("Case closed"),
    CaseStatus.REFERRED: _("Referred to litigation, arbitration or reconsideration"),
    CaseStatus.WITHDRAWN: _("Report withdrawn"),
    CaseStatus.MERGED: _("Joined with another report of the same dispute"),
}

EVENT_TITLE: dict[str, Promise] = {
    EventKind.CREATED: _("Report registered"),
    EventKind.REPORT: _("Another report of the same dispute received"),
    EventKind.ASSIGNMENT: _("Handed to a handling unit"),
    EventKind.NOTE: _("Progress update"),
    EventKind.MEDIATION: _("Mediation"),
    EventKind.DEADLINE: _("Deadline"),
    EventKind.UPDATE: _("Details updated"),
}

REOPENED = _("Reopened for further handling")
UPDATE = _("Update")


def event_title(kind: str, action: str, to_status: str) -> Promise:
    if kind == EventKind.TRANSITION:
        if action == Action.REOPEN:
            return REOPENED
        return TRANSITION_TITLE.get(to_status, UPDATE)
    return EVENT_TITLE.get(kind, UPDATE)
