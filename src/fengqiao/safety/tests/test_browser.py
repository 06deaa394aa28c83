"""In Chromium: an analyst opens the index map, follows a unit to its history and downloads its
warning letter. Screenshots go to ``test-artifacts/safety/``."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from fengqiao.safety.tests.conftest import JAN
from fengqiao.testing.browser import Browser, expect
from fengqiao.testing.region import SmallRegion

pytestmark = pytest.mark.browser
SHOTS = "safety"


def test_analyst_map_history_and_letter(
    transactional_db: None, computed: SmallRegion, sign_in: Callable[..., Browser]
) -> None:
    analyst = sign_in("a_analyst", shots=SHOTS)
    page = analyst.page
    page.goto(f"{analyst.base_url}/safety/?period={JAN}")
    # District A's analyst sees A's two townships, coloured by their index.
    expect(page.locator("#safety-map")).to_have_attribute("data-feature-count", "2")
    expect(page.locator("#index-table tbody tr")).to_have_count(2)
    expect(page.locator("#index-table")).not_to_contain_text("龙塔街道")
    red = page.locator("#safety-map path.leaflet-interactive[fill='#c62828']")
    expect(red).to_have_count(1)
    analyst.shot("index-map")

    expect(page.locator("#safety-map .leaflet-tooltip", has_text="胜利路街道")).to_be_visible()
    red.click()  # the red township is 胜利路街道
    page.wait_for_url(f"**/safety/units/{computed.unit('A1').pk}/?period={JAN}")
    expect(page.locator("#unit-index")).to_have_text("3.0")
    expect(page.locator("#trend-chart")).to_have_attribute("data-points", "2")
    expect(page.locator("#trend-chart canvas")).to_have_count(1)
    expect(page.locator("#history-table tbody tr")).to_have_count(2)
    expect(page.locator("#contributions-table tbody tr").first).to_contain_text("万人110警情数")
    analyst.shot("unit-history")

    with page.expect_download() as download_info:
        page.click("#letter-link")
    download = download_info.value
    assert download.suggested_filename == f"safety-letter-500118001000-{JAN}.pdf"
    data = Path(download.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "胜利路街道" in text
    assert "2.98" in text
