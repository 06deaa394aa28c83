"""Keeping the statistics current: dirty days every minute, a full rebuild every night.

The nightly rebuild is the safety net for changes that write no timeline event (bulk imports).
"""

from __future__ import annotations

from datetime import time, timedelta

from django_tasks import task

from fengqiao.core import schedule
from fengqiao.metrics.aggregate import REFRESH_BATCH, rebuild, refresh


@task()
def metrics_refresh(slot_iso: str) -> int:
    """Recompute the days marked dirty (in batches until none is left); returns how many."""
    done = 0
    while True:
        batch = refresh()
        done += batch
        if batch < REFRESH_BATCH:
            return done


@task()
def metrics_rebuild(slot_iso: str) -> int:
    return rebuild()["stats"]


schedule.register("metrics.refresh", metrics_refresh, every=timedelta(minutes=1))
schedule.register("metrics.rebuild", metrics_rebuild, daily_at=time(3, 10))
