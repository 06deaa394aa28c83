"""The scoring configuration (``scoring.yaml``), validated once when it is loaded."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from fengqiao.labour.indicators import INDICATORS
from fengqiao.labour.models import EmployerKind

DEFAULT_PATH = Path(__file__).with_name("scoring.yaml")
_TOLERANCE = 1e-6


class ConfigError(ValueError):
    """The scoring file is wrong; the message names the key."""


@dataclass(frozen=True)
class IndicatorRule:
    code: str
    direction: str  # "higher" or "lower": which end of the scale is the risky one
    floor: float
    cap: float
    weights: dict[str, float]  # per employer kind; a kind it does not name gets 0

    def normalise(self, value: float) -> float:
        share = min(max((value - self.floor) / (self.cap - self.floor), 0.0), 1.0)
        return share if self.direction == "higher" else 1.0 - share


@dataclass(frozen=True)
class ScoringConfig:
    red: float
    orange: float
    warn_min_score: float
    warn_top_per_district: int
    warn_top_floor: float
    complaint_prefix: str
    complaint_months: int
    rules: dict[str, IndicatorRule]
    digest: str

    def colour(self, score: float) -> str:
        if score >= self.red:
            return "red"
        return "orange" if score >= self.orange else "green"

    def rules_for(self, kind: str) -> list[IndicatorRule]:
        return [rule for rule in self.rules.values() if rule.weights.get(kind, 0) > 0]


def _number(data: dict[str, Any], key: str, where: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}.{key}: a number is required")
    return float(value)


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: a mapping is required")
    return value


def _rule(code: str, data: Any) -> IndicatorRule:
    where = f"indicators.{code}"
    if code not in INDICATORS:
        raise ConfigError(f"{where}: unknown indicator (known: {', '.join(INDICATORS)})")
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a mapping is required")
    direction = data.get("direction", "higher")
    if direction not in {"higher", "lower"}:
        raise ConfigError(f"{where}.direction: 'higher' or 'lower'")
    norm = data.get("normalisation")
    if not isinstance(norm, dict) or norm.get("method") != "capped_linear":
        raise ConfigError(f"{where}.normalisation: method must be capped_linear")
    floor, cap = _number(norm, "floor", where), _number(norm, "cap", where)
    if cap <= floor:
        raise ConfigError(f"{where}.normalisation: cap must be above floor")
    weights = data.get("weight")
    if not isinstance(weights, dict):
        raise ConfigError(f"{where}.weight: a mapping of employer kind to weight is required")
    parsed: dict[str, float] = {}
    for kind in weights:
        if kind not in EmployerKind.values:
            raise ConfigError(f"{where}.weight.{kind}: unknown employer kind")
        parsed[kind] = _number(weights, kind, f"{where}.weight")
        if parsed[kind] < 0:
            raise ConfigError(f"{where}.weight.{kind}: must not be negative")
        if not INDICATORS[code].applies_to(kind) and parsed[kind] > 0:
            raise ConfigError(f"{where}.weight.{kind}: this indicator does not apply to {kind}")
    return IndicatorRule(code, direction, floor, cap, parsed)


def parse_config(text: str) -> ScoringConfig:
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ConfigError("the scoring file must be a mapping")
    thresholds = _section(data, "thresholds")
    red, orange = (
        _number(thresholds, "red", "thresholds"),
        _number(thresholds, "orange", "thresholds"),
    )
    if not 0 < orange < red <= 100:
        raise ConfigError("thresholds: need 0 < orange < red ≤ 100")
    warnings = _section(data, "warnings")
    top = warnings.get("top_per_district", 0)
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise ConfigError("warnings.top_per_district: a whole number ≥ 0 is required")
    complaints = _section(data, "complaints")
    months = complaints.get("window_months")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 60:
        raise ConfigError("complaints.window_months: a whole number 1..60 is required")
    rules = {code: _rule(code, spec) for code, spec in _section(data, "indicators").items()}
    for kind in EmployerKind.values:
        total = sum(rule.weights.get(kind, 0) for rule in rules.values())
        if abs(total - 100) > _TOLERANCE:
            raise ConfigError(f"indicators: the weights for {kind} add up to {total:g}, not 100")
    return ScoringConfig(
        red=red,
        orange=orange,
        warn_min_score=_number(warnings, "min_score", "warnings"),
        warn_top_per_district=top,
        warn_top_floor=_number(warnings, "top_floor", "warnings"),
        complaint_prefix=str(complaints.get("category_prefix", "M10")),
        complaint_months=months,
        rules=rules,
        digest=hashlib.sha256(text.encode()).hexdigest()[:16],
    )


_cache: dict[tuple[str, float], ScoringConfig] = {}


def scoring_config() -> ScoringConfig:
    """The configuration in force; re-read when the file changes (an edit needs no restart)."""
    path = Path(getattr(settings, "FENGQIAO_LABOUR_SCORING", "") or DEFAULT_PATH)
    key = (str(path), path.stat().st_mtime)
    config = _cache.get(key)
    if config is None:
        config = parse_config(path.read_text(encoding="utf-8"))
        _cache.clear()
        _cache[key] = config
    return config
