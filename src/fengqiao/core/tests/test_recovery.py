from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from fengqiao.core.models import WorkerHeartbeat
from fengqiao.core.recovery import requeue_orphans


@task()
def _work(n: int) -> int:
    return n


def _running(worker: str, *, started_minutes_ago: int) -> DBTaskResult:
    result = _work.enqueue(1)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago)
    )
    return row


@pytest.mark.django_db
class TestRequeueOrphans:
    def test_a_task_of_a_dead_worker_runs_again(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.create(
            worker_id="dead", hostname="h", pid=1, last_seen_at=now - timedelta(minutes=5)
        )
        orphan = _running("dead", started_minutes_ago=5)
        assert requeue_orphans(now) == 1
        assert DBTaskResult.objects.get(pk=orphan.pk).status == "READY"
        assert DBTaskResult.objects.ready().filter(pk=orphan.pk).exists()

    def test_a_task_of_a_live_worker_is_left_alone(self) -> None:
        WorkerHeartbeat.objects.create(
            worker_id="alive", hostname="h", pid=2, last_seen_at=timezone.now()
        )
        busy = _running("alive", started_minutes_ago=10)
        assert requeue_orphans() == 0
        assert DBTaskResult.objects.get(pk=busy.pk).status == "RUNNING"

    def test_a_task_just_claimed_gets_time_for_its_first_heartbeat(self) -> None:
        fresh = _running("starting", started_minutes_ago=0)
        assert requeue_orphans() == 0
        assert DBTaskResult.objects.get(pk=fresh.pk).status == "RUNNING"

    def test_a_worker_killed_without_a_trace_is_dead_too(self) -> None:
        orphan = _running("vanished", started_minutes_ago=3)
        assert requeue_orphans() == 1
        assert DBTaskResult.objects.get(pk=orphan.pk).status == "READY"
