"""In Chromium: the grid worker verifies a septic-tank warning on site, the township clerk
handles it and closes it with feedback; the risk points page draws its map. Screenshots go to
``test-artifacts/early_warning/``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from fengqiao.early_warning.engine import sweep
from fengqiao.early_warning.models import Warning
from fengqiao.early_warning.states import WarningStatus
from fengqiao.early_warning.tests.conftest import EarlyWarningWorld, build_early_warning_world
from fengqiao.testing.browser import Browser, expect
from fengqiao.testing.cases import build_case_world
from fengqiao.testing.region import build_small_region

SHOTS = "early_warning"
LANGUAGE = "zh-hans"  # what a zh-CN browser gets


def label(choice: Any) -> str:
    with translation.override(LANGUAGE):
        return str(choice.label)


pytestmark = pytest.mark.browser


@pytest.fixture
def story(transactional_db: None) -> EarlyWarningWorld:
    return build_early_warning_world(build_case_world(build_small_region()))


def take_action(page: Any, action: str, field: str, text: str) -> None:
    page.click(f"details.action-{action} > summary")
    page.fill(f"#id_{action}_{field}", text)
    page.click(f"details.action-{action} button[type=submit]")


def test_grid_worker_verifies_and_clerk_closes(
    story: EarlyWarningWorld, sign_in: Callable[..., Browser], live_server: Any
) -> None:
    assert sweep() == 1
    warning = Warning.objects.get(rule__code="septic.maintenance")

    grid = sign_in("b1a_grid", shots=SHOTS)
    grid.page.goto(f"{live_server.url}/warnings/")
    task = grid.page.locator("#ew-tasks a", has_text=warning.title)
    expect(task).to_be_visible()
    task.click()
    take_action(grid.page, "verify", "note", "现场核实：化粪池维保超期属实")
    expect(grid.page.locator("#warning-status")).to_have_text(label(WarningStatus.VERIFIED))
    grid.shot("warning-verified")

    clerk = sign_in("b1_clerk", shots=SHOTS)
    clerk.page.goto(f"{live_server.url}/warnings/{warning.pk}/")
    expect(clerk.page.locator("details.action-verify")).to_have_count(0)
    take_action(clerk.page, "handle", "note", "物业公司完成检修保养，隐患排除")
    expect(clerk.page.locator("#warning-status")).to_have_text(label(WarningStatus.HANDLED))
    take_action(clerk.page, "close", "feedback", "已办结，结果反馈区治理中心")
    expect(clerk.page.locator("#warning-feedback")).to_have_text("已办结，结果反馈区治理中心")
    expect(clerk.page.locator("#warning-total")).to_be_visible()
    expect(clerk.page.locator(".ew-step")).to_have_count(5)
    clerk.shot("warning-closed")
    warning.refresh_from_db()
    assert warning.status == "closed"

    clerk.page.goto(f"{live_server.url}/warnings/points/")
    expect(clerk.page.locator("#points-map .leaflet-interactive").first).to_be_visible()
    expect(clerk.page.locator("#points-map")).to_have_attribute("data-marker-count", "1")
    clerk.shot("risk-points")
