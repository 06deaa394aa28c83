"""Background jobs of early warning: the minute sweep (silence, maintenance, case clusters)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django_tasks import task

from fengqiao.core import schedule


@task()
def sweep_warnings(slot_iso: str) -> int:
    """Run the sweep as of its slot, so a late run judges the minute it was meant for."""
    from fengqiao.early_warning.engine import sweep

    return sweep(datetime.fromisoformat(slot_iso))


schedule.register("early_warning.sweep", sweep_warnings, every=timedelta(minutes=1))
