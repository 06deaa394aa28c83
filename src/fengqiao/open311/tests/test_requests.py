from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from fengqiao.accounts.auth import api_token_issue, api_token_revoke
from fengqiao.cases.lifecycle import case_transition
from fengqiao.cases.models import Case
from fengqiao.open311.tests.conftest import BASE, parse_xml, request_form
from fengqiao.testing.cases import A1_POINT

REQUESTS = f"{BASE}/requests.json"


def errors_of(response) -> list[dict]:
    return json.loads(response.content)


class TestPost:
    def test_a_valid_key_registers_one_case_on_the_12345_channel(self, world, open311, key_of):
        response = open311.post(REQUESTS, request_form(key_of("b1_clerk")))
        assert response.status_code == 201, response.content
        (answer,) = json.loads(response.content)
        case = Case.objects.select_related("channel", "territory").get()
        assert answer["service_request_id"] == case.number
        assert answer["account_id"] == "12345-order-2025-000187"
        assert case.tracking_code in answer["service_notice"]
        assert "/public/status/" in answer["service_notice"]
        assert case.channel.code == "12345"
        assert case.category.code == "M10.01"
        assert case.territory == world.region.unit("B1a-g1")
        report = case.reports.get()
        assert report.reporter_name == "张建国"
        assert report.reporter_phone == "13700137000"
        assert report.external_id.startswith("o311:hotline-desk-7|12345-order-2025-000187#")

    def test_a_retry_returns_the_same_request_id(self, world, open311, key_of):
        key = key_of("b1_clerk")
        first = open311.post(REQUESTS, request_form(key))
        retry = open311.post(REQUESTS, request_form(key))
        assert (first.status_code, retry.status_code) == (201, 200)
        first_id = errors_of(first)[0]["service_request_id"]
        assert errors_of(retry)[0]["service_request_id"] == first_id
        assert Case.objects.count() == 1

    def test_the_same_sender_with_a_different_report_gets_a_new_request(
        self, world, open311, key_of
    ):
        key = key_of("b1_clerk")
        open311.post(REQUESTS, request_form(key))
        other = open311.post(REQUESTS, request_form(key, description="另一处工地也拖欠工资。"))
        assert other.status_code == 201
        assert Case.objects.count() == 2

    def test_without_device_or_account_id_every_post_is_a_new_case(self, world, open311, key_of):
        key = key_of("b1_clerk")
        form = request_form(key, device_id=None, account_id=None)
        assert open311.post(REQUESTS, form).status_code == 201
        assert open311.post(REQUESTS, form).status_code == 201
        assert Case.objects.count() == 2

    def test_a_channel_extension_picks_another_channel(self, world, open311, key_of):
        response = open311.post(REQUESTS, request_form(key_of("b1_clerk"), channel="110"))
        assert response.status_code == 201
        assert Case.objects.get().channel.code == "110"
        unknown = open311.post(REQUESTS, request_form(key_of("b1_clerk"), channel="fax"))
        assert unknown.status_code == 400
        assert "channel" in errors_of(unknown)[0]["description"]

    def test_an_address_alone_is_placed_by_the_units_it_names(self, world, open311, key_of):
        form = request_form(key_of("b1_clerk"), lat=None, long=None)
        assert open311.post(REQUESTS, form).status_code == 201
        assert Case.objects.get().territory == world.region.unit("B1a")

    @pytest.mark.parametrize("key", ["", "fq_not-a-real-token", "wrong"])
    def test_without_a_valid_key_is_403(self, world, open311, key):
        response = open311.post(REQUESTS, request_form(key))
        assert response.status_code == 403
        (error,) = errors_of(response)
        assert error["code"] == 403
        assert "api_key" in error["description"]
        assert not Case.objects.exists()

    def test_a_revoked_key_is_403(self, world, open311):
        user = world.user("b1_clerk")
        token, secret = api_token_issue(user=user, name="old")
        api_token_revoke(user=user, token_id=token.pk)
        assert open311.post(REQUESTS, request_form(secret)).status_code == 403

    def test_a_role_that_cannot_register_is_403(self, world, open311, key_of):
        response = open311.post(REQUESTS, request_form(key_of("a_analyst"), **A1_POINT_FORM))
        assert response.status_code == 403
        assert not Case.objects.exists()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"service_code": None}, "service_code"),
            ({"service_code": "X99.99"}, "service_code"),
            ({"description": None}, "description"),
            ({"lat": None, "long": None, "address_string": None}, "lat"),
            ({"long": None}, "long"),
            ({"lat": "north"}, "lat"),
            ({"phone": "12345"}, "phone"),
            ({"email": "not-an-address"}, "email"),
            ({"media_url": "javascript:alert(1)"}, "media_url"),
        ],
    )
    def test_a_missing_or_invalid_field_is_400_naming_it(
        self, world, open311, key_of, overrides, field
    ):
        response = open311.post(REQUESTS, request_form(key_of("b1_clerk"), **overrides))
        assert response.status_code == 400, response.content
        (error,) = errors_of(response)
        assert error["code"] == 400
        assert field in error["description"]
        assert not Case.objects.exists()

    def test_a_point_outside_the_keys_jurisdiction_is_400(self, world, open311, key_of):
        response = open311.post(REQUESTS, request_form(key_of("b1_clerk"), **A1_POINT_FORM))
        assert response.status_code == 400
        assert "lat" in errors_of(response)[0]["description"]

    def test_xml_post_answers_in_xml(self, world, open311, key_of):
        response = open311.post(f"{BASE}/requests.xml", request_form(key_of("b1_clerk")))
        assert response.status_code == 201
        root = parse_xml(response.content)
        assert root.tag == "service_requests"
        assert root.find("request").findtext("service_request_id") == Case.objects.get().number

    def test_xml_errors_parse(self, world, open311):
        response = open311.post(f"{BASE}/requests.xml", request_form(""))
        root = parse_xml(response.content)
        assert root.tag == "errors"
        assert root.find("error").findtext("code") == "403"


