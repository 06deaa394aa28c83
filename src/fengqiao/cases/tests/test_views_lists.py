from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from fengqiao.cases.handling.models import Assignment
from fengqiao.cases.models import Case
from fengqiao.cases.services import case_register
from fengqiao.cases.states import CaseStatus
from fengqiao.cases.views import lists
from fengqiao.testing.cases import B1_POINT, case_in

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "case-results"}


def register(world, who: str = "a1_clerk", **overrides) -> Case:
    return case_register(actor=world.user(who), data=case_in(**overrides)).case


def set_fields(case: Case, **fields) -> None:
    # Test set-up only: put a case into a state that would otherwise take days to reach.
    Case.objects.filter(pk=case.pk).update(**fields)


@pytest.fixture
def login(world, client: Client):
    def as_user(key: str) -> Client:
        client.force_login(world.user(key))
        return client

    return as_user


@pytest.fixture
def a1_case(world) -> Case:
    return register(world, title="胜利路噪音纠纷")


@pytest.fixture
def b1_case(world) -> Case:
    return register(world, "b1_clerk", title="龙塔停车纠纷", **B1_POINT)


@pytest.fixture
def restricted_case(world) -> Case:
    return register(world, title="家庭暴力求助", category="M01.09")


def body(response) -> str:
    return response.content.decode()


def titles_in_order(html: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=html.index)


class TestCaseList:
    def test_lists_the_case_with_a_link_to_its_page(self, login, a1_case):
        response = login("a1_clerk").get("/cases/")
        assert response.status_code == 200
        html = body(response)
        assert "胜利路噪音纠纷" in html
        assert f'href="/cases/{a1_case.pk}/"' in html
        assert a1_case.number in html
        assert "status-registered" in html

    def test_untouched_page_shows_open_cases_only(self, world, login, a1_case):
        closed = register(world, title="早已结案的纠纷")
        set_fields(closed, status=CaseStatus.CLOSED)
        html = body(login("a1_clerk").get("/cases/"))
        assert "胜利路噪音纠纷" in html
        assert "早已结案的纠纷" not in html
        html = body(login("a1_clerk").get("/cases/?order=deadline"))
        assert "早已结案的纠纷" in html

    def test_status_multi_select(self, world, login, a1_case):
        accepted = register(world, title="已受理的纠纷")
        set_fields(accepted, status=CaseStatus.ACCEPTED)
        closed = register(world, title="已结案的纠纷")
        set_fields(closed, status=CaseStatus.CLOSED)
        html = body(login("a1_clerk").get("/cases/?status=accepted&status=closed"))
        assert "已受理的纠纷" in html
        assert "已结案的纠纷" in html
        assert "胜利路噪音纠纷" not in html

    @pytest.mark.parametrize(
        ("query", "found"),
        [
            ("category=M02", True),
            ("category=M02.04", True),
            ("category=M03", False),
            ("channel=visit", True),
            ("channel=12345", False),
            ("risk=green", True),
            ("risk=red", False),
            ("q=噪音", True),
            ("q=装修", True),
            ("q=不存在的词", False),
            ("overdue=no", True),
            ("overdue=yes", False),
        ],
    )
    def test_filters(self, login, a1_case, query, found):
        html = body(login("a1_clerk").get(f"/cases/?{query}"))
        assert ("胜利路噪音纠纷" in html) is found

    def test_search_by_number_and_address(self, world, login, a1_case):
        other = register(world, title="另一件纠纷", address="胜利路88号")
        html = body(login("a1_clerk").get(f"/cases/?q={a1_case.number}"))
        assert "胜利路噪音纠纷" in html
        assert "另一件纠纷" not in html
        html = body(login("a1_clerk").get("/cases/?q=88号"))
        assert other.title in html
        assert "胜利路噪音纠纷" not in html

    def test_unit_in_jurisdiction(self, world, login, a1_case):
        grid = world.region.units["A1a-g1"]
        other_grid = world.region.units["A1b-g1"]
        assert "胜利路噪音纠纷" in body(login("a1_clerk").get(f"/cases/?unit={grid.pk}"))
        assert "胜利路噪音纠纷" not in body(
            login("a1_clerk").get(f"/cases/?unit={other_grid.pk}&order=deadline")
        )

    def test_created_range_includes_the_end_day(self, world, login, a1_case):
        old = register(world, title="去年的纠纷")
        set_fields(old, created_at=timezone.now() - timedelta(days=400))
        today = timezone.localdate()
        html = body(login("a1_clerk").get(f"/cases/?created_from={today}&created_to={today}"))
        assert "胜利路噪音纠纷" in html
        assert "去年的纠纷" not in html
        last_year = today - timedelta(days=400)
        html = body(login("a1_clerk").get(f"/cases/?created_to={last_year}"))
        assert "去年的纠纷" in html
        assert "胜利路噪音纠纷" not in html

    def test_overdue_is_marked(self, login, a1_case):
        set_fields(a1_case, resolve_deadline=timezone.now() - timedelta(hours=3), overdue=True)
        html = body(login("a1_clerk").get("/cases/?overdue=yes"))
        assert "胜利路噪音纠纷" in html
        assert "row-overdue" in html
        assert "due-overdue" in html

    @pytest.mark.parametrize(
        "query",
        [
            "status=bogus",
            "created_from=yesterday",
            "created_from=2026-02-01&created_to=2026-01-01",
            "unit=999999",
            "unit=abc",
            "order=sideways",
            "risk=purple",
            "category=NOPE",
            "channel=pigeon",
            "overdue=maybe",
            "q=" + "x" * 101,
        ],
    )
    def test_invalid_filter_is_a_form_error_not_a_500(self, login, a1_case, query):
        response = login("a1_clerk").get(f"/cases/?{query}")
        assert response.status_code == 200
        html = body(response)
        assert "alert-error" in html
        assert "胜利路噪音纠纷" not in html

    def test_unit_of_another_township_is_a_form_error(self, world, login, a1_case):
        b1 = world.region.units["B1"]
        response = login("a1_clerk").get(f"/cases/?unit={b1.pk}")
        assert response.status_code == 200
        assert "alert-error" in body(response)


