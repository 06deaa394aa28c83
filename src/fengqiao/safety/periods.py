"""Index periods: a month ("2025-03") or a quarter ("2025-Q1"), with their local time bounds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    first_month: int
    months: int  # 1 or 3

    @classmethod
    def parse(cls, text: str) -> Period:
        """A period from its label; ``ValueError`` naming the expected forms otherwise."""
        value = text.strip().upper()
        if match := _MONTH.match(value):
            return cls(int(match[1]), int(match[2]), 1)
        if match := _QUARTER.match(value):
            return cls(int(match[1]), 3 * int(match[2]) - 2, 3)
        raise ValueError("a month such as 2025-03 or a quarter such as 2025-Q1")

    @classmethod
    def month_of(cls, day: date) -> Period:
        return cls(day.year, day.month, 1)

    @property
    def is_quarter(self) -> bool:
        return self.months == 3

    @property
    def label(self) -> str:
        if self.is_quarter:
            return f"{self.year}-Q{(self.first_month + 2) // 3}"
        return f"{self.year}-{self.first_month:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def start_date(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end_date(self) -> date:
        """The first day after the period."""
        month = self.first_month + self.months
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes in the deployment time zone."""
        zone = timezone.get_current_timezone()
        return (
            timezone.make_aware(datetime.combine(self.start_date, time.min), zone),
            timezone.make_aware(datetime.combine(self.end_date, time.min), zone),
        )

    def previous(self) -> Period:
        month = self.first_month - self.months
        if month < 1:
            return Period(self.year - 1, month + 12, self.months)
        return Period(self.year, month, self.months)

    def is_future(self, today: date) -> bool:
        return self.start_date > today


def recent_months(today: date, count: int) -> list[Period]:
    """The ``count`` months up to and including ``today``'s, oldest first."""
    current = Period.month_of(today)
    months = [current]
    for _ in range(count - 1):
        months.append(months[-1].previous())
    return months[::-1]
