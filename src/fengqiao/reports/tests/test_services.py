"""Requesting, generating, regenerating, scheduling and downloading reports."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fengqiao.core import schedule
from fengqiao.core.errors import NotFound, PermissionDenied, ValidationFailed
from fengqiao.core.models import ScheduledSlot
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.reports import services
from fengqiao.reports.models import GeneratedReport, ReportDownload, ReportStatus
from fengqiao.reports.periods import (
    WEEKLY,
    Period,
    label,
    month_of,
    previous_month,
    previous_week,
)
from fengqiao.reports.services import (
    report_download,
    report_generate,
    report_request,
    reports_schedule_period,
)
from fengqiao.reports.tasks import due_periods, reports_daily, scheduled_reports
from fengqiao.reports.tests.conftest import History

TASK = "report_generate_task"


def queued_tasks() -> int:
    return DBTaskResult.objects.filter(task_path__endswith=TASK).count()


def ask(history: History, who: str = "a1_clerk", unit: str = "A1", **kw: object) -> list:
    args = {"kind": "weekly", "period_start": history.week.start, "formats": ["pdf"], **kw}
    return report_request(actor=history.user(who), unit_id=history.unit(unit).pk, **args)


class TestReportRequest:
    def test_a_request_queues_one_task_per_format(self, history: History) -> None:
        reports = ask(history, formats=["pdf", "xlsx"])
        assert [r.format for r in reports] == ["pdf", "xlsx"]
        assert all(r.status == ReportStatus.QUEUED for r in reports)
        assert reports[0].period_end == history.week.end
        assert reports[0].requested_by == history.user("a1_clerk")
        assert queued_tasks() == 2

    def test_asking_again_while_queued_adds_no_task(self, history: History) -> None:
        first = ask(history)
        again = ask(history, who="a_leader")
        assert [r.pk for r in again] == [r.pk for r in first]
        assert queued_tasks() == 1

    def test_regenerating_replaces_the_file_of_the_same_report(self, history: History) -> None:
        (report,) = ask(history)
        first = report_generate(report_id=report.pk)
        assert first is not None
        assert first.status == ReportStatus.DONE
        storage, name = first.file.storage, first.file.name
        (again,) = ask(history, who="a_leader")
        assert again.pk == report.pk
        assert again.status == ReportStatus.QUEUED
        second = report_generate(report_id=report.pk)
        assert second is not None
        assert second.status == ReportStatus.DONE
        assert second.file.name == name
        assert second.requested_by == history.user("a_leader")
        assert GeneratedReport.objects.count() == 1
        folder, file = name.rsplit("/", 1)
        stem, suffix = file.rsplit(".", 1)
        # Replaced in place: no second file such as ``weekly-2026-W47_a1b2c3.pdf`` beside it.
        same = [f for f in storage.listdir(folder)[1] if f.startswith(stem) and f.endswith(suffix)]
        assert same == [file]
        assert second.size == len(second.file.read())
        assert len(second.checksum) == 64

    @pytest.mark.parametrize(
        ("kind", "offset", "field"),
        [
            ("weekly", 1, "period_start"),  # a Tuesday
            ("monthly", 0, "period_start"),  # a Monday that is rarely the 1st: see below
            ("yearly", 0, "kind"),
        ],
    )
    def test_bad_periods_and_kinds_are_refused(
        self, history: History, kind: str, offset: int, field: str
    ) -> None:
        start = history.week.start + timedelta(days=offset)
        if kind == "monthly" and start.day == 1:
            start += timedelta(days=1)
        with pytest.raises(ValidationFailed) as refused:
            ask(history, kind=kind, period_start=start)
        assert refused.value.field == field
        assert GeneratedReport.objects.count() == 0

    def test_a_period_in_the_future_is_refused(self, history: History) -> None:
        future = previous_week(timezone.localdate() + timedelta(days=21)).start
        with pytest.raises(ValidationFailed) as refused:
            ask(history, period_start=future)
        assert refused.value.field == "period_start"

    def test_an_unknown_format_is_refused(self, history: History) -> None:
        with pytest.raises(ValidationFailed) as refused:
            ask(history, formats=["docx"])
        assert refused.value.field == "formats"

    def test_a_unit_outside_the_jurisdiction_is_not_found(self, history: History) -> None:
        with pytest.raises(NotFound):
            ask(history, who="a2_clerk", unit="A1")
        with pytest.raises(NotFound):
            ask(history, who="b1_clerk", unit="A")

    @pytest.mark.parametrize("who", ["a1_mediator", "a1a_grid", "a_liaison"])
    def test_other_roles_do_not_produce_reports(self, history: History, who: str) -> None:
        with pytest.raises(PermissionDenied):
            ask(history, who=who)


class TestReportGenerate:
    def test_a_redelivered_task_does_nothing(self, history: History) -> None:
        (report,) = ask(history)
        done = report_generate(report_id=report.pk)
        assert done is not None
        generated_at = done.generated_at
        assert report_generate(report_id=report.pk) is None
        done.refresh_from_db()
        assert done.generated_at == generated_at

    def test_a_failure_is_recorded_on_the_report(
        self, history: History, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        (report,) = ask(history)

        def broken(**_kwargs: object) -> None:
            raise RuntimeError("font missing")

        monkeypatch.setattr(services, "build_content", broken)
        failed = report_generate(report_id=report.pk)
        assert failed is not None
        assert failed.status == ReportStatus.FAILED
        assert "font missing" in failed.error
        assert not failed.file

    def test_a_missing_report_is_not_found(self, history: History) -> None:
        with pytest.raises(NotFound):
            report_generate(report_id=999_999)


class TestSchedule:
    def test_mondays_give_last_week_and_the_first_gives_last_month(self) -> None:
        monday = date(2026, 11, 23)
        assert due_periods(monday) == [("weekly", Period(date(2026, 11, 16), date(2026, 11, 22)))]
        first = date(2026, 12, 1)
        assert due_periods(first) == [("monthly", Period(date(2026, 11, 1), date(2026, 11, 30)))]
        both = date(2025, 12, 1)  # a Monday and the 1st
        assert [kind for kind, _p in due_periods(both)] == ["weekly", "monthly"]
        assert due_periods(date(2026, 11, 25)) == []

    def test_the_job_runs_every_morning_at_six(self) -> None:
        job = schedule.jobs()["reports.scheduled"]
        assert job.daily_at == time(6, 0)
        assert job.task is reports_daily

    def test_each_period_is_produced_once_for_every_district_and_township(
        self, history: History
    ) -> None:
        monday = previous_week(timezone.localdate()).start + timedelta(days=7)
        slot = timezone.make_aware(datetime.combine(monday, time(6)))
        units = OrgUnit.objects.filter(level__in=[Level.DISTRICT, Level.TOWNSHIP]).count()
        expected = units * 2 * len(due_periods(monday))
        assert scheduled_reports(slot) == expected
        assert scheduled_reports(slot) == 0  # again (a retried task): nothing new
        assert GeneratedReport.objects.count() == expected
        assert queued_tasks() == expected
        for report in GeneratedReport.objects.filter(kind="weekly"):
            assert report.by_schedule
            assert report.requested_by is None
            assert report.period_start == history.week.start
        a1 = GeneratedReport.objects.get(unit=history.unit("A1"), kind="weekly", format="pdf")
        done = report_generate(report_id=a1.pk)
        assert done is not None
        assert done.status == ReportStatus.DONE, done.error

    def test_the_slot_is_claimed_once(self, history: History) -> None:
        now = timezone.now()
        first = [name for name, _slot in schedule.ensure_scheduled(now)]
        again = [name for name, _slot in schedule.ensure_scheduled(now)]
        assert "reports.scheduled" in first
        assert "reports.scheduled" not in again
        assert ScheduledSlot.objects.filter(job="reports.scheduled").count() == 1

    def test_a_monthly_run_covers_the_month_before(self, history: History) -> None:
        first = month_of(timezone.localdate()).start
        period = previous_month(first)
        units = list(OrgUnit.objects.filter(pk=history.unit("A1").pk))
        reports_schedule_period(kind="monthly", period=period, units=units)
        report = GeneratedReport.objects.get(format="xlsx")
        assert (report.period_start, report.period_end) == (period.start, period.end)


class TestReportDownload:
    def test_the_download_is_recorded(self, history: History) -> None:
        (report,) = ask(history)
        report_generate(report_id=report.pk)
        got = report_download(actor=history.user("a_leader"), report_id=report.pk, via="web")
        assert got.content.startswith(b"%PDF")
        week = label(WEEKLY, history.week)
        assert got.filename == f"{history.unit('A1').code}-weekly-{week}.pdf"
        download = ReportDownload.objects.get()
        assert download.user == history.user("a_leader")
        assert download.via == "web"

    @pytest.mark.parametrize("who", ["a2_clerk", "b1_clerk", "a1_mediator"])
    def test_others_cannot_download(self, history: History, who: str) -> None:
        (report,) = ask(history)
        report_generate(report_id=report.pk)
        with pytest.raises(NotFound):
            report_download(actor=history.user(who), report_id=report.pk, via="web")
        assert ReportDownload.objects.count() == 0

    def test_a_report_not_yet_generated_is_not_downloadable(self, history: History) -> None:
        (report,) = ask(history)
        with pytest.raises(NotFound):
            report_download(actor=history.user("a1_clerk"), report_id=report.pk, via="web")
