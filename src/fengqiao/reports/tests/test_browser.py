"""In Chromium: the district leader opens the cockpit for last week, follows "Weekly report",
generates it, waits for the row to turn ready and downloads the PDF, whose text names the
district and states the figures the cockpit showed. Screenshots go to ``test-artifacts/reports/``."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from fengqiao.reports.models import GeneratedReport, ReportStatus
from fengqiao.reports.services import report_generate
from fengqiao.reports.tests.conftest import History
from fengqiao.reports.tests.test_content import labels, loose
from fengqiao.testing.browser import Browser, expect

pytestmark = pytest.mark.browser
SHOTS = "reports"


def test_district_leader_downloads_the_weekly_report_from_the_cockpit(
    transactional_db: None, history: History, sign_in: Callable[[...], Browser]
) -> None:
    leader = sign_in("a_leader", shots=SHOTS)
    page = leader.page
    week = history.week
    district = history.unit("A")
    page.goto(f"{leader.base_url}/cockpit/unit/{district.pk}/?start={week.start}&end={week.end}")
    figures = page.locator("#panel-figures")
    registered = figures.locator("[data-metric=registered] [data-value]")
    expect(registered).to_have_text("4")
    rate = figures.locator("[data-metric=resolution_rate] [data-value]").inner_text()
    assert rate == "50.0%"

    page.click("#weekly-report")
    page.wait_for_url(f"**/reports/unit/{district.pk}/**")
    expect(page.locator("#report-unit-name")).to_contain_text("永川区")
    expect(page.locator("#id_day")).to_have_value(week.start.isoformat())
    page.uncheck("#report-request-form input[value=xlsx]")
    page.click("#report-generate")
    page.wait_for_url(f"**/reports/unit/{district.pk}/")
    row = page.locator("#reports-table tbody tr").first
    expect(row).to_have_attribute("data-status", "queued")
    leader.shot("report-queued")

    # The worker's part, done here: the row keeps asking until the report is ready.
    (report,) = GeneratedReport.objects.filter(status=ReportStatus.QUEUED)
    report_generate(report_id=report.pk)
    download_link = page.locator(f"#report-{report.pk} a.report-download")
    expect(download_link).to_be_visible()
    leader.shot("report-ready")

    with page.expect_download() as download_info:
        download_link.click()
    data = Path(download_info.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "永川区" in text
    names = labels()
    figure = loose(names["registered"]) + r"\s*4(?=\s)"
    assert re.search(figure, text)
    assert re.search(loose(names["resolution_rate"]) + r"\s*" + re.escape(rate), text)
    assert f"{week.start:%Y-%m-%d}" in text