A1_POINT_FORM = {"lat": A1_POINT["lat"], "long": A1_POINT["lng"]}


class TestGet:
    def test_reads_need_a_key(self, world, open311, a1_case):
        assert open311.get(REQUESTS).status_code == 403
        assert open311.get(f"{BASE}/requests/{a1_case.number}.json").status_code == 403

    def test_b1_clerk_never_sees_a1_cases(self, world, open311, key_of, a1_case, b1_case):
        key = key_of("b1_clerk")
        listed = json.loads(open311.get(REQUESTS, {"api_key": key}).content)
        assert [r["service_request_id"] for r in listed] == [b1_case.number]
        by_id = json.loads(
            open311.get(
                REQUESTS,
                {"api_key": key, "service_request_id": f"{a1_case.number},{b1_case.number}"},
            ).content
        )
        assert [r["service_request_id"] for r in by_id] == [b1_case.number]
        hidden = open311.get(f"{BASE}/requests/{a1_case.number}.json", {"api_key": key})
        assert hidden.status_code == 404
        assert errors_of(hidden) == [{"code": 404, "description": "case not found"}]
        missing = open311.get(f"{BASE}/requests/NO-SUCH.json", {"api_key": key})
        assert errors_of(missing) == errors_of(hidden)

    def test_a_request_in_json_carries_status_agency_and_times(
        self, world, open311, key_of, a1_case
    ):
        response = open311.get(
            f"{BASE}/requests/{a1_case.number}.json", {"api_key": key_of("a1_clerk")}
        )
        assert response.status_code == 200
        (request,) = json.loads(response.content)
        assert request["service_request_id"] == a1_case.number
        assert request["status"] == "open"
        assert request["agency_responsible"] == a1_case.lead_unit.name
        assert request["service_code"] == "M02.04"
        requested = datetime.fromisoformat(request["requested_datetime"])
        assert requested.utcoffset() == timedelta(hours=8)
        assert requested == a1_case.created_at.replace(microsecond=0)
        expected = datetime.fromisoformat(request["expected_datetime"])
        assert expected == a1_case.resolve_deadline.replace(microsecond=0)
        assert (request["lat"], request["long"]) == (A1_POINT["lat"], A1_POINT["lng"])
        text = json.dumps(request, ensure_ascii=False)
        assert "王芳" not in text
        assert "13800138000" not in text

    def test_a_request_in_xml_carries_status_agency_and_times(
        self, world, open311, key_of, a1_case
    ):
        response = open311.get(
            f"{BASE}/requests/{a1_case.number}.xml", {"api_key": key_of("a1_clerk")}
        )
        root = parse_xml(response.content)
        assert root.tag == "service_requests"
        (request,) = root.findall("request")
        assert request.findtext("status") == "open"
        assert request.findtext("agency_responsible") == a1_case.lead_unit.name
        assert request.findtext("requested_datetime").endswith("+08:00")

    def test_status_notes_are_the_latest_public_note(self, world, open311, key_of, a1_case):
        clerk = world.user("a1_clerk")
        case_transition(
            actor=clerk,
            case_id=a1_case.pk,
            action="accept",
            expected_version=None,
            reason="内部：有上访倾向",
            public_note="已受理，社区将联系双方",
        )
        case_transition(
            actor=clerk,
            case_id=a1_case.pk,
            action="start",
            expected_version=None,
            public_note="已约周五调解",
        )
        listed = json.loads(open311.get(REQUESTS, {"api_key": key_of("a1_clerk")}).content)
        assert listed[0]["status_notes"] == "已约周五调解"
        assert "上访" not in json.dumps(listed, ensure_ascii=False)

    def test_filters_by_status_code_and_date(self, world, open311, key_of, a1_case):
        key = key_of("city_admin")
        clerk = world.user("a1_clerk")
        for action in ("accept", "start", "resolve", "close"):
            case_transition(actor=clerk, case_id=a1_case.pk, action=action, expected_version=None)

        def ids(**params: str) -> list[str]:
            response = open311.get(REQUESTS, {"api_key": key, **params})
            assert response.status_code == 200, response.content
            return [r["service_request_id"] for r in json.loads(response.content)]

        assert ids(status="closed") == [a1_case.number]
        assert ids(status="open") == []
        assert ids(status="open,closed") == [a1_case.number]
        assert ids(service_code="M02.04") == [a1_case.number]
        assert ids(service_code="M10.01") == []
        past = (timezone.now() - timedelta(days=200)).isoformat()
        assert ids(start_date=past) == []
        yesterday = timezone.localtime() - timedelta(days=1)
        assert ids(start_date=yesterday.isoformat()) == [a1_case.number]
        assert ids(end_date=yesterday.isoformat()) == []

    def test_old_cases_fall_outside_the_default_90_days(self, world, open311, key_of, a1_case):
        Case.objects.filter(pk=a1_case.pk).update(created_at=timezone.now() - timedelta(days=91))
        listed = json.loads(open311.get(REQUESTS, {"api_key": key_of("a1_clerk")}).content)
        assert listed == []

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"status": "pending"}, "status"),
            ({"start_date": "yesterday"}, "start_date"),
            (
                {
                    "start_date": "2025-01-01T00:00:00+08:00",
                    "end_date": "2025-12-01T00:00:00+08:00",
                },
                "start_date",
            ),
        ],
    )
    def test_bad_filters_are_400(self, world, open311, key_of, params, field):
        response = open311.get(REQUESTS, {"api_key": key_of("a1_clerk"), **params})
        assert response.status_code == 400
        assert field in errors_of(response)[0]["description"]
