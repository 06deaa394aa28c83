from __future__ import annotations

import json

import pytest
from django.test import Client

from fengqiao.accounts.auth import api_token_issue
from fengqiao.cases.models import Case, PersonalDataAccess
from fengqiao.testing.cases import VALID_ID, case_payload


@pytest.fixture
def api(world):
    def client_for(username: str) -> Client:
        _token, secret = api_token_issue(user=world.user(username), name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return client_for


def post(client: Client, url: str, body: dict, **headers) -> object:
    return client.post(
        url, data=json.dumps(body, default=str), content_type="application/json", **headers
    )


def patch(client: Client, url: str, body: dict) -> object:
    return client.patch(url, data=json.dumps(body, default=str), content_type="application/json")


@pytest.fixture
def created(api):
    response = post(api("a1_clerk"), "/api/v1/cases", case_payload())
    assert response.status_code == 201, response.content
    return response.json()


class TestCreate:
    def test_created_case_is_returned_masked(self, created):
        assert created["number"].startswith("500118-")
        assert created["status"] == "registered"
        applicant = next(p for p in created["parties"] if p["role"] == "applicant")
        assert applicant["masked"] is True
        assert applicant["id_number"] == "110***********002X"
        assert applicant["phone"] == "138****8000"
        assert created["reports"][0]["reporter_phone"] == "138****8000"

    def test_idempotency_key_retry_creates_one_case(self, api):
        client = api("a1_clerk")
        first = post(client, "/api/v1/cases", case_payload(), HTTP_IDEMPOTENCY_KEY="k-1")
        second = post(client, "/api/v1/cases", case_payload(), HTTP_IDEMPOTENCY_KEY="k-1")
        assert (first.status_code, second.status_code) == (201, 200)
        assert first.json()["id"] == second.json()["id"]
        assert Case.objects.count() == 1

    def test_same_key_with_a_different_body_is_409(self, api):
        client = api("a1_clerk")
        post(client, "/api/v1/cases", case_payload(), HTTP_IDEMPOTENCY_KEY="k-2")
        response = post(
            client, "/api/v1/cases", case_payload(title="另一件事"), HTTP_IDEMPOTENCY_KEY="k-2"
        )
        assert response.status_code == 409
        assert Case.objects.count() == 1

    def test_known_channel_external_id_returns_the_first_case(self, api):
        body = case_payload(report={"channel": "12345", "external_id": "GD-42"})
        first = post(api("a1_clerk"), "/api/v1/cases", body)
        again = post(api("a1_clerk"), "/api/v1/cases", body)
        assert again.status_code == 200
        assert again.json()["id"] == first.json()["id"]

    @pytest.mark.parametrize(
        ("override", "field"),
        [
            (
                {
                    "parties": [
                        {"role": "applicant", "name": "王芳", "id_number": "110105194912310021"}
                    ]
                },
                "id_number",
            ),
            ({"parties": [{"role": "applicant", "name": "王芳", "phone": "12345"}]}, "phone"),
            ({"people_involved": 0}, "people_involved"),
            ({"lat": 100}, "lat"),
            ({"title": ""}, "title"),
        ],
    )
    def test_bad_input_is_422_with_the_field(self, api, override, field):
        response = post(api("a1_clerk"), "/api/v1/cases", case_payload(**override))
        assert response.status_code == 422
        assert field in json.dumps(response.json())
        assert Case.objects.count() == 0

    def test_domain_validation_is_422_with_the_field(self, api):
        response = post(api("a1_clerk"), "/api/v1/cases", case_payload(category="NOPE"))
        assert response.status_code == 422
        assert response.json()["field"] == "category"


class TestOtherTownship:
    @pytest.mark.parametrize(
        ("method", "suffix", "body"),
        [
            ("get", "", None),
            ("patch", "", {"version": 1, "title": "x改"}),
            ("post", "/transitions", {"action": "accept", "version": 1}),
            ("get", "/timeline", None),
            ("post", "/reports", {"channel": "12345", "external_id": "X1"}),
            ("get", "/parties", None),
            ("post", "/parties", {"role": "third_party", "name": "张三"}),
            ("get", "/assignments", None),
            ("post", "/assignments", {"department_id": 1, "task": "协助"}),
            (
                "post",
                "/mediation-sessions",
                {
                    "held_at": "2026-01-01T10:00:00+08:00",
                    "place": "x",
                    "participants": "x",
                    "record": "x",
                },
            ),
            ("post", "/agreements", {"terms": "赔偿"}),
        ],
    )
    def test_gets_404_and_no_data(self, api, created, method, suffix, body):
        client = api("b1_clerk")
        url = f"/api/v1/cases/{created['id']}{suffix}"
        response = (
            getattr(client, method)(url)
            if body is None
            else (post(client, url, body) if method == "post" else patch(client, url, body))
        )
        assert response.status_code == 404
        assert created["title"] not in response.content.decode()

    def test_list_and_queues_exclude_it(self, api, created):
        client = api("b1_clerk")
        assert client.get("/api/v1/cases").json() == []
        assert client.get("/api/v1/queues/unit").json() == []
        assert client.get("/api/v1/queues/mine").json() == []

    def test_assignment_update_is_404(self, api, created):
        assignment = created["assignments"][0]
        response = patch(
            api("b1_clerk"),
            f"/api/v1/assignments/{assignment['id']}",
            {"version": 1, "move": "accept"},
        )
        assert response.status_code == 404


class TestMasking:
    def test_list_never_carries_parties(self, api, created):
        rows = api("a_leader").get("/api/v1/cases").json()
        assert rows[0]["id"] == created["id"]
        assert "parties" not in rows[0]

    def test_unmask_by_a_role_with_need_is_logged(self, api, created):
        body = api("a1_clerk").get(f"/api/v1/cases/{created['id']}?unmask=true").json()
        applicant = next(p for p in body["parties"] if p["role"] == "applicant")
        assert applicant["id_number"] == VALID_ID
        assert PersonalDataAccess.objects.filter(case_id=created["id"], purpose="api").count() == 2

    def test_unmask_by_a_role_without_need_is_refused(self, api, created):
        response = api("a_leader").get(f"/api/v1/cases/{created['id']}?unmask=true")
        assert response.status_code == 403
        assert not PersonalDataAccess.objects.exists()

    def test_parties_endpoint_masks_by_default(self, api, created):
        parties = api("a1_clerk").get(f"/api/v1/cases/{created['id']}/parties").json()
        assert all(p["masked"] for p in parties)
        assert VALID_ID not in json.dumps(parties)


class TestUpdatesAndTransitions:
    def test_stale_version_is_409(self, api, created):
        client = api("a1_clerk")
        ok = post(
            client, f"/api/v1/cases/{created['id']}/transitions", {"action": "accept", "version": 1}
        )
        assert ok.status_code == 200
        assert ok.json()["version"] == 2
        stale = patch(client, f"/api/v1/cases/{created['id']}", {"version": 1, "title": "新标题"})
        assert stale.status_code == 409
        assert stale.json()["current_version"] == 2
        assert Case.objects.get(pk=created["id"]).title == created["title"]

    def test_illegal_transition_is_409(self, api, created):
        response = post(
            api("a1_clerk"),
            f"/api/v1/cases/{created['id']}/transitions",
            {"action": "close", "version": 1},
        )
        assert response.status_code == 409

    def test_unknown_action_is_422(self, api, created):
        response = post(
            api("a1_clerk"),
            f"/api/v1/cases/{created['id']}/transitions",
            {"action": "fly", "version": 1},
        )
        assert response.status_code == 422

    def test_risk_colour_change_is_on_the_timeline(self, api, created):
        client = api("a1_clerk")
        patch(
            client,
            f"/api/v1/cases/{created['id']}",
            {"version": 1, "risk_colour": "orange", "risk_reason": "多次冲突"},
        )
        kinds = [e["kind"] for e in client.get(f"/api/v1/cases/{created['id']}/timeline").json()]
        assert "risk" in kinds


class TestQueuesAndRouting:
    def test_department_queue_shows_the_assignment(self, api, created):
        rows = api("a1_community").get("/api/v1/queues/mine").json()
        assert [r["case_id"] for r in rows] == [created["id"]]

    def test_preview_explains_the_rule(self, api):
        body = post(
            api("a1_clerk"),
            "/api/v1/routing/preview",
            case_payload(category="M10.01", people_involved=160),
        ).json()
        assert body["rule"].startswith("群体性欠薪")
        assert {d["name"] for d in body["co_departments"]} == {"永川区住建委", "永川区总工会"}

    def test_duplicates_find_the_same_phone(self, api, created):
        rows = post(
            api("a1_clerk"),
            "/api/v1/intake/duplicates",
            case_payload(title="噪音又来了"),
            HTTP_ACCEPT_LANGUAGE="en",
        ).json()
        assert rows[0]["case"]["id"] == created["id"]
        assert "same party phone" in rows[0]["reasons"]


class TestAuth:
    def test_anonymous_is_401(self, world):
        assert Client().get("/api/v1/cases").status_code == 401
        assert post(Client(), "/api/v1/cases", case_payload()).status_code == 401


class TestMediationFlow:
    def test_joint_team_agreement_and_judicial_confirmation(self, api, world):
        clerk = api("a1_clerk")
        body = case_payload(
            category="M10.01", people_involved=160, amount="2100000", title="160名农民工欠薪"
        )
        case = post(clerk, "/api/v1/cases", body).json()
        hrss = api("a_hrss")
        lead = next(a for a in case["assignments"] if a["role"] == "lead")
        assert (
            patch(
                hrss, f"/api/v1/assignments/{lead['id']}", {"version": 1, "move": "accept"}
            ).status_code
            == 200
        )
        for action in ("accept", "start"):
            version = hrss.get(f"/api/v1/cases/{case['id']}").json()["version"]
            response = post(
                hrss,
                f"/api/v1/cases/{case['id']}/transitions",
                {"action": action, "version": version},
            )
            assert response.status_code == 200, response.content
        session = post(
            hrss,
            f"/api/v1/cases/{case['id']}/mediation-sessions",
            {
                "held_at": "2026-01-05T10:00:00+08:00",
                "place": "胜利路街道综治中心",
                "participants": "人社、住建、总工会、劳务公司、工人代表",
                "record": "达成分期支付方案",
            },
        )
        assert session.status_code == 201
        agreement = post(
            hrss,
            f"/api/v1/cases/{case['id']}/agreements",
            {"terms": "劳务公司于三日内支付全部工资", "amount": "2100000.00"},
        ).json()
        court = world.region.departments["A-court"]
        confirmation = post(
            hrss, f"/api/v1/agreements/{agreement['id']}/confirmations", {"court_id": court.pk}
        )
        assert confirmation.status_code == 201
        # Only the court decides: the liaison of the district court is that court's member.
        denied = post(
            hrss, f"/api/v1/confirmations/{confirmation.json()['id']}/decision", {"confirmed": True}
        )
        assert denied.status_code == 403
        decided = post(
            api("a_liaison"),
            f"/api/v1/confirmations/{confirmation.json()['id']}/decision",
            {"confirmed": True, "note": "裁定协议有效"},
        )
        assert decided.status_code == 200, decided.content
        actions = [e["action"] for e in hrss.get(f"/api/v1/cases/{case['id']}/timeline").json()]
        assert [
            a
            for a in actions
            if a in {"session", "agreement", "confirmation_requested", "confirmation_decided"}
        ] == ["session", "agreement", "confirmation_requested", "confirmation_decided"]

    def test_protective_order_restricts_the_case(self, api, world):
        case = post(api("a1_clerk"), "/api/v1/cases", case_payload(title="家庭纠纷")).json()
        court = world.region.departments["A-court"]
        response = post(
            api("a1_clerk"),
            f"/api/v1/cases/{case['id']}/protective-orders",
            {
                "court_id": court.pk,
                "valid_until": "2030-01-01",
                "measures": "禁止被申请人接近申请人",
            },
        )
        assert response.status_code == 201
        assert api("a1_clerk").get(f"/api/v1/cases/{case['id']}").json()["restricted"] is True
        assert api("a1_mediator").get(f"/api/v1/cases/{case['id']}").status_code == 404


class TestNotificationsApi:
    def test_liaison_is_told_of_the_assignment_and_marks_it_read(self, api, created):
        client = api("a1_community")
        rows = client.get("/api/v1/notifications?unread=true").json()
        assert [r["case_id"] for r in rows] == [created["id"]]
        assert post(client, "/api/v1/notifications/read", {}).json() == {"marked": 1}
        assert client.get("/api/v1/notifications?unread=true").json() == []
        assert api("b1_clerk").get("/api/v1/notifications").json() == []


class TestConfirmationOnce:
    def test_a_confirmed_agreement_cannot_be_sent_again(self, api, world, created):
        clerk = api("a1_clerk")
        for action in ("accept", "start"):
            version = clerk.get(f"/api/v1/cases/{created['id']}").json()["version"]
            post(
                clerk,
                f"/api/v1/cases/{created['id']}/transitions",
                {"action": action, "version": version},
            )
        agreement = post(
            clerk, f"/api/v1/cases/{created['id']}/agreements", {"terms": "停止夜间装修"}
        ).json()
        court = world.region.departments["A-court"]
        first = post(
            clerk, f"/api/v1/agreements/{agreement['id']}/confirmations", {"court_id": court.pk}
        )
        post(
            api("a_liaison"),
            f"/api/v1/confirmations/{first.json()['id']}/decision",
            {"confirmed": True},
        )
        again = post(
            clerk, f"/api/v1/agreements/{agreement['id']}/confirmations", {"court_id": court.pk}
        )
        assert again.status_code == 409


class TestAssignmentReach:
    def test_a_department_of_another_district_cannot_be_handed_the_case(self, api, world, created):
        other = world.region.departments["B1-police"]
        response = post(
            api("a1_clerk"),
            f"/api/v1/cases/{created['id']}/assignments",
            {"department_id": other.pk, "task": "协助调查"},
        )
        assert response.status_code == 422
        assert response.json()["field"] == "department_id"

    def test_the_district_court_above_the_township_can(self, api, world, created):
        court = world.region.departments["A-court"]
        response = post(
            api("a1_clerk"),
            f"/api/v1/cases/{created['id']}/assignments",
            {"department_id": court.pk, "task": "诉前调解指导"},
        )
        assert response.status_code == 201
