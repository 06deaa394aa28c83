"""The vectorised heart of the engine: which (rule, device) pairs fire, on plain NumPy arrays.

No database here. ``engine`` turns a signal batch (or the device register) into these arrays,
calls :func:`evaluate_signals` / :func:`evaluate_silence`, and raises warnings for the hits; the
benchmark (``bench/warning_rules.py``) calls the same two functions. Each rule is one pass of
vector comparisons over the batch, so the cost grows with rules × signals, never with Python
loops over signals; only the (usually few) hits are sorted, to keep the latest one per device.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

OVER, UNDER, RATE = 0, 1, 2

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Signals:
    device: IntArray  # index into the device arrays
    kind: IntArray  # signal type code
    value: FloatArray  # NaN where the signal carries no value
    ts: FloatArray  # observed at, seconds since the epoch


@dataclass(frozen=True)
class Devices:
    point_type: IntArray  # code of the linked risk point's type, -1 for none
    kind: IntArray  # the device's own signal type code, -1 unknown
    prev_value: FloatArray  # last value before this batch (NaN: none)
    prev_ts: FloatArray  # when it was seen (NaN: never)


@dataclass(frozen=True)
class SignalRule:
    index: int
    op: int  # OVER, UNDER or RATE (per hour)
    kind: int  # signal type code
    threshold: float
    # Allowed point type codes as a boolean table, or None for every device (linked or not).
    types: BoolArray | None = None


@dataclass(frozen=True)
class SilenceRule:
    index: int
    window_s: float
    types: BoolArray | None = None


@dataclass(frozen=True)
class Hits:
    rule: int
    device: IntArray
    value: FloatArray  # the reading (threshold), the rate per hour (RATE), the silence in seconds
    ts: FloatArray


def types_table(allowed: list[int], n_types: int) -> BoolArray:
    """A lookup table over type codes; the extra last slot (code -1) is a device with no point."""
    table = np.zeros(n_types + 1, dtype=bool)
    table[allowed] = True
    return table


def _applies(types: BoolArray | None, point_type: IntArray) -> BoolArray | None:
    return None if types is None else types[point_type]


def _latest_per_device(device: IntArray, ts: FloatArray, idx: IntArray) -> IntArray:
    """Of the hit positions ``idx``, the last one in time for each device."""
    if idx.size <= 1:
        return idx
    order = np.lexsort((ts[idx], device[idx]))
    ordered = idx[order]
    devs = device[ordered]
    last = np.empty(devs.size, dtype=bool)
    last[:-1] = devs[1:] != devs[:-1]
    last[-1] = True
    return ordered[last]


def rates(signals: Signals, devices: Devices, kind: int, select: BoolArray) -> FloatArray:
    """|Δvalue| per hour of each selected signal against the same device's previous reading of
    that type: an earlier signal of the batch, else the device's last value."""
    out = np.full(signals.value.size, np.nan)
    idx = np.flatnonzero(select)
    if idx.size == 0:
        return out
    order = idx[np.lexsort((signals.ts[idx], signals.device[idx]))]
    dev = signals.device[order]
    val = signals.value[order]
    ts = signals.ts[order]
    first = np.empty(order.size, dtype=bool)
    first[0] = True
    first[1:] = dev[1:] != dev[:-1]
    prev_val = np.empty(order.size)
    prev_ts = np.empty(order.size)
    prev_val[1:], prev_ts[1:] = val[:-1], ts[:-1]
    # The device's stored reading only counts as "previous" when it was of this type.
    same_kind = devices.kind[dev[first]] == kind
    prev_val[first] = np.where(same_kind, devices.prev_value[dev[first]], np.nan)
    prev_ts[first] = np.where(same_kind, devices.prev_ts[dev[first]], np.nan)
    hours = (ts - prev_ts) / 3600.0
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(hours > 0, np.abs(val - prev_val) / hours, np.nan)
    out[order] = rate
    return out


def evaluate_signals(signals: Signals, devices: Devices, rules: list[SignalRule]) -> list[Hits]:
    """Threshold and rate-of-change rules over a batch: one ``Hits`` per rule that fired, with
    each firing device once (its latest firing signal)."""
    results: list[Hits] = []
    point_type = devices.point_type[signals.device]
    by_kind: dict[int, BoolArray] = {}
    for rule in rules:
        select = by_kind.get(rule.kind)
        if select is None:
            select = by_kind[rule.kind] = (signals.kind == rule.kind) & ~np.isnan(signals.value)
        applies = _applies(rule.types, point_type)
        candidates = select if applies is None else select & applies
        if rule.op == RATE:
            measured = rates(signals, devices, rule.kind, candidates)
            with np.errstate(invalid="ignore"):
                mask = candidates & (measured > rule.threshold)
        else:
            measured = signals.value
            with np.errstate(invalid="ignore"):
                crossed = (
                    measured > rule.threshold if rule.op == OVER else measured < rule.threshold
                )
            mask = candidates & crossed
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            continue
        keep = _latest_per_device(signals.device, signals.ts, idx)
        results.append(Hits(rule.index, signals.device[keep], measured[keep], signals.ts[keep]))
    return results


def evaluate_silence(
    last_seen: FloatArray, point_type: IntArray, rules: list[SilenceRule], now: float
) -> list[Hits]:
    """Devices silent for longer than each rule's window (never-seen devices are not silent)."""
    results: list[Hits] = []
    silent_for = now - last_seen
    for rule in rules:
        with np.errstate(invalid="ignore"):
            mask = silent_for > rule.window_s
        applies = _applies(rule.types, point_type)
        if applies is not None:
            mask &= applies
        idx = np.flatnonzero(mask)
        if idx.size:
            results.append(Hits(rule.index, idx.astype(np.int64), silent_for[idx], last_seen[idx]))
    return results
