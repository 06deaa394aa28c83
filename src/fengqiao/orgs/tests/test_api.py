from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.auth import api_token_issue


@pytest.fixture
def as_user(region):
    def make(username: str) -> Client:
        client = Client()
        client.force_login(region.users[username])
        return client

    return make


@pytest.fixture
def token_client(region):
    def make(username: str) -> Client:
        _token, secret = api_token_issue(user=region.users[username], name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


class TestAuth:
    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/org-units",
            "/api/v1/departments",
            "/api/v1/stations",
            "/api/v1/users",
            "/api/v1/me",
            "/api/v1/categories",
            "/api/v1/channels",
            "/api/v1/org-units/resolve?lng=105&lat=29",
        ],
    )
    def test_anonymous_gets_401(self, region, url):
        assert Client().get(url).status_code == 401

    def test_bad_token_gets_401(self, region):
        assert Client(HTTP_AUTHORIZATION="Bearer fq_wrong").get("/api/v1/me").status_code == 401

    def test_token_authenticates_as_its_user(self, token_client):
        response = token_client("a1_clerk").get("/api/v1/me")
        assert response.status_code == 200
        assert response.json()["username"] == "a1_clerk"

    def test_openapi_is_published(self, region):
        spec = Client().get("/api/v1/openapi.json").json()
        assert "/api/v1/org-units" in spec["paths"]


class TestOrgUnits:
    def test_township_clerk_lists_only_own_township(self, region, token_client):
        codes = {u["code"] for u in token_client("a1_clerk").get("/api/v1/org-units").json()}
        assert codes == set(region.unit("A1").subtree().values_list("code", flat=True))

    def test_other_township_unit_is_404(self, region, as_user):
        client = as_user("a1_clerk")
        for key in ("A2", "B1", "A2a", "B1a-g1", "A", "city"):
            unit = region.unit(key)
            assert client.get(f"/api/v1/org-units/{unit.pk}").status_code == 404
            assert client.get(f"/api/v1/org-units/{unit.pk}/children").status_code == 404
            assert client.get(f"/api/v1/org-units/{unit.pk}/geojson").status_code == 404

    def test_missing_and_forbidden_look_the_same(self, region, as_user):
        client = as_user("a1_clerk")
        hidden = client.get(f"/api/v1/org-units/{region.unit('B1').pk}")
        missing = client.get("/api/v1/org-units/999999")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()

    def test_filter_by_level(self, region, as_user):
        rows = as_user("a_leader").get("/api/v1/org-units?level=5").json()
        assert {r["code"] for r in rows} == {
            region.unit(k).code
            for k in ("A1a-g1", "A1a-g2", "A1b-g1", "A1b-g2", "A2a-g1", "A2a-g2")
        }

    def test_geojson_of_grids_under_a_township(self, region, as_user):
        body = (
            as_user("a_leader")
            .get(f"/api/v1/org-units/{region.unit('A1').pk}/geojson?level=5")
            .json()
        )
        assert body["type"] == "FeatureCollection"
        assert len(body["features"]) == 4
        assert all(f["geometry"]["type"] == "Polygon" for f in body["features"])

    def test_resolve_point_in_scope(self, region, as_user):
        body = as_user("a1_clerk").get("/api/v1/org-units/resolve?lng=105.005&lat=29.005").json()
        assert body["grid"]["code"] == region.unit("A1a-g1").code

    def test_resolve_point_outside_scope_reveals_nothing(self, region, as_user):
        body = as_user("a1_clerk").get("/api/v1/org-units/resolve?lng=105.505&lat=29.005").json()
        assert body["grid"] is None

    def test_resolve_rejects_out_of_range_coordinates(self, region, as_user):
        response = as_user("a1_clerk").get("/api/v1/org-units/resolve?lng=500&lat=29")
        assert response.status_code == 422


class TestDepartmentsStationsUsers:
    def test_departments_are_scoped(self, as_user):
        names = {d["name"] for d in as_user("a1_clerk").get("/api/v1/departments").json()}
        assert names == {"胜利路司法所"}

    def test_departments_of_a_hidden_unit_are_404(self, region, as_user):
        assert (
            as_user("a1_clerk")
            .get(f"/api/v1/departments?unit_id={region.unit('B1').pk}")
            .status_code
            == 404
        )

    def test_stations_are_scoped(self, as_user):
        names = {s["name"] for s in as_user("b1_clerk").get("/api/v1/stations").json()}
        assert names == {"龙塔街道综治中心"}

    def test_roster_of_hidden_station_is_404(self, region, as_user):
        station = region.stations["B1-centre"]
        assert as_user("a1_clerk").get(f"/api/v1/stations/{station.pk}/roster").status_code == 404

    def test_users_are_scoped(self, as_user):
        names = {u["username"] for u in as_user("a1_clerk").get("/api/v1/users").json()}
        assert names == {"a1_clerk", "a1_mediator", "a1a_grid"}

    def test_taxonomy_is_shared_configuration(self, as_user):
        assert as_user("a1_clerk").get("/api/v1/categories").status_code == 200
        assert as_user("a1_clerk").get("/api/v1/channels").status_code == 200
