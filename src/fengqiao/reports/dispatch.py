"""The dispatch-meeting report of one colour (亮牌调度): the unit's board with each item's
"under control" verdict, and what the period's dispatch meetings decided.

Read through :mod:`fengqiao.risk` (boards and selectors) with the requesting user, so the report
shows nothing that person could not see. The file is then readable by anyone whose jurisdiction
covers the unit, so restricted cases (domestic violence) appear only as a count, never by title.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases.selectors import case_queryset
from fengqiao.orgs.models import OrgUnit
from fengqiao.reports.document import INT, TEXT, ReportContent, Section, Table
from fengqiao.reports.periods import Period
from fengqiao.risk.boards import Board, BoardItem, board
from fengqiao.risk.models import DispatchDecision, DispatchMeeting
from fengqiao.risk.selectors import meeting_decisions, meeting_list
from fengqiao.taxonomy.models import RiskColour


def _restricted_case_ids(actor: Any, case_ids: list[int]) -> set[int]:
    if not case_ids:
        return set()
    return set(
        case_queryset(actor).filter(pk__in=case_ids, restricted=True).values_list("pk", flat=True)
    )


def _day(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return f"{timezone.localtime(value):%Y-%m-%d}"
    return f"{value:%Y-%m-%d}"


def _item_row(item: BoardItem) -> list[Any]:
    verdict = _("yes") if item.under_control else _("no")
    why = "；".join(f.message for f in item.failures)
    return [
        item.number,
        item.title,
        item.category,
        item.unit.name if item.unit is not None else "",
        "；".join(item.owners),
        _day(item.last_review_on),
        verdict,
        why,
    ]


def _meetings(*, actor: Any, colour: str, unit: OrgUnit, period: Period) -> list[DispatchMeeting]:
    """Meetings of the colour held in the period by the unit, a unit inside it, or one above it
    (orange dispatch sits at the district, yet decides on a township's items)."""
    held = [
        meeting
        for meeting in meeting_list(actor=actor, colour=colour)
        .filter(held_on__gte=period.start, held_on__lte=period.end)
        .order_by("held_on", "pk")
        if meeting.unit_path.startswith(unit.path) or unit.path.startswith(meeting.unit_path)
    ]
    return held


def _decision_in_unit(
    decision: DispatchDecision, unit: OrgUnit, board_warning_ids: set[int]
) -> bool:
    if decision.case_id is not None and decision.case is not None:
        return decision.case.territory_path.startswith(
            unit.path
        ) or decision.case.lead_unit_path.startswith(unit.path)
    return decision.warning_id in board_warning_ids


def dispatch_content(*, actor: Any, unit: OrgUnit, colour: str, period: Period) -> ReportContent:
    current: Board = board(actor=actor, colour=colour, unit=unit)
    case_ids = [i.pk for i in current.items if i.kind == "case"]
    hidden = _restricted_case_ids(actor, case_ids)
    shown = [i for i in current.items if not (i.kind == "case" and i.pk in hidden)]
    colour_label = RiskColour(colour).label
    content = ReportContent(
        title=_("%(unit)s %(colour)s dispatch-meeting report")
        % {"unit": unit.name, "colour": colour_label},
        subtitle=f"{period.start:%Y-%m-%d} — {period.end:%Y-%m-%d}",
        footer=unit.name,
    )
    content.intro.append(
        _(
            "%(unit)s has %(items)d open %(colour)s item(s): %(cases)d case(s) and %(warnings)d "
            "warning(s); %(controlled)d under control, %(not_controlled)d not under control "
            "(as of %(now)s)."
        )
        % {
            "unit": unit.name,
            "items": len(current.items),
            "colour": colour_label,
            "cases": current.case_count,
            "warnings": current.warning_count,
            "controlled": current.under_control_count,
            "not_controlled": len(current.items) - current.under_control_count,
            "now": f"{timezone.localtime():%Y-%m-%d %H:%M}",
        }
    )
    if hidden:
        content.intro.append(
            _("%(n)d restricted case(s) are counted but not listed.") % {"n": len(hidden)}
        )
    content.sections.append(
        Section(
            heading=_("Board items and their control verdicts"),
            sheet=_("Board"),
            tables=[
                Table(
                    header=[
                        _("Number"),
                        _("Item"),
                        _("Category"),
                        _("Unit"),
                        _("Owners"),
                        _("Last reviewed"),
                        _("Under control"),
                        _("Why not"),
                    ],
                    kinds=[TEXT] * 8,
                    rows=[_item_row(item) for item in shown],
                    widths=[0.2, 0.15, 0.09, 0.09, 0.14, 0.1, 0.07, 0.16],
                )
            ],
            empty_text=_("No open item of this colour."),
        )
    )
    warning_ids = {i.pk for i in current.items if i.kind == "warning"}
    meetings = _meetings(actor=actor, colour=colour, unit=unit, period=period)
    decisions_table = Table(
        header=[_("Held on"), _("Held by"), _("Item"), _("Decision"), _("Owner"), _("Due on")],
        kinds=[TEXT] * 6,
        widths=[0.11, 0.13, 0.2, 0.32, 0.13, 0.11],
    )
    summary = Table(
        header=[_("Held on"), _("Held by"), _("Chair"), _("Decisions"), _("Next review")],
        kinds=[TEXT, TEXT, TEXT, INT, TEXT],
    )
    for meeting in meetings:
        decisions = [
            d
            for d in meeting_decisions(actor=actor, meeting=meeting)
            if _decision_in_unit(d, unit, warning_ids)
        ]
        restricted = _restricted_case_ids(actor, [d.case_id for d in decisions if d.case_id])
        summary.rows.append(
            [
                _day(meeting.held_on),
                meeting.unit.name,
                str(meeting.chair),
                len(decisions),
                _day(meeting.next_review_on),
            ]
        )
        for decision in decisions:
            title = (
                _("(restricted case)") if decision.case_id in restricted else decision.item_title
            )
            owner = str(decision.owner_user) if decision.owner_user else decision.owner_text
            decisions_table.rows.append(
                [
                    _day(meeting.held_on),
                    meeting.unit.name,
                    title,
                    decision.decision,
                    owner,
                    _day(decision.due_on),
                ]
            )
    content.sections.append(
        Section(
            heading=_("Dispatch meetings of the period"),
            sheet=_("Meetings"),
            tables=[summary, decisions_table],
            empty_text=_("No %(colour)s dispatch meeting was held in the period.")
            % {"colour": colour_label},
        )
    )
    return content
