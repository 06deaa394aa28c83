from __future__ import annotations

import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fengqiao.core.errors import NotFound
from fengqiao.early_warning.models import BatchEvaluation, Warning
from fengqiao.early_warning.rules import load_default_rules
from fengqiao.signals.models import SignalBatch
from fengqiao.signals.services import (
    EVALUATE_TASK_PATH,
    batch_evaluate,
    batches_recover,
    signals_ingest,
)
from fengqiao.signals.tasks import evaluate_signal_batch
from fengqiao.signals.tests.helpers import at, item
from fengqiao.testing.cases import CaseWorld


@pytest.fixture
def septic(world: CaseWorld) -> str:
    """The default rules and a septic tank in 工农社区 with a level sensor; returns the device."""
    from fengqiao.early_warning.tests.conftest import make_point

    load_default_rules()
    make_point(world.region.users["city_admin"], devices=["YB-HFC-0002-LV"])
    return "YB-HFC-0002-LV"


def level(device: str, value: float, minutes_ago: float = 1) -> dict:
    return item(
        source="iot", device_id=device, kind="level", value=value, observed_at=at(minutes_ago)
    )


def queued(batch_id: int) -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(task_path=EVALUATE_TASK_PATH, args_kwargs__args__0=batch_id)
    )


class TestEvaluateSignalBatch:
    def test_the_queued_task_raises_the_warning_and_marks_the_batch(self, septic: str) -> None:
        batch_id = signals_ingest(actor=None, items=[level(septic, 0.95)]).batch_id
        (task,) = queued(batch_id)
        assert evaluate_signal_batch.call(*task.args_kwargs["args"]) == 1
        assert SignalBatch.objects.get(pk=batch_id).evaluated_at is not None
        warning = Warning.objects.get()
        assert (warning.rule.code, warning.status) == ("septic.level", "assigned")

    def test_a_second_run_changes_nothing(self, septic: str) -> None:
        batch_id = signals_ingest(actor=None, items=[level(septic, 0.95)]).batch_id
        assert batch_evaluate(batch_id=batch_id) == 1
        assert batch_evaluate(batch_id=batch_id) == 0
        warning = Warning.objects.get()
        assert warning.fire_count == 1
        assert BatchEvaluation.objects.filter(batch_id=batch_id).count() == 1

    def test_a_repeat_in_a_later_batch_updates_the_same_warning(self, septic: str) -> None:
        first = signals_ingest(actor=None, items=[level(septic, 0.95, 5)]).batch_id
        second = signals_ingest(actor=None, items=[level(septic, 0.97, 1)]).batch_id
        batch_evaluate(batch_id=first)
        batch_evaluate(batch_id=second)
        warning = Warning.objects.get()
        assert warning.fire_count == 2
        assert warning.value == pytest.approx(0.97)

    def test_without_the_engine_the_task_fails_loudly(
        self, region: object, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        batch_id = signals_ingest(actor=None, items=[item()]).batch_id
        monkeypatch.setitem(sys.modules, "fengqiao.early_warning.engine", None)
        with pytest.raises(ImportError):
            evaluate_signal_batch.call(batch_id)
        assert SignalBatch.objects.get(pk=batch_id).evaluated_at is None

    def test_an_unknown_batch_is_not_found(self, db: None) -> None:
        with pytest.raises(NotFound):
            batch_evaluate(batch_id=987654)


class TestBatchesRecover:
    def test_a_batch_whose_task_was_lost_is_queued_again(self, septic: str) -> None:
        batch_id = signals_ingest(actor=None, items=[level(septic, 0.95)]).batch_id
        # The worker claimed the task and died: the result stays RUNNING, nobody runs it again.
        DBTaskResult.objects.filter(task_path=EVALUATE_TASK_PATH).update(status="RUNNING")
        later = timezone.now() + timedelta(minutes=3)
        assert batches_recover(now=later) == 1
        ready = [t for t in queued(batch_id) if t.status == "READY"]
        assert len(ready) == 1
        assert evaluate_signal_batch.call(batch_id) == 1
        assert batches_recover(now=later) == 0

    def test_a_batch_still_waiting_in_the_queue_is_left_alone(self, septic: str) -> None:
        signals_ingest(actor=None, items=[level(septic, 0.95)])
        assert batches_recover(now=timezone.now() + timedelta(minutes=3)) == 0
        assert DBTaskResult.objects.count() == 1

    def test_a_fresh_batch_is_given_time(self, septic: str) -> None:
        signals_ingest(actor=None, items=[level(septic, 0.95)])
        DBTaskResult.objects.update(status="RUNNING")
        assert batches_recover() == 0
