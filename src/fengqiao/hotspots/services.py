"""Hotspot runs: requested on demand or by the nightly job, executed by the worker.

A run refreshes the last days of the counts table, reads the grid × category count matrix,
runs the configured detector (:mod:`fengqiao.hotspots.detection`) and stores the flagged
series as :class:`Hotspot` rows with an explanation in the deployment language.
"""

from __future__ import annotations

import logging
from dataclasses import fields
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from fengqiao.accounts.models import Role
from fengqiao.cases.permissions import role_of
from fengqiao.core.errors import PermissionDenied, ValidationFailed
from fengqiao.core.text import system_text
from fengqiao.hotspots.counts import count_matrix, daily_counts_rebuild, days_back
from fengqiao.hotspots.detection import DetectionParams, DetectionResult, detect
from fengqiao.hotspots.models import (
    CategoryLevel,
    Hotspot,
    HotspotRun,
    RunStatus,
    RunTrigger,
)
from fengqiao.orgs.models import OrgUnit

logger = logging.getLogger(__name__)

RUN_ROLES = frozenset({Role.ANALYST, Role.LEADER, Role.ADMIN})
# Each run recounts this many recent days: cases re-categorised, merged or moved since the last
# count are picked up there; older corrections wait for a full ``hotspots counts`` rebuild.
RECOUNT_DAYS = getattr(settings, "FENGQIAO_HOTSPOT_RECOUNT_DAYS", 14)
SPARKLINE_DAYS = 56
# A run still queued or running after this long is presumed lost (worker killed) and a new
# request starts a fresh one instead of waiting for it.
STALE_AFTER = timedelta(hours=1)


def may_run(user: Any) -> bool:
    return role_of(user) in RUN_ROLES


def _params(method: str) -> DetectionParams:
    try:
        return DetectionParams(method=method)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="method") from exc


@transaction.atomic
def hotspot_run_request(
    *,
    actor: Any,
    method: str | None = None,
    category_level: str = CategoryLevel.MAJOR,
    window_end: date | None = None,
) -> HotspotRun:
    """Queue a run for the worker. A run already queued or running is returned instead."""
    if not may_run(actor):
        raise PermissionDenied("only analysts, leaders and administrators start hotspot runs")
    params = _params(method or DetectionParams().method)
    if category_level not in CategoryLevel.values:
        raise ValidationFailed("unknown category level", field="category_level")
    today = timezone.localdate()
    window_end = window_end or today
    if window_end > today:
        raise ValidationFailed("the window cannot end in the future", field="window_end")
    pending = (
        HotspotRun.objects.select_for_update()
        .filter(
            status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .first()
    )
    if pending is not None:
        return pending
    run = hotspot_run_create(
        params=params,
        trigger=RunTrigger.ON_DEMAND,
        requested_by=actor,
        category_level=category_level,
        window_end=window_end,
    )
    from fengqiao.hotspots.tasks import hotspots_run

    # Enqueued in this transaction (durable queue): a rolled-back request leaves no task.
    hotspots_run.enqueue(run.pk)
    return run


def hotspot_run_create(
    *,
    params: DetectionParams,
    trigger: str,
    requested_by: Any,
    category_level: str,
    window_end: date,
) -> HotspotRun:
    return HotspotRun.objects.create(
        trigger=trigger,
        requested_by=requested_by,
        method=params.method,
        category_level=category_level,
        parameters=params.as_dict(),
        window_start=days_back(window_end, params.window_days),
        window_end=window_end,
    )


def hotspots_nightly_run(*, slot: datetime) -> HotspotRun | None:
    """The nightly run covering the week up to the day before ``slot``; once per day."""
    window_end = timezone.localtime(slot).date() - timedelta(days=1)
    with transaction.atomic():
        if HotspotRun.objects.filter(
            trigger=RunTrigger.NIGHTLY, window_end=window_end, status=RunStatus.DONE
        ).exists():
            return None
        run = hotspot_run_create(
            params=DetectionParams(),
            trigger=RunTrigger.NIGHTLY,
            requested_by=None,
            category_level=CategoryLevel.MAJOR,
            window_end=window_end,
        )
    return hotspot_run_execute(run_id=run.pk)


def hotspot_run_execute(*, run_id: int) -> HotspotRun:
    """Execute a queued run. A run already done is left alone (a re-delivered task)."""
    with transaction.atomic():
        run = HotspotRun.objects.select_for_update().get(pk=run_id)
        if run.status in {RunStatus.DONE, RunStatus.FAILED}:
            return run
        run.status, run.started_at, run.error = RunStatus.RUNNING, timezone.now(), ""
        run.save(update_fields=["status", "started_at", "error"])
    try:
        _detect_and_store(run)
    except Exception as exc:
        logger.exception("hotspot run %s failed", run_id)
        HotspotRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    run.refresh_from_db()
    return run


def _detect_and_store(run: HotspotRun) -> None:
    # Parameters as stored with the run; one a later version no longer knows is ignored.
    known = {f.name for f in fields(DetectionParams)}
    params = DetectionParams(**{k: v for k, v in run.parameters.items() if k in known})
    daily_counts_rebuild(since=run.window_end - timedelta(days=RECOUNT_DAYS - 1))
    span = max(params.history_days, SPARKLINE_DAYS)
    first_day = days_back(run.window_end, span)
    matrix = count_matrix(first_day=first_day, last_day=run.window_end, level=run.category_level)
    result = (
        detect(
            matrix.counts,
            first_weekday=first_day.weekday(),
            params=params,
            groups=matrix.category_ids,
        )
        if len(matrix.grid_ids)
        else None
    )
    hotspots = (
        _hotspots(run, result, matrix.grid_ids, matrix.category_ids, matrix.counts)
        if result is not None
        else []
    )
    with transaction.atomic():
        Hotspot.objects.filter(run=run).delete()
        Hotspot.objects.bulk_create(hotspots, batch_size=1000)
        HotspotRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE,
            finished_at=timezone.now(),
            series_evaluated=len(matrix.grid_ids),
            flagged=len(hotspots),
        )


