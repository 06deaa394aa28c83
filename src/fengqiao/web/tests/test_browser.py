"""End to end in Debian's Chromium: sign in, browse the tree, see the unit map.

Skipped when /usr/bin/chromium is missing, unless FENGQIAO_REQUIRE_BROWSER=1 (then it fails).
"""

from __future__ import annotations

import pytest

from fengqiao.testing.browser import ARTIFACTS
from fengqiao.testing.region import PASSWORD, build_small_region

# ``chromium`` is the shared fixture of fengqiao.testing.browser (registered in the root conftest).
pytestmark = pytest.mark.browser


@pytest.fixture
def small_region(transactional_db):
    return build_small_region()


class TestOrganisationBrowser:
    def test_leader_signs_in_expands_the_tree_and_sees_the_map(
        self, chromium, live_server, small_region
    ):
        district = small_region.unit("A")
        township = small_region.unit("A1")
        context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # Nothing may leave the server under test: no CDN, no map tiles.
        outside: list[str] = []
        page.on(
            "request",
            lambda request: (
                None if request.url.startswith(live_server.url) else outside.append(request.url)
            ),
        )

        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "a_leader")
        page.fill("#id_password", PASSWORD)
        page.click("form.form-stack button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator(".unit-chip", has_text=district.name).count() == 1

        page.click("nav.mainnav a[href='/org/']")
        node = page.locator(f".tree-node[data-unit-id='{district.pk}']")
        node.locator("summary").first.click()
        child = page.locator(f".tree-node[data-unit-id='{township.pk}']")
        child.wait_for()
        assert child.is_visible()
        assert page.locator(".tree-node", has_text="渝北区").count() == 0

        child.locator("a.tree-name").first.click()
        page.wait_for_url(f"{live_server.url}/org/{township.pk}/")
        polygons = page.locator("#unit-map path.leaflet-interactive")
        polygons.first.wait_for()
        assert polygons.count() == 2  # the township's two villages

        page.click("button[data-map-layer=grids]")
        page.wait_for_function(
            "document.querySelectorAll('#unit-map path.leaflet-interactive').length === 4"
        )

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "org-unit-map.png"), full_page=True)
        assert errors == []
        assert outside == []
        context.close()
