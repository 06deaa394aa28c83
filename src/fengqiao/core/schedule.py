"""Periodic jobs (nightly hotspots, signal retention, scheduled reports) on the durable task queue.

A domain declares a job once, in its ``tasks.py``::

    schedule.register("hotspots.nightly", hotspots_nightly, daily_at=time(2, 30))
    schedule.register("signals.retention", signals_prune, every=timedelta(hours=1))

The worker's heartbeat thread calls :func:`ensure_scheduled` every few seconds: for each job the
next slot is claimed by inserting one ``ScheduledSlot`` row (unique per job and slot) and, only if
that insert won, the task is enqueued with ``run_after`` = the slot, in the same transaction. So
several workers, restarts and clock jitter still run each slot once, and a slot missed while no
worker ran is not replayed a hundred times: only the next one is claimed. The task receives the
slot as an ISO string (``slot_iso``) so it knows which period it covers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task: Any  # a django_tasks Task taking ``slot_iso: str``
    every: timedelta | None = None
    daily_at: time | None = None

    def next_slot(self, now: datetime) -> datetime:
        """The first slot at or after ``now`` (aware; daily slots in the deployment time zone)."""
        if self.every is not None:
            step = int(self.every.total_seconds())
            epoch = int(now.timestamp())
            start = -(-epoch // step) * step
            return datetime.fromtimestamp(start, tz=now.tzinfo or timezone.get_current_timezone())
        assert self.daily_at is not None  # noqa: S101 - register() guarantees one of the two
        local = timezone.localtime(now)
        candidate = local.replace(
            hour=self.daily_at.hour,
            minute=self.daily_at.minute,
            second=self.daily_at.second,
            microsecond=0,
        )
        if candidate < local:
            candidate = timezone.make_aware(
                datetime.combine(candidate.date() + timedelta(days=1), self.daily_at),
                timezone.get_current_timezone(),
            )
        return candidate


_JOBS: dict[str, Job] = {}
_discovered = False


def discover() -> None:
    """Import every app's ``tasks`` module once, where jobs are registered."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True


def register(
    name: str, task: Any, *, every: timedelta | None = None, daily_at: time | None = None
) -> Job:
    if (every is None) == (daily_at is None):
        raise ValueError(f"schedule {name!r}: give exactly one of every= or daily_at=")
    if every is not None and every < timedelta(minutes=1):
        raise ValueError(f"schedule {name!r}: every= must be at least one minute")
    job = Job(name=name, task=task, every=every, daily_at=daily_at)
    _JOBS[name] = job
    return job


def jobs() -> dict[str, Job]:
    discover()
    return dict(_JOBS)


def claim(job: Job, slot: datetime) -> bool:
    """Claim one slot of one job and enqueue its run; ``False`` if it was claimed already."""
    from fengqiao.core.models import ScheduledSlot

    try:
        with transaction.atomic():
            ScheduledSlot.objects.create(job=job.name, slot=slot)
            job.task.using(run_after=slot).enqueue(slot_iso=slot.isoformat())
    except IntegrityError:
        return False
    return True


def ensure_scheduled(now: datetime | None = None) -> list[tuple[str, datetime]]:
    """Claim the next slot of every registered job; returns what this call enqueued."""
    from fengqiao.core.models import ScheduledSlot

    discover()
    now = now or timezone.now()
    claimed: list[tuple[str, datetime]] = []
    for job in _JOBS.values():
        slot = job.next_slot(now)
        if ScheduledSlot.objects.filter(job=job.name, slot=slot).exists():
            continue
        if claim(job, slot):
            logger.info("scheduled %s at %s", job.name, slot.isoformat())
            claimed.append((job.name, slot))
    return claimed


def prune_slots(keep: timedelta = timedelta(days=30)) -> int:
    from fengqiao.core.models import ScheduledSlot

    deleted, _ = ScheduledSlot.objects.filter(slot__lt=timezone.now() - keep).delete()
    return deleted
