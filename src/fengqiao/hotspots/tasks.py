"""Hotspot runs on the durable queue: on demand (one run id) and every night at 02:30."""

from __future__ import annotations

from datetime import datetime, time

from django_tasks import task

from fengqiao.core import schedule
from fengqiao.hotspots.services import hotspot_run_execute, hotspots_nightly_run


@task()
def hotspots_run(run_id: int) -> int:
    """Execute one requested run; returns the number of hotspots found."""
    return hotspot_run_execute(run_id=run_id).flagged


@task()
def hotspots_nightly(slot_iso: str) -> int | None:
    """The nightly run for the week up to yesterday (skipped if that day's run is done)."""
    run = hotspots_nightly_run(slot=datetime.fromisoformat(slot_iso))
    return run.flagged if run is not None else None


schedule.register("hotspots.nightly", hotspots_nightly, daily_at=time(2, 30))
