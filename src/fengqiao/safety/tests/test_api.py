"""The results API: scoped by jurisdiction (hidden units are 404, hidden rows absent)."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from fengqiao.safety.tests.conftest import CALLS, FEB, JAN
from fengqiao.testing.region import PASSWORD, SmallRegion


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def names(rows: list[dict[str, object]]) -> set[object]:
    return {row["unit_name"] for row in rows}


class TestResults:
    def test_rows_are_scoped(self, computed: SmallRegion) -> None:
        a1 = client_for("a1_clerk").get("/api/v1/safety/results", {"period": JAN}).json()
        assert names(a1) == {"胜利路街道", "红旗社区", "双竹村"}
        b1 = client_for("b1_clerk").get("/api/v1/safety/results", {"period": JAN}).json()
        assert names(b1) == {"龙塔街道", "工农社区"}
        everyone = (
            client_for("city_admin")
            .get("/api/v1/safety/results", {"period": JAN, "level": 3})
            .json()
        )
        assert [r["unit_name"] for r in everyone] == ["龙塔街道", "中山路街道", "胜利路街道"]

    def test_default_period_is_the_newest_month(self, computed: SmallRegion) -> None:
        rows = client_for("a_leader").get("/api/v1/safety/results").json()
        assert {r["period"] for r in rows} == {FEB}
        assert client_for("a_leader").get("/api/v1/safety/periods").json() == [FEB, JAN]

    def test_reasons_are_named(self, computed: SmallRegion) -> None:
        rows = client_for("a_leader").get("/api/v1/safety/negative-list", {"period": JAN}).json()
        a1 = next(r for r in rows if r["unit_name"] == "胜利路街道")
        assert a1["reasons"][0]["code"] == CALLS
        assert a1["reasons"][0]["name"] == "万人110警情数"
        assert (
            names(
                client_for("b1_clerk").get("/api/v1/safety/negative-list", {"period": JAN}).json()
            )
            == set()
        )


class TestUnitEndpoints:
    def test_detail_history_and_letter_for_the_unit_in_scope(self, computed: SmallRegion) -> None:
        a1 = computed.unit("A1").pk
        client = client_for("a1_clerk")
        detail = client.get(f"/api/v1/safety/units/{a1}/results/{JAN}").json()
        assert detail["colour"] == "red"
        assert detail["contributions"][0]["code"] == CALLS
        history = client.get(f"/api/v1/safety/units/{a1}/history").json()
        assert [r["period"] for r in history] == [JAN, FEB]
        letter = client.get(f"/api/v1/safety/units/{a1}/letter", {"period": JAN})
        assert letter["Content-Type"] == "application/pdf"
        text = PdfReader(io.BytesIO(letter.content)).pages[0].extract_text()
        assert "胜利路街道" in text

    @pytest.mark.parametrize(
        "path",
        [
            "/api/v1/safety/units/{id}/results/2025-01",
            "/api/v1/safety/units/{id}/history",
            "/api/v1/safety/units/{id}/letter?period=2025-01",
        ],
    )
    @pytest.mark.parametrize("username", ["a2_clerk", "b1_clerk"])
    def test_other_townships_get_404(self, computed: SmallRegion, path: str, username: str) -> None:
        response = client_for(username).get(path.format(id=computed.unit("A1").pk))
        assert response.status_code == 404

    def test_map_features_are_scoped_and_coloured(self, computed: SmallRegion) -> None:
        features = (
            client_for("a_leader")
            .get("/api/v1/safety/map", {"period": JAN, "level": 4})
            .json()["features"]
        )
        assert {f["properties"]["name"]: f["properties"]["colour"] for f in features} == {
            "红旗社区": "red",
            "双竹村": "blue",
            "萱花社区": "red",
        }
        assert features[0]["geometry"]["type"] == "Polygon"

    def test_compute_is_for_analysts(self, computed: SmallRegion) -> None:
        denied = client_for("a_leader").post(
            "/api/v1/safety/compute", {"period": JAN}, content_type="application/json"
        )
        assert denied.status_code == 403
        ok = client_for("a_analyst").post(
            "/api/v1/safety/compute", {"period": JAN}, content_type="application/json"
        )
        assert ok.json()["levels"][0] == {"level": 3, "units": 3, "red": 1, "negative": 1}
        bad = client_for("a_analyst").post(
            "/api/v1/safety/compute", {"period": "soon"}, content_type="application/json"
        )
        assert bad.status_code == 422
        assert bad.json()["field"] == "period"

    def test_indicators_are_readable_by_everyone_signed_in(self, computed: SmallRegion) -> None:
        rows = client_for("b1_clerk").get("/api/v1/safety/indicators").json()
        assert len(rows) == 56
        assert Client().get("/api/v1/safety/indicators").status_code == 401
