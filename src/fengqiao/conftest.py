from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation

from fengqiao.testing.browser import chromium, sign_in
from fengqiao.testing.region import SmallRegion, build_small_region

__all__ = ["chromium", "sign_in"]  # shared browser fixtures for every domain's tests


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the deployment language, whatever an earlier request activated."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def region(db: None) -> SmallRegion:
    """City > 2 districts > 3 townships > 4 villages > 8 grids, departments, stations, users."""
    return build_small_region()


@pytest.fixture
def world(region: SmallRegion):  # type: ignore[no-untyped-def]
    """The small region plus taxonomy, default routing rules, departments and liaisons."""
    from fengqiao.testing.cases import build_case_world

    return build_case_world(region)
