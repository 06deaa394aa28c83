"""Background work of the signals app: batch evaluation, lost-batch recovery, retention."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from fengqiao.core import schedule


@task()
def evaluate_signal_batch(batch_id: int) -> int:
    """Evaluate one stored batch with the early-warning engine (once, whatever the retries)."""
    from fengqiao.signals.services import batch_evaluate

    return batch_evaluate(batch_id=batch_id)


@task()
def signals_recover(slot_iso: str) -> int:
    """Queue again the evaluation of batches whose task died with its worker."""
    from fengqiao.signals.services import batches_recover

    return batches_recover()


@task()
def signals_retention(slot_iso: str) -> str:
    """Partitions ahead, signals past retention dropped (see ``fengqiao.signals.partitions``)."""
    from fengqiao.signals.partitions import signals_maintain

    return signals_maintain().summary()


schedule.register("signals.recover", signals_recover, every=timedelta(minutes=1))
schedule.register("signals.retention", signals_retention, every=timedelta(hours=1))
