"""Scoped reads of the risk app: who set a case's colour, meetings, and decisions on items.

Cases are read only through :mod:`fengqiao.cases.selectors`; meetings are visible to those whose
jurisdiction covers the meeting's unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.cases.models import EventKind
from fengqiao.cases.selectors import case_queryset
from fengqiao.cases.states import OPEN_STATUSES
from fengqiao.core.errors import NotFound
from fengqiao.risk.models import DispatchDecision, DispatchMeeting


@dataclass(frozen=True)
class ColourSetting:
    """Who gave a case its current colour, when, and why."""

    colour: str
    reason: str
    by: str
    at: datetime | None
    at_registration: bool


def colour_settings(*, actor: Any, case_ids: Iterable[int]) -> dict[int, ColourSetting]:
    """The latest risk-colour event of each case; a case never recoloured has the colour it was
    registered with, set by whoever registered it."""
    ids = list(case_ids)
    if not ids:
        return {}
    rows = (
        case_queryset(actor)
        .filter(pk__in=ids, events__kind=EventKind.RISK)
        .order_by("pk", "-events__at", "-events__pk")
        .values(
            "pk",
            "events__to_status",
            "events__at",
            "events__actor__username",
            "events__actor__display_name",
            "risk_reason",
        )
    )
    found: dict[int, ColourSetting] = {}
    for row in rows:
        if row["pk"] in found:
            continue
        found[row["pk"]] = ColourSetting(
            colour=row["events__to_status"],
            reason=row["risk_reason"],
            by=row["events__actor__display_name"] or row["events__actor__username"] or "",
            at=row["events__at"],
            at_registration=False,
        )
    missing = [pk for pk in ids if pk not in found]
    if missing:
        for first in (
            case_queryset(actor)
            .filter(pk__in=missing)
            .values(
                "pk",
                "risk_colour",
                "risk_reason",
                "created_at",
                "created_by__username",
                "created_by__display_name",
            )
        ):
            found[first["pk"]] = ColourSetting(
                colour=first["risk_colour"],
                reason=first["risk_reason"],
                by=first["created_by__display_name"] or first["created_by__username"] or "",
                at=first["created_at"],
                at_registration=True,
            )
    return found


def colour_setting(*, actor: Any, case_id: int) -> ColourSetting:
    found = colour_settings(actor=actor, case_ids=[case_id])
    if case_id not in found:
        raise NotFound("case not found")
    return found[case_id]


def open_case_counts(*, actor: Any) -> dict[str, int]:
    """Open cases per risk colour in the actor's jurisdiction."""
    rows = (
        case_queryset(actor)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("risk_colour")
        .annotate(n=Count("pk"))
    )
    return {row["risk_colour"]: row["n"] for row in rows}


def meeting_queryset(user: Any) -> QuerySet[DispatchMeeting]:
    return DispatchMeeting.objects.filter(Jurisdiction.of(user).unit_q("unit_path"))


def meeting_list(*, actor: Any, colour: str = "", unit_path: str = "") -> QuerySet[DispatchMeeting]:
    meetings = meeting_queryset(actor).select_related("unit", "chair", "created_by")
    if colour:
        meetings = meetings.filter(colour=colour)
    if unit_path:
        meetings = meetings.filter(unit_path__startswith=unit_path)
    return meetings.annotate(decision_count=Count("decisions")).order_by("-held_on", "-pk")


def meeting_get(*, actor: Any, meeting_id: int) -> DispatchMeeting:
    meeting = (
        meeting_queryset(actor)
        .select_related("unit", "chair", "created_by")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise NotFound("dispatch meeting not found")
    return meeting


def meeting_decisions(*, actor: Any, meeting: DispatchMeeting) -> list[DispatchDecision]:
    """The meeting's decisions the actor may see: those on cases outside the actor's view (a
    restricted case, say) are left out; warnings lie inside the meeting's unit, which the actor
    covers."""
    decisions = list(
        meeting.decisions.select_related("case", "case__category", "owner_user").order_by("pk")
    )
    case_ids = [d.case_id for d in decisions if d.case_id]
    visible = set(case_queryset(actor).filter(pk__in=case_ids).values_list("pk", flat=True))
    return [d for d in decisions if d.case_id is None or d.case_id in visible]


def latest_decisions(
    *, case_ids: Iterable[int] = (), warning_ids: Iterable[int] = ()
) -> dict[str, DispatchDecision]:
    """The most recent decision on each item, keyed ``case:ID`` / ``warning:ID``.

    Callers pass ids they have already read through a scoped selector."""
    found: dict[str, DispatchDecision] = {}
    cases, warnings = list(case_ids), list(warning_ids)
    for field, ids in (("case_id__in", cases), ("warning_id__in", warnings)):
        if not ids:
            continue
        rows = (
            DispatchDecision.objects.filter(**{field: ids})
            .select_related("meeting", "owner_user")
            .order_by("-meeting__held_on", "-meeting__pk", "-pk")
        )
        for decision in rows:
            found.setdefault(decision.item_key, decision)
    return found
