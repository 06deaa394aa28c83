"""The arithmetic of the metrics: summing stat rows, percentiles from histograms, figures.

Pure Python, no queries: the page, the export, the API and the tests all turn rows into figures
through :class:`Tally` and :func:`figures_from`, so a formula exists exactly once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Upper edges (minutes) of the time histogram buckets; the last bucket is open-ended. A
# percentile is reported as the upper edge of the bucket holding it (docs/metrics.md).
EDGES_MINUTES: tuple[int, ...] = (
    10, 30, 60, 120, 240, 480, 720, 1440, 2 * 1440, 3 * 1440, 5 * 1440, 7 * 1440,
    10 * 1440, 15 * 1440, 20 * 1440, 30 * 1440, 45 * 1440, 60 * 1440, 90 * 1440,
    180 * 1440, 365 * 1440,
)  # fmt: skip
BUCKETS = len(EDGES_MINUTES) + 1

COUNTERS: tuple[str, ...] = (
    "registered",
    "resolved",
    "one_time",
    "proactive",
    "known",
    "accepted",
    "overdue",
    "escalated",
    "reopened",
    "answered",
    "satisfied",
    "open_red",
    "open_orange",
    "open_green",
    "open_overdue",
    "open_leader",
)
OPEN_COUNTERS: tuple[str, ...] = ("open_red", "open_orange", "open_green")


def bucket_of(seconds: float) -> int:
    """The histogram bucket of a duration: the first whose upper edge is not below it."""
    return bisect_left(EDGES_MINUTES, max(seconds, 0.0) / 60.0)


@dataclass
class Tally:
    """Counters and histograms summed over any number of stat rows (or cases)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    accept_hist: list[int] = field(default_factory=lambda: [0] * BUCKETS)
    resolve_hist: list[int] = field(default_factory=lambda: [0] * BUCKETS)

    def add_row(self, row: Mapping[str, Any]) -> None:
        counts = self.counts
        for name in COUNTERS:
            counts[name] += row[name]
        for bucket, n in row["accept_hist"].items():
            self.accept_hist[int(bucket)] += n
        for bucket, n in row["resolve_hist"].items():
            self.resolve_hist[int(bucket)] += n

    def add(self, other: Tally) -> None:
        for name in COUNTERS:
            self.counts[name] += other.counts[name]
        for i in range(BUCKETS):
            self.accept_hist[i] += other.accept_hist[i]
            self.resolve_hist[i] += other.resolve_hist[i]

    def as_row(self) -> dict[str, Any]:
        """Counters and sparse histograms, as stored in a ``DailyStat`` row."""
        return {
            **self.counts,
            "accept_hist": {str(i): n for i, n in enumerate(self.accept_hist) if n},
            "resolve_hist": {str(i): n for i, n in enumerate(self.resolve_hist) if n},
        }


def percentile_hours(hist: list[int], share: float) -> float | None:
    """Upper edge (hours) of the bucket holding the case at rank ceil(share × n); None if empty.

    The last bucket has no upper edge; a percentile falling there reports its lower edge.
    """
    total = sum(hist)
    if total == 0:
        return None
    rank = max(1, -(-int(share * total * 1000) // 1000))  # ceil without float noise
    seen = 0
    for bucket, n in enumerate(hist):
        seen += n
        if seen >= rank:
            edge = EDGES_MINUTES[min(bucket, len(EDGES_MINUTES) - 1)]
            return edge / 60.0
    return None  # pragma: no cover - the loop always reaches rank


@dataclass(frozen=True)
class Metric:
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    last_year: float | None = None

    @property
    def change(self) -> float | None:
        """Difference from the same period last year, in the metric's own unit."""
        if self.value is None or self.last_year is None:
            return None
        return round(self.value - self.last_year, 4)

    def with_last_year(self, last: Metric) -> Metric:
        return Metric(self.value, self.numerator, self.denominator, last.value)

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "last_year": self.last_year,
            "change": self.change,
        }


def _rate(numerator: int, denominator: int) -> Metric:
    value = round(numerator / denominator, 4) if denominator else None
    return Metric(value, numerator, denominator)


def _time(hist: list[int], share: float) -> Metric:
    return Metric(percentile_hours(hist, share), None, sum(hist))


METRIC_KEYS: tuple[str, ...] = (
    "registered",
    "resolution_rate",
    "one_time_rate",
    "identification_rate",
    "in_database_rate",
    "acceptance_p50_hours",
    "acceptance_p90_hours",
    "resolution_p50_hours",
    "resolution_p90_hours",
    "overdue",
    "satisfaction",
)


@dataclass(frozen=True)
class Figures:
    """Every metric of one unit and period (docs/metrics.md gives each formula)."""

    registered: Metric
    resolution_rate: Metric
    one_time_rate: Metric
    identification_rate: Metric
    in_database_rate: Metric
    acceptance_p50_hours: Metric
    acceptance_p90_hours: Metric
    resolution_p50_hours: Metric
    resolution_p90_hours: Metric
    overdue: Metric
    satisfaction: Metric

    def items(self) -> list[tuple[str, Metric]]:
        return [(key, getattr(self, key)) for key in METRIC_KEYS]

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {key: metric.as_dict() for key, metric in self.items()}

    def with_last_year(self, last: Figures) -> Figures:
        return Figures(
            **{key: metric.with_last_year(getattr(last, key)) for key, metric in self.items()}
        )


def figures_from(tally: Tally, *, satisfaction_known: bool = True) -> Figures:
    c = tally.counts
    return Figures(
        registered=Metric(c["registered"], c["registered"], None),
        resolution_rate=_rate(c["resolved"], c["registered"]),
        one_time_rate=_rate(c["one_time"], c["resolved"]),
        identification_rate=_rate(c["proactive"], c["registered"]),
        in_database_rate=_rate(c["known"], c["registered"]),
        acceptance_p50_hours=_time(tally.accept_hist, 0.5),
        acceptance_p90_hours=_time(tally.accept_hist, 0.9),
        resolution_p50_hours=_time(tally.resolve_hist, 0.5),
        resolution_p90_hours=_time(tally.resolve_hist, 0.9),
        overdue=Metric(c["overdue"], c["overdue"], c["registered"]),
        satisfaction=(_rate(c["satisfied"], c["answered"]) if satisfaction_known else Metric(None)),
    )


def tally_rows(rows: Iterable[Mapping[str, Any]]) -> Tally:
    tally = Tally()
    for row in rows:
        tally.add_row(row)
    return tally
