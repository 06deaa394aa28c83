"""Computing the index for a period: townships among townships, villages among villages.

Three phases, timed separately (the benchmark reports them): *load* the units × indicators
matrix (imported values and computed metrics), *evaluate* it (:mod:`fengqiao.safety.engine`,
NumPy only), *store* the results (one transaction replacing the period's results).

Computing is system-wide by nature — each unit is normalised against every unit of its level —
and deterministic over the data, so whoever triggers it (an analyst, the nightly job, an import)
gets the same results; what each person then *sees* is scoped by :mod:`.selectors`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.cases.permissions import role_of
from fengqiao.core.errors import PermissionDenied, ValidationFailed
from fengqiao.metrics.aggregate import bump_version
from fengqiao.orgs.models import PATH_SEGMENT_WIDTH, Level, OrgUnit
from fengqiao.safety import config, engine
from fengqiao.safety.metrics import compute_metrics
from fengqiao.safety.models import IndexResult, Indicator, IndicatorValue
from fengqiao.safety.periods import Period

logger = logging.getLogger(__name__)

INDEX_LEVELS = (Level.TOWNSHIP, Level.VILLAGE)
ANALYST_ROLES = frozenset({Role.ANALYST, Role.ADMIN})
# Units are ranked within their district: the path's first two segments (city, district).
DISTRICT_PREFIX = 2 * PATH_SEGMENT_WIDTH
_STORE_BATCH = 1000


def may_configure(user: Any) -> bool:
    """Analysts (and administrators) import values, compute the index and edit its settings."""
    return role_of(user) in ANALYST_ROLES


def parse_period(text: str) -> Period:
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise ValidationFailed(f"period: expected {exc}", field="period") from exc
    if period.is_future(timezone.localdate()):
        raise ValidationFailed("period: lies in the future", field="period")
    return period


@dataclass
class LevelRun:
    level: int
    units: int
    load_seconds: float
    evaluate_seconds: float
    store_seconds: float = 0.0
    red: int = 0
    negative: int = 0


@dataclass
class ComputeSummary:
    period: str
    levels: list[LevelRun] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(run.units for run in self.levels)

    def summary(self) -> str:
        parts = [
            f"{Level(run.level).label}: {run.units} units, {run.red} red, {run.negative} on the "
            "negative list"
            for run in self.levels
        ]
        return f"{self.period}: " + ("; ".join(parts) if parts else "no units")


@dataclass
class Matrix:
    units: list[OrgUnit]
    indicators: list[Indicator]
    values: engine.FloatArray  # units × indicators, NaN = missing


def load_matrix(level: int, period: Period, indicators: list[Indicator]) -> Matrix:
    units = list(
        OrgUnit.objects.filter(level=level, is_active=True)
        .only("pk", "path", "population", "name", "level")
        .order_by("path")
    )
    values = np.full((len(units), len(indicators)), np.nan)
    if not units:
        return Matrix(units, indicators, values)
    unit_ids = np.array([u.pk for u in units])
    unit_order = np.argsort(unit_ids)
    column = {i.pk: n for n, i in enumerate(indicators)}
    imported = [i.pk for i in indicators if i.is_imported]
    if imported:
        rows = np.array(
            IndicatorValue.objects.filter(
                period=period.label, unit__level=level, indicator_id__in=imported
            ).values_list("unit_id", "indicator_id", "value"),
            dtype=np.float64,
        ).reshape(-1, 3)
        if len(rows):
            ids = rows[:, 0].astype(np.int64)
            slot = np.searchsorted(unit_ids, ids, sorter=unit_order)
            slot = np.clip(slot, 0, len(units) - 1)
            found = unit_ids[unit_order[slot]] == ids
            cols = np.array([column[int(i)] for i in rows[found, 1]], dtype=np.int64)
            values[unit_order[slot[found]], cols] = rows[found, 2]
    computed = {i.metric for i in indicators if not i.is_imported}
    metrics = compute_metrics(computed, units, period)
    for n, indicator in enumerate(indicators):
        if indicator.is_imported:
            continue
        by_unit = metrics.get(indicator.metric, {})
        values[:, n] = [by_unit.get(u.pk, np.nan) for u in units]
    return Matrix(units, indicators, values)


def evaluate_matrix(
    matrix: Matrix, formula: engine.Formula, thresholds: engine.Thresholds
) -> tuple[engine.Evaluation, engine.Classification]:
    districts = np.array([u.path[:DISTRICT_PREFIX] for u in matrix.units])
    _, groups = np.unique(districts, return_inverse=True)
    evaluation = engine.evaluate(matrix.values, formula)
    return evaluation, engine.classify(evaluation, groups.astype(np.int64), thresholds)


def result_rows(
    matrix: Matrix,
    formula: engine.Formula,
    evaluation: engine.Evaluation,
    classes: engine.Classification,
    period: Period,
) -> list[IndexResult]:
    now = timezone.now()
    codes = formula.codes
    dims = formula.dimensions
    # Rounded once as arrays: per-cell Python rounding dominated storage for large regions.
    raw = np.round(matrix.values, 4).tolist()
    risk = np.round(evaluation.risk, 4).tolist()
    points = np.round(evaluation.points, 3).tolist()
    scores = np.round(evaluation.dimension_scores, 2).tolist()
    index = np.round(evaluation.index, 2).tolist()
    reasons = classes.reasons.tolist()
    rows = []
    for n, unit in enumerate(matrix.units):
        unit_raw, unit_risk, unit_points = raw[n], risk[n], points[n]
        rows.append(
            IndexResult(
                unit_id=unit.pk,
                unit_path=unit.path,
                level=unit.level,
                period=period.label,
                index=index[n],
                colour=engine.COLOURS[classes.colour[n]],
                rank=int(classes.rank[n]),
                rank_of=len(matrix.units),
                district_rank=int(classes.group_rank[n]),
                district_rank_of=int(classes.group_size[n]),
                dimension_scores=dict(zip(dims, scores[n], strict=True)),
                contributions=[
                    [code, None if value != value else value, r, p]
                    for code, value, r, p in zip(
                        codes, unit_raw, unit_risk, unit_points, strict=True
                    )
                ],
                missing=int(evaluation.missing[n]),
                negative=bool(classes.negative[n]),
                reasons=[[codes[j], unit_points[j]] for j in reasons[n] if j >= 0],
                computed_at=now,
            )
        )
    return rows


def index_compute(*, actor: Any | None, period: str) -> ComputeSummary:
    """Compute and store the index of every township and village for ``period``.

    ``actor`` ``None`` is the system (nightly job, import follow-up); a person must be an analyst.
    """
    if actor is not None and not may_configure(actor):
        raise PermissionDenied("only analysts compute the safety index")
    parsed = parse_period(period)
    settings = config.index_settings()
    indicators = config.active_indicators()
    if not indicators:
        raise ValidationFailed("the index has no active indicators", field="indicators")
    formula = config.formula_of(indicators, settings)
    limits = config.thresholds(settings)
    summary = ComputeSummary(parsed.label)
    batches: list[tuple[LevelRun, list[IndexResult]]] = []
    for level in INDEX_LEVELS:
        started = time.perf_counter()
        matrix = load_matrix(level, parsed, indicators)
        loaded = time.perf_counter()
        if not matrix.units:
            continue
        evaluation, classes = evaluate_matrix(matrix, formula, limits)
        evaluated = time.perf_counter()
        run = LevelRun(
            level=level,
            units=len(matrix.units),
            load_seconds=loaded - started,
            evaluate_seconds=evaluated - loaded,
            red=int((classes.colour == 0).sum()),
            negative=int(classes.negative.sum()),
        )
        rows = result_rows(matrix, formula, evaluation, classes, parsed)
        run.store_seconds = time.perf_counter() - evaluated
        batches.append((run, rows))
    started = time.perf_counter()
    with transaction.atomic(durable=True):
        IndexResult.objects.filter(period=parsed.label).delete()
        for _run, rows in batches:
            IndexResult.objects.bulk_create(rows, batch_size=_STORE_BATCH)
        # The cockpit map shows these results: its cached values go with the new ones.
        bump_version()
    written = time.perf_counter() - started
    total_units = sum(run.units for run, _rows in batches) or 1
    for run, _rows in batches:
        # One transaction covers both levels; its time is shared out by unit count.
        run.store_seconds += written * run.units / total_units
        summary.levels.append(run)
    logger.info("safety index computed: %s", summary.summary())
    return summary
