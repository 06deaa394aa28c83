"""Open early warnings as board items, read only through the early-warning app's
``board_warnings`` selector (which applies the viewer's jurisdiction)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.orgs.models import OrgUnit, subtree_range_kwargs

if TYPE_CHECKING:
    from fengqiao.risk.boards import BoardItem


def open_warnings(*, actor: Any, colour: str, unit: OrgUnit | None = None) -> list[Any]:
    # Imported here: the boards sit above early warning and must not pull it in at import time.
    from fengqiao.early_warning.selectors import board_warnings

    warnings = board_warnings(actor, colour)
    if unit is not None:
        warnings = warnings.filter(**subtree_range_kwargs("unit_path", unit.path))
    return list(warnings)


def items(*, actor: Any, colour: str, unit: OrgUnit | None, now: datetime) -> list[BoardItem]:
    from fengqiao.risk.boards import BoardItem

    rows = []
    for warning in open_warnings(actor=actor, colour=colour, unit=unit):
        item = BoardItem(
            kind="warning",
            pk=warning.pk,
            number=f"W-{warning.pk}",
            title=warning.title,
            category=warning.rule.name,
            unit=warning.unit,
            unit_path=warning.unit_path,
            colour=warning.colour,
            reason=warning.explanation,
            # A warning's colour comes from the rule that raised it.
            set_by=_("rule %(code)s") % {"code": warning.rule.code},
            set_at=warning.first_fired_at,
            deadline=warning.deadline,
            url=_warning_url(warning.pk),
            owners=warning_owners(warning),
        )
        if warning.deadline is not None and warning.deadline < now:
            item.overdue_tasks.append(
                _("handling deadline passed (%(deadline)s)")
                % {"deadline": timezone.localtime(warning.deadline).strftime("%Y-%m-%d %H:%M")}
            )
        rows.append(item)
    return rows


def warning_owners(warning: Any) -> list[str]:
    if warning.assigned_unit is None:
        return []
    return [_("Assigned to: %(name)s") % {"name": warning.assigned_unit.name}]


def _warning_url(pk: int) -> str:
    try:
        return reverse("early_warning:detail", args=[pk])
    except NoReverseMatch:
        return ""


def warning_count(*, actor: Any, colour: str) -> int:
    from fengqiao.early_warning.selectors import board_warnings

    return board_warnings(actor, colour).count()
