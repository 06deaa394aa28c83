"""The API: lists and details scoped by jurisdiction, transitions, risk points, rules."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.early_warning.models import RiskPoint
from fengqiao.early_warning.tests.test_services import raise_septic

pytestmark = pytest.mark.django_db


def post(client, url: str, body: dict):
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json")


@pytest.fixture
def septic_warning(ew):
    return raise_septic(ew)


class TestJurisdiction:
    def test_other_township_sees_no_row_and_gets_404(self, api, septic_warning):
        client = api("a1_clerk")
        assert client.get("/api/v1/warnings").json() == []
        assert client.get(f"/api/v1/warnings/{septic_warning.pk}").status_code == 404
        response = post(
            client,
            f"/api/v1/warnings/{septic_warning.pk}/transitions",
            {"action": "close", "version": septic_warning.version, "feedback": "x"},
        )
        assert response.status_code == 404

    def test_township_sees_it(self, api, septic_warning):
        rows = api("b1_clerk").get("/api/v1/warnings?open_only=true").json()
        assert [r["id"] for r in rows] == [septic_warning.pk]
        assert rows[0]["assigned_unit_name"] == "龙塔街道"

    def test_risk_points_are_scoped(self, ew, api):
        codes = {p["code"] for p in api("a1_clerk").get("/api/v1/risk-points").json()}
        assert codes == {"YC-BP-0001"}
        assert api("a1_clerk").get(f"/api/v1/risk-points/{ew.septic.pk}").status_code == 404
        detail = api("b1_clerk").get(f"/api/v1/risk-points/{ew.septic.pk}").json()
        assert detail["owner_phone"] == "139****5678"
        assert [d["device_id"] for d in detail["devices"]] == ["YB-HFC-0002-LV"]

    def test_maintenance_elsewhere_is_404(self, ew, api):
        response = post(
            api("a2_clerk"),
            f"/api/v1/risk-points/{ew.slope.pk}/maintenance",
            {"done_on": "2025-01-01"},
        )
        assert response.status_code == 404


class TestTransitions:
    def test_stale_version_is_409(self, api, septic_warning):
        body = {"action": "verify", "version": septic_warning.version, "note": "属实"}
        assert (
            post(
                api("b1a_grid"), f"/api/v1/warnings/{septic_warning.pk}/transitions", body
            ).status_code
            == 200
        )
        response = post(
            api("b1_clerk"),
            f"/api/v1/warnings/{septic_warning.pk}/transitions",
            {"action": "handle", "version": septic_warning.version, "note": "x"},
        )
        assert response.status_code == 409
        assert response.json()["field"] == "version"

    def test_missing_note_is_422_with_the_field(self, api, septic_warning):
        response = post(
            api("b1a_grid"),
            f"/api/v1/warnings/{septic_warning.pk}/transitions",
            {"action": "verify", "version": septic_warning.version},
        )
        assert response.status_code == 422
        assert response.json()["field"] == "note"

    def test_wrong_role_is_403(self, api, septic_warning):
        response = post(
            api("b1_clerk"),
            f"/api/v1/warnings/{septic_warning.pk}/transitions",
            {"action": "verify", "version": septic_warning.version, "note": "x"},
        )
        assert response.status_code == 403


class TestRiskPoints:
    def test_create_then_update_by_code(self, ew, api):
        body = {
            "code": "YC-JY-0001",
            "name": "胜利路加气站",
            "point_type": "gas_station",
            "lng": 105.006,
            "lat": 29.004,
            "devices": ["GAS-1"],
        }
        first = post(api("a1_clerk"), "/api/v1/risk-points", body)
        assert first.status_code == 201
        assert first.json()["grid_name"] == "红旗社区第1网格"
        second = post(
            api("a1_clerk"), "/api/v1/risk-points", {**body, "name": "胜利路加气站（改）"}
        )
        assert second.status_code == 200
        assert RiskPoint.objects.get(code="YC-JY-0001").name == "胜利路加气站（改）"

    def test_point_outside_jurisdiction_is_422(self, ew, api):
        body = {"code": "X-1", "name": "x", "point_type": "other", "lng": 105.505, "lat": 29.005}
        response = post(api("a1_clerk"), "/api/v1/risk-points", body)
        assert response.status_code == 422
        assert response.json()["field"] == "lng"

    def test_bad_type_is_422(self, ew, api):
        body = {"code": "X-1", "name": "x", "point_type": "volcano", "lng": 105.005, "lat": 29.005}
        assert post(api("a1_clerk"), "/api/v1/risk-points", body).status_code == 422

    def test_grid_worker_cannot_register(self, ew, api):
        body = {"code": "X-1", "name": "x", "point_type": "other", "lng": 105.005, "lat": 29.005}
        assert post(api("a1a_grid"), "/api/v1/risk-points", body).status_code == 403

    def test_maintenance_moves_the_due_date(self, ew, api):
        response = post(
            api("b1_clerk"),
            f"/api/v1/risk-points/{ew.septic.pk}/maintenance",
            {
                "done_on": timezone.localdate().isoformat(),
                "note": "清掏",
                "version": ew.septic.version,
            },
        )
        assert response.status_code == 201
        assert response.json()["last_maintained_on"] == timezone.localdate().isoformat()
        assert (
            response.json()["maintenance_due_on"]
            == (timezone.localdate() + timedelta(days=90)).isoformat()
        )


class TestRules:
    def test_lists_the_default_rules(self, api):
        codes = {r["code"] for r in api("a1_clerk").get("/api/v1/warning-rules").json()}
        assert {"septic.maintenance", "septic.level", "device.silent"} <= codes
