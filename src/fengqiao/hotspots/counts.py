"""Building the daily counts table from the cases, and reading count matrices back out of it.

This module deliberately reads cases **system-wide**, without an acting user: the counts table is
a statistic over every case in the deployment (a hotspot is "more than this grid usually sees",
which needs every grid's history), built by the nightly job and the ``hotspots counts`` command
where nobody is signed in. It only ever aggregates (day, grid, category, count) — no case row,
party or text leaves this module — and every read of the table by a person is scoped by grid
path in :mod:`fengqiao.hotspots.selectors`. It is listed in ``scripts/lint_case_scope.py`` for
that reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from fengqiao.cases.models import Case
from fengqiao.cases.states import CaseStatus
from fengqiao.hotspots.models import CategoryLevel, DailyCaseCount
from fengqiao.orgs.models import Level

BATCH_SIZE = 2000


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@transaction.atomic
def daily_counts_rebuild(*, since: date | None = None) -> int:
    """Recount cases per local day, grid and category; all days, or from ``since`` on.

    One aggregate query, then a bulk insert, in one transaction: a reader sees the old counts or
    the new ones, never half of each. Merged cases are left out (they are the same dispute as
    the case they were merged into); cases not located to a grid are too (a hotspot is a grid).
    Returns the number of rows written.
    """
    cases = Case.objects.filter(territory__level=Level.GRID).exclude(status=CaseStatus.MERGED)
    stale = DailyCaseCount.objects.all()
    if since is not None:
        cases = cases.filter(created_at__gte=_local_midnight(since))
        stale = stale.filter(day__gte=since)
    rows = (
        cases.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "territory_id", "territory_path", "category_id", "category__parent_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    stale.delete()
    objects = [
        DailyCaseCount(
            day=row["day"],
            grid_id=row["territory_id"],
            grid_path=row["territory_path"],
            category_id=row["category_id"],
            major_id=row["category__parent_id"] or row["category_id"],
            count=row["n"],
        )
        for row in rows.iterator(chunk_size=BATCH_SIZE)
    ]
    DailyCaseCount.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    return len(objects)


@dataclass(frozen=True)
class CountMatrix:
    """Daily counts of every grid × category series active in a period, as one array."""

    grid_ids: np.ndarray  # (series,)
    category_ids: np.ndarray  # (series,)
    counts: np.ndarray  # (series, days); column 0 is ``first_day``
    first_day: date

    @property
    def days(self) -> int:
        return int(self.counts.shape[1])


def count_matrix(*, first_day: date, last_day: date, level: str) -> CountMatrix:
    """Every series with at least one case between ``first_day`` and ``last_day`` (inclusive)."""
    category_field = "major_id" if level == CategoryLevel.MAJOR else "category_id"
    rows = list(
        DailyCaseCount.objects.filter(day__gte=first_day, day__lte=last_day)
        .values_list("grid_id", category_field, "day")
        .annotate(n=Sum("count"))
        .order_by()
    )
    days = (last_day - first_day).days + 1
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return CountMatrix(empty, empty, np.zeros((0, days)), first_day)
    data = np.array(
        [(grid, category, (day - first_day).days, n) for grid, category, day, n in rows],
        dtype=np.int64,
    )
    keys, series = np.unique(data[:, :2], axis=0, return_inverse=True)
    counts = np.zeros((len(keys), days))
    np.add.at(counts, (series.ravel(), data[:, 2]), data[:, 3])
    return CountMatrix(keys[:, 0], keys[:, 1], counts, first_day)


def days_back(day: date, count: int) -> date:
    """The first day of the ``count`` days ending with ``day``."""
    return day - timedelta(days=count - 1)
