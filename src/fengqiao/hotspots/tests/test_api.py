"""The hotspots API: latest run, on-demand runs, run detail; all scoped by jurisdiction."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from fengqiao.accounts.auth import api_token_issue
from fengqiao.hotspots.models import HotspotRun, RunStatus
from fengqiao.hotspots.services import hotspot_run_execute, hotspot_run_request
from fengqiao.hotspots.tests.conftest import HotWorld


@pytest.fixture
def api(hot: HotWorld):
    def client_for(username: str) -> Client:
        _token, secret = api_token_issue(user=hot.user(username), name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return client_for


@pytest.fixture
def done(hot: HotWorld) -> HotspotRun:
    run = hotspot_run_request(actor=hot.user("city_admin"))
    return hotspot_run_execute(run_id=run.pk)


def grids(body: dict) -> set[str]:
    return {h["grid_code"] for h in body["hotspots"]}


class TestList:
    def test_each_user_sees_the_hotspots_of_their_jurisdiction(
        self, hot: HotWorld, api, done: HotspotRun
    ) -> None:
        a1, b1 = hot.unit("A1a-g1").code, hot.unit("B1a-g1").code
        city = api("city_admin").get("/api/v1/hotspots").json()
        assert city["run"]["id"] == done.pk
        assert grids(city) == {a1, b1}
        assert grids(api("a1_clerk").get("/api/v1/hotspots").json()) == {a1}
        assert grids(api("b1_clerk").get("/api/v1/hotspots").json()) == {b1}
        assert grids(api("a2_clerk").get("/api/v1/hotspots").json()) == set()
        top = api("a1_clerk").get("/api/v1/hotspots").json()["hotspots"][0]
        assert top["category_code"] == "M02"
        assert top["observed"] == 6
        assert len(top["history"]) == 56

    def test_filters_by_unit_and_category(self, hot: HotWorld, api, done: HotspotRun) -> None:
        client = api("city_admin")
        district_b = client.get(f"/api/v1/hotspots?unit_id={hot.unit('B').pk}").json()
        assert grids(district_b) == {hot.unit("B1a-g1").code}
        from fengqiao.taxonomy.models import Category

        m02 = Category.objects.get(code="M02").pk
        assert grids(client.get(f"/api/v1/hotspots?category_id={m02}").json()) == {
            hot.unit("A1a-g1").code
        }

    def test_a_unit_outside_the_jurisdiction_is_not_found(
        self, hot: HotWorld, api, done: HotspotRun
    ) -> None:
        response = api("b1_clerk").get(f"/api/v1/hotspots?unit_id={hot.unit('A1').pk}")
        assert response.status_code == 404

    def test_without_a_run_the_list_is_empty(self, hot: HotWorld, api) -> None:
        assert api("a1_clerk").get("/api/v1/hotspots").json() == {"run": None, "hotspots": []}

    def test_anonymous_callers_are_refused(self, hot: HotWorld) -> None:
        assert Client().get("/api/v1/hotspots").status_code == 401


class TestRuns:
    def test_an_analyst_starts_a_run(self, hot: HotWorld, api) -> None:
        response = api("a_analyst").post(
            "/api/v1/hotspots/runs",
            data=json.dumps({"method": "ears_c2"}),
            content_type="application/json",
        )
        assert response.status_code == 202
        body = response.json()
        assert body["status"] == RunStatus.QUEUED
        assert body["method"] == "ears_c2"
        assert HotspotRun.objects.get().requested_by == hot.user("a_analyst")

    def test_a_clerk_may_not(self, hot: HotWorld, api) -> None:
        response = api("a1_clerk").post(
            "/api/v1/hotspots/runs", data="{}", content_type="application/json"
        )
        assert response.status_code == 403
        assert not HotspotRun.objects.exists()

    @pytest.mark.parametrize(
        ("body", "field"),
        [({"method": "magic"}, "method"), ({"window_end": "not a date"}, "window_end")],
    )
    def test_bad_input_is_a_422_naming_the_field(self, hot: HotWorld, api, body, field) -> None:
        response = api("a_analyst").post(
            "/api/v1/hotspots/runs", data=json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 422
        assert field in json.dumps(response.json())

    def test_a_future_window_is_a_422(self, hot: HotWorld, api) -> None:
        tomorrow = (hot.today + timedelta(days=1)).isoformat()
        response = api("a_analyst").post(
            "/api/v1/hotspots/runs",
            data=json.dumps({"window_end": tomorrow}),
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["field"] == "window_end"

    def test_a_run_shows_only_the_callers_hotspots(
        self, hot: HotWorld, api, done: HotspotRun
    ) -> None:
        body = api("b1_clerk").get(f"/api/v1/hotspots/runs/{done.pk}").json()
        assert body["run"]["status"] == RunStatus.DONE
        assert grids(body) == {hot.unit("B1a-g1").code}
        assert api("b1_clerk").get("/api/v1/hotspots/runs/999999").status_code == 404
