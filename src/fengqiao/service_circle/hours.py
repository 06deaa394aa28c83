"""Weekly opening hours of a station, and "open now" in the deployment time zone.

A schedule is stored as JSON on ``orgs.Station.opening_schedule``: each day names its opening
intervals, as local wall-clock times::

    {"mon": [["09:00", "12:00"], ["14:00", "17:30"]], "sat": [["20:00", "02:00"]]}

An interval whose end is not after its start runs past midnight: Saturday 20:00 to Sunday 02:00
above. "24:00" ends a day; ``[["00:00", "24:00"]]`` is open all day. A day left out is closed;
``null`` means the hours were never recorded (neither open nor closed is known).

This module is pure (no models), so the orgs admin can validate with it too.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
MAX_INTERVALS_PER_DAY = 6


@dataclass(frozen=True)
class ScheduleIssue:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ScheduleInvalid(ValueError):
    def __init__(self, issues: list[ScheduleIssue]) -> None:
        super().__init__("; ".join(str(i) for i in issues))
        self.issues = issues


# weekday (0 = Monday) -> intervals as (start, end) minutes since midnight; end <= start: overnight.
Schedule = dict[int, tuple[tuple[int, int], ...]]


def _minutes(text: Any) -> int | None:
    if not isinstance(text, str):
        return None
    match = _TIME.match(text.strip())
    if match is None:
        return None
    value = int(match[1]) * 60 + int(match[2])
    return value if value <= DAY_MINUTES else None


def parse_schedule(value: Any) -> Schedule | None:
    """The schedule behind the stored JSON (``None`` when hours are not recorded).

    Raises :class:`ScheduleInvalid` naming every problem as ``day[n]: message``.
    """
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ScheduleInvalid([ScheduleIssue("schedule", "must map days (mon…sun) to intervals")])
    issues: list[ScheduleIssue] = []
    schedule: Schedule = {}
    for key in value:
        if key not in DAYS:
            issues.append(ScheduleIssue(str(key), "unknown day; use mon, tue, … sun"))
    for weekday, day in enumerate(DAYS):
        raw = value.get(day, [])
        if not isinstance(raw, list) or len(raw) > MAX_INTERVALS_PER_DAY:
            issues.append(
                ScheduleIssue(day, f"must be a list of at most {MAX_INTERVALS_PER_DAY} intervals")
            )
            continue
        intervals: list[tuple[int, int]] = []
        for n, pair in enumerate(raw, start=1):
            where = f"{day}[{n}]"
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                issues.append(ScheduleIssue(where, 'must be ["HH:MM", "HH:MM"]'))
                continue
            start, end = _minutes(pair[0]), _minutes(pair[1])
            if start is None or end is None:
                issues.append(ScheduleIssue(where, "times must be HH:MM between 00:00 and 24:00"))
            elif start == DAY_MINUTES:
                issues.append(ScheduleIssue(where, "an interval cannot start at 24:00"))
            elif start == end:
                issues.append(ScheduleIssue(where, "start and end are the same time"))
            else:
                intervals.append((start, end))
        intervals.sort()
        # The part of an interval before midnight is [start, end) or [start, 24:00).
        spans = [(s, e if e > s else DAY_MINUTES) for s, e in intervals]
        for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
            if s2 < e1:
                issues.append(ScheduleIssue(day, f"intervals overlap at {_clock(s2)}"))
        if intervals:
            schedule[weekday] = tuple(intervals)
    if issues:
        raise ScheduleInvalid(issues)
    return schedule


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def is_open_at(schedule: Schedule | None, when: datetime) -> bool | None:
    """Whether the station is open at ``when`` (aware; judged on local wall-clock time).

    ``None`` when the hours are unknown. An overnight interval of the day before counts.
    """
    if schedule is None:
        return None
    local = timezone.localtime(when)
    weekday, minute = local.weekday(), local.hour * 60 + local.minute
    for start, end in schedule.get(weekday, ()):
        if start <= minute < (end if end > start else DAY_MINUTES):
            return True
    return any(end <= start and minute < end for start, end in schedule.get((weekday - 1) % 7, ()))


def day_text(schedule: Schedule | None, weekday: int) -> str:
    """The day's intervals as "09:00–12:00, 14:00–17:30" ("" when closed or unknown)."""
    if schedule is None:
        return ""
    return ", ".join(f"{_clock(s)}–{_clock(e)}" for s, e in schedule.get(weekday, ()))
