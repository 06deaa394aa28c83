"""In Chromium: the district auditor draws March's sample and records a revisit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fengqiao.revisits.models import Revisit, RevisitDraw
from fengqiao.revisits.services import plan_create
from fengqiao.revisits.tests.conftest import MARCH, mediated, plan_in
from fengqiao.testing.browser import Browser, expect
from fengqiao.testing.cases import CaseWorld, build_case_world
from fengqiao.testing.region import build_small_region

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_world(transactional_db: None) -> CaseWorld:
    return build_case_world(build_small_region())


def test_auditor_draws_a_sample_and_records_a_revisit(
    browser_world: CaseWorld, sign_in: Callable[..., Browser]
) -> None:
    world = browser_world
    plan = plan_create(actor=world.user("a_auditor"), data=plan_in(world))
    case = mediated(world, amount=80000)  # major: every level revisits it
    auditor = sign_in("a_auditor", shots="revisits")
    page = auditor.page
    auditor.menu("/revisits/")
    page.click("nav.tabs a[href='/revisits/draws/']")
    page.select_option("#id_plan", str(plan.pk))
    page.fill("#id_period", MARCH)
    page.fill("#id_seed", "20250301")
    page.click("#draw-form button[type=submit]")
    draw = RevisitDraw.objects.get()
    page.wait_for_url(f"{auditor.base_url}/revisits/draws/{draw.pk}/")
    expect(page.locator("#seed")).to_have_text("20250301")
    expect(page.locator("#size-table tbody tr")).to_have_count(4)
    auditor.shot("draw")

    revisit = Revisit.objects.get(draw=draw, case=case, level="district_bureau")
    page.click(f"#revisit-table a[href='/revisits/{revisit.pk}/']")
    page.wait_for_url(f"{auditor.base_url}/revisits/{revisit.pk}/")
    expect(page.locator("#parties")).to_contain_text("138****8000")
    page.check("input[name=reached][value=yes]")
    page.select_option("#id_satisfied", "yes")
    page.select_option("#id_agreement_performed", "yes")
    page.fill("#id_note", "当事人对调解结果满意，协议已履行")
    page.click("#result-form button[type=submit]")
    expect(page.locator("#recorded")).to_contain_text("当事人对调解结果满意")
    auditor.shot("revisit")
    revisit.refresh_from_db()
    assert (revisit.status, revisit.reached, revisit.satisfied) == ("done", True, True)
    assert case.events.filter(action="revisit").count() == 1
