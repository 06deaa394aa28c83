from __future__ import annotations

import pytest

from fengqiao.metrics.aggregate import rebuild
from fengqiao.metrics.tests.history import build


@pytest.fixture
def history(world):
    cases = build(world)
    rebuild()
    return cases
