from __future__ import annotations

import pytest

from fengqiao.signals.services import signals_ingest
from fengqiao.signals.tests.helpers import IN_A1, IN_B1, at, item, session_client
from fengqiao.testing.region import SmallRegion

URL = "/signals/"


@pytest.fixture
def stored(region: SmallRegion) -> SmallRegion:
    signals_ingest(
        actor=None,
        items=[
            item(device_id="A-TANK", lng=IN_A1[0], lat=IN_A1[1], observed_at=at(30), value=0.4),
            item(device_id="A-TANK", lng=IN_A1[0], lat=IN_A1[1], observed_at=at(10), value=0.75),
            item(device_id="B-TANK", lng=IN_B1[0], lat=IN_B1[1], kind="methane", value=1.2),
            item(device_id="LOOSE", source="weather"),
        ],
    )
    return region


class TestSignalPage:
    def test_analyst_sees_recent_signals_and_latest_per_device(self, stored: SmallRegion) -> None:
        response = session_client(stored.users["a_analyst"]).get(URL)
        assert response.status_code == 200
        html = response.content.decode()
        assert "A-TANK" in html
        assert "LOOSE" in html
        assert "B-TANK" not in html
        latest = html.split('id="device-latest"')[1].split("</table>")[0]
        assert "0.75" in latest
        assert "0.4" not in latest
        assert "红旗社区第1网格" in latest

    def test_filters_narrow_the_list(self, stored: SmallRegion) -> None:
        client = session_client(stored.users["city_admin"])
        html = client.get(URL, {"kind": "methane"}).content.decode()
        assert "B-TANK" in html
        assert "A-TANK" not in html
        html = client.get(URL, {"source": "weather"}).content.decode()
        assert "LOOSE" in html
        assert "A-TANK" not in html

    def test_htmx_gets_only_the_results(self, stored: SmallRegion) -> None:
        client = session_client(stored.users["city_admin"])
        response = client.get(URL, {"device_id": "A-TANK"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert "<html" not in html
        assert html.count("A-TANK") >= 3  # latest table + two readings

    def test_bad_time_range_shows_a_form_error(self, stored: SmallRegion) -> None:
        client = session_client(stored.users["city_admin"])
        response = client.get(URL, {"since": "2026-11-02T10:00", "until": "2026-11-01T10:00"})
        assert response.status_code == 200
        assert "field-error" in response.content.decode()

    def test_leader_of_another_district_does_not_see_district_a(self, stored: SmallRegion) -> None:
        from fengqiao.accounts.models import Role
        from fengqiao.accounts.services import user_create
        from fengqiao.testing.region import PASSWORD

        b_leader = user_create(
            username="b_leader",
            password=PASSWORD,
            role=Role.LEADER,
            units=[stored.unit("B")],
            check_password_strength=False,
        )
        html = session_client(b_leader).get(URL).content.decode()
        assert "B-TANK" in html
        assert "A-TANK" not in html
        assert "LOOSE" not in html

    def test_an_area_outside_the_jurisdiction_is_refused(self, stored: SmallRegion) -> None:
        client = session_client(stored.users["a_leader"])
        response = client.get(URL, {"unit": stored.unit("B1").pk})
        # The choice is not offered, so the form refuses it and nothing of B1 is shown.
        assert "B-TANK" not in response.content.decode()

    @pytest.mark.parametrize("username", ["a1_clerk", "b1_clerk", "a1a_grid", "a1_mediator"])
    def test_roles_without_signal_access_get_403(self, stored: SmallRegion, username: str) -> None:
        assert session_client(stored.users[username]).get(URL).status_code == 403

    def test_anonymous_is_sent_to_login(self, stored: SmallRegion) -> None:
        from django.test import Client

        response = Client().get(URL)
        assert response.status_code == 302
        assert "/login/" in response["Location"]
