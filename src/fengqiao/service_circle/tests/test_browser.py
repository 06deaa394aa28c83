"""In Chromium: a clerk clicks the map to find the nearest service points, then opens the coverage
map. Screenshots go to ``test-artifacts/service_circle/``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fengqiao.orgs.models import Station
from fengqiao.service_circle.coverage import coverage_compute
from fengqiao.testing.browser import Browser, expect
from fengqiao.testing.region import SmallRegion

pytestmark = pytest.mark.browser
SHOTS = "service_circle"


@pytest.fixture
def computed(transactional_db: None, region: SmallRegion, room: Station, hand_config: dict) -> None:
    # Set up before the browser starts: once Playwright's event loop runs in this thread, ORM
    # calls get a connection of their own that would outlive the test.
    coverage_compute(mode="walk", minutes=15)


def test_click_the_map_then_open_coverage(computed: None, sign_in: Callable[..., Browser]) -> None:
    clerk = sign_in("a1_clerk", shots=SHOTS)
    page = clerk.page
    clerk.menu("/service/")
    service_map = page.locator("#service-map")
    expect(service_map).to_have_attribute("data-ready", "1")
    # The map shows A1's two villages; a click in the middle asks for the nearest points.
    service_map.click()
    rows = page.locator("#nearest-table tbody tr")
    expect(rows).to_have_count(2)  # the clerk of A1 sees A1's centre and the room only
    expect(rows.first).to_contain_text("红旗社区调解室")
    expect(rows.nth(1)).to_contain_text("胜利路街道综治中心")
    expect(page.locator("#nearest-table")).not_to_contain_text("中山路街道综治中心")
    expect(service_map).to_have_attribute("data-markers", "2")
    lat = float(page.locator("#nearest-form input[name=lat]").input_value())
    assert 29.0 < lat < 29.02
    clerk.shot("nearest")

    page.click("a.seg[href='/service/coverage/']")
    page.wait_for_url("**/service/coverage/")
    coverage_map = page.locator("#coverage-map")
    expect(coverage_map).to_have_attribute("data-feature-count", "4")
    # A1a-g1 is partly covered (amber), the other three grids not at all (red).
    expect(coverage_map.locator("path.leaflet-interactive[fill='#e0a526']")).to_have_count(1)
    expect(coverage_map.locator("path.leaflet-interactive[fill='#c0392b']")).to_have_count(3)
    expect(page.locator("#gaps-table tbody tr")).to_have_count(4)
    expect(page.locator("#suggestions li")).not_to_have_count(0)
    clerk.shot("coverage")
