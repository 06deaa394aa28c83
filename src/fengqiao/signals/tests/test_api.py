from __future__ import annotations

import json

import pytest
from django.test import Client

from fengqiao.accounts.models import Role
from fengqiao.accounts.services import user_create
from fengqiao.signals.models import Signal, SignalBatch
from fengqiao.signals.services import signals_ingest
from fengqiao.signals.tests.helpers import IN_A1, IN_B1, at, item, session_client, token_client
from fengqiao.testing.region import PASSWORD, SmallRegion

URL = "/api/v1/signals"


def post_json(client: Client, body: object, query: str = "") -> object:
    return client.post(URL + query, data=json.dumps(body), content_type="application/json")


def post_lines(client: Client, lines: list[str]) -> object:
    return client.post(URL, data="\n".join(lines), content_type="application/x-ndjson")


class TestPostSignals:
    def test_json_array_is_accepted_with_202(self, region: SmallRegion) -> None:
        client = token_client(region.users["a1_clerk"])
        response = post_json(client, [item(device_id="a"), item(device_id="b")])
        assert response.status_code == 202
        body = response.json()
        assert (body["accepted"], body["duplicates"]) == (2, 0)
        assert SignalBatch.objects.get(pk=body["batch_id"]).count == 2

    def test_json_lines_are_accepted(self, region: SmallRegion) -> None:
        client = token_client(region.users["a1_clerk"])
        lines = [json.dumps(item(device_id="a")), "", json.dumps(item(device_id="b"))]
        response = post_lines(client, lines)
        assert response.status_code == 202, response.content
        assert response.json()["accepted"] == 2

    def test_a_single_object_is_a_batch_of_one(self, region: SmallRegion) -> None:
        response = post_json(token_client(region.users["a1_clerk"]), item())
        assert response.status_code == 202
        assert response.json()["accepted"] == 1

    def test_resending_reports_duplicates(self, region: SmallRegion) -> None:
        client = token_client(region.users["a1_clerk"])
        batch = [item(device_id="a", observed_at=at(3)), item(device_id="b", observed_at=at(2))]
        post_json(client, batch)
        again = post_json(client, [*batch, item(device_id="c")]).json()
        assert (again["accepted"], again["duplicates"]) == (1, 2)
        assert Signal.objects.count() == 3

    def test_bad_item_is_422_naming_index_and_field_and_stores_nothing(
        self, region: SmallRegion
    ) -> None:
        client = token_client(region.users["a1_clerk"])
        response = post_json(client, [item(), item(), item(observed_at="2026-13-01")])
        assert response.status_code == 422
        body = response.json()
        assert (body["index"], body["field"]) == (2, "observed_at")
        assert Signal.objects.count() == 0

    def test_bad_json_line_is_422_naming_the_line(self, region: SmallRegion) -> None:
        client = token_client(region.users["a1_clerk"])
        response = post_lines(client, [json.dumps(item()), "{not json"])
        assert response.status_code == 422
        assert (response.json()["index"], response.json()["line"]) == (1, 2)
        assert Signal.objects.count() == 0

    def test_body_that_is_not_json_is_422(self, region: SmallRegion) -> None:
        response = token_client(region.users["a1_clerk"]).post(
            URL, data="[1,", content_type="application/json"
        )
        assert response.status_code == 422
        assert response.json()["field"] == "body"

    def test_session_of_a_role_without_posting_right_is_403(self, region: SmallRegion) -> None:
        response = post_json(session_client(region.users["a1_clerk"]), [item()])
        assert response.status_code == 403
        assert Signal.objects.count() == 0

    def test_analyst_session_may_post(self, region: SmallRegion) -> None:
        client = Client(enforce_csrf_checks=False)
        client.login(username="a_analyst", password=PASSWORD)
        assert post_json(client, [item()]).status_code == 202

    def test_anonymous_is_401(self, region: SmallRegion) -> None:
        assert post_json(Client(), [item()]).status_code == 401
        invalid = Client(HTTP_AUTHORIZATION="Bearer fq_not-a-token")
        assert post_json(invalid, [item()]).status_code == 401


@pytest.fixture
def stored(region: SmallRegion) -> SmallRegion:
    signals_ingest(
        actor=region.users["city_admin"],
        items=[
            item(device_id="a1", lng=IN_A1[0], lat=IN_A1[1], observed_at=at(30)),
            item(device_id="a1", lng=IN_A1[0], lat=IN_A1[1], observed_at=at(20), value=0.9),
            item(device_id="b1", lng=IN_B1[0], lat=IN_B1[1], kind="temperature"),
            item(device_id="loose", source="other"),
        ],
    )
    return region


def devices(response: object) -> list[str]:
    return [s["device_id"] for s in response.json()]  # type: ignore[attr-defined]


class TestListSignals:
    def test_analyst_sees_own_district_and_signals_without_grid(self, stored: SmallRegion) -> None:
        response = token_client(stored.users["a_analyst"]).get(URL)
        assert response.status_code == 200
        assert devices(response) == ["loose", "a1", "a1"]

    def test_leader_sees_own_district_only(self, stored: SmallRegion) -> None:
        assert devices(token_client(stored.users["a_leader"]).get(URL)) == ["a1", "a1"]

    def test_another_districts_leader_sees_none_of_district_a(self, stored: SmallRegion) -> None:
        b_leader = user_create(
            username="b_leader",
            password=PASSWORD,
            role=Role.LEADER,
            units=[stored.unit("B1")],
            check_password_strength=False,
        )
        assert devices(token_client(b_leader).get(URL)) == ["b1"]

    def test_roles_that_read_no_signals_get_403(self, stored: SmallRegion) -> None:
        for username in ("a1_clerk", "b1_clerk", "a1a_grid"):
            assert token_client(stored.users[username]).get(URL).status_code == 403

    def test_filters_and_time_range(self, stored: SmallRegion) -> None:
        client = token_client(stored.users["city_admin"])
        assert devices(client.get(URL, {"kind": "temperature"})) == ["b1"]
        assert devices(client.get(URL, {"source": "other"})) == ["loose"]
        assert devices(client.get(URL, {"device_id": "a1", "until": at(25)})) == ["a1"]
        window = client.get(URL, {"since": at(25), "until": at(10)}).json()
        assert [s["value"] for s in window] == [0.9]

    def test_grid_filter_takes_a_grid_or_a_unit_above(self, stored: SmallRegion) -> None:
        client = token_client(stored.users["city_admin"])
        grid = stored.unit("A1a-g1").pk
        assert devices(client.get(URL, {"grid": grid})) == ["a1", "a1"]
        assert devices(client.get(URL, {"grid": stored.unit("B").pk})) == ["b1"]

    def test_grid_outside_the_jurisdiction_is_404(self, stored: SmallRegion) -> None:
        client = token_client(stored.users["a_leader"])
        assert client.get(URL, {"grid": stored.unit("B1a-g1").pk}).status_code == 404

    def test_pagination(self, stored: SmallRegion) -> None:
        client = token_client(stored.users["city_admin"])
        first = client.get(URL, {"limit": 2}).json()
        rest = client.get(URL, {"limit": 2, "offset": 2}).json()
        assert len(first) == 2
        assert len(rest) == 2
        assert {s["id"] for s in first}.isdisjoint({s["id"] for s in rest})
        assert client.get(URL, {"limit": 5000}).status_code == 422
