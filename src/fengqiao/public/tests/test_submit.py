from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import Role, User
from fengqiao.cases.models import Case
from fengqiao.public import services
from fengqiao.public.models import AttemptKind, PublicAttempt
from fengqiao.public.tests.conftest import PHONE, submission
from fengqiao.testing.cases import VALID_ID

SUBMIT = "/public/submit/"


def only_case() -> Case:
    (case,) = Case.objects.select_related("channel", "territory", "created_by")
    return case


class TestSubmit:
    def test_form_renders_categories_grouped_under_majors(self, world, citizen):
        response = citizen.get(SUBMIT)
        assert response.status_code == 200
        body = response.content.decode()
        assert '<optgroup label="Labour disputes and wage arrears">' in body
        assert 'value="M10.01"' in body
        assert 'name="website"' in body
        assert "csrfmiddlewaretoken" in body

    def test_submission_registers_an_online_case_and_shows_its_tracking_code(self, world, citizen):
        response = citizen.post(SUBMIT, submission(id_number=VALID_ID), follow=True)
        assert response.redirect_chain == [("/public/submit/received/", 302)]
        case = only_case()
        assert case.channel.code == "online"
        assert case.territory == world.region.unit("A1a-g1")
        assert case.created_by is not None
        assert case.created_by.username == services.PUBLIC_USERNAME
        applicant = case.parties.get()
        assert (applicant.role, applicant.name, applicant.phone, applicant.id_number) == (
            "applicant",
            "王芳",
            PHONE,
            VALID_ID,
        )
        assert case.reports.get().reporter_phone == PHONE
        body = response.content.decode()
        assert case.tracking_code in body
        assert case.number not in body
        assert "/public/status/" in body

    def test_received_page_without_a_submission_goes_back_to_the_form(self, world, citizen):
        response = citizen.get("/public/submit/received/")
        assert response.status_code == 302
        assert response["Location"] == SUBMIT

    def test_the_system_account_is_a_clerk_over_the_roots_with_no_usable_password(
        self, world, citizen
    ):
        citizen.post(SUBMIT, submission())
        account = User.objects.get(username=services.PUBLIC_USERNAME)
        assert account.role == Role.CLERK
        assert account.is_active
        assert not account.has_usable_password()
        assert list(account.units.all()) == [world.region.unit("city")]
        citizen.post(SUBMIT, submission(phone="13900139000"))
        assert User.objects.filter(username=services.PUBLIC_USERNAME).count() == 1

    def test_without_a_point_the_address_chooses_the_unit(self, world, citizen):
        citizen.post(SUBMIT, submission(lat="", lng="", address="永川区中山路街道萱花社区5号"))
        assert only_case().territory == world.region.unit("A2a")

    def test_a_point_off_the_grids_and_an_unknown_address_start_at_the_city(self, world, citizen):
        citizen.post(SUBMIT, submission(lat="29.9", lng="105.9", address="某某路88号"))
        assert only_case().territory == world.region.unit("city")

    @pytest.mark.parametrize(
        ("field", "value"),
        [("phone", "12345"), ("phone", ""), ("id_number", "110105194912310021")],
    )
    def test_invalid_phone_or_id_number_is_a_field_error_and_creates_nothing(
        self, world, citizen, field, value
    ):
        response = citizen.post(SUBMIT, submission(**{field: value}))
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert 'aria-invalid="true"' in response.content.decode()
        assert not Case.objects.exists()
        assert not PublicAttempt.objects.exists()

    def test_description_and_category_are_required(self, world, citizen):
        response = citizen.post(SUBMIT, submission(description="", category=""))
        assert set(response.context["form"].errors) == {"description", "category"}
        assert not Case.objects.exists()

    def test_the_honeypot_rejects_bots(self, world, citizen):
        response = citizen.post(SUBMIT, submission(website="http://spam.example"))
        assert response.status_code == 400
        assert not Case.objects.exists()

    def test_csrf_is_enforced(self, world):
        client = Client(enforce_csrf_checks=True)
        response = client.post(SUBMIT, submission())
        assert response.status_code == 403
        assert not Case.objects.exists()

    @pytest.mark.parametrize("change", [{"is_active": False}, {"role": Role.ANALYST}])
    def test_a_paused_system_account_closes_online_submission(self, world, citizen, change):
        citizen.post(SUBMIT, submission())
        User.objects.filter(username=services.PUBLIC_USERNAME).update(**change)
        response = citizen.post(SUBMIT, submission(phone="13900139000"))
        assert response.status_code == 503
        assert Case.objects.count() == 1
        assert PublicAttempt.objects.count() == 1


class TestRateLimit:
    def test_over_the_hourly_limit_per_address_is_429(self, world, citizen, monkeypatch):
        monkeypatch.setattr(services, "SUBMISSIONS_PER_IP_PER_HOUR", 2)
        phones = ["13800000001", "13800000002", "13800000003"]
        codes = [citizen.post(SUBMIT, submission(phone=p)).status_code for p in phones]
        assert codes == [302, 302, 429]
        assert Case.objects.count() == 2
        # The ledger is in the database: another process (another client) sees the same count.
        rows = PublicAttempt.objects.filter(kind=AttemptKind.SUBMIT, ip_address="203.0.113.7")
        assert rows.count() == 2
        assert all(row.phone_digest and "1380000" not in row.phone_digest for row in rows)
        again = Client(REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="en").post(
            SUBMIT, submission(phone="13800000004")
        )
        assert again.status_code == 429
        assert again["Retry-After"] == "3600"
        assert "try again later" in again.content.decode()
        assert Client(REMOTE_ADDR="198.51.100.1").post(SUBMIT, submission()).status_code == 302

    def test_attempts_older_than_the_window_do_not_count(self, world, citizen, monkeypatch):
        monkeypatch.setattr(services, "SUBMISSIONS_PER_IP_PER_HOUR", 1)
        assert citizen.post(SUBMIT, submission()).status_code == 302
        PublicAttempt.objects.update(at=timezone.now() - timedelta(minutes=61))
        assert citizen.post(SUBMIT, submission(phone="13900139000")).status_code == 302

    def test_over_the_daily_limit_per_phone_is_429_from_any_address(self, world, monkeypatch):
        monkeypatch.setattr(services, "SUBMISSIONS_PER_PHONE_PER_DAY", 2)
        codes = [
            Client(REMOTE_ADDR=f"198.51.100.{n}").post(SUBMIT, submission()).status_code
            for n in (1, 2, 3)
        ]
        assert codes == [302, 302, 429]
        assert Case.objects.count() == 2

    def test_invalid_forms_do_not_use_up_the_limit(self, world, citizen, monkeypatch):
        monkeypatch.setattr(services, "SUBMISSIONS_PER_IP_PER_HOUR", 1)
        for _ in range(3):
            citizen.post(SUBMIT, submission(phone="1"))
        assert citizen.post(SUBMIT, submission()).status_code == 302
