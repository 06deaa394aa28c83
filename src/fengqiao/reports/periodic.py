"""The weekly and monthly report of one unit: headline figures with last year's, breakdowns by
child unit, category and channel, the trend, open cases by colour, overdue and leader-led cases,
and the hotspots of the period.

Every figure comes from :mod:`fengqiao.metrics.services` — the code behind the cockpit page, its
export and its API — so a report and the cockpit agree. Colour counts and case lists describe
the moment the report is generated. Restricted cases (domestic violence) are counted but never
listed: the file is readable by everyone whose jurisdiction covers the unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_list
from fengqiao.hotspots.models import Hotspot, HotspotRun, RunStatus
from fengqiao.hotspots.selectors import hotspot_list, run_list
from fengqiao.metrics import presentation
from fengqiao.metrics import selectors as metrics_selectors
from fengqiao.metrics import services as metrics
from fengqiao.metrics.stats import Figures
from fengqiao.orgs.models import OrgUnit, subtree_range_kwargs
from fengqiao.reports import periods
from fengqiao.reports.document import (
    DELTA_HOURS,
    DELTA_INT,
    DELTA_POINTS,
    HOURS,
    INT,
    MIXED,
    PERCENT,
    TEXT,
    Cell,
    ReportContent,
    Section,
    Table,
)
from fengqiao.taxonomy.models import RiskColour

CASE_LIST_LIMIT = 50
HOTSPOT_LIMIT = 20
TREND_PERIODS = {periods.WEEKLY: 8, periods.MONTHLY: 12}
DELTA_OF = {INT: DELTA_INT, PERCENT: DELTA_POINTS, HOURS: DELTA_HOURS}
# The few figures a breakdown or trend row carries.
COMPACT_KEYS = ("registered", "resolution_rate", "one_time_rate", "overdue", "satisfaction")


def metric_label(key: str) -> str:
    """The cockpit's label of a figure, so a report reads like the page."""
    return str(presentation.LABELS.get(key, key))


def metric_kind(key: str) -> str:
    if key in presentation.RATES:
        return PERCENT
    return INT if key in presentation.COUNTS else HOURS


def metric_cell(key: str, value: float | None) -> Cell:
    """The raw value for the spreadsheet, the cockpit's text for the PDF."""
    return Cell(value, metric_kind(key), presentation.display(key, value))


def headline_rows(figures: Figures) -> list[list[Any]]:
    """One row per metric: value, numerator, denominator, last year's value and the change."""
    rows: list[list[Any]] = []
    for key, metric in figures.items():
        kind = metric_kind(key)
        rows.append(
            [
                metric_label(key),
                metric_cell(key, metric.value),
                metric.numerator if kind == PERCENT else None,
                metric.denominator if kind == PERCENT else None,
                metric_cell(key, metric.last_year),
                Cell(metric.change, DELTA_OF[kind], presentation.display_change(key, metric)),
            ]
        )
    return rows


def _headline(figures: Figures, period: periods.Period) -> Section:
    last = period.shifted_years(-1)
    return Section(
        heading=_("Headline figures"),
        sheet=_("Figures"),
        paragraphs=[
            _(
                "Rates are shares of the cases registered in the period; the change is the "
                "difference from the same period last year (%(start)s – %(end)s), in "
                "percentage points for rates."
            )
            % {"start": f"{last.start:%Y-%m-%d}", "end": f"{last.end:%Y-%m-%d}"}
        ],
        tables=[
            Table(
                header=[
                    _("Figure"),
                    _("Value"),
                    _("Numerator"),
                    _("Denominator"),
                    _("Same period last year"),
                    _("Change on last year"),
                ],
                kinds=[TEXT, MIXED, INT, INT, MIXED, MIXED],
                rows=headline_rows(figures),
                widths=[0.3, 0.12, 0.14, 0.14, 0.16, 0.14],
            )
        ],
    )


def _compact_table(first: str, rows: Iterable[tuple[str, Figures]]) -> Table:
    return Table(
        header=[first, *(metric_label(k) for k in COMPACT_KEYS)],
        kinds=[TEXT, *(MIXED for _k in COMPACT_KEYS)],
        rows=[
            [name, *(metric_cell(k, getattr(figures, k).value) for k in COMPACT_KEYS)]
            for name, figures in rows
        ],
    )


