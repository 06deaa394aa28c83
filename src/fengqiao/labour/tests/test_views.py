"""The labour pages: ranked list and map data, employer page, import page; all scoped."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fengqiao.cases.services import case_register
from fengqiao.labour.models import Employer
from fengqiao.labour.services import scores_compute
from fengqiao.labour.tests.conftest import (
    A1_POINT,
    FIRM_A1,
    FIRM_A2,
    FIRM_B1,
    PROJECT_A1,
    employer_row,
    make_csv,
    month,
)
from fengqiao.testing.cases import case_in


@pytest.fixture
def browse(world: Any) -> Any:
    def client_for(username: str) -> Client:
        client = Client()
        client.force_login(world.user(username))
        return client

    return client_for


@pytest.fixture
def scored(employers: dict[str, Any]) -> dict[str, Any]:
    scores_compute(period=month(0))
    return employers


class TestList:
    def test_ranked_with_bars_and_map_points(self, browse: Any, scored: dict[str, Any]) -> None:
        response = browse("a1_clerk").get("/labour/")
        assert response.status_code == 200
        rows = response.context["rows"]
        assert [r["employer"].code for r in rows] == [PROJECT_A1, FIRM_A1]
        assert [p.code for p in rows[0]["parts"]][:1] == ["wage_delay_days"]
        assert {p["id"] for p in response.context["map_points"]} == {
            scored[PROJECT_A1].pk,
            scored[FIRM_A1].pk,
        }
        assert response.context["counts"] == {"red": 1, "orange": 0, "green": 1}

    @pytest.mark.parametrize(
        ("username", "hidden"), [("a2_clerk", FIRM_A1), ("b1_clerk", PROJECT_A1)]
    )
    def test_other_townships_do_not_see_the_rows(
        self, browse: Any, scored: dict[str, Any], username: str, hidden: str
    ) -> None:
        response = browse(username).get("/labour/")
        codes = {r["employer"].code for r in response.context["rows"]}
        assert hidden not in codes
        assert scored[hidden].name not in response.content.decode()

    def test_filters(self, browse: Any, scored: dict[str, Any]) -> None:
        client = browse("city_admin")
        response = client.get("/labour/", {"kind": "enterprise", "colour": "green"})
        assert {r["employer"].code for r in response.context["rows"]} == {FIRM_A1, FIRM_A2, FIRM_B1}
        unit = scored[FIRM_B1].unit.parent.parent  # 龙塔街道
        response = client.get("/labour/", {"unit": unit.pk})
        assert [r["employer"].code for r in response.context["rows"]] == [FIRM_B1]

    def test_unit_outside_the_jurisdiction_is_a_form_error(
        self, browse: Any, world: Any, scored: dict[str, Any]
    ) -> None:
        response = browse("a2_clerk").get("/labour/", {"unit": world.region.unit("B1").pk})
        assert response.context["form"].errors["unit"]
        assert response.context["page"] is None


class TestDetail:
    def test_contributions_history_cases_and_warnings(
        self, browse: Any, world: Any, scored: dict[str, Any]
    ) -> None:
        case_register(
            actor=world.user("a1_clerk"),
            data=case_in(
                category="M10.01",
                parties=[
                    {"role": "applicant", "name": "王强", "phone": "13800138000"},
                    {
                        "role": "respondent",
                        "kind": "organisation",
                        "name": "甲",
                        "org_code": FIRM_A1,
                    },
                ],
            ),
        )
        employer = scored[FIRM_A1]
        response = browse("a1_clerk").get(f"/labour/{employer.pk}/")
        assert response.status_code == 200
        assert next(p.code for p in response.context["parts"]) == "wage_delay_days"
        assert len(response.context["cases"]) == 1
        assert response.context["chart"]["periods"] == [f"{month(0):%Y-%m}"]
        assert b'id="contributions"' in response.content

    @pytest.mark.parametrize("username", ["a2_clerk", "b1_clerk"])
    def test_other_townships_get_404(
        self, browse: Any, scored: dict[str, Any], username: str
    ) -> None:
        assert browse(username).get(f"/labour/{scored[FIRM_A1].pk}/").status_code == 404


class TestImportPage:
    def upload(self, client: Client, rows: list[dict[str, Any]]) -> Any:
        file = SimpleUploadedFile("labour.csv", make_csv(rows), content_type="text/csv")
        return client.post("/labour/import/", {"file": file})

    def test_summary_after_a_good_file(self, browse: Any) -> None:
        response = self.upload(
            browse("a_analyst"), [employer_row(FIRM_A1, A1_POINT, wage_delay_days=9)]
        )
        assert response.status_code == 200
        assert response.context["summary"].values_created == 1

    def test_line_errors_and_nothing_written(self, browse: Any) -> None:
        rows = [employer_row(FIRM_A1, A1_POINT), employer_row(FIRM_A1[:-1] + "0", A1_POINT)]
        response = self.upload(browse("a_analyst"), rows)
        assert response.status_code == 422
        assert "labour.csv:3: code: " in response.content.decode()
        assert Employer.objects.count() == 0

    @pytest.mark.parametrize("username", ["a1_clerk", "a_leader"])
    def test_other_roles_are_refused(self, browse: Any, username: str) -> None:
        assert browse(username).get("/labour/import/").status_code == 403
        assert self.upload(browse(username), [employer_row(FIRM_A1, A1_POINT)]).status_code == 403
        assert browse(username).post("/labour/recompute/").status_code == 403


class TestRecompute:
    def test_analyst_recomputes_the_latest_month(
        self, browse: Any, employers: dict[str, Any]
    ) -> None:
        response = browse("a_analyst").post("/labour/recompute/", follow=True)
        assert response.status_code == 200
        assert next(r["employer"].code for r in response.context["rows"]) == PROJECT_A1


class TestQueryCount:
    def test_list_queries_do_not_grow_with_rows(self, browse: Any, scored: dict[str, Any]) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from fengqiao.labour.tests.conftest import credit, import_rows

        client = browse("city_admin")
        with CaptureQueriesContext(connection) as few:
            client.get("/labour/")
        import_rows(
            [
                employer_row(credit(f"91500118MA5U1{n:04d}"), A1_POINT, wage_delay_days=n)
                for n in range(12)
            ]
        )
        scores_compute(period=month(0))
        with CaptureQueriesContext(connection) as many:
            response = client.get("/labour/")
        assert len(response.context["rows"]) == 16
        assert len(many) == len(few)
