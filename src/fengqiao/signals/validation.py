"""Checking a batch of raw signal items before anything is written.

Pure functions (no database): the API and the MQTT consumer both call :func:`parse_items`; the
consumer also calls it per message, so one bad message is set aside without failing its neighbours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext

from fengqiao.core.errors import ValidationFailed

MAX_BATCH = 10_000
# Sensor clocks drift; a reading a little ahead of ours is normal, one far ahead is a wrong clock.
FUTURE_TOLERANCE = timedelta(minutes=5)
KNOWN_FIELDS = frozenset({"source", "device_id", "kind", "value", "lng", "lat", "observed_at"})
MAX_ERRORS = 100
SOURCE_MAX, DEVICE_MAX, KIND_MAX = 64, 100, 40


@dataclass(frozen=True)
class ParsedSignal:
    source: str
    device_id: str
    kind: str
    value: float | None
    lng: float | None
    lat: float | None
    observed_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Problems:
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, index: int | None, field_name: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"index": index, "field": field_name, "message": message})

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        first = self.errors[0]
        where = "" if first["index"] is None else f"item {first['index']}: "
        raise ValidationFailed(
            f"{where}{first['field']}: {first['message']}",
            field=first["field"],
            index=first["index"],
            errors=self.errors,
        )


def _text(item: dict[str, Any], name: str, limit: int, fallback: str = "") -> str | None:
    raw = item.get(name)
    if raw is None or raw == "":
        raw = fallback
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None
    text = str(raw).strip()
    return text if len(text) <= limit else None


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise TypeError
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError
    return value


def parse_observed_at(raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise ValueError(gettext("give the time as an ISO 8601 string"))
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(gettext("not an ISO 8601 date and time")) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(gettext("the time needs a time zone (e.g. +08:00 or Z)"))
    return moment


def _parse_one(
    index: int,
    item: Any,
    problems: _Problems,
    *,
    source_hint: str,
    now: datetime,
    oldest: datetime,
) -> ParsedSignal | None:
    if not isinstance(item, dict):
        problems.add(index, "item", gettext("each signal must be a JSON object"))
        return None
    before = len(problems.errors)
    source = _text(item, "source", SOURCE_MAX, source_hint)
    if not source:
        problems.add(index, "source", gettext("required, text of at most 64 characters"))
    kind = _text(item, "kind", KIND_MAX)
    if not kind:
        problems.add(index, "kind", gettext("required, text of at most 40 characters"))
    device_id = _text(item, "device_id", DEVICE_MAX)
    if device_id is None:
        problems.add(index, "device_id", gettext("text of at most 100 characters"))
    value: float | None = None
    if item.get("value") is not None:
        try:
            value = _number(item["value"])
        except (TypeError, ValueError):
            problems.add(index, "value", gettext("must be a finite number or null"))
    lng = lat = None
    has_lng, has_lat = item.get("lng") is not None, item.get("lat") is not None
    if has_lng != has_lat:
        problems.add(index, "lat", gettext("give both lng and lat, or neither"))
    elif has_lng:
        try:
            lng, lat = _number(item["lng"]), _number(item["lat"])
        except (TypeError, ValueError):
            problems.add(index, "lng", gettext("lng and lat must be numbers"))
        else:
            if not (-180 <= lng <= 180 and -90 <= lat <= 90):  # type: ignore[operator]
                problems.add(index, "lng", gettext("lng/lat must be WGS 84 degrees"))
    if device_id == "" and not has_lng:
        problems.add(index, "device_id", gettext("give a device_id or a point (lng/lat)"))
    observed_at = None
    try:
        observed_at = parse_observed_at(item.get("observed_at"))
    except ValueError as exc:
        problems.add(index, "observed_at", str(exc))
    else:
        if observed_at > now + FUTURE_TOLERANCE:
            problems.add(index, "observed_at", gettext("more than 5 minutes in the future"))
        elif observed_at < oldest:
            problems.add(index, "observed_at", gettext("older than the signal retention period"))
    if len(problems.errors) > before or observed_at is None:
        return None
    if not device_id:
        # A bare point is its own device: re-sending the same point reading stays one signal.
        device_id = f"@{lng:.6f},{lat:.6f}"
    return ParsedSignal(
        source=source or "",
        device_id=device_id or "",
        kind=kind or "",
        value=value,
        lng=lng,
        lat=lat,
        observed_at=observed_at,
        payload={k: v for k, v in item.items() if k not in KNOWN_FIELDS},
    )


def parse_items(
    items: Any, *, source_hint: str, now: datetime, retention_days: int
) -> list[ParsedSignal]:
    """Every item checked; raises one ValidationFailed naming each bad item's index and field."""
    problems = _Problems()
    if not isinstance(items, list) or not items:
        problems.add(None, "items", gettext("send a non-empty JSON array or JSON lines"))
        problems.raise_if_any()
    if len(items) > MAX_BATCH:
        problems.add(None, "items", gettext("at most 10,000 signals per batch"))
        problems.raise_if_any()
    oldest = now - timedelta(days=retention_days)
    parsed = [
        _parse_one(i, item, problems, source_hint=source_hint.strip(), now=now, oldest=oldest)
        for i, item in enumerate(items)
    ]
    problems.raise_if_any()
    return [p for p in parsed if p is not None]
