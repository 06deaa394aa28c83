from __future__ import annotations

import re

import pytest
from django.test import Client

from fengqiao.cases.lifecycle import case_transition
from fengqiao.cases.models import Case, EventKind
from fengqiao.cases.services import event_write
from fengqiao.public import services
from fengqiao.public.models import PublicAttempt
from fengqiao.public.tests.conftest import PHONE, submission

STATUS = "/public/status/"
INTERNAL_REASON = "内部备注：申请人曾多次越级上访"
PRIVATE_NOTE = "仅内部可见：被申请人李强电话13911112222"
PUBLIC_NOTE = "社区已约双方本周五到调解室面谈"


@pytest.fixture
def case(world, citizen) -> Case:
    citizen.post("/public/submit/", submission())
    case = Case.objects.get()
    admin = world.user("city_admin")
    case_transition(
        actor=admin,
        case_id=case.pk,
        action="accept",
        expected_version=None,
        reason=INTERNAL_REASON,
        public_note=PUBLIC_NOTE,
    )
    event_write(case=case, actor=admin, kind=EventKind.NOTE, message=PRIVATE_NOTE)
    case.parties.create(role="respondent", name="李强", phone="13911112222")
    return case


def look_up(client: Client, code: str, digits: str) -> str:
    response = client.post(STATUS, {"tracking_code": code, "phone_last4": digits})
    assert response.status_code == 200
    return response.content.decode()


def without_csrf(body: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


class TestStatus:
    def test_the_form_renders(self, world, citizen):
        response = citizen.get(STATUS)
        assert response.status_code == 200
        assert 'name="phone_last4"' in response.content.decode()

    def test_right_code_and_digits_show_status_and_public_events_only(self, case, citizen):
        body = look_up(citizen, case.tracking_code, PHONE[-4:])
        assert 'data-status="accepted"' in body
        assert "Accepted by the responsible unit" in body
        assert "Report registered" in body
        assert PUBLIC_NOTE in body
        assert case.category.name_en in body
        for secret in (
            INTERNAL_REASON,
            PRIVATE_NOTE,
            "registered via",
            "王芳",
            "李强",
            PHONE,
            "13911112222",
            case.number,
            case.lead_unit.name,
        ):
            assert secret not in body, secret

    def test_the_code_is_forgiving_about_case_spaces_and_dashes(self, case, citizen):
        code = case.tracking_code
        typed = f"{code[:5].lower()} -{code[5:]}"
        assert 'data-status="accepted"' in look_up(citizen, typed, PHONE[-4:])

    def test_the_digits_are_not_echoed_back(self, case, citizen):
        body = look_up(citizen, case.tracking_code, PHONE[-4:])
        assert f'value="{PHONE[-4:]}"' not in body

    def test_wrong_digits_and_wrong_code_get_the_same_generic_answer(self, case, citizen):
        wrong_digits = without_csrf(look_up(citizen, case.tracking_code, "1234"))
        wrong_code = without_csrf(look_up(citizen, "ABCDEFGHJK", PHONE[-4:]))
        assert "No report matches this tracking code and phone number" in wrong_digits
        assert 'data-status="' not in wrong_digits
        assert wrong_digits.replace(case.tracking_code, "ABCDEFGHJK") == wrong_code

    def test_status_lookup_is_rate_limited_per_address(self, case, citizen, monkeypatch):
        monkeypatch.setattr(services, "STATUS_FAILURES_PER_IP_PER_HOUR", 2)
        # Successful lookups do not count against the limit.
        for _ in range(3):
            assert 'data-status="' in look_up(citizen, case.tracking_code, PHONE[-4:])
        look_up(citizen, case.tracking_code, "0000")
        look_up(citizen, case.tracking_code, "0001")
        blocked = citizen.post(STATUS, {"tracking_code": case.tracking_code, "phone_last4": "8000"})
        assert blocked.status_code == 429
        assert PublicAttempt.objects.filter(kind="status").count() == 2
        other = Client(REMOTE_ADDR="198.51.100.9", HTTP_ACCEPT_LANGUAGE="en")
        assert 'data-status="' in look_up(other, case.tracking_code, PHONE[-4:])

    def test_a_merged_case_shows_the_status_of_the_case_it_joined(self, case, world, citizen):
        citizen.post("/public/submit/", submission(phone="13900139000"))
        other = Case.objects.exclude(pk=case.pk).get()
        admin = world.user("city_admin")
        case_transition(
            actor=admin,
            case_id=other.pk,
            action="merge",
            expected_version=None,
            reason="same dispute",
            merge_into_id=case.pk,
        )
        body = look_up(citizen, other.tracking_code, "9000")
        assert 'data-status="merged"' in body
        assert "The combined case is now: Accepted" in body
