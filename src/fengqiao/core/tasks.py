"""Housekeeping jobs of the core app."""

from __future__ import annotations

from datetime import time

from django_tasks import task

from fengqiao.core import schedule


@task()
def prune_schedule(slot_iso: str) -> int:
    """Forget claimed slots older than a month; they only guard against running a slot twice."""
    return schedule.prune_slots()


schedule.register("core.prune_schedule", prune_schedule, daily_at=time(3, 15))
