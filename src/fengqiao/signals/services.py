"""Signal intake: validate a batch, store it once, hand it to the early-warning engine.

``signals_ingest`` is the one way signals enter (API, MQTT consumer, demo); the batch's
evaluation is queued in the same transaction, so a stored batch is always evaluated and a
rolled-back one never is. Evaluation runs under a lock on the batch row and is recorded in
``evaluated_at`` in the same transaction as the engine's writes: a worker killed mid-way leaves
nothing half-done, and running a batch twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fengqiao.core.errors import NotFound, PermissionDenied
from fengqiao.orgs.geometry import resolve_grid_ids
from fengqiao.signals.models import Signal, SignalBatch
from fengqiao.signals.permissions import may_post
from fengqiao.signals.validation import ParsedSignal, parse_items

logger = logging.getLogger(__name__)

EVALUATE_TASK_PATH = "fengqiao.signals.tasks.evaluate_signal_batch"
# A batch still unevaluated this long after it arrived has lost its task (a worker killed mid-run
# leaves it RUNNING forever); the recovery job queues it again.
RECOVER_AFTER = timedelta(minutes=2)
RECOVER_LIMIT = 1000
INSERT_CHUNK = 1000


@dataclass(frozen=True)
class IngestResult:
    batch_id: int
    accepted: int
    duplicates: int


def _batch_source(parsed: list[ParsedSignal], source_hint: str) -> str:
    if source_hint.strip():
        return source_hint.strip()[:64]
    sources = {p.source for p in parsed}
    return sources.pop() if len(sources) == 1 else "mixed"


def signals_store(
    *, parsed: list[ParsedSignal], source_hint: str = "", now: datetime | None = None
) -> IngestResult:
    """Store already-validated signals as one batch (re-sent ones are skipped) and queue it."""
    from fengqiao.signals.tasks import evaluate_signal_batch

    now = now or timezone.now()
    located = [i for i, p in enumerate(parsed) if p.lng is not None and p.lat is not None]
    grids: dict[int, int | None] = dict(
        zip(
            located,
            resolve_grid_ids([(parsed[i].lng, parsed[i].lat) for i in located]),  # type: ignore[misc]
            strict=True,
        )
    )
    with transaction.atomic():
        batch = SignalBatch.objects.create(
            source=_batch_source(parsed, source_hint), received_at=now
        )
        Signal.objects.bulk_create(
            [
                Signal(
                    batch_id=batch.pk,
                    source=p.source,
                    device_id=p.device_id,
                    kind=p.kind,
                    value=p.value,
                    lng=p.lng,
                    lat=p.lat,
                    grid_id=grids.get(i),
                    observed_at=p.observed_at,
                    received_at=now,
                    payload=p.payload,
                )
                for i, p in enumerate(parsed)
            ],
            ignore_conflicts=True,
            batch_size=INSERT_CHUNK,
        )
        # ON CONFLICT DO NOTHING reports no per-row outcome; what landed carries this batch's id.
        accepted = Signal.objects.filter(batch_id=batch.pk).count()
        batch.count = accepted
        batch.duplicates = len(parsed) - accepted
        if accepted == 0:
            batch.evaluated_at = now  # nothing new to evaluate
        batch.save(update_fields=["count", "duplicates", "evaluated_at"])
        if accepted:
            evaluate_signal_batch.enqueue(batch.pk)
    return IngestResult(batch_id=batch.pk, accepted=accepted, duplicates=len(parsed) - accepted)


def signals_ingest(
    *, actor: Any, items: list[dict[str, Any]], source_hint: str = "", via_token: bool = False
) -> IngestResult:
    """Validate every item (422 naming item index and field; nothing stored), then store.

    ``actor=None`` is the system itself (the MQTT consumer run by the operator); a user needs a
    posting role, or to come through an integration's API token (``via_token``).
    """
    if actor is not None and not may_post(actor, via_token=via_token):
        raise PermissionDenied(gettext("you may not post signals"))
    now = timezone.now()
    parsed = parse_items(
        items,
        source_hint=source_hint,
        now=now,
        retention_days=settings.FENGQIAO_SIGNAL_RETENTION_DAYS,
    )
    return signals_store(parsed=parsed, source_hint=source_hint, now=now)


def batch_evaluate(*, batch_id: int) -> int:
    """Run the early-warning engine over one batch, once; returns warnings raised or updated."""
    # Imported here, not at module level, so intake works while the engine is being deployed;
    # an ImportError fails the task loudly and recovery queues the batch again later.
    from fengqiao.early_warning.engine import evaluate_batch

    with transaction.atomic():
        batch = SignalBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise NotFound(f"signal batch {batch_id} does not exist")
        if batch.evaluated_at is not None:
            return 0
        raised = int(evaluate_batch(batch_id))
        SignalBatch.objects.filter(pk=batch_id, evaluated_at__isnull=True).update(
            evaluated_at=timezone.now()
        )
    return raised


def batches_recover(*, older_than: timedelta = RECOVER_AFTER, now: datetime | None = None) -> int:
    """Queue evaluation again for batches whose task was lost; returns how many were queued."""
    from django_tasks_db.models import DBTaskResult

    from fengqiao.signals.tasks import evaluate_signal_batch

    now = now or timezone.now()
    stale = list(
        SignalBatch.objects.filter(
            evaluated_at__isnull=True, count__gt=0, received_at__lte=now - older_than
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:RECOVER_LIMIT]
    )
    if not stale:
        return 0
    waiting = {
        args["args"][0]
        for args in DBTaskResult.objects.filter(
            task_path=EVALUATE_TASK_PATH, status="READY"
        ).values_list("args_kwargs", flat=True)
        if args.get("args")
    }
    queued = 0
    with transaction.atomic():
        for batch_id in stale:
            if batch_id not in waiting:
                evaluate_signal_batch.enqueue(batch_id)
                queued += 1
    if queued:
        logger.warning("re-queued evaluation of %d signal batches", queued)
    return queued
