"""The index formula as one NumPy matrix evaluation (units × indicators), free of the database.

For each indicator *j* and unit *i* the raw value ``x[i, j]`` becomes a normalised risk
``r[i, j]`` in [0, 1] (1 = the riskiest), oriented by the indicator's direction:

* **min–max** across the units of the same level and period: ``(x − min) / (max − min)``
  (for "higher is safer" ``(max − x) / (max − min)``). A constant column — no unit differs —
  gives 0 to everyone: no unit is riskier than another on it.
* **z-score, clipped**: ``z = (x − mean) / std`` clipped to ±c, mapped to ``(z + c) / 2c``
  (sign flipped for "higher is safer"). A constant column gives 0.5, the mean.
* **fixed thresholds**: ``(x − good) / (bad − good)`` clipped to [0, 1].

A missing value takes the mean risk of the units that have one (no unit gains or loses by
missing data); a column nobody reported gives 0. With ``w[j]`` the indicator's share of its
dimension and ``W[d]`` the dimension's share of the index (both normalised to sum 1)::

    points[i, j]   = 100 · W[d(j)] · w[j] · r[i, j]        (what the indicator takes off)
    dimension[i,d] = 100 · (1 − Σ_{j∈d} w[j] · r[i, j])
    index[i]       = 100 − Σ_j points[i, j]  =  Σ_d W[d] · dimension[i, d]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MINMAX, ZSCORE, FIXED = 0, 1, 2
KIND_CODES = {"minmax": MINMAX, "zscore": ZSCORE, "fixed": FIXED}
# Colour codes in severity order, as returned by :func:`classify`.
COLOURS = ("red", "orange", "yellow", "blue")


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    dimension: str
    riskier: bool
    weight: float
    normalisation: str = "minmax"
    good: float | None = None
    bad: float | None = None


@dataclass(frozen=True)
class Formula:
    """Indicator parameters as arrays, built once per computation by :meth:`build`."""

    codes: tuple[str, ...]
    dimensions: tuple[str, ...]
    dimension_of: IntArray
    riskier: BoolArray
    kind: IntArray
    good: FloatArray
    bad: FloatArray
    within: FloatArray  # weight inside the dimension, each dimension's sum 1
    dimension_weight: FloatArray  # sum 1
    zscore_clip: float = 3.0
    membership: FloatArray = field(init=False)  # (indicators × dimensions), ``within`` placed
    effective: FloatArray = field(init=False)  # (indicators,), W[d(j)] · w[j]

    def __post_init__(self) -> None:
        membership = np.zeros((len(self.codes), len(self.dimensions)))
        membership[np.arange(len(self.codes)), self.dimension_of] = self.within
        object.__setattr__(self, "membership", membership)
        object.__setattr__(
            self, "effective", self.within * self.dimension_weight[self.dimension_of]
        )

    @classmethod
    def build(
        cls,
        indicators: Sequence[IndicatorSpec],
        dimension_weights: dict[str, float],
        *,
        zscore_clip: float = 3.0,
    ) -> Formula:
        if not indicators:
            raise ValueError("the index needs at least one indicator")
        dimensions = tuple(
            d for d in dimension_weights if any(i.dimension == d for i in indicators)
        )
        position = {code: n for n, code in enumerate(dimensions)}
        dimension_of = np.array([position[i.dimension] for i in indicators], dtype=np.int64)
        weights = np.array([i.weight for i in indicators], dtype=np.float64)
        sums = np.bincount(dimension_of, weights=weights, minlength=len(dimensions))
        if np.any(sums <= 0):
            raise ValueError("every dimension needs a positive indicator weight")
        outer = np.array([dimension_weights[d] for d in dimensions], dtype=np.float64)
        if outer.sum() <= 0:
            raise ValueError("the dimensions need a positive weight")
        kind = np.array([KIND_CODES[i.normalisation] for i in indicators], dtype=np.int64)
        good = np.array([np.nan if i.good is None else i.good for i in indicators])
        bad = np.array([np.nan if i.bad is None else i.bad for i in indicators])
        fixed = kind == FIXED
        if np.any(fixed & ~(np.isfinite(good) & np.isfinite(bad) & (good != bad))):
            raise ValueError("fixed-threshold indicators need distinct good and bad values")
        return cls(
            codes=tuple(i.code for i in indicators),
            dimensions=dimensions,
            dimension_of=dimension_of,
            riskier=np.array([i.riskier for i in indicators], dtype=np.bool_),
            kind=kind,
            good=good,
            bad=bad,
            within=weights / sums[dimension_of],
            dimension_weight=outer / outer.sum(),
            zscore_clip=zscore_clip,
        )


def normalise(values: FloatArray, formula: Formula) -> FloatArray:
    """Raw values (units × indicators, NaN = missing) → risks in [0, 1]."""
    x = np.asarray(values, dtype=np.float64)
    oriented = np.where(formula.riskier, x, -x)
    risk = np.zeros_like(x)
    with warnings.catch_warnings():
        # All-NaN columns are handled below; NumPy's warning about them is noise here.
        warnings.simplefilter("ignore", RuntimeWarning)
        cols = formula.kind == MINMAX
        if cols.any():
            block = oriented[:, cols]
            low = np.nanmin(block, axis=0)
            span = np.nanmax(block, axis=0) - low
            safe = np.where(span > 0, span, 1.0)
            risk[:, cols] = np.where(span > 0, (block - low) / safe, 0.0)
        cols = formula.kind == ZSCORE
        if cols.any():
            block = oriented[:, cols]
            mean = np.nanmean(block, axis=0)
            std = np.nanstd(block, axis=0)
            safe = np.where(std > 0, std, 1.0)
            c = formula.zscore_clip
            z = np.where(std > 0, np.clip((block - mean) / safe, -c, c), 0.0)
            risk[:, cols] = (z + c) / (2 * c)
        cols = formula.kind == FIXED
        if cols.any():
            good, bad = formula.good[cols], formula.bad[cols]
            risk[:, cols] = np.clip((x[:, cols] - good) / (bad - good), 0.0, 1.0)
        missing = np.isnan(x)
        if missing.any():
            risk[missing] = np.nan
            fill = np.nan_to_num(np.nanmean(risk, axis=0), nan=0.0)
            risk = np.where(missing, fill, risk)
    return risk


@dataclass(frozen=True)
class Evaluation:
    index: FloatArray  # (units,)
    dimension_scores: FloatArray  # (units × dimensions)
    risk: FloatArray  # (units × indicators)
    points: FloatArray  # (units × indicators)
    missing: IntArray  # (units,)


def evaluate(values: FloatArray, formula: Formula) -> Evaluation:
    risk = normalise(values, formula)
    points = 100.0 * risk * formula.effective
    dimension_scores = 100.0 * (1.0 - risk @ formula.membership)
    index = 100.0 - points.sum(axis=1)
    missing = np.isnan(values).sum(axis=1).astype(np.int64)
    return Evaluation(index, dimension_scores, risk, points, missing)


@dataclass(frozen=True)
class Thresholds:
    red_below: float = 50.0
    orange_below: float = 60.0
    yellow_below: float = 70.0
    negative_include_red: bool = True
    negative_bottom_n: int = 1
    reason_count: int = 3


@dataclass(frozen=True)
class Classification:
    colour: IntArray  # index into COLOURS
    rank: IntArray  # 1 = safest
    group_rank: IntArray  # rank within the unit's group (district)
    group_size: IntArray
    negative: BoolArray
    reasons: IntArray  # (units × k) indicator positions, largest contribution first; -1 = none


def classify(evaluation: Evaluation, groups: IntArray, thresholds: Thresholds) -> Classification:
    """Colours, ranks (overall and per group), the negative list and its reasons."""
    index = evaluation.index
    n = len(index)
    colour = np.select(
        [
            index < thresholds.red_below,
            index < thresholds.orange_below,
            index < thresholds.yellow_below,
        ],
        [0, 1, 2],
        default=3,
    ).astype(np.int64)
    # Stable sorts: equal scores keep the input order (units by path), so ranks are reproducible.
    order = np.argsort(-index, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    by_group = np.lexsort((rank, groups))
    sorted_groups = groups[by_group]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1] if n else np.array([], np.int64)
    sizes = np.diff(np.r_[starts, n]) if n else np.array([], np.int64)
    first = np.repeat(starts, sizes)
    group_rank = np.empty(n, dtype=np.int64)
    group_rank[by_group] = np.arange(n) - first + 1
    group_size = np.empty(n, dtype=np.int64)
    group_size[by_group] = np.repeat(sizes, sizes)
    # The lowest N of a district are listed only when they are not blue: a district whose
    # every unit is safe has nobody to warn.
    negative = (group_rank > group_size - thresholds.negative_bottom_n) & (colour != 3)
    if thresholds.negative_include_red:
        negative |= colour == 0
    reasons = top_contributions(evaluation.points, thresholds.reason_count)
    return Classification(colour, rank, group_rank, group_size, negative, reasons)


def top_contributions(points: FloatArray, k: int) -> IntArray:
    """Per unit, the positions of the ``k`` largest positive contributions, largest first."""
    n, m = points.shape
    k = min(k, m)
    if k == 0 or n == 0:
        return np.full((n, k), -1, dtype=np.int64)
    top = np.argpartition(-points, k - 1, axis=1)[:, :k]
    top_points = np.take_along_axis(points, top, axis=1)
    # Equal contributions (to rounding noise) are listed in indicator order, so reasons read
    # the same every time.
    order = np.lexsort((top, -np.round(top_points, 9)), axis=1)
    top = np.take_along_axis(top, order, axis=1)
    top_points = np.take_along_axis(top_points, order, axis=1)
    return np.where(top_points > 0, top, -1).astype(np.int64)
