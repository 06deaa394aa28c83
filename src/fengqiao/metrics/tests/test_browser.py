"""The district leader's cockpit in Debian's Chromium: figures, drill-down to a grid and back up,
the wall display. Screenshots go to ``test-artifacts/cockpit/``."""

from __future__ import annotations

import re

import pytest

from fengqiao.metrics.aggregate import rebuild
from fengqiao.metrics.tests.history import DAY, build
from fengqiao.testing.browser import expect
from fengqiao.testing.cases import CaseWorld, build_case_world
from fengqiao.testing.region import build_small_region

pytestmark = pytest.mark.browser
SHOTS = "cockpit"


@pytest.fixture
def cockpit_world(transactional_db: None) -> CaseWorld:
    world = build_case_world(build_small_region())
    build(world)
    rebuild()
    return world


def registered(page):
    return page.locator("[data-metric=registered] [data-value]")


def test_leader_drills_down_to_a_grid_and_back_then_the_wall(cockpit_world, sign_in):
    units = cockpit_world.region.units
    browser = sign_in("a_leader", shots=SHOTS)
    page = browser.page
    browser.menu("/cockpit/")
    expect(page.locator("h1")).to_contain_text("永川区")
    page.fill("#id_start", DAY.isoformat())
    page.fill("#id_end", DAY.isoformat())
    page.click("form.filters button[type=submit]")
    expect(registered(page)).to_have_text("4")
    expect(page.locator("[data-metric=resolution_rate] [data-value]")).to_have_text("75.0%")
    expect(page.locator("[data-cockpit-map]")).to_have_attribute("data-feature-count", "2")
    browser.shot("district")

    # Down the map: the township.
    page.locator('path[data-unit-name="胜利路街道"]').click()
    page.wait_for_url(re.compile(rf"/cockpit/unit/{units['A1'].pk}/\?.*start={DAY}"))
    expect(page.locator("h1")).to_contain_text("胜利路街道")
    expect(registered(page)).to_have_text("4")
    # Down the breakdown table: the village, then its first grid on the map.
    page.locator("a.drill", has_text="红旗社区").click()
    page.wait_for_url(re.compile(rf"/cockpit/unit/{units['A1a'].pk}/"))
    page.locator('path[data-unit-name="红旗社区第1网格"]').click()
    page.wait_for_url(re.compile(rf"/cockpit/unit/{units['A1a-g1'].pk}/"))
    expect(page.locator("h1")).to_contain_text("红旗社区第1网格")
    expect(registered(page)).to_have_text("4")
    expect(page.locator("[data-colour=red]")).to_have_text("1")
    browser.shot("grid")

    # Back up by the breadcrumb, filters kept.
    page.locator("a.crumb", has_text="永川区").click()
    page.wait_for_url(re.compile(rf"/cockpit/unit/{units['A'].pk}/\?.*start={DAY}"))
    expect(registered(page)).to_have_text("4")

    # The wall display: no chrome, large figures, refreshing itself.
    page.click("#wall-mode")
    page.wait_for_url(re.compile(r"wall=1"))
    expect(page.locator("body")).to_have_class(re.compile(r"\bwall\b"))
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(registered(page)).to_have_text("4")
    expect(page.locator("[data-panel=figures]")).to_have_attribute(
        "hx-trigger", re.compile(r"every \d+s")
    )
    expect(page.locator("[data-cockpit-map]")).to_have_attribute("data-feature-count", "2")
    browser.shot("wall")