class TestSorting:
    @pytest.fixture
    def three(self, world) -> dict[str, Case]:
        now = timezone.now()
        cases = {
            "甲纠纷": register(world, title="甲纠纷"),
            "乙纠纷": register(world, title="乙纠纷"),
            "丙纠纷": register(world, title="丙纠纷"),
        }
        set_fields(
            cases["甲纠纷"],
            created_at=now - timedelta(days=3),
            resolve_deadline=now + timedelta(days=9),
            risk_colour="green",
        )
        set_fields(
            cases["乙纠纷"],
            created_at=now - timedelta(days=2),
            resolve_deadline=now + timedelta(days=1),
            risk_colour="red",
        )
        set_fields(
            cases["丙纠纷"],
            created_at=now - timedelta(days=1),
            resolve_deadline=now + timedelta(days=5),
            risk_colour="orange",
        )
        return cases

    @pytest.mark.parametrize(
        ("order", "expected"),
        [
            ("deadline", ["乙纠纷", "丙纠纷", "甲纠纷"]),
            ("newest", ["丙纠纷", "乙纠纷", "甲纠纷"]),
            ("oldest", ["甲纠纷", "乙纠纷", "丙纠纷"]),
            ("risk", ["乙纠纷", "丙纠纷", "甲纠纷"]),
        ],
    )
    def test_order(self, login, three, order, expected):
        html = body(login("a1_clerk").get(f"/cases/?order={order}"))
        assert titles_in_order(html, list(three)) == expected


