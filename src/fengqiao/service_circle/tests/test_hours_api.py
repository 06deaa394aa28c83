"""Editing a station's weekly hours through the API: validated, versioned, scoped."""

from __future__ import annotations

from fengqiao.orgs.models import Station
from fengqiao.service_circle.tests.conftest import client_for
from fengqiao.testing.region import SmallRegion

WEEK = {"mon": [["09:00", "12:00"], ["14:00", "17:30"]], "sat": [["20:00", "02:00"]]}


def put(username: str, station: Station, body: dict) -> object:  # type: ignore[type-arg]
    return client_for(username).put(
        f"/api/v1/service/stations/{station.pk}/hours", body, content_type="application/json"
    )


class TestHours:
    def test_read_and_replace(self, region: SmallRegion) -> None:
        station = region.stations["A1-centre"]
        current = client_for("a1_clerk").get(f"/api/v1/service/stations/{station.pk}/hours")
        assert current.json()["opening_schedule"] is None
        assert current.json()["open_now"] is None
        body = {
            "opening_schedule": WEEK,
            "opening_hours": "周一 9:00-17:30",
            "updated_at": current.json()["updated_at"],
        }
        response = put("a1_clerk", station, body)
        assert response.status_code == 200  # type: ignore[attr-defined]
        station.refresh_from_db()
        assert station.opening_schedule == WEEK
        assert station.opening_hours == "周一 9:00-17:30"

    def test_stale_version_is_409(self, region: SmallRegion) -> None:
        station = region.stations["A1-centre"]
        seen = client_for("a1_clerk").get(f"/api/v1/service/stations/{station.pk}/hours").json()
        station.phone = "023-1"
        station.save()
        response = put(
            "a1_clerk", station, {"opening_schedule": WEEK, "updated_at": seen["updated_at"]}
        )
        assert response.status_code == 409  # type: ignore[attr-defined]

    def test_invalid_is_422_and_nothing_written(self, region: SmallRegion) -> None:
        station = region.stations["A1-centre"]
        body = {
            "opening_schedule": {"mon": [["9", "12:00"]], "xyz": []},
            "updated_at": station.updated_at.isoformat(),
        }
        response = put("a1_clerk", station, body)
        assert response.status_code == 422  # type: ignore[attr-defined]
        fields = [e["field"] for e in response.json()["errors"]]  # type: ignore[attr-defined]
        assert fields == ["opening_schedule.xyz", "opening_schedule.mon[1]"]
        station.refresh_from_db()
        assert station.opening_schedule is None

    def test_other_township_is_404(self, region: SmallRegion) -> None:
        station = region.stations["A1-centre"]
        url = f"/api/v1/service/stations/{station.pk}/hours"
        assert client_for("a2_clerk").get(url).status_code == 404
        body = {"opening_schedule": WEEK, "updated_at": station.updated_at.isoformat()}
        assert put("b1_clerk", station, body).status_code == 404  # type: ignore[attr-defined]

    def test_analyst_may_not_edit(self, region: SmallRegion) -> None:
        station = region.stations["A-centre"]
        body = {"opening_schedule": WEEK, "updated_at": station.updated_at.isoformat()}
        assert put("a_analyst", station, body).status_code == 403  # type: ignore[attr-defined]
