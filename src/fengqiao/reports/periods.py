"""Report periods: an ISO week (Monday to Sunday) or a calendar month, as inclusive dates.

A period is named by its first day; anything else given for a start is refused rather than
silently moved, so an API caller cannot get a report for a period other than the one asked for.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from fengqiao.core.errors import ValidationFailed

WEEKLY = "weekly"
MONTHLY = "monthly"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted_years(self, years: int) -> Period:
        """The same period ``years`` earlier or later (29 February becomes the 28th)."""

        def move(day: date) -> date:
            year = day.year + years
            return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))

        return Period(move(self.start), move(self.end))


def week_of(day: date) -> Period:
    start = day - timedelta(days=day.weekday())
    return Period(start, start + timedelta(days=6))


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    return Period(start, start.replace(day=calendar.monthrange(day.year, day.month)[1]))


def previous_week(today: date) -> Period:
    return week_of(today - timedelta(days=7))


def previous_month(today: date) -> Period:
    return month_of(today.replace(day=1) - timedelta(days=1))


def period_for(rhythm: str, start: date) -> Period:
    """The weekly or monthly period beginning on ``start`` (422 if it does not begin there)."""
    period = month_of(start) if rhythm == MONTHLY else week_of(start)
    if period.start != start:
        message = (
            _("A monthly report starts on the first day of a month.")
            if rhythm == MONTHLY
            else _("A weekly report starts on a Monday.")
        )
        raise ValidationFailed(message, field="period_start")
    return period


def label(rhythm: str, period: Period) -> str:
    """``2026-W47`` or ``2026-11``: short, sortable, used in file names and lists."""
    if rhythm == MONTHLY:
        return f"{period.start:%Y-%m}"
    year, week, _weekday = period.start.isocalendar()
    return f"{year}-W{week:02d}"
