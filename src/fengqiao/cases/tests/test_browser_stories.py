"""The report's two stories, end to end in Debian's Chromium, as the roles would live them.

* Wage arrears (永川区): a clerk registers 160 migrant workers' unpaid wages (2.1 million yuan)
  at the intake desk, clicking the place on the map; routing picks the joint team (人社 leads,
  住建 and 总工会 co-handle); each liaison finds the task in their queue; the mediator records
  the session and the agreement, the district court confirms it; the case is resolved and closed.
* Septic tank (渝北区龙塔街道工农社区): a sensor warning about an overdue septic tank is
  registered, accepted by the township, verified on site, resolved with feedback to the public
  and closed, all within half an hour.

Screenshots go to ``test-artifacts/stories/``. Skipped when /usr/bin/chromium is missing,
unless FENGQIAO_REQUIRE_BROWSER=1 (then it fails).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from fengqiao.cases.detail import OTHER_ACTIONS
from fengqiao.cases.handling.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ConfirmationStatus,
)
from fengqiao.cases.models import Case, EventKind
from fengqiao.cases.states import Action, CaseStatus
from fengqiao.testing.browser import Browser, expect
from fengqiao.testing.cases import CaseWorld, build_case_world
from fengqiao.testing.region import build_small_region

SHOTS = "stories"
LANGUAGE = "zh-hans"  # what a zh-CN browser gets
# The timeline's label for an accepted assignment (cases.detail words it the same way).
ASSIGNMENT_ACCEPTED = gettext_lazy("Assignment accepted")

pytestmark = pytest.mark.browser


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def story_world(transactional_db: None) -> CaseWorld:
    return build_case_world(build_small_region())


# --- what a person does on the pages --------------------------------------------------------


def grid_pixel(page: Any, grid_name: str) -> dict[str, float]:
    """Where on the intake map the grid's centre is: its permanent label sits there."""
    label = page.locator("#intake-map .leaflet-tooltip", has_text=grid_name)
    expect(label).to_be_visible()
    box = None
    # The map fits itself to the grids once they are all drawn; wait until the label stays put.
    for _attempt in range(40):
        current = label.bounding_box()
        if current is not None and current == box:
            break
        box = current
        page.wait_for_timeout(50)
    map_box = page.locator("#intake-map").bounding_box()
    assert box is not None
    assert map_box is not None
    return {
        "x": box["x"] + box["width"] / 2 - map_box["x"],
        "y": box["y"] + box["height"] / 2 - map_box["y"],
    }


def pick_suggestion(page: Any, code: str) -> None:
    """Take a suggested category with its Alt+n shortcut, as a clerk with hands on the keys."""
    suggestion = page.locator(f"#intake-suggestions .suggestion[data-category='{code}']")
    expect(suggestion).to_be_visible()
    codes = page.locator("#intake-suggestions .suggestion[data-category]").evaluate_all(
        "buttons => buttons.map(b => b.dataset.category)"
    )
    page.focus("#id_description")
    page.keyboard.press(f"Alt+{codes.index(code) + 1}")
    expect(page.locator("#id_category")).to_have_value(code)
    expect(suggestion).to_have_attribute("aria-pressed", "true")


def open_case_from_queue(who: Browser, queue: str, number: str, *, shot: str = "") -> None:
    """Find the case in a queue reached from the menu, and open it."""
    who.menu(queue)
    link = who.page.locator("a.case-number", has_text=number)
    expect(link).to_have_count(1)
    if shot:
        who.shot(shot)
    link.click()
    expect(who.page.locator(".case-head .case-number .code")).to_have_text(number)


def status_is(page: Any, status: str) -> None:
    expect(page.locator(".case-head .badge").first).to_have_class(
        re.compile(rf"\bstatus-{status}\b")
    )


def transition(page: Any, action: str, status: str, *, public_note: str = "") -> None:
    """Open the action's form on the case page, fill it, submit; htmx swaps the page body."""
    details = page.locator(f"details.action-{action}")
    details.locator("summary").click()
    if public_note:
        details.locator("[name$='-public_note']").fill(public_note)
    details.locator("button[type=submit]").click()
    status_is(page, status)


def assignment_row(page: Any, department: str) -> Any:
    return page.locator("table.assignments tbody tr:not(.assignment-work)").filter(
        has=page.locator("td:first-child", has_text=department)
    )