def _breakdowns(*, actor: Any, unit: OrgUnit, period: periods.Period) -> list[Section]:
    sections = []
    for by, heading, sheet, first in (
        ("child", _("By unit below"), _("By unit"), _("Unit")),
        ("category", _("By category"), _("By category"), _("Category")),
        ("channel", _("By channel"), _("By channel"), _("Channel")),
    ):
        rows = metrics.breakdown(actor=actor, unit=unit, start=period.start, end=period.end, by=by)
        sections.append(
            Section(
                heading=heading,
                sheet=sheet,
                tables=[_compact_table(first, ((r.label, r.figures) for r in rows))],
                empty_text=_("No case in the period."),
            )
        )
    return sections


def trend_window(rhythm: str, period: periods.Period) -> periods.Period:
    """The last 8 weeks or 12 months, ending with the report's period."""
    count = TREND_PERIODS[rhythm]
    if rhythm == periods.MONTHLY:
        start = period.start
        for _step in range(count - 1):
            start = periods.previous_month(start).start
        return periods.Period(start, period.end)
    return periods.Period(period.start - timedelta(weeks=count - 1), period.end)


def _point_label(rhythm: str, start: date) -> str:
    period = periods.month_of(start) if rhythm == periods.MONTHLY else periods.week_of(start)
    return periods.label(rhythm, period)


def _trend(*, actor: Any, unit: OrgUnit, rhythm: str, period: periods.Period) -> Section:
    window = trend_window(rhythm, period)
    grain = "month" if rhythm == periods.MONTHLY else "week"
    points = metrics.trend(actor=actor, unit=unit, start=window.start, end=window.end, grain=grain)
    return Section(
        heading=_("Trend"),
        sheet=_("Trend"),
        tables=[
            _compact_table(
                _("Period"),
                ((_point_label(rhythm, p.start), p.figures) for p in points),
            )
        ],
        empty_text=_("No case in the period."),
    )


def _case_row(case: Case) -> list[Any]:
    return [
        case.number,
        case.title,
        case.category.name,
        case.territory.name if case.territory_id else "",
        str(case.leader) if case.leader_id else "",
        f"{timezone.localtime(case.resolve_deadline):%Y-%m-%d}",
        RiskColour(case.risk_colour).label,
    ]


def _case_section(heading: str, sheet: str, cases: Any, empty: str) -> Section:
    listed = list(cases.filter(restricted=False).select_related("leader")[:CASE_LIST_LIMIT])
    total = cases.count()
    paragraphs = [_("%(n)d case(s) in all.") % {"n": total}]
    if total > len(listed):
        paragraphs.append(
            _("Listed: %(shown)d, nearest deadline first; restricted cases are not listed.")
            % {"shown": len(listed)}
        )
    return Section(
        heading=heading,
        sheet=sheet,
        paragraphs=paragraphs if total else [],
        tables=[
            Table(
                header=[
                    _("Number"),
                    _("Title"),
                    _("Category"),
                    _("Place"),
                    _("Leading official"),
                    _("Deadline"),
                    _("Colour"),
                ],
                kinds=[TEXT] * 7,
                rows=[_case_row(c) for c in listed],
                widths=[0.23, 0.21, 0.12, 0.12, 0.11, 0.12, 0.09],
            )
        ],
        empty_text=empty,
    )


def _colours(*, actor: Any, unit: OrgUnit, now_text: str) -> Section:
    # The cockpit's own counts, so the report and the page agree.
    counts = metrics_selectors.colour_counts(actor=actor, unit=unit)
    rows: list[list[Any]] = [[c.label, counts.get(c.value, 0)] for c in RiskColour]
    rows.append([_("Overdue"), counts.get("overdue", 0)])
    rows.append([_("Led by a leader"), counts.get("leader_led", 0)])
    return Section(
        heading=_("Open cases by risk colour"),
        sheet=_("Colours"),
        paragraphs=[_("As of %(now)s.") % {"now": now_text}],
        tables=[
            Table(
                header=[_("Open cases"), _("Count")],
                kinds=[TEXT, INT],
                rows=rows,
                widths=[0.5, 0.5],
            )
        ],
    )


