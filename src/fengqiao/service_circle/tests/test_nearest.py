"""Nearest stations: ordering, filters, "open now", jurisdiction, the API and the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fengqiao.orgs.models import Station, StationKind
from fengqiao.service_circle.nearest import nearest_stations
from fengqiao.service_circle.tests.conftest import client_for
from fengqiao.testing.region import SmallRegion

MONDAY_TEN = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
MONDAY_NIGHT = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 22:00


def names(found: list) -> list[str]:  # type: ignore[type-arg]
    return [item.station.name for item in found]


class TestNearestStations:
    def test_nearest_first_with_distance_and_time(
        self, region: SmallRegion, room: Station, hand_config: dict
    ) -> None:
        found = nearest_stations(
            actor=region.users["city_admin"], lat=29.005, lng=105.005, mode="walk"
        )
        assert names(found)[:3] == ["红旗社区调解室", "胜利路街道综治中心", "中山路街道综治中心"]
        first = found[0]
        # 0.005° of longitude at 29.005° N: 111.195 × cos(29.005°) × 0.005 = 0.4862 km;
        # at 2 km/h on straight roads that is 0.4862 / 2 × 60 = 14.59 minutes.
        assert first.distance_km == pytest.approx(0.4862, abs=1e-4)
        assert first.road_km == pytest.approx(first.distance_km)
        assert first.minutes == pytest.approx(14.59, abs=0.01)
        assert first.within_circle is True
        assert found[1].within_circle is False
        distances = [item.distance_km for item in found]
        assert distances == sorted(distances)

    def test_kind_filter(self, region: SmallRegion, room: Station) -> None:
        found = nearest_stations(
            actor=region.users["city_admin"], lat=29.005, lng=105.005, kind=StationKind.CENTRE
        )
        assert "红旗社区调解室" not in names(found)
        assert len(found) == 4

    def test_open_now_leaves_out_closed_and_unknown(
        self, region: SmallRegion, room: Station
    ) -> None:
        admin = region.users["city_admin"]
        centre = region.stations["A1-centre"]
        centre.opening_schedule = {"mon": [["20:00", "02:00"]]}
        centre.save()
        at_ten = nearest_stations(
            actor=admin, lat=29.005, lng=105.005, open_now=True, now=MONDAY_TEN
        )
        assert names(at_ten) == ["红旗社区调解室"]  # the others have no recorded hours
        assert at_ten[0].open_now is True
        assert at_ten[0].hours_today == "09:00–17:00"
        at_night = nearest_stations(
            actor=admin, lat=29.005, lng=105.005, open_now=True, now=MONDAY_NIGHT
        )
        assert names(at_night) == ["胜利路街道综治中心"]
        everything = nearest_stations(actor=admin, lat=29.005, lng=105.005, now=MONDAY_NIGHT)
        assert [i.open_now for i in everything[:3]] == [False, True, None]

    def test_only_stations_in_the_jurisdiction(self, region: SmallRegion, room: Station) -> None:
        found = nearest_stations(actor=region.users["b1_clerk"], lat=29.005, lng=105.005)
        assert names(found) == ["龙塔街道综治中心"]
        a1 = nearest_stations(actor=region.users["a1a_grid"], lat=29.005, lng=105.005)
        assert names(a1) == []  # a grid worker of A1a-g1 sees no station of A1a itself

    def test_inactive_stations_are_left_out(self, region: SmallRegion, room: Station) -> None:
        room.is_active = False
        room.save()
        found = nearest_stations(actor=region.users["city_admin"], lat=29.005, lng=105.005)
        assert "红旗社区调解室" not in names(found)


class TestNearestApi:
    def test_rows(self, region: SmallRegion, room: Station, hand_config: dict) -> None:
        response = client_for("a1_clerk").get(
            "/api/v1/service/nearest", {"lat": 29.005, "lng": 105.005, "limit": 2}
        )
        assert response.status_code == 200
        rows = response.json()
        assert [r["name"] for r in rows] == ["红旗社区调解室", "胜利路街道综治中心"]
        assert rows[0]["minutes"] == pytest.approx(14.6, abs=0.05)
        assert rows[0]["kind"] == "mediation_room"
        assert rows[0]["mode"] == "walk"

    def test_other_township_does_not_see_the_rows(self, region: SmallRegion, room: Station) -> None:
        rows = (
            client_for("a2_clerk")
            .get("/api/v1/service/nearest", {"lat": 29.005, "lng": 105.005})
            .json()
        )
        assert [r["name"] for r in rows] == ["中山路街道综治中心"]

    def test_bad_input_is_422_with_fields(self, region: SmallRegion) -> None:
        response = client_for("a1_clerk").get(
            "/api/v1/service/nearest", {"lat": 95, "lng": 105, "mode": "rocket", "kind": "x"}
        )
        assert response.status_code == 422
        fields = [e["field"] for e in response.json()["errors"]]
        assert fields == ["lat", "mode", "kind"]

    def test_anonymous_is_refused(self, region: SmallRegion) -> None:
        from django.test import Client

        response = Client().get("/api/v1/service/nearest", {"lat": 29, "lng": 105})
        assert response.status_code == 401


class TestNearestPage:
    def test_page_and_htmx_results(self, region: SmallRegion, room: Station) -> None:
        client = client_for("a1_clerk")
        page = client.get("/service/")
        assert page.status_code == 200
        assert b"data-service-map" in page.content
        fragment = client.get(
            "/service/", {"lat": 29.005, "lng": 105.005, "mode": "walk"}, HTTP_HX_REQUEST="true"
        )
        html = fragment.content.decode()
        assert "红旗社区调解室" in html
        assert "<html" not in html
        assert "龙塔街道综治中心" not in html

    def test_a_unit_name_picks_the_point(self, region: SmallRegion, room: Station) -> None:
        html = client_for("a1_clerk").get("/service/", {"q": "红旗社区第1网格"}).content.decode()
        assert "红旗社区第1网格" in html
        assert html.index("红旗社区调解室") < html.index("胜利路街道综治中心")

    def test_unit_outside_the_jurisdiction_is_not_found(self, region: SmallRegion) -> None:
        html = client_for("b1_clerk").get("/service/", {"q": "红旗社区"}).content.decode()
        assert "alert-warning" in html
        assert "nearest-table" not in html
        assert "红旗社区调解室" not in html

    def test_form_errors(self, region: SmallRegion) -> None:
        response = client_for("a1_clerk").get("/service/", {"lat": 29.0, "lng": ""})
        assert response.status_code == 200
        assert b"alert" in response.content
        assert b"nearest-table" not in response.content