def move_assignment(page: Any, department: str, move: str, note: str = "") -> None:
    """Work on a department's assignment: accept it, complete it, or add a progress note."""
    work = assignment_row(page, department).locator("xpath=following-sibling::tr[1]")
    expect(work).to_have_class(re.compile(r"\bassignment-work\b"))
    work.locator("summary").click()
    if note:
        work.locator("textarea").fill(note)
    work.locator(f"button[value='{move}']").click()


def timeline(page: Any) -> list[str]:
    """The timeline's steps as the page shows them, oldest first."""
    return page.locator("#case-timeline .event-what strong").all_inner_texts()[::-1]


def assert_in_order(actual: list[str], expected: list[str]) -> None:
    remaining = iter(actual)
    missing = [step for step in expected if step not in remaining]
    assert not missing, f"timeline {actual} lacks, in order, {expected}"


def labels(*keys: str) -> list[str]:
    """The page's own words for the timeline steps, in the language the browser asked for."""
    with translation.override(LANGUAGE):
        return [
            str(
                EventKind.CREATED.label
                if key == "created"
                else ASSIGNMENT_ACCEPTED
                if key == "assignment_accepted"
                else Action(key).label
                if key in Action.values
                else OTHER_ACTIONS[key]
            )
            for key in keys
        ]


# --- the stories ----------------------------------------------------------------------------