class TestPaginationAndHtmx:
    def test_pages(self, world, login, monkeypatch):
        monkeypatch.setattr(lists, "PAGE_SIZE", 2)
        for n in range(5):
            register(world, title=f"分页纠纷{n}")
        client = login("a1_clerk")
        first = body(client.get("/cases/?order=oldest"))
        third = body(client.get("/cases/?order=oldest&page=3"))
        assert "分页纠纷0" in first
        assert "分页纠纷2" not in first
        assert "分页纠纷4" in third
        assert "分页纠纷0" not in third
        assert "order=oldest&amp;page=2" in first
        # An out-of-range page shows the last page instead of failing.
        assert "分页纠纷4" in body(client.get("/cases/?order=oldest&page=99"))

    def test_htmx_swaps_the_results_and_pushes_a_clean_url(self, login, a1_case):
        response = login("a1_clerk").get("/cases/?q=噪音&risk=&order=deadline", **HTMX)
        assert response.status_code == 200
        html = body(response)
        assert "<html" not in html
        assert "胜利路噪音纠纷" in html
        assert response["HX-Push-Url"] == "/cases/?q=%E5%99%AA%E9%9F%B3&order=deadline"
        assert "HX-Request" in response["Vary"]

    def test_history_restore_gets_the_whole_page(self, login, a1_case):
        response = login("a1_clerk").get("/cases/", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
        assert "<html" in body(response)

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get("/cases/")
        assert response.status_code == 302
        assert "/login/" in response["Location"]


class TestQueryCount:
    def test_list_queries_do_not_grow_with_rows(self, world, login, django_assert_max_num_queries):
        client = login("a1_clerk")
        register(world, title="第一件")
        with CaptureQueriesContext(connection) as few:
            client.get("/cases/")
        for n in range(6):
            register(world, title=f"更多纠纷{n}", risk_colour="red" if n % 2 else "orange")
        with django_assert_max_num_queries(len(few)):
            response = client.get("/cases/")
        assert body(response).count('class="case-number"') == 7

    def test_queue_queries_do_not_grow_with_rows(self, world, login, django_assert_max_num_queries):
        client = login("a1_community")
        register(world, title="第一件")
        with CaptureQueriesContext(connection) as few:
            client.get("/cases/queue/mine/")
        for n in range(5):
            register(world, title=f"更多纠纷{n}")
        with django_assert_max_num_queries(len(few)):
            response = client.get("/cases/queue/mine/")
        assert body(response).count('class="case-number"') == 6


SCOPED_URLS = [
    "/cases/",
    "/cases/?order=newest",
    "/cases/queue/mine/",
    "/cases/queue/unit/",
    "/cases/export.csv",
    "/cases/export.xlsx",
]


def content_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw.startswith(b"PK"):
        sheet = load_workbook(BytesIO(raw)).active
        return "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    return raw.decode("utf-8-sig")


class TestJurisdiction:
    @pytest.mark.parametrize("url", SCOPED_URLS)
    def test_other_township_clerk_never_sees_a1_cases(self, login, a1_case, b1_case, url):
        response = login("b1_clerk").get(url)
        assert response.status_code == 200
        text = content_of(response)
        assert "胜利路噪音纠纷" not in text
        assert a1_case.number not in text

    @pytest.mark.parametrize("url", ["/cases/", "/cases/export.csv", "/cases/export.xlsx"])
    def test_other_township_clerk_sees_own_cases(self, login, a1_case, b1_case, url):
        assert "龙塔停车纠纷" in content_of(login("b1_clerk").get(url))

    @pytest.mark.parametrize("url", SCOPED_URLS)
    def test_restricted_case_hidden_from_a_mediator_not_named_on_it(
        self, login, a1_case, restricted_case, url
    ):
        text = content_of(login("a1_mediator").get(url))
        assert "家庭暴力求助" not in text
        assert restricted_case.number not in text

    def test_mediator_sees_ordinary_cases(self, login, a1_case, restricted_case):
        assert "胜利路噪音纠纷" in content_of(login("a1_mediator").get("/cases/"))

    def test_registering_clerk_is_named_and_sees_the_restricted_case(self, login, restricted_case):
        html = body(login("a1_clerk").get("/cases/"))
        assert "家庭暴力求助" in html
        assert "badge restricted" in html


class TestQueues:
    def test_department_liaison_has_the_assignment(self, login, a1_case):
        response = login("a1_community").get("/cases/queue/mine/")
        assert response.status_code == 200
        html = body(response)
        assert "胜利路噪音纠纷" in html
        assert f'href="/cases/{a1_case.pk}/"' in html
        assert "role-lead" in html
        assert "牵头办理" in html  # the lead assignment's task

    def test_overdue_and_due_soon_assignments_are_highlighted(self, world, login, a1_case):
        second = register(world, title="快到期的纠纷")
        now = timezone.now()
        Assignment.objects.filter(case=a1_case).update(deadline=now - timedelta(hours=1))
        Assignment.objects.filter(case=second).update(
            created_at=now - timedelta(days=9), deadline=now + timedelta(days=1)
        )
        html = body(login("a1_community").get("/cases/queue/mine/"))
        assert "row-overdue" in html
        assert "row-due_soon" in html
        # Soonest deadline first.
        assert titles_in_order(html, ["快到期的纠纷", "胜利路噪音纠纷"]) == [
            "胜利路噪音纠纷",
            "快到期的纠纷",
        ]

    def test_my_queue_filters_narrow(self, world, login, a1_case):
        register(world, title="另一件纠纷")
        html = body(login("a1_community").get("/cases/queue/mine/?q=噪音"))
        assert "胜利路噪音纠纷" in html
        assert "另一件纠纷" not in html

    def test_unit_queue_lists_cases_led_by_my_units(self, world, login, a1_case):
        html = body(login("a1_clerk").get("/cases/queue/unit/"))
        assert "胜利路噪音纠纷" in html
        lead = Case.objects.get(pk=a1_case.pk).lead_unit
        html = body(login("a1_clerk").get(f"/cases/queue/unit/?unit={lead.pk}"))
        assert "胜利路噪音纠纷" in html

    def test_unit_queue_rejects_a_unit_outside_the_jurisdiction(self, world, login, a1_case):
        b1 = world.region.units["B1"]
        response = login("a1_clerk").get(f"/cases/queue/unit/?unit={b1.pk}")
        assert response.status_code == 200
        assert "alert-error" in body(response)

    def test_queue_htmx_partial(self, login, a1_case):
        response = login("a1_community").get("/cases/queue/mine/?q=噪音", **HTMX)
        assert "<html" not in body(response)
        assert response["HX-Push-Url"].startswith("/cases/queue/mine/?q=")

    def test_deadline_shows_the_time_left(self, login, a1_case):
        html = body(login("a1_clerk").get("/cases/queue/unit/", HTTP_ACCEPT_LANGUAGE="en"))
        assert re.search(r"\d+ days? left", html)
