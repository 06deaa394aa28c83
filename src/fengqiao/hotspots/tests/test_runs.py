"""Hotspot runs end to end: requested, queued, executed by the task, nightly, idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fengqiao.core import schedule
from fengqiao.core.errors import PermissionDenied, ValidationFailed
from fengqiao.hotspots.detection import EARS_C2, NB
from fengqiao.hotspots.models import Hotspot, HotspotRun, RunStatus, RunTrigger
from fengqiao.hotspots.services import hotspot_run_execute, hotspot_run_request
from fengqiao.hotspots.tasks import hotspots_nightly, hotspots_run
from fengqiao.hotspots.tests.conftest import HotWorld


class TestRequest:
    def test_an_analyst_queues_a_run_on_the_durable_queue(self, hot: HotWorld) -> None:
        run = hotspot_run_request(actor=hot.user("a_analyst"))
        assert run.status == RunStatus.QUEUED
        assert run.trigger == RunTrigger.ON_DEMAND
        assert run.method == NB
        assert (run.window_start, run.window_end) == (hot.today - timedelta(days=6), hot.today)
        queued = DBTaskResult.objects.get(task_path__endswith="hotspots_run")
        assert queued.args_kwargs["args"] == [run.pk]

    def test_a_second_request_returns_the_run_in_progress(self, hot: HotWorld) -> None:
        first = hotspot_run_request(actor=hot.user("a_analyst"))
        again = hotspot_run_request(actor=hot.user("a_leader"), method=EARS_C2)
        assert again.pk == first.pk
        assert DBTaskResult.objects.filter(task_path__endswith="hotspots_run").count() == 1

    @pytest.mark.parametrize("username", ["a1_clerk", "a1a_grid", "a_auditor"])
    def test_other_roles_may_not_start_runs(self, hot: HotWorld, username: str) -> None:
        with pytest.raises(PermissionDenied):
            hotspot_run_request(actor=hot.user(username))
        assert not HotspotRun.objects.exists()

    def test_bad_method_and_future_window_are_refused(self, hot: HotWorld) -> None:
        with pytest.raises(ValidationFailed) as bad_method:
            hotspot_run_request(actor=hot.user("a_analyst"), method="magic")
        assert bad_method.value.field == "method"
        with pytest.raises(ValidationFailed) as future:
            hotspot_run_request(
                actor=hot.user("a_analyst"), window_end=hot.today + timedelta(days=1)
            )
        assert future.value.field == "window_end"
        assert not HotspotRun.objects.exists()


class TestExecute:
    def test_the_task_finds_both_clusters_and_explains_them(self, hot: HotWorld, settings) -> None:
        settings.LANGUAGE_CODE = "en"
        run = hotspot_run_request(actor=hot.user("a_analyst"))
        assert hotspots_run.call(run.pk) == 2
        run.refresh_from_db()
        assert run.status == RunStatus.DONE
        assert run.started_at is not None
        assert run.finished_at is not None
        assert run.series_evaluated == 3
        found = {
            (h.grid.code, h.category.code): h
            for h in Hotspot.objects.filter(run=run).select_related("grid", "category")
        }
        assert set(found) == {
            (hot.unit("A1a-g1").code, "M02"),
            (hot.unit("B1a-g1").code, "M09"),
        }
        a1 = found[(hot.unit("A1a-g1").code, "M02")]
        assert a1.grid_path == hot.unit("A1a-g1").path
        assert a1.observed == 6
        assert a1.q_value is not None
        assert a1.q_value <= 0.05
        # No neighbour dispute in that grid for 12 weeks: a small, but not zero, expectation.
        assert a1.expected < 0.1
        assert a1.explanation == f"6 cases in 7 days, {a1.expected:.2g} expected"
        assert a1.window_end == hot.today
        assert len(a1.history) == 56
        assert sum(a1.history) == 6
        assert sorted(h.rank for h in found.values()) == [1, 2]

    def test_a_re_delivered_task_does_not_run_twice(self, hot: HotWorld) -> None:
        run = hotspot_run_request(actor=hot.user("a_analyst"))
        hotspot_run_execute(run_id=run.pk)
        finished = HotspotRun.objects.get(pk=run.pk).finished_at
        hotspot_run_execute(run_id=run.pk)
        assert HotspotRun.objects.get(pk=run.pk).finished_at == finished
        assert Hotspot.objects.filter(run=run).count() == 2

    def test_ears_c2_flags_the_sparse_clusters_too(self, hot: HotWorld) -> None:
        run = hotspot_run_request(actor=hot.user("a_analyst"), method=EARS_C2)
        hotspot_run_execute(run_id=run.pk)
        hotspots = list(Hotspot.objects.filter(run=run))
        assert {h.grid_id for h in hotspots} >= {hot.unit("A1a-g1").pk, hot.unit("B1a-g1").pk}
        assert all(h.q_value is None and h.score > 3 for h in hotspots)

    def test_a_failure_is_recorded_on_the_run(self, hot: HotWorld, monkeypatch) -> None:
        run = hotspot_run_request(actor=hot.user("a_analyst"))

        def broken(**_kwargs: object) -> None:
            raise RuntimeError("counts table unavailable")

        monkeypatch.setattr("fengqiao.hotspots.services.daily_counts_rebuild", broken)
        with pytest.raises(RuntimeError):
            hotspot_run_execute(run_id=run.pk)
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED
        assert "counts table unavailable" in run.error


class TestNightly:
    def test_the_job_is_registered_for_02_30(self) -> None:
        job = schedule.jobs()["hotspots.nightly"]
        assert job.daily_at is not None
        assert (job.daily_at.hour, job.daily_at.minute) == (2, 30)

    def test_the_nightly_run_covers_the_week_up_to_yesterday_once(self, hot: HotWorld) -> None:
        slot = timezone.localtime().replace(hour=2, minute=30, second=0, microsecond=0)
        assert hotspots_nightly.call(slot.isoformat()) is not None
        run = HotspotRun.objects.get()
        assert run.trigger == RunTrigger.NIGHTLY
        assert run.window_end == hot.today - timedelta(days=1)
        assert run.status == RunStatus.DONE
        # The B1 cluster's days before today are enough to stand out on their own.
        assert Hotspot.objects.filter(run=run, grid=hot.unit("B1a-g1")).exists()
        assert hotspots_nightly.call(slot.isoformat()) is None
        assert HotspotRun.objects.count() == 1