class TestWageArrearsStory:
    def test_joint_team_settles_unpaid_wages_of_160_workers(
        self, story_world: CaseWorld, sign_in: Callable[[str], Browser]
    ) -> None:
        region = story_world.region
        hrss = story_world.departments["A-hrss"]
        housing = story_world.departments["A-housing"]
        union = story_world.departments["A-union"]
        court = story_world.departments["A-court"]

        # 1. The front-desk clerk registers the walk-in, clicking the building site on the map.
        clerk = sign_in("a1_clerk", shots=SHOTS)
        clerk.menu("/cases/intake/")
        page = clerk.page
        page.fill(
            "#id_description",
            "某建筑工地包工头拖欠160名农民工工资共计210万元，工人聚集讨薪。"
            "涉及多个分包公司，工人代表到中心求助。",
        )
        pick_suggestion(page, "M10.01")
        page.fill("#id_reporter_name", "张建国")
        page.fill("#id_reporter_phone", "13800138000")
        page.fill("#id_people_involved", "160")
        page.fill("#id_amount", "2100000")
        page.fill("#id_address", "胜利路红旗社区某建筑工地")
        page.fill("#id_parties-0-name", "张建国")
        page.fill("#id_parties-0-phone", "13800138000")
        page.select_option("#id_parties-1-kind", "organisation")
        page.fill("#id_parties-1-name", "某建筑劳务分包公司")

        page.locator("#intake-map").click(position=grid_pixel(page, "红旗社区第1网格"))
        grid = region.unit("A1a-g1")
        expect(page.locator(f"#intake-location [data-grid-id='{grid.pk}']")).to_be_visible()

        # Rule, lead unit, lead department, co-handling: the joint team at the township centre.
        facts = page.locator("#intake-routing dl.facts dd")
        expect(facts.nth(0)).to_contain_text("群体性欠薪")
        expect(facts.nth(1)).to_contain_text(region.unit("A1").name)
        expect(facts.nth(2)).to_have_text(hrss.name)
        expect(facts.nth(3)).to_have_text(f"{housing.name}、{union.name}")
        clerk.shot("wage-01-intake-filled")
        clerk.shot("wage-02-routing-preview", element="#intake-routing")

        page.focus("#id_address")
        page.keyboard.press("Control+Enter")  # the desk's shortcut for "register"
        page.wait_for_url(re.compile(r"/cases/\d+/$"))
        number = page.locator(".case-head .case-number .code").inner_text()
        case = Case.objects.get(number=number)
        assert case.category.code == "M10.01"
        assert case.people_involved == 160
        assert case.amount == Decimal("2100000")
        assert case.territory_id == grid.pk
        assert (case.lead_unit_id, case.lead_department_id) == (region.unit("A1").pk, hrss.pk)
        status_is(page, CaseStatus.REGISTERED)
        for department in (hrss, housing, union):
            expect(assignment_row(page, department.name)).to_have_count(1)

        # 2. The human-resources liaison leads: accepts the task, accepts and starts the case.
        lead = sign_in("a_hrss", shots=SHOTS)
        open_case_from_queue(lead, "/cases/queue/mine/", number, shot="wage-03-hrss-queue")
        move_assignment(lead.page, hrss.name, "accept")
        expect(assignment_row(lead.page, hrss.name).locator(".badge.asg-accepted")).to_be_visible()
        transition(lead.page, Action.ACCEPT, CaseStatus.ACCEPTED)
        transition(lead.page, Action.START, CaseStatus.IN_HANDLING)

        # 3. Housing and the trade union each find their task in their queue and report back.
        for username, department, note in [
            ("a_housing", housing, "已约谈总包单位，核实各分包公司工程款结算情况。"),
            ("a_union", union, "已为160名工人提供法律援助，协助整理工资清单。"),
        ]:
            liaison = sign_in(username)
            open_case_from_queue(
                liaison, "/cases/queue/mine/", number, shot=f"wage-04-{username}-queue"
            )
            # A co-handler works only on their own department's task.
            expect(liaison.page.locator("tr.assignment-work")).to_have_count(1)
            move_assignment(liaison.page, department.name, "complete", note)
            done = assignment_row(liaison.page, department.name)
            expect(done.locator(".badge.asg-done")).to_be_visible()
            expect(done).to_contain_text(note)

        # 4. The mediator of the township centre records the session and the agreement, and asks
        #    the district court to confirm it.
        mediator = sign_in("a1_mediator", shots=SHOTS)
        open_case_from_queue(mediator, "/cases/queue/unit/", number)
        page = mediator.page
        session = page.locator("details:has(form[action$='/sessions/'])")
        session.locator("summary").click()
        session.locator("[name='session-place']").fill("永川区综治中心建筑领域纠纷调委会")
        session.locator("[name='session-participants']").fill(
            "工人代表张建国；分包公司负责人；区住建委、人社局、总工会调解员"
        )
        session.locator("[name='session-record']").fill(
            "各方核对工资清单，分包公司同意一个月内分两期支付全部欠薪。"
        )
        session.locator("button[type=submit]").click()
        expect(page.locator("ol.sessions li")).to_have_count(1)

        agreement = page.locator("details:has(form[action$='/agreements/'])")
        agreement.locator("summary").click()
        agreement.locator("[name='agreement-terms']").fill(
            "分包公司向160名工人支付拖欠工资共计2,100,000元，一个月内付清。"
        )
        agreement.locator("[name='agreement-amount']").fill("2100000")
        agreement.locator("button[type=submit]").click()
        article = page.locator("article.agreement")
        expect(article).to_have_count(1)
        expect(article.locator(".agreement-head")).to_contain_text(
            re.compile(r"2,?100,?000\.00")  # grouped or not, as the locale's format says
        )

        request = article.locator("form[action$='/confirmation/']")
        request.locator("select").select_option(str(court.pk))
        request.locator("button[type=submit]").click()
        expect(article.locator("ul.plain-list li")).to_contain_text(court.name)
        mediator.shot("wage-05-case-after-agreement")

        # 5. The court liaison hears of it (the bell), opens the case and confirms.
        judge = sign_in("a_liaison", shots=SHOTS)
        judge.page.click("a.bell")
        judge.page.wait_for_url(f"{judge.base_url}/notifications/")
        judge.page.locator(f".notif-actions a[href='/cases/{case.pk}/']").first.click()
        decide = judge.page.locator("form.decide")
        decide.locator("[name$='note']").fill("协议内容合法，予以确认。")
        decide.locator("button[value='confirm']").click()
        expect(judge.page.locator("form.decide")).to_have_count(0)
        with translation.override(LANGUAGE):
            confirmed = str(ConfirmationStatus.CONFIRMED.label)
        expect(judge.page.locator("article.agreement ul.plain-list li strong")).to_have_text(
            confirmed
        )
        judge.shot("wage-06-court-confirmed")

        # 6. The mediator resolves and closes the case, with a word for the workers.
        page.reload()
        feedback = "经联合调解，双方签订调解协议并经法院司法确认，欠薪将于一个月内付清。"
        transition(page, Action.RESOLVE, CaseStatus.RESOLVED, public_note=feedback)
        transition(page, Action.CLOSE, CaseStatus.CLOSED)
        assert_in_order(
            timeline(page),
            labels(
                "created",
                "assignment_accepted",
                Action.ACCEPT,
                Action.START,
                "complete",
                "complete",
                "session",
                "agreement",
                "confirmation_requested",
                "confirmation_decided",
                Action.RESOLVE,
                Action.CLOSE,
            ),
        )
        mediator.shot("wage-07-closed")

        # 7. The workers' representative follows the case with the tracking code from the desk.
        citizen = sign_in("", shots=SHOTS)
        citizen.page.goto(f"{citizen.base_url}/public/status/")
        citizen.page.fill("[name='tracking_code']", case.tracking_code)
        citizen.page.fill("[name='phone_last4']", "8000")
        citizen.page.locator("form.public-form button[type=submit]").click()
        expect(citizen.page.locator(".status-result .status-badge")).to_have_attribute(
            "data-status", CaseStatus.CLOSED
        )
        expect(citizen.page.locator(".status-result .timeline")).to_contain_text(feedback)
        citizen.shot("wage-08-citizen-status")

        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED
        assert case.closed_at is not None
        lead_assignment = case.assignments.get(role=AssignmentRole.LEAD)
        assert lead_assignment.department_id == hrss.pk
        assert set(case.assignments.values_list("status", flat=True)) == {AssignmentStatus.DONE}
        signed = case.agreements.get()
        assert signed.amount == Decimal("2100000")
        assert signed.confirmations.get().status == ConfirmationStatus.CONFIRMED
        assert list(
            case.events.filter(kind=EventKind.TRANSITION)
            .order_by("at", "pk")
            .values_list("action", flat=True)
        ) == [Action.ACCEPT, Action.START, Action.RESOLVE, Action.CLOSE]


