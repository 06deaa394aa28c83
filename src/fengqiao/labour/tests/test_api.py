"""The labour API: scoped lists and details, batch import with indexed errors, on-demand scoring."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fengqiao.accounts.auth import api_token_issue
from fengqiao.labour.models import Employer
from fengqiao.labour.services import scores_compute
from fengqiao.labour.tests.conftest import FIRM_A1, FIRM_A2, FIRM_B1, PROJECT_A1, month


@pytest.fixture
def api(world: Any) -> Any:
    def client_for(username: str) -> Client:
        _token, secret = api_token_issue(user=world.user(username), name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return client_for


@pytest.fixture
def scored(employers: dict[str, Any]) -> dict[str, Any]:
    scores_compute(period=month(0))
    return employers


def send(client: Client, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


class TestScores:
    def test_ranked_list_with_contributions(self, api: Any, scored: dict[str, Any]) -> None:
        response = api("a_leader").get("/api/v1/labour/scores")
        assert response.status_code == 200
        rows = response.json()
        assert [r["employer"]["code"] for r in rows] == [PROJECT_A1, FIRM_A1, FIRM_A2]
        assert [r["rank"] for r in rows] == [1, 2, 3]
        top = rows[0]
        assert (top["score"], top["colour"]) == (61.7, "red")
        assert sum(c["points"] for c in top["contributions"]) == pytest.approx(61.67)
        assert "+25.0" in top["explanation"]

    @pytest.mark.parametrize(
        ("username", "visible"),
        [("a1_clerk", {PROJECT_A1, FIRM_A1}), ("a2_clerk", {FIRM_A2}), ("b1_clerk", {FIRM_B1})],
    )
    def test_each_township_sees_its_own(
        self, api: Any, scored: dict[str, Any], username: str, visible: set[str]
    ) -> None:
        rows = api(username).get("/api/v1/labour/scores").json()
        assert {r["employer"]["code"] for r in rows} == visible
        employers = api(username).get("/api/v1/labour/employers").json()
        assert {e["code"] for e in employers} == visible

    def test_filters(self, api: Any, scored: dict[str, Any]) -> None:
        client = api("city_admin")
        rows = client.get("/api/v1/labour/scores", {"kind": "project"}).json()
        assert [r["employer"]["code"] for r in rows] == [PROJECT_A1]
        rows = client.get("/api/v1/labour/scores", {"colour": "green"}).json()
        assert PROJECT_A1 not in {r["employer"]["code"] for r in rows}
        response = client.get("/api/v1/labour/scores", {"period": "2099-13"})
        assert response.status_code == 422
        assert response.json()["field"] == "period"


class TestEmployer:
    def test_detail_with_history(self, api: Any, scored: dict[str, Any]) -> None:
        employer = scored[PROJECT_A1]
        body = api("a1_clerk").get(f"/api/v1/labour/employers/{employer.pk}").json()
        assert body["latest"]["score"] == 61.7
        assert body["history"]["series"]["wage_delay_days"] == [90.0]
        scores = api("a1_clerk").get(f"/api/v1/labour/employers/{employer.pk}/scores").json()
        assert [s["period"] for s in scores] == [month(0).isoformat()]

    @pytest.mark.parametrize("username", ["a2_clerk", "b1_clerk"])
    def test_other_townships_get_404(self, api: Any, scored: dict[str, Any], username: str) -> None:
        employer = scored[FIRM_A1]
        assert api(username).get(f"/api/v1/labour/employers/{employer.pk}").status_code == 404
        url = f"/api/v1/labour/employers/{employer.pk}/scores"
        assert api(username).get(url).status_code == 404

    def test_patch_with_version(self, api: Any, scored: dict[str, Any]) -> None:
        url = f"/api/v1/labour/employers/{scored[FIRM_A1].pk}"
        client = api("a_analyst")
        response = send(client, "patch", url, {"version": 1, "workers": 70})
        assert response.status_code == 200, response.content
        assert response.json()["version"] == 2
        assert send(client, "patch", url, {"version": 1, "workers": 71}).status_code == 409
        assert send(api("a1_clerk"), "patch", url, {"version": 2, "workers": 1}).status_code == 403


class TestImport:
    def test_batch_is_imported(self, api: Any, world: Any) -> None:
        body = [
            {
                "code": FIRM_A1,
                "period": f"{month(0):%Y-%m}",
                "kind": "enterprise",
                "name": "重庆胜利建材有限公司",
                "lng": 105.005,
                "lat": 29.005,
                "wage_delay_days": 45,
            }
        ]
        response = send(api("a_analyst"), "post", "/api/v1/labour/indicators", body)
        assert response.status_code == 201, response.content
        assert response.json()["values_created"] == 1
        again = send(api("a_analyst"), "post", "/api/v1/labour/indicators", body).json()
        assert again["values_unchanged"] == 1

    def test_errors_name_item_and_field_and_nothing_is_written(self, api: Any, world: Any) -> None:
        body = [
            {"code": FIRM_A1, "period": "2025-01", "kind": "enterprise", "name": "甲",
             "lng": 105.005, "lat": 29.005},
            {"code": FIRM_B1, "period": "2025-01", "kind": "enterprise", "name": "乙",
             "lng": 105.505, "lat": 29.005},  # district B: outside the analyst's area
        ]  # fmt: skip
        response = send(api("a_analyst"), "post", "/api/v1/labour/indicators", body)
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"index": 1, "field": "lng", "message": response.json()["errors"][0]["message"]}
        ]
        assert Employer.objects.count() == 0

    def test_clerk_may_not_import(self, api: Any, world: Any) -> None:
        response = send(api("a1_clerk"), "post", "/api/v1/labour/indicators", [])
        assert response.status_code == 403


class TestCompute:
    def test_on_demand_raises_the_warnings(self, api: Any, employers: dict[str, Any]) -> None:
        response = send(api("a_analyst"), "post", "/api/v1/labour/scores/compute", {})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["runs"][0]["scored"] == 4
        assert body["warnings"] == 1
        denied = send(api("a_leader"), "post", "/api/v1/labour/scores/compute", {})
        assert denied.status_code == 403


def test_operations_are_documented(world: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/labour/indicators"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["type"] == "array"
    update = schema["components"]["schemas"]["EmployerUpdateIn"]
    assert "version" in update["required"]
