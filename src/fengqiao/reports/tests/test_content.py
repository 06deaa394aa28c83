"""The weekly, monthly and dispatch-meeting reports: what the PDF says and what the spreadsheet
holds, against the metrics service and against figures counted by hand."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from fengqiao.metrics.presentation import display
from fengqiao.metrics.services import unit_figures
from fengqiao.metrics.stats import METRIC_KEYS
from fengqiao.reports.document import PERCENT
from fengqiao.reports.models import GeneratedReport, ReportStatus
from fengqiao.reports.periodic import metric_kind, metric_label
from fengqiao.reports.periods import month_of
from fengqiao.reports.services import report_generate, report_request
from fengqiao.reports.tests.conftest import History, pdf_text, xlsx_sheets
from fengqiao.risk.models import DispatchDecision, DispatchMeeting


def generate(history: History, who: str, unit: str, kind: str, start: Any, fmt: str) -> bytes:
    (report,) = report_request(
        actor=history.user(who),
        unit_id=history.unit(unit).pk,
        kind=kind,
        period_start=start,
        formats=[fmt],
    )
    done = report_generate(report_id=report.pk)
    assert done is not None
    assert done.status == ReportStatus.DONE, done.error
    with done.file.open("rb") as handle:
        return handle.read()


def loose(text: str) -> str:
    """A pattern for text the PDF may wrap across lines."""
    return r"\s*".join(re.escape(word) for word in text.split())


def headline_rows(sheets: dict[str, list[tuple[Any, ...]]]) -> dict[Any, tuple[Any, ...]]:
    with translation.override("zh-hans"):
        heading = gettext("Headline figures")
    (rows,) = [rows for rows in sheets.values() if rows[0][0] == heading]
    return {row[0]: row for row in rows if row and row[0]}


def labels() -> dict[str, str]:
    with translation.override("zh-hans"):
        return {key: metric_label(key) for key in METRIC_KEYS}


class TestWeeklyReport:
    def test_the_pdf_names_the_unit_and_states_every_figure_of_the_metrics(
        self, history: History
    ) -> None:
        text = pdf_text(generate(history, "a_leader", "A1", "weekly", history.week.start, "pdf"))
        assert "胜利路街道" in text
        figures = unit_figures(
            actor=history.user("a_leader"),
            unit=history.unit("A1"),
            start=history.week.start,
            end=history.week.end,
        )
        names = labels()
        for key, metric in figures.items():
            shown, last = display(key, metric.value), display(key, metric.last_year)
            pattern = loose(names[key]) + r"\s*" + re.escape(shown) + r"(?=\s)"
            assert re.search(pattern, text), (key, shown)
            last_pattern = pattern + r"[\s\S]{0,40}?" + re.escape(last) + r"(?=\s)"
            assert re.search(last_pattern, text), (key, last)

    def test_the_figures_are_those_counted_by_hand(self, history: History) -> None:
        text = pdf_text(generate(history, "a_leader", "A1", "weekly", history.week.start, "pdf"))
        names = labels()
        # Four A1 cases last week (the restricted one counts); two resolved, of which only the
        # one never escalated is a one-time resolution; two past their deadline. A year
        # earlier: two registered, one resolved.
        expected = {
            "registered": ("4", "2"),
            "resolution_rate": ("50.0%", "50.0%"),
            "one_time_rate": ("50.0%", "100.0%"),
            "overdue": ("2", "0"),
        }
        for key, (now, last_year) in expected.items():
            assert re.search(
                loose(names[key]) + r"\s*" + re.escape(now) + r"[\s\S]{0,40}?" + last_year, text
            ), key
        assert "龙塔" not in text  # B1's case is not A1's

    def test_restricted_cases_are_counted_but_never_listed(self, history: History) -> None:
        text = pdf_text(generate(history, "a_leader", "A1", "weekly", history.week.start, "pdf"))
        compact = re.sub(r"\s", "", text)
        assert history.overdue.number in compact
        assert history.restricted.number not in compact
        assert "家庭暴力" not in text

    def test_the_spreadsheet_cells_equal_the_metrics(self, history: History) -> None:
        sheets = xlsx_sheets(
            generate(history, "a_leader", "A1", "weekly", history.week.start, "xlsx")
        )
        figures = unit_figures(
            actor=history.user("a_leader"),
            unit=history.unit("A1"),
            start=history.week.start,
            end=history.week.end,
        )
        names = labels()
        rows = headline_rows(sheets)
        for key, metric in figures.items():
            row = rows[names[key]]
            assert row[1] == metric.value, key
            assert row[4] == metric.last_year, key
            if metric_kind(key) == PERCENT:
                assert (row[2], row[3]) == (metric.numerator, metric.denominator), key
        assert rows[names["registered"]][1] == 4
        assert rows[names["resolution_rate"]][1] == pytest.approx(0.5)
        first_sheet = next(iter(sheets.values()))
        assert any("胜利路街道" in str(row[0]) for row in first_sheet)

    def test_the_breakdown_by_unit_below_lists_each_village(self, history: History) -> None:
        text = pdf_text(generate(history, "a_leader", "A1", "weekly", history.week.start, "pdf"))
        # The cases lie in 红旗社区 (A1a); 双竹村 (A1b) has none.
        assert re.search(r"红旗社区\s*4\s*50\.0%", text)
        assert re.search(r"双竹村\s*0", text)


class TestMonthlyReport:
    def test_the_month_is_reported_with_its_own_figures(self, history: History) -> None:
        month = month_of(history.week.start)
        data = generate(history, "a_analyst", "A", "monthly", month.start, "xlsx")
        sheets = xlsx_sheets(data)
        figures = unit_figures(
            actor=history.user("a_analyst"),
            unit=history.unit("A"),
            start=month.start,
            end=month.end,
        )
        rows = headline_rows(sheets)
        assert rows[labels()["registered"]][1] == figures.registered.value
        assert figures.registered.value is not None
        assert figures.registered.value >= 4
        first_sheet = next(iter(sheets.values()))
        assert any("永川区" in str(row[0]) for row in first_sheet)


class TestDispatchReport:
    def test_the_red_report_gives_verdicts_and_the_meetings_decisions(
        self, history: History
    ) -> None:
        leader = history.user("a_leader")
        meeting = DispatchMeeting.objects.create(
            colour="red",
            unit=history.unit("A"),
            unit_path=history.unit("A").path,
            held_on=history.week.start + timedelta(days=2),
            chair=leader,
            next_review_on=history.week.start + timedelta(days=9),
            created_by=leader,
        )
        DispatchDecision.objects.create(
            meeting=meeting,
            case=history.overdue,
            item_title=history.overdue.title,
            decision="区人社局牵头三日内协调支付",
        )
        DispatchDecision.objects.create(
            meeting=meeting,
            case=history.b1,
            item_title=history.b1.title,
            decision="龙塔街道自行处理",
        )
        text = pdf_text(
            generate(history, "a_leader", "A1", "dispatch-red", history.week.start, "pdf")
        )
        compact = re.sub(r"\s", "", text)
        assert "胜利路街道" in text
        assert history.overdue.number in compact
        assert "区人社局牵头三日内协调支付" in compact
        assert "龙塔街道自行处理" not in text  # a decision on another township's case
        assert GeneratedReport.objects.get().kind == "dispatch-red"

    def test_without_meetings_the_report_says_so(self, history: History) -> None:
        data = generate(history, "a1_clerk", "A1", "dispatch-green", history.week.start, "xlsx")
        cells = [c for rows in xlsx_sheets(data).values() for row in rows for c in row if c]
        assert not any("区人社局" in str(c) for c in cells)
        assert history.overdue.number not in [str(c) for c in cells]  # red, not green
