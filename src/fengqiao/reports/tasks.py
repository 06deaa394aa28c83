"""Report generation on the durable queue: one task per report, and the 06:00 schedule that
produces last week's reports every Monday and last month's on the 1st."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone
from django_tasks import task

from fengqiao.core import schedule
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.reports import periods
from fengqiao.reports.models import ReportKind
from fengqiao.reports.services import report_generate, reports_schedule_period

SCHEDULED_LEVELS = (Level.DISTRICT, Level.TOWNSHIP)


@task()
def report_generate_task(report_id: int) -> str:
    report = report_generate(report_id=report_id)
    return report.status if report is not None else "skipped"


def due_periods(today: date) -> list[tuple[str, periods.Period]]:
    """What the schedule produces on ``today``: the previous ISO week on Mondays, the previous
    month on the first of a month (both when a month starts on a Monday)."""
    due: list[tuple[str, periods.Period]] = []
    if today.weekday() == 0:
        due.append((ReportKind.WEEKLY, periods.previous_week(today)))
    if today.day == 1:
        due.append((ReportKind.MONTHLY, periods.previous_month(today)))
    return due


def scheduled_reports(slot: datetime) -> int:
    units = list(
        OrgUnit.objects.filter(level__in=SCHEDULED_LEVELS, is_active=True).order_by("path")
    )
    queued = 0
    for kind, period in due_periods(timezone.localdate(slot)):
        queued += len(reports_schedule_period(kind=kind, period=period, units=units))
    return queued


@task()
def reports_daily(slot_iso: str) -> int:
    """Runs every morning at 06:00 (the schedule has no weekly rhythm); most days nothing is due."""
    return scheduled_reports(datetime.fromisoformat(slot_iso))


schedule.register("reports.scheduled", reports_daily, daily_at=time(6, 0))
