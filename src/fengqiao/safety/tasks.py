"""Background computation of the safety index: after an import, and every night."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone
from django_tasks import task

from fengqiao.core import schedule
from fengqiao.safety.compute import index_compute
from fengqiao.safety.periods import Period


@task()
def safety_index_compute(period: str) -> str:
    """Recompute one period (enqueued by an import of its values)."""
    return index_compute(actor=None, period=period).summary()


def nightly_periods(slot: datetime) -> list[str]:
    """The month under way (its figures move daily) and the one before (late imports, cases
    resolved since); during the first month of a quarter, also the quarter just ended."""
    month = Period.month_of(timezone.localdate(slot))
    periods = [month.previous(), month]
    if month.first_month in (1, 4, 7, 10):
        last = month.previous()
        periods.insert(0, Period(last.year, last.first_month - 2, 3))
    return [p.label for p in periods]


@task()
def safety_index_nightly(slot_iso: str) -> list[str]:
    slot = datetime.fromisoformat(slot_iso)
    return [index_compute(actor=None, period=p).summary() for p in nightly_periods(slot)]


schedule.register("safety.nightly", safety_index_nightly, daily_at=time(3, 40))
