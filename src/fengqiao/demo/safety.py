"""Demo data of the safety risk index: 12 months of imported indicator values for every demo
township and village, then the index computed for each month. Loaded once by ``init --demo``.

Each unit has a seeded latent risk level and a slow trend (some improve, some worsen), so the
maps differ between units, the history lines move plausibly, and a handful of units end up red
and on the negative list. Each indicator's value is drawn inside the "typical" range of the
default configuration (``safety/data/indicators.yaml``): counts as Poisson draws (smaller in
villages), rates and percentages as numbers; about 2 % of values are missing, as in real
reporting. The computed indicators come from the demo cases themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TextIO

import numpy as np
from django.db import transaction
from django.utils import timezone

from fengqiao.demo.plan import CITY_CODE, DEFAULT_SEED
from fengqiao.orgs.models import Level, OrgUnit, subtree_range
from fengqiao.safety.compute import index_compute
from fengqiao.safety.config import load_default_config, typical_ranges
from fengqiao.safety.models import Direction, IndexResult, Indicator, IndicatorValue, ValueSource
from fengqiao.safety.periods import recent_months

DEMO_MONTHS = 12
MISSING_SHARE = 0.02
# Units of measure that are counts of events or people (drawn as whole numbers).
COUNT_UNITS = frozenset({"件", "起", "人", "处", "栋", "个", "户", "人次", "件次", "条"})
# A village sees about this share of a township's events.
VILLAGE_SHARE = 0.18


@dataclass(frozen=True)
class DemoSafetySummary:
    created: bool
    values: int
    periods: int
    units: int


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _units() -> list[OrgUnit]:
    city = OrgUnit.objects.filter(code=CITY_CODE).first()
    if city is None:
        return []
    return list(
        OrgUnit.objects.filter(
            subtree_range(city.path), level__in=(Level.TOWNSHIP, Level.VILLAGE), is_active=True
        ).order_by("path")
    )


def plan_values(
    units: list[OrgUnit], indicators: list[Indicator], months: list[str], seed: int
) -> list[IndicatorValue]:
    """The demo's imported values, deterministic for a seed (no database access)."""
    rng = np.random.default_rng(seed + 4)
    ranges = typical_ranges()
    latent = rng.normal(0.0, 1.0, len(units))
    trend = rng.normal(0.0, 0.08, len(units))
    values: list[IndicatorValue] = []
    for indicator in indicators:
        if indicator.code not in ranges:
            continue
        low, high = ranges[indicator.code]
        tilt = rng.normal(0.0, 0.6, len(units))  # each unit is worse on some things than others
        for m, period in enumerate(months):
            noise = rng.normal(0.0, 0.35, len(units))
            position = 1 / (1 + np.exp(-(latent + tilt + trend * m + noise)))
            if indicator.direction == Direction.SAFER:
                position = 1 - position
            for n, unit in enumerate(units):
                if rng.random() < MISSING_SHARE:
                    continue
                expected = low + position[n] * (high - low)
                if indicator.unit in COUNT_UNITS:
                    share = VILLAGE_SHARE if unit.level == Level.VILLAGE else 1.0
                    value = float(rng.poisson(max(expected * share, 0.0)))
                else:
                    value = round(float(expected), 2)
                if indicator.unit == "%":
                    value = min(value, 100.0)
                values.append(
                    IndicatorValue(
                        indicator=indicator,
                        unit=unit,
                        period=period,
                        value=value,
                        source=ValueSource.DEMO,
                    )
                )
    return values


def load_demo_safety(
    *,
    stdout: TextIO | None = None,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    months: int = DEMO_MONTHS,
) -> DemoSafetySummary:
    """Import the demo values (once) and compute every demo month that has no results yet."""
    load_default_config()
    units = _units()
    if not units:
        _say(stdout, "No demo region: no safety-index demo data")
        return DemoSafetySummary(False, 0, 0, 0)
    periods = [p.label for p in recent_months(today or timezone.localdate(), months)]
    created = False
    count = 0
    with transaction.atomic(durable=True):
        if not IndicatorValue.objects.filter(source=ValueSource.DEMO).exists():
            indicators = list(Indicator.objects.filter(source="imported"))
            planned = plan_values(units, indicators, periods, seed)
            IndicatorValue.objects.bulk_create(planned, batch_size=5000)
            created, count = True, len(planned)
    done = set(IndexResult.objects.filter(period__in=periods).values_list("period", flat=True))
    computed = [index_compute(actor=None, period=p) for p in periods if p not in done]
    if created:
        _say(
            stdout, f"Safety index: {count} demo values for {len(units)} units over {months} months"
        )
    else:
        _say(stdout, "Safety index demo values are already loaded; nothing created")
    if computed:
        last = computed[-1]
        _say(stdout, f"Safety index computed for {len(computed)} months; {last.summary()}")
    return DemoSafetySummary(created, count, len(periods), len(units))
