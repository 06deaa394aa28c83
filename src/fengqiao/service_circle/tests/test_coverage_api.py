"""Coverage API, map and page: scoped by jurisdiction; hidden units are 404, hidden rows absent."""

from __future__ import annotations

import pytest

from fengqiao.orgs.models import Station
from fengqiao.service_circle.coverage import coverage_compute
from fengqiao.service_circle.models import CoverageRun
from fengqiao.service_circle.tasks import coverage_run
from fengqiao.service_circle.tests.conftest import client_for, set_population
from fengqiao.testing.region import SmallRegion


@pytest.fixture
def computed(region: SmallRegion, room: Station, hand_config: dict) -> SmallRegion:
    set_population(region, A1a_g1=1000, A1a_g2=500)
    coverage_compute(mode="walk", minutes=15)
    return region


class TestCoverageApi:
    def test_scoped_rows_and_totals(self, computed: SmallRegion) -> None:
        body = client_for("a1_clerk").get("/api/v1/service/coverage").json()
        assert body["run"]["current"] is True
        assert body["pending"] is False
        names = [c["unit_name"] for c in body["cells"]]
        assert names == ["红旗社区第1网格", "红旗社区第2网格", "双竹村第1网格", "双竹村第2网格"]
        assert body["summary"]["partly"] == 1
        assert body["summary"]["population_share"] == pytest.approx(0.24)
        assert body["gaps"][0]["unit_name"] == "红旗社区第1网格"
        assert body["suggestions"][0]["unit_name"] == "红旗社区第1网格"

    def test_other_township_does_not_see_the_rows(self, computed: SmallRegion) -> None:
        body = client_for("a2_clerk").get("/api/v1/service/coverage").json()
        assert [c["unit_name"] for c in body["cells"]] == ["萱花社区第1网格", "萱花社区第2网格"]
        geo = client_for("b1_clerk").get("/api/v1/service/coverage/geojson").json()
        assert {f["properties"]["name"] for f in geo["features"]} == {
            "工农社区第1网格",
            "工农社区第2网格",
        }

    def test_hidden_unit_is_404(self, computed: SmallRegion) -> None:
        a1 = computed.unit("A1").pk
        assert (
            client_for("a2_clerk").get(f"/api/v1/service/coverage?unit_id={a1}").status_code == 404
        )
        own = client_for("a_leader").get(f"/api/v1/service/coverage?unit_id={a1}&level=4").json()
        assert [c["unit_name"] for c in own["cells"]] == ["红旗社区", "双竹村"]

    def test_geojson_colours(self, computed: SmallRegion) -> None:
        geo = client_for("a1_clerk").get("/api/v1/service/coverage/geojson").json()
        by_name = {f["properties"]["name"]: f["properties"] for f in geo["features"]}
        assert by_name["红旗社区第1网格"]["status"] == "partly"
        assert by_name["红旗社区第1网格"]["share"] == 0.36
        assert by_name["红旗社区第2网格"]["status"] == "not_covered"

    def test_bad_input_is_422(self, computed: SmallRegion) -> None:
        response = client_for("a1_clerk").get("/api/v1/service/coverage?mode=boat&minutes=500")
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["mode", "minutes"]
        assert client_for("a1_clerk").get("/api/v1/service/coverage?level=3").status_code == 422

    def test_first_request_is_pending(self, region: SmallRegion) -> None:
        body = client_for("a1_clerk").get("/api/v1/service/coverage").json()
        assert body["run"] is None
        assert body["pending"] is True
        assert body["cells"] == []


class TestCoveragePage:
    def test_page(self, computed: SmallRegion) -> None:
        html = client_for("a1_clerk").get("/service/coverage/").content.decode()
        assert "data-coverage-map" in html
        assert 'id="gaps-table"' in html
        assert "红旗社区第1网格" in html
        assert "萱花社区第1网格" not in html
        assert 'id="suggestions"' in html

    def test_hidden_unit_is_404(self, computed: SmallRegion) -> None:
        a1 = computed.unit("A1").pk
        assert client_for("b1_clerk").get(f"/service/coverage/?unit={a1}").status_code == 404
        assert client_for("a1_clerk").get(f"/service/coverage/?unit={a1}").status_code == 200

    def test_pending_page_polls(self, region: SmallRegion) -> None:
        html = client_for("a1_clerk").get("/service/coverage/").content.decode()
        assert 'hx-trigger="every 3s"' in html
        assert "gaps-table" not in html

    def test_the_poll_gets_the_body_once_computed(self, region: SmallRegion) -> None:
        client = client_for("a1_clerk")
        assert b"every 3s" in client.get("/service/coverage/").content
        run = CoverageRun.objects.get()
        coverage_run.call(run.pk)
        body = client.get("/service/coverage/", HTTP_HX_REQUEST="true").content.decode()
        assert "gaps-table" in body
        assert "every 3s" not in body
        assert "<html" not in body

    def test_form_errors_fall_back_to_defaults(self, computed: SmallRegion) -> None:
        response = client_for("a1_clerk").get("/service/coverage/?minutes=999")
        assert response.status_code == 200
        assert b"alert-warning" in response.content
        assert b"gaps-table" in response.content
