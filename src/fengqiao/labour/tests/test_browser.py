"""In Chromium: an analyst imports a CSV, the worker re-scores, the analyst reads the ranked
list and an employer's contributions. Screenshots go to ``test-artifacts/labour/``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command

from fengqiao.labour.models import Employer, LabourScore
from fengqiao.labour.tests.conftest import (
    A1_POINT,
    A2_POINT,
    FIRM_A1,
    FIRM_A2,
    PROJECT_A1,
    employer_row,
    make_csv,
    month,
)
from fengqiao.testing.browser import Browser, expect
from fengqiao.testing.cases import CaseWorld, build_case_world
from fengqiao.testing.region import build_small_region

pytestmark = pytest.mark.browser


@pytest.fixture
def labour_world(transactional_db: None) -> CaseWorld:
    return build_case_world(build_small_region())


def run_worker() -> None:
    call_command(
        "db_worker", batch=True, startup_delay=False, queue_name="*", verbosity=0, reload=False
    )


def test_analyst_imports_and_reads_the_ranking(
    labour_world: CaseWorld, sign_in: Callable[..., Browser], tmp_path: Path
) -> None:
    file = tmp_path / "labour.csv"
    good = [
        employer_row(FIRM_A1, A1_POINT, name="重庆胜利建材有限公司", wage_delay_days=45,
                     social_insurance_months=3, period=month(-1)),
        employer_row(FIRM_A1, A1_POINT, name="重庆胜利建材有限公司", wage_delay_days=60,
                     social_insurance_months=4),
        employer_row(FIRM_A2, A2_POINT, name="重庆中山服装有限公司", utility_arrears_months=2),
        employer_row(PROJECT_A1, A1_POINT, kind="project", name="胜利路安置房建设项目",
                     workers=160, wage_delay_days=90, wage_delay_workers=160,
                     progress_overdue_amount=2100000, progress_overdue_days=60),
    ]  # fmt: skip
    analyst = sign_in("a_analyst", shots="labour")
    page = analyst.page

    # A file with a wrong credit code is refused whole, with the line.
    file.write_bytes(make_csv([*good, employer_row(FIRM_A1[:-1] + "0", A1_POINT)]))
    page.goto(f"{analyst.base_url}/labour/import/")
    page.set_input_files("input[type=file]", str(file))
    page.click("form.form-stack button[type=submit]")
    expect(page.locator("#import-issues li")).to_have_count(1)
    expect(page.locator("#import-issues")).to_contain_text("labour.csv:6: code:")
    analyst.shot("import-errors")
    assert Employer.objects.count() == 0

    file.write_bytes(make_csv(good))
    page.set_input_files("input[type=file]", str(file))
    page.click("form.form-stack button[type=submit]")
    expect(page.locator("#import-summary")).to_be_visible()
    analyst.shot("import-summary")
    run_worker()
    assert LabourScore.objects.filter(period=month(0)).count() == 3

    page.click("#import-summary a")
    rows = page.locator("#labour-ranking tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("胜利路安置房建设项目")
    expect(rows.nth(0).locator(".stack span")).to_have_count(4)  # no complaints yet
    expect(page.locator("#labour-map")).to_have_attribute("data-point-count", "3")
    expect(page.locator("#labour-map path.leaflet-interactive").first).to_be_attached()
    analyst.shot("ranking")

    rows.nth(1).locator("a").click()
    expect(page.locator("h1")).to_contain_text("重庆胜利建材有限公司")
    table = page.locator("#contributions")
    # 60 of 90 days × 30 = 20.0; 4 of 6 months × 20 = 13.3
    expect(table.locator("tr[data-indicator=wage_delay_days] td").last).to_have_text("20.0")
    expect(table.locator("tr[data-indicator=social_insurance_months] td").last).to_have_text("13.3")
    expect(page.locator("#employer-score")).to_have_text("33.3")
    expect(page.locator("#labour-history-chart")).to_have_attribute("data-chart-ready", "1")
    analyst.shot("employer")
