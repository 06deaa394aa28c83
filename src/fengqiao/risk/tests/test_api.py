from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.cases.models import EventKind, TimelineEvent
from fengqiao.risk.models import DispatchMeeting
from fengqiao.risk.tests.conftest import post_json, reviewed


def meeting_body(world, case_id: int, **overrides) -> dict:
    today = timezone.localdate()
    return {
        "colour": "red",
        "unit_id": world.region.unit("A").pk,
        "held_on": today.isoformat(),
        "next_review_on": (today + timedelta(days=14)).isoformat(),
        "decisions": [{"case_id": case_id, "decision": "区领导督办"}],
        **overrides,
    }


class TestBoard:
    def test_items_with_verdict(self, world, api, red_a1):
        body = api("a_leader").get("/api/v1/risk/boards/red").json()
        assert (body["items"], body["cases"], body["under_control"]) == (1, 1, 0)
        (entry,) = body["entries"]
        assert (entry["kind"], entry["id"], entry["under_control"]) == ("case", red_a1.pk, False)
        assert [f["code"] for f in entry["failures"]] == ["not_reviewed"]
        assert entry["reason"] == "人数众多"
        assert entry["set_by"] == "a1_clerk"
        assert any("a_leader" in owner for owner in entry["owners"])

    def test_reviewed_item_is_under_control(self, world, api, red_a1):
        decision = reviewed(world, red_a1, on=timezone.localdate())
        entry = api("a_leader").get("/api/v1/risk/boards/red").json()["entries"][0]
        assert entry["under_control"] is True
        assert entry["last_meeting_id"] == decision.meeting_id
        assert entry["last_decision"] == "继续跟进"

    @pytest.mark.parametrize("who", ["a2_clerk", "b1_clerk"])
    def test_other_township_does_not_see_the_item(self, api, red_a1, who):
        body = api(who).get("/api/v1/risk/boards/red").json()
        assert red_a1.pk not in [e["id"] for e in body["entries"]]

    def test_unit_outside_jurisdiction_is_404(self, world, api, red_a1):
        unit = world.region.unit("A1")
        response = api("b1_clerk").get(f"/api/v1/risk/boards/red?unit_id={unit.pk}")
        assert response.status_code == 404

    def test_unknown_board_is_404(self, api, red_a1):
        assert api("a_leader").get("/api/v1/risk/boards/blue").status_code == 404


class TestMeetings:
    def test_create_then_list_and_read(self, world, api, red_a1):
        client = api("a_leader")
        response = post_json(client, "/api/v1/risk/meetings", meeting_body(world, red_a1.pk))
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["decisions"][0]["case_id"] == red_a1.pk
        assert [m["id"] for m in client.get("/api/v1/risk/meetings").json()] == [created["id"]]
        detail = client.get(f"/api/v1/risk/meetings/{created['id']}").json()
        assert detail["chair"] == "a_leader"

    def test_bad_payload_is_422_with_the_field(self, world, api, red_a1):
        body = meeting_body(world, red_a1.pk, unit_id=world.region.unit("A1").pk)
        response = post_json(api("a_leader"), "/api/v1/risk/meetings", body)
        assert response.status_code == 422
        assert response.json()["field"] == "unit_id"
        assert DispatchMeeting.objects.count() == 0

    def test_missing_decision_text_is_422(self, world, api, red_a1):
        body = meeting_body(world, red_a1.pk, decisions=[{"case_id": red_a1.pk}])
        assert post_json(api("a_leader"), "/api/v1/risk/meetings", body).status_code == 422

    @pytest.mark.parametrize("who", ["a2_clerk", "b1_clerk"])
    def test_other_township_neither_lists_nor_reads(self, world, api, red_a1, who):
        meeting_id = reviewed(world, red_a1, on=timezone.localdate()).meeting_id
        assert api(who).get("/api/v1/risk/meetings").json() == []
        assert api(who).get(f"/api/v1/risk/meetings/{meeting_id}").status_code == 404

    def test_other_township_cannot_review_the_case(self, world, api, red_a1):
        body = meeting_body(world, red_a1.pk, colour="green", unit_id=world.region.unit("B1").pk)
        response = post_json(api("b1_clerk"), "/api/v1/risk/meetings", body)
        assert response.status_code == 422
        assert response.json()["field"] == "decisions.0.case_id"


class TestCaseRisk:
    def test_sets_colour_with_reason(self, api, red_a1):
        response = post_json(
            api("a1_clerk"),
            f"/api/v1/cases/{red_a1.pk}/risk",
            {"colour": "orange", "reason": "部分兑付", "version": red_a1.version},
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["risk_colour"], body["risk_reason"], body["set_by"]) == (
            "orange",
            "部分兑付",
            "a1_clerk",
        )
        assert body["version"] == red_a1.version + 1
        assert TimelineEvent.objects.filter(case=red_a1, kind=EventKind.RISK).count() == 1

    def test_stale_version_is_409(self, api, red_a1):
        body = {"colour": "orange", "reason": "x", "version": red_a1.version + 5}
        response = post_json(api("a1_clerk"), f"/api/v1/cases/{red_a1.pk}/risk", body)
        assert response.status_code == 409

    def test_missing_reason_is_422(self, api, red_a1):
        body = {"colour": "green", "version": red_a1.version}
        response = post_json(api("a1_clerk"), f"/api/v1/cases/{red_a1.pk}/risk", body)
        assert response.status_code == 422
        assert response.json()["field"] == "reason"

    @pytest.mark.parametrize("who", ["a2_clerk", "b1_clerk"])
    def test_other_township_is_404(self, api, red_a1, who):
        body = {"colour": "green", "reason": "x", "version": red_a1.version}
        response = post_json(api(who), f"/api/v1/cases/{red_a1.pk}/risk", body)
        assert response.status_code == 404
