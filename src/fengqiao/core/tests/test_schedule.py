from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from fengqiao.core import schedule
from fengqiao.core.models import ScheduledSlot

RUNS: list[str] = []


@task()
def _probe(slot_iso: str) -> str:
    RUNS.append(slot_iso)
    return slot_iso


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> dict[str, schedule.Job]:
    registry: dict[str, schedule.Job] = {}
    monkeypatch.setattr(schedule, "_JOBS", registry)
    monkeypatch.setattr(schedule, "_discovered", True)
    return registry


class TestNextSlot:
    def test_interval_slots_align_to_the_epoch(self) -> None:
        job = schedule.Job("j", _probe, every=timedelta(hours=1))
        now = datetime(2026, 11, 25, 10, 20, tzinfo=UTC)
        assert job.next_slot(now) == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
        on_the_hour = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
        assert job.next_slot(on_the_hour) == on_the_hour

    def test_daily_slot_is_today_or_tomorrow_in_local_time(self) -> None:
        job = schedule.Job("j", _probe, daily_at=time(2, 30))
        tz = timezone.get_current_timezone()
        before = datetime(2026, 11, 25, 1, 0, tzinfo=tz)
        after = datetime(2026, 11, 25, 3, 0, tzinfo=tz)
        assert job.next_slot(before) == datetime(2026, 11, 25, 2, 30, tzinfo=tz)
        assert job.next_slot(after) == datetime(2026, 11, 26, 2, 30, tzinfo=tz)

    def test_register_needs_exactly_one_rhythm(self, jobs: dict[str, schedule.Job]) -> None:
        with pytest.raises(ValueError, match="exactly one"):
            schedule.register("x", _probe)
        with pytest.raises(ValueError, match="exactly one"):
            schedule.register("x", _probe, every=timedelta(hours=1), daily_at=time(1))
        with pytest.raises(ValueError, match="at least one minute"):
            schedule.register("x", _probe, every=timedelta(seconds=5))


@pytest.mark.django_db
class TestEnsureScheduled:
    def test_each_slot_is_claimed_and_enqueued_once(self, jobs: dict[str, schedule.Job]) -> None:
        schedule.register("probe", _probe, every=timedelta(hours=1))
        now = datetime(2026, 11, 25, 10, 20, tzinfo=UTC)
        first = schedule.ensure_scheduled(now)
        again = schedule.ensure_scheduled(now + timedelta(minutes=5))
        assert first == [("probe", datetime(2026, 11, 25, 11, 0, tzinfo=UTC))]
        assert again == []
        assert ScheduledSlot.objects.count() == 1
        queued = DBTaskResult.objects.get()
        assert queued.run_after == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
        assert queued.args_kwargs["kwargs"] == {"slot_iso": "2026-11-25T11:00:00+00:00"}

    def test_a_second_worker_racing_for_the_slot_loses(self, jobs: dict[str, schedule.Job]) -> None:
        job = schedule.register("probe", _probe, every=timedelta(hours=1))
        slot = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
        assert schedule.claim(job, slot) is True
        assert schedule.claim(job, slot) is False
        assert DBTaskResult.objects.count() == 1

    def test_the_next_period_is_claimed_after_the_slot_passes(
        self, jobs: dict[str, schedule.Job]
    ) -> None:
        schedule.register("probe", _probe, every=timedelta(hours=1))
        now = datetime(2026, 11, 25, 10, 20, tzinfo=UTC)
        schedule.ensure_scheduled(now)
        later = schedule.ensure_scheduled(now + timedelta(hours=1))
        assert later == [("probe", datetime(2026, 11, 25, 12, 0, tzinfo=UTC))]

    def test_old_slots_are_pruned(self, jobs: dict[str, schedule.Job]) -> None:
        ScheduledSlot.objects.create(job="probe", slot=timezone.now() - timedelta(days=40))
        ScheduledSlot.objects.create(job="probe", slot=timezone.now())
        assert schedule.prune_slots() == 1


def test_apps_register_their_jobs_in_their_tasks_modules() -> None:
    assert "core.prune_schedule" in schedule.jobs()
