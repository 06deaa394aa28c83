from __future__ import annotations

import pytest

from fengqiao.testing.region import SmallRegion, build_small_region


@pytest.fixture
def region(db: None) -> SmallRegion:
    """City > 2 districts > 3 townships > 4 villages > 8 grids, departments, stations, users."""
    return build_small_region()