class TestSepticTankStory:
    def test_sensor_warning_is_verified_and_closed_within_half_an_hour(
        self, story_world: CaseWorld, sign_in: Callable[[str], Browser]
    ) -> None:
        region = story_world.region
        community = story_world.departments["B1-community"]

        # 1. The township clerk registers the warning the sensor module raised.
        clerk = sign_in("b1_clerk", shots=SHOTS)
        clerk.menu("/cases/intake/")
        page = clerk.page
        page.select_option("#id_channel", "sensor")
        page.fill("#id_external_id", "YB-WY-0311-002")
        page.fill(
            "#id_description",
            "小区公共设施设备预警模块检测到工农社区农转非安置房2号化粪池维保检查超期，"
            "存在潜在风险，易引发群体性物业纠纷。",
        )
        pick_suggestion(page, "M09.08")
        page.fill("#id_title", "工农社区安置房2号化粪池维保检查超期预警")
        page.fill("#id_address", "工农社区农转非安置房2号化粪池")
        page.locator("#intake-map").click(position=grid_pixel(page, "工农社区第1网格"))
        grid = region.unit("B1a-g1")
        expect(page.locator(f"#intake-location [data-grid-id='{grid.pk}']")).to_be_visible()
        expect(page.locator("#intake-routing dl.facts")).to_contain_text(community.name)
        clerk.shot("septic-01-intake")
        page.locator(".intake-submit button[type=submit]:not([name])").click()
        page.wait_for_url(re.compile(r"/cases/\d+/$"))
        number = page.locator(".case-head .case-number .code").inner_text()
        case = Case.objects.get(number=number)
        assert (case.category.code, case.channel.code) == ("M09.08", "sensor")
        assert case.territory_id == grid.pk
        assert case.lead_department_id == community.pk
        # Handed to the township's community team the moment it was registered.
        expect(assignment_row(page, community.name)).to_have_count(1)

        # 2. The township accepts, starts, verifies on site, resolves with feedback and closes.
        transition(page, Action.ACCEPT, CaseStatus.ACCEPTED)
        transition(page, Action.START, CaseStatus.IN_HANDLING)
        verified = (
            "龙塔街道、工农社区会同物业公司现场核实情况属实，同步开展化粪池检修保养、隐患排查。"
        )
        move_assignment(page, community.name, "note", verified)
        expect(assignment_row(page, community.name)).to_contain_text(verified)
        clerk.shot("septic-02-verified")
        feedback = "2号化粪池已完成检修保养和隐患排查，风险已消除。"
        transition(page, Action.RESOLVE, CaseStatus.RESOLVED, public_note=feedback)
        transition(page, Action.CLOSE, CaseStatus.CLOSED)
        expect(page.locator("#case-timeline")).to_contain_text(verified)
        expect(page.locator("#case-timeline")).to_contain_text(feedback)
        assert_in_order(
            timeline(page),
            labels("created", Action.ACCEPT, Action.START, "note", Action.RESOLVE, Action.CLOSE),
        )
        clerk.shot("septic-03-closed")

        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED
        assert case.accepted_at is not None
        assert case.closed_at is not None
        assert case.closed_at - case.created_at < timedelta(minutes=30)
        assert case.accepted_at <= case.accept_deadline
        note = Assignment.objects.get(case=case, role=AssignmentRole.LEAD)
        assert verified in note.notes
