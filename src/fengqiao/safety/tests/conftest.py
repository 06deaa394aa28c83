"""Fixtures of the safety-index tests: the default configuration and a computed small region."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.safety.compute import index_compute
from fengqiao.safety.config import load_default_config
from fengqiao.safety.models import Indicator
from fengqiao.safety.services import values_import
from fengqiao.testing.region import SmallRegion

JAN, FEB = "2025-01", "2025-02"
# 110 calls per 10k residents (riskier) and residents' sense of security (% , safer).
CALLS, SECURITY = "D2.01", "D2.09"


def rows(
    period: str, values: dict[str, tuple[float, float]], region: SmallRegion
) -> list[dict[str, Any]]:
    return [
        row
        for key, (calls, security) in values.items()
        for row in (
            {
                "unit_code": region.unit(key).code,
                "period": period,
                "indicator": CALLS,
                "value": calls,
            },
            {
                "unit_code": region.unit(key).code,
                "period": period,
                "indicator": SECURITY,
                "value": security,
            },
        )
    ]


# A1 (胜利路街道) is the riskiest township in January; B1 the safest.
JANUARY = {
    "A1": (90.0, 86.0),
    "A2": (40.0, 95.0),
    "B1": (20.0, 99.0),
    "A1a": (80.0, 88.0),
    "A1b": (30.0, 97.0),
    "A2a": (50.0, 93.0),
    "B1a": (10.0, 99.0),
}
FEBRUARY = {
    key: (calls * 0.8, min(99.0, security + 2)) for key, (calls, security) in JANUARY.items()
}


@pytest.fixture
def config(db: None) -> None:
    load_default_config()


@pytest.fixture
def computed(region: SmallRegion, config: None) -> SmallRegion:
    """Values for January and February imported for every township and village, and computed.

    Only the two imported indicators stay active, so the index is theirs alone (worked out in
    ``test_compute``): in January A1 scores 2.98 (red), A2 71.43 and B1 100 (blue).
    """
    Indicator.objects.exclude(code__in=[CALLS, SECURITY]).update(is_active=False)
    for period, values in ((JAN, JANUARY), (FEB, FEBRUARY)):
        values_import(actor=None, rows=rows(period, values, region), recompute=False)
        index_compute(actor=None, period=period)
    return region
