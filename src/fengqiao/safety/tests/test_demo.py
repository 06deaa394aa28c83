"""The demo's safety-index data: seeded, plausible, loaded once, computed for every month."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest

from fengqiao.demo.plan import RegionSize
from fengqiao.demo.region import load_demo_region
from fengqiao.demo.safety import load_demo_safety
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.safety.models import IndexResult, Indicator, IndicatorValue

SMALL = RegionSize(townships=(2, 3), villages=(2, 3), grids=(2, 2))
TODAY = date(2025, 6, 15)


@pytest.fixture
def demo_region(db: None) -> None:
    load_demo_region(size=SMALL)


def test_values_and_results_for_twelve_months_once(demo_region: None) -> None:
    out = StringIO()
    summary = load_demo_safety(stdout=out, today=TODAY, months=12)
    units = OrgUnit.objects.filter(level__in=(Level.TOWNSHIP, Level.VILLAGE)).count()
    assert summary.created
    assert summary.units == units
    periods = sorted(set(IndexResult.objects.values_list("period", flat=True)))
    assert periods[0] == "2024-07"
    assert periods[-1] == "2025-06"
    assert len(periods) == 12
    assert IndexResult.objects.count() == 12 * units
    imported = Indicator.objects.filter(source="imported").count()
    # About 2 % of values are missing, as in real reporting.
    assert 0.95 * 12 * units * imported < IndicatorValue.objects.count() < 12 * units * imported
    percentages = IndicatorValue.objects.filter(indicator__unit="%").values_list("value", flat=True)
    assert all(0 <= v <= 100 for v in percentages)
    assert len(set(IndexResult.objects.values_list("colour", flat=True))) >= 3

    again = load_demo_safety(stdout=out, today=TODAY, months=12)
    assert not again.created
    assert IndexResult.objects.count() == 12 * units
    assert "already loaded" in out.getvalue()


def test_same_seed_same_values(demo_region: None) -> None:
    load_demo_safety(today=TODAY, months=2)
    first = sorted(
        IndicatorValue.objects.values_list("unit__code", "indicator__code", "period", "value")
    )
    IndicatorValue.objects.all().delete()
    IndexResult.objects.all().delete()
    load_demo_safety(today=TODAY, months=2)
    second = sorted(
        IndicatorValue.objects.values_list("unit__code", "indicator__code", "period", "value")
    )
    assert first == second
