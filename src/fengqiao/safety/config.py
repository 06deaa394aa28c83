"""The index configuration: loading the defaults, validating edits, and the formula it defines."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.safety.engine import Formula, IndicatorSpec, Thresholds
from fengqiao.safety.metrics import known_metric
from fengqiao.safety.models import (
    COMPUTED_PREFIX,
    IMPORTED,
    Dimension,
    Direction,
    IndexSettings,
    Indicator,
    Normalisation,
)

DEFAULT_FILE = Path(__file__).with_name("data") / "indicators.yaml"
WEIGHT_TOLERANCE = 0.01
_SETTINGS_FIELDS = (
    "red_below",
    "orange_below",
    "yellow_below",
    "zscore_clip",
    "negative_include_red",
    "negative_bottom_n",
    "reason_count",
)


def indicator_problems(
    *,
    source: str,
    normalisation: str,
    direction: str,
    good_value: float | None,
    bad_value: float | None,
    weight: float | None,
) -> dict[str, str]:
    """Field → message for an indicator's settings that the index could not use."""
    problems: dict[str, str] = {}
    if source != IMPORTED:
        metric = source.removeprefix(COMPUTED_PREFIX)
        if not source.startswith(COMPUTED_PREFIX) or not known_metric(metric):
            problems["source"] = _("“imported”, or “computed:” followed by a known metric.")
    if weight is not None and (not math.isfinite(weight) or weight <= 0):
        problems["weight"] = _("A weight must be greater than 0.")
    if normalisation == Normalisation.FIXED:
        if good_value is None or bad_value is None:
            problems["good_value"] = _("Fixed thresholds need a good and a bad value.")
        elif good_value == bad_value:
            problems["bad_value"] = _("The good and bad values must differ.")
        elif (bad_value > good_value) != (direction == Direction.RISKIER):
            problems["bad_value"] = _(
                "With “higher is riskier” the bad value is above the good one; "
                "with “higher is safer”, below it."
            )
    return problems


def settings_problems(red: float, orange: float, yellow: float) -> dict[str, str]:
    if not 0 <= red <= orange <= yellow <= 100:
        return {"orange_below": _("Thresholds must rise: 0 ≤ red ≤ orange ≤ yellow ≤ 100.")}
    return {}


def dimension_weight_problem(weights: list[float]) -> str:
    """Active indicators' weights in a dimension must add up to 100 (%)."""
    total = sum(weights)
    if weights and abs(total - 100.0) > WEIGHT_TOLERANCE:
        return _("The active indicators' weights add up to %(total)s; they must add up to 100.") % {
            "total": f"{total:g}"
        }
    return ""


def index_settings() -> IndexSettings:
    settings, _created = IndexSettings.objects.get_or_create(pk=1)
    return settings


def thresholds(settings: IndexSettings) -> Thresholds:
    return Thresholds(
        red_below=settings.red_below,
        orange_below=settings.orange_below,
        yellow_below=settings.yellow_below,
        negative_include_red=settings.negative_include_red,
        negative_bottom_n=settings.negative_bottom_n,
        reason_count=settings.reason_count,
    )


def active_indicators() -> list[Indicator]:
    return list(
        Indicator.objects.filter(is_active=True, dimension__is_active=True, weight__gt=0)
        .select_related("dimension")
        .order_by("dimension__order", "dimension__code", "order", "code")
    )


def formula_of(indicators: list[Indicator], settings: IndexSettings) -> Formula:
    specs = [
        IndicatorSpec(
            code=i.code,
            dimension=i.dimension.code,
            riskier=i.direction == Direction.RISKIER,
            weight=i.weight,
            normalisation=i.normalisation,
            good=i.good_value,
            bad=i.bad_value,
        )
        for i in indicators
    ]
    dimension_weights = {i.dimension.code: i.dimension.weight for i in indicators}
    return Formula.build(specs, dimension_weights, zscore_clip=settings.zscore_clip)


@dataclass(frozen=True)
class ConfigSummary:
    dimensions_created: int
    indicators_created: int
    dimensions: int
    indicators: int

    def summary(self) -> str:
        return (
            f"{self.dimensions} dimensions, {self.indicators} indicators "
            f"({self.dimensions_created} and {self.indicators_created} created)"
        )


def _check_file(data: dict[str, Any]) -> None:
    codes: set[str] = set()
    for dimension in data["dimensions"]:
        problem = dimension_weight_problem([i["weight"] for i in dimension["indicators"]])
        if problem:
            raise ValidationError(f"{dimension['code']}: {problem}")
        for item in dimension["indicators"]:
            if item["code"] in codes:
                raise ValidationError(f"{item['code']}: duplicate indicator code")
            codes.add(item["code"])
            problems = indicator_problems(
                source=item.get("source", IMPORTED),
                normalisation=item.get("normalisation", Normalisation.MINMAX),
                direction=item["direction"],
                good_value=item.get("good_value"),
                bad_value=item.get("bad_value"),
                weight=item["weight"],
            )
            if problems:
                raise ValidationError(f"{item['code']}: {problems}")


@transaction.atomic
def load_default_config(path: Path = DEFAULT_FILE) -> ConfigSummary:
    """Create the dimensions, indicators and settings of ``path`` that are missing.

    What is already there is left alone: an analyst's edits in the admin survive every
    ``fengqiao init``.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    _check_file(data)
    if not IndexSettings.objects.filter(pk=1).exists():
        IndexSettings.objects.create(
            pk=1, **{k: data["settings"][k] for k in _SETTINGS_FIELDS if k in data["settings"]}
        )
    dims_created = inds_created = 0
    for d_order, item in enumerate(data["dimensions"], start=1):
        dimension, created = Dimension.objects.get_or_create(
            code=item["code"],
            defaults={
                "name_zh": item["name_zh"],
                "name_en": item.get("name_en", ""),
                "weight": item["weight"],
                "order": d_order,
            },
        )
        dims_created += created
        for i_order, spec in enumerate(item["indicators"], start=1):
            _indicator, created = Indicator.objects.get_or_create(
                code=spec["code"],
                defaults={
                    "dimension": dimension,
                    "name_zh": spec["name_zh"],
                    "name_en": spec.get("name_en", ""),
                    "direction": spec["direction"],
                    "unit": spec.get("unit", ""),
                    "weight": spec["weight"],
                    "normalisation": spec.get("normalisation", Normalisation.MINMAX),
                    "good_value": spec.get("good_value"),
                    "bad_value": spec.get("bad_value"),
                    "source": spec.get("source", IMPORTED),
                    "order": i_order,
                },
            )
            inds_created += created
    return ConfigSummary(
        dims_created, inds_created, Dimension.objects.count(), Indicator.objects.count()
    )


def typical_ranges(path: Path = DEFAULT_FILE) -> dict[str, tuple[float, float]]:
    """The default file's plausible [low, high] per indicator (used by the demo data)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        spec["code"]: (float(spec["typical"][0]), float(spec["typical"][1]))
        for dimension in data["dimensions"]
        for spec in dimension["indicators"]
        if "typical" in spec
    }
