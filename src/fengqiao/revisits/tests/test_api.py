"""The revisits API: each endpoint works for the auditor, refuses bad input with field-level
422s, and hides district A's plans, draws and revisits from users of other townships."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fengqiao.accounts.auth import api_token_issue
from fengqiao.cases.handling.models import AgreementStatus
from fengqiao.cases.models import PersonalDataAccess
from fengqiao.revisits.models import Revisit, RevisitDraw
from fengqiao.revisits.services import draw_create
from fengqiao.revisits.tests.conftest import MARCH, mediated, plan_in


@pytest.fixture
def api(world):
    def client_for(username: str) -> Client:
        _token, secret = api_token_issue(user=world.user(username), name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return client_for


def send(client: Client, method: str, url: str, body: dict) -> object:
    return getattr(client, method)(
        url, data=json.dumps(body, default=str), content_type="application/json"
    )


@pytest.fixture
def drawn(world, plan):
    case = mediated(world)
    draw = draw_create(actor=world.user("a_auditor"), plan_id=plan.pk, period=MARCH, seed=3)
    return draw, Revisit.objects.get(draw=draw, case=case, level="mediator")


class TestPlans:
    def test_create_and_validate(self, world, api):
        body = plan_in(world).model_dump(mode="json")
        bad = {**body, "shares": {**body["shares"], "mediator": {"major": 101, "ordinary": 5}}}
        response = send(api("a_auditor"), "post", "/api/v1/revisits/plans", bad)
        assert response.status_code == 422
        assert "shares" in json.dumps(response.json())
        response = send(api("a_auditor"), "post", "/api/v1/revisits/plans", body)
        assert response.status_code == 201, response.content
        assert response.json()["shares"]["district_bureau"] == {"major": 50, "ordinary": 5}
        again = send(api("a_auditor"), "post", "/api/v1/revisits/plans", body)
        assert again.status_code == 409

    def test_patch_checks_version_and_role(self, api, plan):
        url = f"/api/v1/revisits/plans/{plan.pk}"
        assert send(api("a_auditor"), "patch", url, {"version": 9, "name": "x"}).status_code == 409
        assert send(api("a2_clerk"), "patch", url, {"version": 1, "name": "x"}).status_code == 403
        ok = send(api("a_auditor"), "patch", url, {"version": 1, "people_threshold": 20})
        assert ok.status_code == 200
        assert ok.json()["people_threshold"] == 20

    def test_other_district_sees_nothing(self, api, plan):
        assert api("b1_clerk").get("/api/v1/revisits/plans").json() == []
        assert api("b1_clerk").get(f"/api/v1/revisits/plans/{plan.pk}").status_code == 404
        # A township sees the plan of its district.
        assert [p["id"] for p in api("a2_clerk").get("/api/v1/revisits/plans").json()] == [plan.pk]


class TestDraws:
    def test_draw_with_seed(self, world, api, plan):
        mediated(world)
        body = {"plan_id": plan.pk, "period": MARCH, "seed": 11}
        response = send(api("a_auditor"), "post", "/api/v1/revisits/draws", body)
        assert response.status_code == 201, response.content
        out = response.json()
        assert (out["seed"], out["candidate_count"], out["sample_size"]) == (11, 1, 4)
        assert out["sizes"]["district_bureau"]["ordinary"] == {
            "candidates": 1,
            "share": 5,
            "size": 1,
        }
        again = send(api("a_auditor"), "post", "/api/v1/revisits/draws", body)
        assert again.status_code == 409

    def test_bad_period_and_roles(self, api, plan):
        body = {"plan_id": plan.pk, "period": "2025-3"}
        assert send(api("a_auditor"), "post", "/api/v1/revisits/draws", body).status_code == 422
        body["period"] = MARCH
        assert send(api("a_leader"), "post", "/api/v1/revisits/draws", body).status_code == 403
        assert send(api("b1_clerk"), "post", "/api/v1/revisits/draws", body).status_code == 404
        assert not RevisitDraw.objects.exists()

    def test_scoped(self, api, drawn):
        draw, _revisit = drawn
        assert api("b1_clerk").get("/api/v1/revisits/draws").json() == []
        assert api("b1_clerk").get(f"/api/v1/revisits/draws/{draw.pk}").status_code == 404
        rows = api("a2_clerk").get(f"/api/v1/revisits/draws/{draw.pk}/revisits").json()
        assert rows == []
        rows = api("a_auditor").get(f"/api/v1/revisits/draws/{draw.pk}/revisits").json()
        assert len(rows) == 4


class TestRevisits:
    def test_queue_and_detail_masked_unless_asked(self, api, drawn):
        _draw, revisit = drawn
        queue = api("a_auditor").get("/api/v1/revisits?mine=true&status=pending").json()
        assert revisit.pk in [r["id"] for r in queue]
        detail = api("a_auditor").get(f"/api/v1/revisits/{revisit.pk}").json()
        assert {p["phone"] for p in detail["parties"]} == {"138****8000", "139****2222"}
        assert not PersonalDataAccess.objects.exists()
        full = api("a_auditor").get(f"/api/v1/revisits/{revisit.pk}?unmask=true").json()
        assert "13800138000" in {p["phone"] for p in full["parties"]}
        assert PersonalDataAccess.objects.filter(purpose="revisit").count() == 2
        assert api("a_leader").get(f"/api/v1/revisits/{revisit.pk}?unmask=true").status_code == 403

    def test_other_township_gets_404(self, api, drawn):
        _draw, revisit = drawn
        assert api("a2_clerk").get(f"/api/v1/revisits/{revisit.pk}").status_code == 404
        assert api("b1_clerk").get("/api/v1/revisits").json() == []
        body = {"version": 1, "reached": False}
        response = send(api("a2_clerk"), "post", f"/api/v1/revisits/{revisit.pk}/result", body)
        assert response.status_code == 404

    def test_record_result(self, api, drawn):
        _draw, revisit = drawn
        url = f"/api/v1/revisits/{revisit.pk}/result"
        bad = send(api("a_auditor"), "post", url, {"version": 1, "reached": True})
        assert bad.status_code == 422
        assert bad.json()["field"] == "satisfied"
        body = {"version": 1, "reached": True, "satisfied": True, "agreement_performed": True}
        ok = send(api("a_auditor"), "post", url, body)
        assert ok.status_code == 200, ok.content
        assert (ok.json()["status"], ok.json()["version"]) == ("done", 2)
        assert send(api("a_auditor"), "post", url, body).status_code == 409

    def test_unknown_filter_is_422(self, api, drawn):
        assert api("a_auditor").get("/api/v1/revisits?status=lost").status_code == 422


class TestFlagsAndSatisfaction:
    def test_flags_and_refer(self, world, api):
        case = mediated(world, agreement_status=AgreementStatus.REFUSED)
        flags = api("a_leader").get("/api/v1/revisits/flags").json()
        assert [(f["case_id"], f["suggested"]) for f in flags] == [(case.pk, "litigation")]
        assert api("a2_clerk").get("/api/v1/revisits/flags").json() == []
        url = f"/api/v1/revisits/flags/{case.pk}/refer"
        body = {"version": case.version, "kind": "arbitration", "reason": "拒不履行"}
        assert send(api("a2_clerk"), "post", url, body).status_code == 404
        response = send(api("a_leader"), "post", url, body)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "referred"

    def test_satisfaction(self, world, api, drawn):
        _draw, revisit = drawn
        send(
            api("a_auditor"),
            "post",
            f"/api/v1/revisits/{revisit.pk}/result",
            {"version": 1, "reached": True, "satisfied": True, "agreement_performed": True},
        )
        unit = world.region.unit("A1")
        query = f"unit_id={unit.pk}&start=2020-01-01T00:00:00Z&end=2100-01-01T00:00:00Z"
        out = api("a_auditor").get(f"/api/v1/revisits/satisfaction?{query}").json()
        assert (out["satisfied"], out["reached"], out["rate"]) == (1, 1, 1.0)
        assert api("a2_clerk").get(f"/api/v1/revisits/satisfaction?{query}").status_code == 404
