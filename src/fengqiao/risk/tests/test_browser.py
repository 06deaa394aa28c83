"""The red board in Chromium: the district leader reviews an item at a dispatch meeting and sees
it under control. Screenshots go to ``test-artifacts/risk/``."""

from __future__ import annotations

import pytest

from fengqiao.cases.models import Case
from fengqiao.risk.models import DispatchDecision
from fengqiao.risk.tests.conftest import register, set_fields
from fengqiao.testing.browser import expect
from fengqiao.testing.cases import build_case_world
from fengqiao.testing.region import build_small_region

pytestmark = pytest.mark.browser


@pytest.fixture
def red_case(transactional_db: None) -> Case:
    world = build_case_world(build_small_region())
    case = register(world, title="拖欠工资群体纠纷", risk_colour="red", risk_reason="人数众多")
    set_fields(case, leader=world.user("a_leader"))
    return case


def test_leader_records_a_dispatch_meeting_and_sees_the_item_under_control(sign_in, red_case):
    leader = sign_in("a_leader", shots="risk")
    page = leader.page
    leader.menu("/risk/")
    page.click("a.colour-card[data-colour=red]")
    row = page.locator(f"tr[data-item='case:{red_case.pk}']").first
    expect(row.locator(".verdict-fail")).to_be_visible()
    expect(row.locator("[data-code=not_reviewed]")).to_be_visible()
    leader.shot("red-board-before")

    page.click("#meeting-form summary")
    form_row = page.locator(f"#meeting-form tr[data-item='case:{red_case.pk}']")
    form_row.locator("input[type=checkbox]").check()
    form_row.locator("textarea").fill("区领导包案督办，两周内兑付首期工资")
    form_row.locator("input[name$=owner_text]").fill("区人社局")
    leader.shot("red-board-meeting-form", element="#meeting-form")
    page.click("#meeting-form button[type=submit]")

    expect(page.locator(".message.success")).to_be_visible()
    row = page.locator(f"tr[data-item='case:{red_case.pk}']").first
    expect(row.locator(".verdict-ok")).to_be_visible()
    expect(page.locator("[data-under-control='1']")).to_be_visible()
    leader.shot("red-board-after")
    assert DispatchDecision.objects.get().decision == "区领导包案督办，两周内兑付首期工资"

    page.click(f"tr[data-item='case:{red_case.pk}'] a[href*='/risk/meetings/']")
    expect(page.locator("body")).to_contain_text("区人社局")