def period_run(period: periods.Period) -> HotspotRun | None:
    """The latest finished hotspot run whose window overlaps the period."""
    for run in run_list(limit=60):
        if (
            run.status == RunStatus.DONE
            and run.window_start <= period.end
            and run.window_end >= period.start
        ):
            return run
    return None


def _hotspot_row(hotspot: Hotspot) -> list[Any]:
    return [
        hotspot.grid.name,
        hotspot.category.name,
        hotspot.observed,
        round(hotspot.expected, 1),
        hotspot.explanation,
    ]


def _hotspots(*, actor: Any, unit: OrgUnit, period: periods.Period) -> Section:
    run = period_run(period)
    rows: list[list[Any]] = []
    paragraphs: list[str] = []
    if run is not None:
        paragraphs.append(
            _("Hotspot run of %(start)s – %(end)s.")
            % {"start": f"{run.window_start:%Y-%m-%d}", "end": f"{run.window_end:%Y-%m-%d}"}
        )
        rows = [
            _hotspot_row(h) for h in hotspot_list(actor=actor, run=run, unit=unit)[:HOTSPOT_LIMIT]
        ]
    return Section(
        heading=_("Hotspots of the period"),
        sheet=_("Hotspots"),
        paragraphs=paragraphs,
        tables=[
            Table(
                header=[_("Grid"), _("Category"), _("Cases"), _("Expected"), _("Explanation")],
                kinds=[TEXT, TEXT, INT, HOURS, TEXT],
                rows=rows,
                widths=[0.16, 0.16, 0.1, 0.1, 0.48],
            )
        ],
        empty_text=_("No hotspot was found in the period."),
    )


def periodic_content(
    *, actor: Any, unit: OrgUnit, rhythm: str, period: periods.Period
) -> ReportContent:
    figures = metrics.unit_figures(actor=actor, unit=unit, start=period.start, end=period.end)
    now_text = f"{timezone.localtime():%Y-%m-%d %H:%M}"
    label = periods.label(rhythm, period)
    title = (
        _("%(unit)s monthly report") if rhythm == periods.MONTHLY else _("%(unit)s weekly report")
    ) % {"unit": unit.name}
    content = ReportContent(
        title=title,
        subtitle=f"{label} · {period.start:%Y-%m-%d} — {period.end:%Y-%m-%d}",
        footer=unit.name,
    )
    content.intro.append(
        _(
            "%(unit)s registered %(registered)s case(s) from %(start)s to %(end)s; resolution "
            "rate %(rate)s. Generated %(now)s."
        )
        % {
            "unit": unit.name,
            "registered": presentation.display("registered", figures.registered.value),
            "start": f"{period.start:%Y-%m-%d}",
            "end": f"{period.end:%Y-%m-%d}",
            "rate": presentation.display("resolution_rate", figures.resolution_rate.value),
            "now": now_text,
        }
    )
    content.sections.append(_headline(figures, period))
    content.sections += _breakdowns(actor=actor, unit=unit, period=period)
    content.sections.append(_trend(actor=actor, unit=unit, rhythm=rhythm, period=period))
    content.sections.append(_colours(actor=actor, unit=unit, now_text=now_text))
    # Placed by where they happened, as the cockpit's counts are.
    open_cases = case_list(actor=actor, open_only=True, order="deadline").filter(
        **subtree_range_kwargs("territory_path", unit.path)
    )
    late = Q(overdue=True) | Q(resolve_deadline__lte=timezone.now())
    content.sections.append(
        _case_section(
            _("Overdue cases"),
            _("Overdue"),
            open_cases.filter(late),
            _("No open case is overdue."),
        )
    )
    content.sections.append(
        _case_section(
            _("Cases led by a leader"),
            _("Leader-led"),
            open_cases.filter(leader__isnull=False),
            _("No open case is led by a leader."),
        )
    )
    content.sections.append(_hotspots(actor=actor, unit=unit, period=period))
    return content
