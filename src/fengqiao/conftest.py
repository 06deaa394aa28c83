from __future__ import annotations

import pytest

from fengqiao.testing.region import SmallRegion, build_small_region


@pytest.fixture
def region(db: None) -> SmallRegion:
    """City > 2 districts > 3 townships > 4 villages > 8 grids, departments, stations, users."""
    return build_small_region()


@pytest.fixture
def world(region: SmallRegion):  # type: ignore[no-untyped-def]
    """The small region plus taxonomy, default routing rules, departments and liaisons."""
    from fengqiao.testing.cases import build_case_world

    return build_case_world(region)
