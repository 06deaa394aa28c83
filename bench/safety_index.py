"""Safety index for 12,000 units × 56 indicators: the product's computation versus plain NumPy.

A scratch SQLite database gets a seeded region (20 districts, 400 townships, 12,000 villages),
the default configuration with all 56 indicators switched to "imported", and one month of values
for every village (2 % missing). Then:

* the product path, ``fengqiao.safety.compute.index_compute``, runs once end to end; its phases
  are reported separately: *load* (read 672,000 values into the matrix), *evaluate* (the engine:
  normalise, weight, score, colour, rank, negative list, reasons) and *store* (build and insert
  the results). The database phases dominate, so the ratio uses *evaluate* only;
* the baseline evaluates the same formula on the same matrix written as plain NumPy in this
  file: the same normalisations, weights, index, dimension scores, colours, overall and
  per-district ranks, negative list and top-3 reasons. Both sides are timed as the median of
  ``repeats`` runs on the village matrix (12,000 × 56); ``ratio`` = baseline time / product time
  (target ≥ 0.5), and the two indexes must agree.

    python bench/safety_index.py [--villages 12000] [--repeats 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

SEED = 20250301
PERIOD = "2025-03"
TARGET_RATIO = 0.5
DISTRICTS = 20


def _setup_django() -> None:
    if "DJANGO_SETTINGS_MODULE" not in os.environ:
        home = tempfile.mkdtemp(prefix="fengqiao-bench-safety-")
        os.environ["FENGQIAO_HOME"] = home
        os.environ["FENGQIAO_DATABASE_URL"] = f"sqlite:///{Path(home) / 'bench.sqlite3'}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "fengqiao.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _region(villages: int) -> list[Any]:
    from fengqiao.orgs.models import Level, OrgUnit, child_path

    townships_per_district = max(1, villages // 30 // DISTRICTS)
    villages_per_township = max(1, villages // (DISTRICTS * townships_per_district))
    city = OrgUnit.objects.create(
        code="510000000000", name="基准市", level=Level.CITY, path=child_path("", 9)
    )
    units: list[OrgUnit] = []
    for d in range(1, DISTRICTS + 1):
        district = OrgUnit(
            code=f"51{d:02d}00000000",
            name=f"第{d}区",
            level=Level.DISTRICT,
            parent=city,
            path=child_path(city.path, d),
        )
        units.append(district)
    OrgUnit.objects.bulk_create(units)
    districts = list(OrgUnit.objects.filter(level=Level.DISTRICT, parent=city).order_by("path"))
    townships = OrgUnit.objects.bulk_create(
        OrgUnit(
            code=f"51{d:02d}{t:03d}0000"[:12],
            name=f"第{d}区第{t}街道",
            level=Level.TOWNSHIP,
            parent=district,
            path=child_path(district.path, t),
        )
        for d, district in enumerate(districts, start=1)
        for t in range(1, townships_per_district + 1)
    )
    made = 0
    batch: list[OrgUnit] = []
    for township in townships:
        for v in range(1, villages_per_township + 1):
            if made >= villages:
                break
            made += 1
            batch.append(
                OrgUnit(
                    code=f"{township.code[:9]}{v:03d}",
                    name=f"{township.name}{v}社区",
                    level=Level.VILLAGE,
                    parent=township,
                    path=child_path(township.path, v),
                    population=2000 + made % 5000,
                )
            )
    OrgUnit.objects.bulk_create(batch, batch_size=2000)
    return batch


def _values(villages: list[Any], rng: np.random.Generator) -> int:
    from django.db import connection
    from django.utils import timezone

    from fengqiao.safety.models import Indicator, IndicatorValue, ValueSource

    now = timezone.now()
    rows: list[tuple[Any, ...]] = []
    for indicator in Indicator.objects.order_by("code"):
        draws = rng.gamma(2.0, 10.0, len(villages))
        if indicator.unit == "%":
            draws = np.clip(100 - draws / 4, 0, 100)
        keep = rng.random(len(villages)) >= 0.02
        rows += [
            (indicator.pk, v.pk, PERIOD, float(x), ValueSource.DEMO, now, now)
            for v, x, k in zip(villages, draws, keep, strict=True)
            if k
        ]
    # Plain executemany: building 672,000 model instances would time Django, not the index.
    table = IndicatorValue._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (indicator_id, unit_id, period, value, source, created_at, "  # noqa: S608
            "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    return len(rows)


def baseline(
    x: np.ndarray,
    riskier: np.ndarray,
    kind: np.ndarray,
    good: np.ndarray,
    bad: np.ndarray,
    weight: np.ndarray,
    dim_of: np.ndarray,
    dim_weight: np.ndarray,
    clip: float,
    groups: np.ndarray,
    limits: tuple[float, float, float, int, int],
) -> dict[str, np.ndarray]:
    """The index formula written directly in NumPy (see ``fengqiao.safety.engine``)."""
    red, orange, yellow, bottom_n, k = limits
    o = np.where(riskier, x, -x)
    mm, zs, fx = kind == 0, kind == 1, kind == 2
    r = np.zeros_like(x)
    lo, hi = np.nanmin(o[:, mm], 0), np.nanmax(o[:, mm], 0)
    r[:, mm] = np.where(hi > lo, (o[:, mm] - lo) / np.where(hi > lo, hi - lo, 1), 0)
    mu, sd = np.nanmean(o[:, zs], 0), np.nanstd(o[:, zs], 0)
    z = np.where(sd > 0, np.clip((o[:, zs] - mu) / np.where(sd > 0, sd, 1), -clip, clip), 0)
    r[:, zs] = (z + clip) / (2 * clip)
    r[:, fx] = np.clip((x[:, fx] - good[fx]) / (bad[fx] - good[fx]), 0, 1)
    nan = np.isnan(x)
    r[nan] = np.nan
    r = np.where(nan, np.nan_to_num(np.nanmean(r, 0)), r)
    within = weight / np.bincount(dim_of, weight)[dim_of]
    member = np.zeros((x.shape[1], len(dim_weight)))
    member[np.arange(x.shape[1]), dim_of] = within
    points = 100 * r * within * dim_weight[dim_of]
    index = 100 - points.sum(1)
    dims = 100 * (1 - r @ member)
    colour = np.select([index < red, index < orange, index < yellow], [0, 1, 2], 3)
    rank = np.empty(len(index), np.int64)
    rank[np.argsort(-index, kind="stable")] = np.arange(1, len(index) + 1)
    order = np.lexsort((rank, groups))
    start = np.r_[0, np.flatnonzero(np.diff(groups[order])) + 1]
    size = np.diff(np.r_[start, len(index)])
    group_rank = np.empty(len(index), np.int64)
    group_rank[order] = np.arange(len(index)) - np.repeat(start, size) + 1
    group_size = np.empty(len(index), np.int64)
    group_size[order] = np.repeat(size, size)
    negative = ((group_rank > group_size - bottom_n) & (colour != 3)) | (colour == 0)
    top = np.argpartition(-points, k - 1, axis=1)[:, :k]
    reasons = np.take_along_axis(
        top, np.argsort(-np.take_along_axis(points, top, axis=1), axis=1), axis=1
    )
    return {
        "index": index,
        "dims": dims,
        "colour": colour,
        "rank": rank,
        "negative": negative,
        "reasons": reasons,
    }


def _median_seconds(func: Any, repeats: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), out


def run(villages: int = 12_000, repeats: int = 7) -> dict[str, Any]:
    _setup_django()
    from django.db import connection, transaction

    from fengqiao.orgs.models import Level
    from fengqiao.safety import compute, config
    from fengqiao.safety.models import IndexResult, Indicator
    from fengqiao.safety.periods import Period

    rng = np.random.default_rng(SEED)
    config.load_default_config()
    Indicator.objects.update(source="imported")
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        # Only the scratch data's loading skips durability; the timed phases run as configured.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        made = _region(villages)
        values = _values(made, rng)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
    setup_seconds = time.perf_counter() - started

    summary = compute.index_compute(actor=None, period=PERIOD)
    village_run = next(r for r in summary.levels if r.level == Level.VILLAGE)

    settings = config.index_settings()
    indicators = config.active_indicators()
    formula = config.formula_of(indicators, settings)
    limits = config.thresholds(settings)
    matrix = compute.load_matrix(Level.VILLAGE, Period.parse(PERIOD), indicators)
    product_s, (evaluation, classes) = _median_seconds(
        lambda: compute.evaluate_matrix(matrix, formula, limits), repeats
    )
    districts = np.array([u.path[: compute.DISTRICT_PREFIX] for u in matrix.units])
    groups = np.unique(districts, return_inverse=True)[1]
    good = np.nan_to_num(formula.good)
    bad = np.where(np.isnan(formula.bad), 1.0, formula.bad)
    weights = np.array([i.weight for i in indicators])
    base_s, base = _median_seconds(
        lambda: baseline(
            matrix.values,
            formula.riskier,
            formula.kind,
            good,
            bad,
            weights,
            formula.dimension_of,
            formula.dimension_weight,
            formula.zscore_clip,
            groups,
            (
                limits.red_below,
                limits.orange_below,
                limits.yellow_below,
                limits.negative_bottom_n,
                limits.reason_count,
            ),
        ),
        repeats,
    )
    stored = IndexResult.objects.filter(period=PERIOD, level=Level.VILLAGE).count()
    agree = bool(
        np.allclose(base["index"], evaluation.index)
        and np.array_equal(base["rank"], classes.rank)
        and np.array_equal(base["negative"], classes.negative)
    )
    return {
        "bench": "safety_index",
        "units": len(matrix.units),
        "indicators": len(indicators),
        "values_imported": values,
        "setup_seconds": round(setup_seconds, 2),
        "product_evaluate_ms": round(product_s * 1000, 2),
        "numpy_baseline_ms": round(base_s * 1000, 2),
        "ratio": round(base_s / product_s, 3),
        "ratio_uses": "evaluate phase (engine) vs plain NumPy, median of repeats",
        "target_ratio": TARGET_RATIO,
        "meets_target": base_s / product_s >= TARGET_RATIO,
        "results_agree": agree,
        "end_to_end_villages": {
            "load_seconds": round(village_run.load_seconds, 3),
            "evaluate_seconds": round(village_run.evaluate_seconds, 3),
            "store_seconds": round(village_run.store_seconds, 3),
        },
        "end_to_end_total_seconds_both_levels": round(
            sum(r.load_seconds + r.evaluate_seconds + r.store_seconds for r in summary.levels), 3
        ),
        "results_stored": stored,
        "red_units": village_run.red,
        "negative_list": village_run.negative,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=12_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(run(villages=args.villages, repeats=args.repeats), ensure_ascii=False))


if __name__ == "__main__":
    main()