def _hotspots(
    run: HotspotRun,
    result: DetectionResult,
    grid_ids: np.ndarray,
    category_ids: np.ndarray,
    counts: np.ndarray,
) -> list[Hotspot]:
    flagged = np.flatnonzero(result.flagged)
    # Most significant first: smallest p for nb, largest C2 statistic for EARS.
    order = (
        flagged[np.lexsort((-result.score[flagged], result.p[flagged]))]
        if result.p is not None
        else flagged[np.argsort(-result.score[flagged], kind="stable")]
    )
    paths = dict(OrgUnit.objects.filter(pk__in=grid_ids[order].tolist()).values_list("pk", "path"))
    hotspots = []
    for rank, index in enumerate(order, start=1):
        days = int(result.window[index])
        observed, expected = int(result.observed[index]), float(result.expected[index])
        hotspots.append(
            Hotspot(
                run=run,
                grid_id=int(grid_ids[index]),
                grid_path=paths.get(int(grid_ids[index]), ""),
                category_id=int(category_ids[index]),
                window_start=days_back(run.window_end, days),
                window_end=run.window_end,
                observed=observed,
                expected=round(expected, 3),
                p_value=float(result.p[index]) if result.p is not None else None,
                q_value=float(result.q[index]) if result.q is not None else None,
                score=round(float(result.score[index]), 3),
                rank=rank,
                explanation=explain(observed=observed, days=days, expected=expected),
                history=[int(n) for n in counts[index, -SPARKLINE_DAYS:]],
            )
        )
    return hotspots


def explain(*, observed: int, days: int, expected: float) -> str:
    """ "23 cases in 7 days, 6.1 expected", in the deployment language."""
    return system_text(
        gettext_noop("%(observed)s cases in %(days)s days, %(expected)s expected"),
        observed=observed,
        days=days,
        # "0.04 expected" says more than "0.0 expected" for a grid that rarely sees any.
        expected=f"{expected:.1f}" if expected >= 0.95 else f"{expected:.2g}",
    )
