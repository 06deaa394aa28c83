"""Hotspot detection quality: the negative-binomial detector versus EARS C2 on the same history.

A synthetic history is generated with a fixed seed: grid × category series with a level spread
over two orders of magnitude, a weekday profile per category, a trend and a yearly season per
series, a slowly drifting latent rate and day-to-day overdispersion. Outbreaks of 1–14 days and
varied size are injected into the last ``eval_days``. Both detectors (the product code,
``fengqiao.hotspots.detection.detect``, called with arrays) then run every night over those days
exactly as the nightly job does, each night looking at the window that ends that day.

Reported per detector: sensitivity (share of outbreaks flagged on some night whose window
overlaps them), false alarms per 1,000 series-days (flagged nights whose window overlaps no
outbreak of that series), median detection delay (days from an outbreak's first day to its
first flag) and runtime.

    python bench/hotspots.py [--series 2000] [--days 730] [--eval-days 182]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fengqiao.hotspots.detection import EARS_C2, METHODS, NB, DetectionParams, detect

SEED = 20240611
CATEGORIES = 18
OUTBREAK_SHARE = 0.15
MATCH_THRESHOLDS = (3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 60.0)


@dataclass(frozen=True)
class Outbreak:
    series: int
    start: int  # first day (column index)
    end: int  # last day, inclusive
    size: int  # extra cases injected
    strength: float  # size in units of a week's natural spread


@dataclass(frozen=True)
class History:
    counts: np.ndarray  # (series, days)
    groups: np.ndarray  # category of each series
    first_weekday: int
    outbreaks: list[Outbreak]


def simulate(series: int, days: int, eval_days: int, seed: int = SEED) -> History:
    rng = np.random.default_rng(seed)
    day = np.arange(days)
    first_weekday = 2  # the history starts on a Wednesday
    weekday = (first_weekday + day) % 7
    groups = rng.integers(0, CATEGORIES, series)

    # Weekday profiles per category: office-hours disputes, weekend ones, flat ones.
    weekend = (weekday >= 5).astype(float)
    kind = rng.integers(0, 3, CATEGORIES)
    amplitude = rng.uniform(0.3, 0.9, CATEGORIES)
    sign = np.where(kind == 0, -1.0, np.where(kind == 1, 1.0, 0.0))
    log_profile = (sign * amplitude)[:, None] * (weekend[None, :] - 2 / 7)
    season_phase = rng.uniform(0, 2 * np.pi, CATEGORIES)
    season = 0.15 * np.sin(2 * np.pi * day[None, :] / 365.25 + season_phase[:, None])

    level = np.exp(np.clip(rng.normal(np.log(0.4), 1.1, series), np.log(0.02), np.log(12.0)))
    trend = rng.normal(0.0, 0.35, series)  # log change per year
    log_rate = (
        np.log(level)[:, None]
        + trend[:, None] * (day[None, :] - days) / 365.25
        + log_profile[groups]
        + season[groups]
    )
    # A latent rate drifting from day to day (AR(1) on the log scale), then gamma noise per day.
    latent = np.zeros((series, days))
    shocks = rng.normal(0.0, 0.04, (series, days))
    for t in range(1, days):
        latent[:, t] = 0.95 * latent[:, t - 1] + shocks[:, t]
    alpha = rng.uniform(0.0, 0.4, series)
    shape = 1.0 / np.maximum(alpha, 1e-6)
    noise = rng.gamma(shape[:, None], 1.0 / shape[:, None], (series, days))
    rate = np.exp(log_rate + latent) * noise
    counts = rng.poisson(rate)

    outbreaks: list[Outbreak] = []
    first_start = days - eval_days
    for s in np.flatnonzero(rng.random(series) < OUTBREAK_SHARE):
        duration = int(rng.integers(1, 15))
        start = int(rng.integers(first_start, days - 14))
        week_mean = float(np.exp(log_rate[s, start - 28 : start]).mean() * 7)
        spread = np.sqrt(week_mean + (alpha[s] + 0.02) * week_mean**2)
        strength = float(rng.uniform(1.0, 6.0))
        size = max(2, round(strength * (1.0 + spread)))
        # Outbreaks rise and fall: a triangular profile over their days.
        shape_days = np.minimum(np.arange(1, duration + 1), np.arange(duration, 0, -1))
        extra = rng.multinomial(size, shape_days / shape_days.sum())
        counts[s, start : start + duration] += extra
        outbreaks.append(Outbreak(int(s), start, start + duration - 1, size, strength))
    return History(counts, groups, first_weekday, outbreaks)


def nightly_flags(history: History, params: DetectionParams, eval_days: int) -> np.ndarray:
    """Flags of every night of the evaluation period, as the nightly job would raise them."""
    counts = history.counts
    days = counts.shape[1]
    need = params.history_days
    flags = np.zeros((counts.shape[0], eval_days), dtype=bool)
    for n, night in enumerate(range(days - eval_days, days)):
        first = night - need + 1
        result = detect(
            counts[:, first : night + 1],
            first_weekday=(history.first_weekday + first) % 7,
            params=params,
            groups=history.groups,
        )
        flags[:, n] = result.flagged
    return flags


def score(history: History, flags: np.ndarray, window: int, eval_days: int) -> dict[str, Any]:
    series, days = history.counts.shape
    first_night = days - eval_days
    nights = np.arange(first_night, days)
    covered = np.zeros_like(flags)
    detected, delays, strong, strong_hit = 0, [], 0, 0
    for outbreak in history.outbreaks:
        # Night t's window [t - window + 1, t] overlaps the outbreak while t is in this span.
        active = (nights >= outbreak.start) & (nights <= outbreak.end + window - 1)
        covered[outbreak.series] |= active
        hits = np.flatnonzero(flags[outbreak.series] & active)
        is_strong = outbreak.strength >= 3.0
        strong += is_strong
        if hits.size:
            detected += 1
            strong_hit += is_strong
            delays.append(int(nights[hits[0]] - outbreak.start))
    false_alarms = int((flags & ~covered).sum())
    total = len(history.outbreaks)
    return {
        "sensitivity": round(detected / total, 3),
        "sensitivity_strong": round(strong_hit / max(strong, 1), 3),
        "false_alarms_per_1000_series_days": round(1000 * false_alarms / (series * eval_days), 2),
        "median_delay_days": float(np.median(delays)) if delays else None,
        "outbreaks": total,
        "detected": detected,
        "false_alarms": false_alarms,
    }


def run(
    series: int = 2000, days: int = 730, eval_days: int = 182, seed: int = SEED
) -> dict[str, Any]:
    started = time.perf_counter()
    history = simulate(series, days, eval_days, seed)
    generated = time.perf_counter() - started
    figures: dict[str, Any] = {
        "series": series,
        "days": days,
        "eval_days": eval_days,
        "seed": seed,
        "outbreaks": len(history.outbreaks),
        "generate_seconds": round(generated, 2),
    }
    for method in METHODS:
        params = DetectionParams(method=method)
        began = time.perf_counter()
        flags = nightly_flags(history, params, eval_days)
        elapsed = time.perf_counter() - began
        figures[method] = {
            **score(history, flags, params.window_days, eval_days),
            "runtime_seconds": round(elapsed, 2),
            "ms_per_night": round(1000 * elapsed / eval_days, 1),
        }
    nb, c2 = figures[NB], figures[EARS_C2]
    figures["false_alarm_ratio_c2_to_nb"] = round(
        c2["false_alarms_per_1000_series_days"]
        / max(nb["false_alarms_per_1000_series_days"], 1e-9),
        1,
    )
    # A fair duel: raise C2's threshold until it raises no more false alarms than nb, then
    # compare how many outbreaks each still finds.
    matched = matched_ears(history, eval_days, nb["false_alarms_per_1000_series_days"])
    figures["ears_c2_at_nb_false_alarm_rate"] = matched
    figures["winner"] = NB if nb["sensitivity"] >= matched["sensitivity"] else EARS_C2
    return figures


def matched_ears(history: History, eval_days: int, budget: float) -> dict[str, Any]:
    """EARS C2 at the lowest threshold whose false-alarm rate stays within ``budget``."""
    figures: dict[str, Any] = {}
    for threshold in MATCH_THRESHOLDS:
        params = DetectionParams(method=EARS_C2, ears_threshold=threshold)
        flags = nightly_flags(history, params, eval_days)
        figures = {"threshold": threshold, **score(history, flags, params.window_days, eval_days)}
        if figures["false_alarms_per_1000_series_days"] <= budget:
            break
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=2000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--eval-days", type=int, default=182)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print(json.dumps(run(args.series, args.days, args.eval_days, args.seed), indent=2))


if __name__ == "__main__":
    main()
