"""Signal rule evaluation: the early-warning engine's vectorised core against plain NumPy.

100,000 devices × 10 signals = 1,000,000 readings, checked against two threshold rules (a level
over 0.85 on septic tanks only, a battery under 10 % on every device) and 100,000 devices against
a silence rule (6 hours). The engine side is ``fengqiao.early_warning.core`` — the code
``evaluate_batch`` and ``sweep`` run — which also keeps the latest firing reading per device and
its value. The baseline is the same rules written as bare NumPy masks and ``np.unique``. Both
must name the same devices per rule; the figure is baseline time / engine time (1.0 = no
overhead; target ≥ 0.3) and the engine's signals per second on one core.

    python bench/warning_rules.py [--devices 100000] [--per-device 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fengqiao.early_warning import core

SEED = 20260311
N_TYPES = 8
SEPTIC = 0
LEVEL, BATTERY = 0, 1


def _data(devices: int, per_device: int) -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    n = devices * per_device
    now = 1_760_000_000.0
    device = np.repeat(np.arange(devices, dtype=np.int64), per_device)
    kind = rng.integers(0, 2, size=n, dtype=np.int64)
    value = np.where(kind == LEVEL, rng.beta(2, 6, size=n), rng.uniform(0, 100, size=n))
    value[rng.random(n) < 0.001] = np.nan  # readings that carry no value
    ts = now - rng.uniform(0, 3600, size=n)
    point_type = rng.integers(-1, N_TYPES, size=devices, dtype=np.int64)
    point_type[point_type < 0] = N_TYPES  # the "no point" slot of core.types_table
    last_seen = now - rng.exponential(3600, size=devices)
    return {
        "signals": core.Signals(device=device, kind=kind, value=value, ts=ts),
        "devices": core.Devices(
            point_type=point_type,
            kind=np.full(devices, -1, dtype=np.int64),
            prev_value=np.full(devices, np.nan),
            prev_ts=np.full(devices, np.nan),
        ),
        "last_seen": last_seen,
        "now": now,
    }


def _engine(data: dict[str, Any], septic_only: np.ndarray) -> list[set[int]]:
    rules = [
        core.SignalRule(0, core.OVER, LEVEL, 0.85, septic_only),
        core.SignalRule(1, core.UNDER, BATTERY, 10.0, None),
    ]
    hits = core.evaluate_signals(data["signals"], data["devices"], rules)
    silence = core.evaluate_silence(
        data["last_seen"],
        data["devices"].point_type,
        [core.SilenceRule(2, 6 * 3600.0)],
        data["now"],
    )
    found: list[set[int]] = [set(), set(), set()]
    for h in [*hits, *silence]:
        found[h.rule] = set(h.device.tolist())
    return found


def _baseline(data: dict[str, Any], septic_only: np.ndarray) -> list[set[int]]:
    s = data["signals"]
    pt = data["devices"].point_type[s.device]
    with np.errstate(invalid="ignore"):
        level = (s.kind == LEVEL) & (s.value > 0.85) & septic_only[pt]
        battery = (s.kind == BATTERY) & (s.value < 10.0)
        silent = (data["now"] - data["last_seen"]) > 6 * 3600.0
    return [
        set(np.unique(s.device[level]).tolist()),
        set(np.unique(s.device[battery]).tolist()),
        set(np.flatnonzero(silent).tolist()),
    ]


def _best(func: Any, *args: Any, repeat: int = 5) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def run(devices: int = 100_000, per_device: int = 10) -> dict[str, Any]:
    data = _data(devices, per_device)
    septic_only = core.types_table([SEPTIC], N_TYPES)
    # Set conversion is the comparison, not the work: time the evaluation alone.
    engine_s, _ = _best(
        lambda: (
            core.evaluate_signals(
                data["signals"],
                data["devices"],
                [
                    core.SignalRule(0, core.OVER, LEVEL, 0.85, septic_only),
                    core.SignalRule(1, core.UNDER, BATTERY, 10.0, None),
                ],
            ),
            core.evaluate_silence(
                data["last_seen"],
                data["devices"].point_type,
                [core.SilenceRule(2, 6 * 3600.0)],
                data["now"],
            ),
        )
    )

    def baseline_only() -> None:
        s = data["signals"]
        pt = data["devices"].point_type[s.device]
        with np.errstate(invalid="ignore"):
            np.unique(s.device[(s.kind == LEVEL) & (s.value > 0.85) & septic_only[pt]])
            np.unique(s.device[(s.kind == BATTERY) & (s.value < 10.0)])
            np.flatnonzero((data["now"] - data["last_seen"]) > 6 * 3600.0)

    baseline_s, _ = _best(baseline_only)
    engine_found = _engine(data, septic_only)
    baseline_found = _baseline(data, septic_only)
    if engine_found != baseline_found:
        raise AssertionError("the engine and the baseline disagree on which devices fire")
    signals = devices * per_device
    return {
        "bench": "warning_rules",
        "signals": signals,
        "devices": devices,
        "checks": signals + devices,
        "engine_seconds": round(engine_s, 4),
        "baseline_seconds": round(baseline_s, 4),
        "engine_signals_per_second": round(signals / engine_s),
        "ratio_vs_numpy": round(baseline_s / engine_s, 3),
        "target_ratio": 0.3,
        "fired": {
            "level": len(engine_found[0]),
            "battery": len(engine_found[1]),
            "silent": len(engine_found[2]),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--per-device", type=int, default=10)
    args = parser.parse_args()
    print(json.dumps(run(args.devices, args.per_device)))


if __name__ == "__main__":
    main()
