"""How the three boards work: who meets on each colour, at which level, and how often.

The review periods are the one place to change how fresh a review must be for an item to count
as under control; a deployment may override them with ``RISK_REVIEW_PERIOD_DAYS`` in settings.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role
from fengqiao.orgs.models import Level
from fengqiao.taxonomy.models import RiskColour

DEFAULT_REVIEW_PERIOD_DAYS: dict[str, int] = {
    RiskColour.RED: 14,
    RiskColour.ORANGE: 7,
    RiskColour.GREEN: 7,
}

# The level of the unit whose meeting dispatches each colour.
MEETING_LEVEL: dict[str, int] = {
    RiskColour.RED: Level.DISTRICT,
    RiskColour.ORANGE: Level.DISTRICT,
    RiskColour.GREEN: Level.TOWNSHIP,
}

BOARD_TITLES: dict[str, str | Promise] = {
    RiskColour.RED: _("Red board: the district's top leader"),
    RiskColour.ORANGE: _("Orange board: district safety office, weekly"),
    RiskColour.GREEN: _("Green board: township departments, weekly"),
}

BOARD_DESCRIPTIONS: dict[str, str | Promise] = {
    RiskColour.RED: _(
        "Red items are dispatched by the district's top leader in person, at least every "
        "%(days)d days."
    ),
    RiskColour.ORANGE: _(
        "Orange items are dispatched by the district safety office at its weekly meeting "
        "(every %(days)d days)."
    ),
    RiskColour.GREEN: _(
        "Green items are dispatched weekly by the township's departments (every %(days)d days)."
    ),
}

# Roles that may record a dispatch meeting (the board's own people and the centre's clerks).
DISPATCH_ROLES = frozenset({Role.LEADER, Role.CLERK, Role.ADMIN})

# Red dispatch is the top leader's: the chair of a red meeting must be a leader.
CHAIR_ROLES: dict[str, frozenset[str] | None] = {
    RiskColour.RED: frozenset({Role.LEADER}),
    RiskColour.ORANGE: None,
    RiskColour.GREEN: None,
}

COLOURS: tuple[str, ...] = (RiskColour.RED, RiskColour.ORANGE, RiskColour.GREEN)


def review_period(colour: str) -> timedelta:
    configured = getattr(settings, "RISK_REVIEW_PERIOD_DAYS", None) or {}
    days = int(configured.get(colour, DEFAULT_REVIEW_PERIOD_DAYS[colour]))
    return timedelta(days=days)
