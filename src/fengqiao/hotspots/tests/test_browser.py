"""In Chromium: an analyst opens the hotspots, sees the grid on the map and the hotspot's
explanation with its sparkline, and follows it to the cluster's cases. Screenshots go to
``test-artifacts/hotspots/``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fengqiao.hotspots.services import hotspot_run_execute, hotspot_run_request
from fengqiao.hotspots.tests.conftest import HotWorld, build_hot_world
from fengqiao.testing.browser import Browser, expect
from fengqiao.testing.cases import build_case_world
from fengqiao.testing.region import build_small_region

pytestmark = pytest.mark.browser


@pytest.fixture
def hot_world(transactional_db: None) -> HotWorld:
    return build_hot_world(build_case_world(build_small_region()))


def test_an_analyst_follows_a_hotspot_to_its_cases(
    hot_world: HotWorld, sign_in: Callable[..., Browser]
) -> None:
    run = hotspot_run_request(actor=hot_world.user("city_admin"))
    hotspot_run_execute(run_id=run.pk)
    browser = sign_in("a_analyst", shots="hotspots")
    page = browser.page
    page.goto(f"{browser.base_url}/hotspots/")

    hot_map = page.locator("#hotspot-map")
    # District A's grids are drawn, one of them coloured as a hotspot.
    expect(hot_map).to_have_attribute("data-hot-count", "1")
    expect(hot_map).to_have_attribute("data-feature-count", "6")
    row = page.locator("tr.hotspot-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(hot_world.unit("A1a-g1").name)
    expect(row.locator(".explanation")).to_contain_text("6")
    expect(row.locator(".sparkline svg")).to_be_visible()
    browser.shot("hotspots-list")

    row.locator("a.cases-link").click()
    page.wait_for_url("**/cases/?*")
    expect(page.locator("table.case-table tbody tr")).to_have_count(6)
    browser.shot("hotspot-cases")
