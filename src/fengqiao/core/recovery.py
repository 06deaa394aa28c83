"""Tasks whose worker died mid-run are run again.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again; a worker
killed by SIGKILL, the OOM killer or a power cut leaves the task RUNNING for ever, so a deadline
timer or a signal batch would silently never happen. Every ``fengqiao worker`` beats a heartbeat
row (``core.heartbeat``); a RUNNING task whose worker has not beaten for ``STALE_AFTER`` is put back
to READY and some worker runs it again. Our tasks are written to be idempotent (timers keep a
``DeadlineMark``, batches an evaluation mark, schedules a claimed slot), so a second run of a task
that had in fact finished its work changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from fengqiao.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(seconds=60)


def requeue_orphans(now: datetime | None = None) -> int:
    """Put RUNNING tasks of dead workers back in the queue; returns how many."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen_at__gte=now - STALE_AFTER).values_list(
            "worker_id", flat=True
        )
    )
    orphans = [
        task.pk
        for task in DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - STALE_AFTER
        ).only("pk", "worker_ids")
        if not task.worker_ids or task.worker_ids[-1] not in alive
    ]
    if not orphans:
        return 0
    # Only rows still RUNNING: a worker that finished meanwhile keeps its result.
    count = DBTaskResult.objects.filter(pk__in=orphans, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
    if count:
        logger.warning("re-queued %d task(s) left running by a dead worker", count)
    return count
