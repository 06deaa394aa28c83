from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.cases.models import Case, Report
from fengqiao.cases.services import case_register
from fengqiao.testing.cases import A1_POINT, B1_POINT, VALID_ID, case_in

HTMX = {"HTTP_HX_REQUEST": "true"}
WRONG_CHECK_DIGIT = "110105194912310021"


@pytest.fixture
def client_for(world):
    def make(username: str) -> Client:
        client = Client()
        client.force_login(world.user(username))
        return client

    return make


def intake_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "window",
        "external_id": "",
        "reporter_name": "王芳",
        "reporter_phone": "13800138000",
        "description": "楼上邻居连续两周晚间装修，多次沟通无果。",
        "title": "邻居装修噪音扰民",
        "category": "M02.04",
        "lat": A1_POINT["lat"],
        "lng": A1_POINT["lng"],
        "unit": "",
        "address": "",
        "people_involved": "1",
        "amount": "0",
        "risk_colour": "",
        "risk_reason": "",
        "partner_unit": "",
        "idempotency_key": "intake-key-1",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "20",
        "parties-0-role": "applicant",
        "parties-0-kind": "person",
        "parties-0-name": "王芳",
        "parties-0-id_number": VALID_ID,
        "parties-0-phone": "13800138000",
        "parties-0-address": "胜利路红旗社区3栋2单元501",
        "parties-1-role": "respondent",
        "parties-1-kind": "person",
        "parties-1-name": "李强",
        "parties-1-id_number": "",
        "parties-1-phone": "13911112222",
        "parties-1-address": "",
    }
    data.update(overrides)
    return data


class TestIntakePage:
    def test_renders_for_a_clerk_with_the_description_focused(self, world, client_for):
        response = client_for("a1_clerk").get(reverse("cases:intake"))
        assert response.status_code == 200
        html = response.text
        assert re.search(r'<textarea name="description"[^>]*autofocus', html)
        assert 'name="idempotency_key"' in html
        assert response.context["form"]["channel"].value() == "window"
        # The map draws the clerk's grids (those of township A1).
        township = world.region.unit("A1")
        geojson = reverse("api-v1:unit_geojson", kwargs={"unit_id": township.pk})
        assert f"{geojson}?level=5" in html

    def test_analyst_is_refused(self, client_for):
        assert client_for("a_analyst").get(reverse("cases:intake")).status_code == 403
        assert (
            client_for("a_analyst").post(reverse("cases:intake"), intake_data()).status_code == 403
        )
        assert Case.objects.count() == 0

    def test_anonymous_is_sent_to_sign_in(self):
        response = Client().get(reverse("cases:intake"))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


class TestRegister:
    def test_a_valid_intake_creates_one_case_and_goes_to_its_page(self, client_for):
        response = client_for("a1_clerk").post(reverse("cases:intake"), intake_data())
        case = Case.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:detail", kwargs={"case_id": case.pk})
        assert case.title == "邻居装修噪音扰民"
        assert case.category.code == "M02.04"
        assert case.territory.code == "500118001001001"
        assert case.parties.count() == 2
        report = case.reports.get()
        assert (report.channel.code, report.reporter_phone) == ("window", "13800138000")
        page = client_for("a1_clerk").get(response["Location"])
        assert case.number in page.text

    def test_a_double_submit_with_the_same_key_creates_one_case(self, client_for):
        client = client_for("a1_clerk")
        first = client.post(reverse("cases:intake"), intake_data())
        second = client.post(reverse("cases:intake"), intake_data())
        assert Case.objects.count() == 1
        assert first["Location"] == second["Location"]

    def test_the_same_key_with_other_content_is_refused(self, client_for):
        client = client_for("a1_clerk")
        client.post(reverse("cases:intake"), intake_data())
        response = client.post(reverse("cases:intake"), intake_data(title="另一件事"))
        assert response.status_code == 422
        assert "该表单已用不同内容提交过" in response.text  # already submitted
        assert Case.objects.count() == 1

    def test_a_wrong_id_check_digit_is_shown_on_the_party_field(self, client_for):
        data = intake_data(**{"parties-0-id_number": WRONG_CHECK_DIGIT})
        response = client_for("a1_clerk").post(reverse("cases:intake"), data)
        assert response.status_code == 422
        party = response.context["parties"].forms[0]
        assert party.errors["id_number"] == ["身份证号码校验位错误"]  # the check digit is wrong
        assert 'id="id_parties-0-id_number_error"' in response.text
        assert Case.objects.count() == 0

    def test_a_bad_reporter_phone_is_shown_on_its_field(self, client_for):
        data = intake_data(reporter_phone="12345")
        response = client_for("a1_clerk").post(reverse("cases:intake"), data)
        assert response.status_code == 422
        assert "电话应为" in response.context["form"].errors["reporter_phone"][0]  # phone must be
        assert Case.objects.count() == 0

    def test_a_point_outside_the_jurisdiction_is_an_error_on_the_location(self, client_for):
        data = intake_data(**B1_POINT)
        response = client_for("a1_clerk").post(reverse("cases:intake"), data)
        assert response.status_code == 422
        assert "不在您的管辖范围内" in response.context["form"].errors["lat"][0]
        assert Case.objects.count() == 0

    def test_without_a_point_the_unit_is_required(self, client_for):
        data = intake_data(lat="", lng="")
        response = client_for("a1_clerk").post(reverse("cases:intake"), data)
        assert response.status_code == 422
        assert response.context["form"].errors["unit"]

    def test_a_unit_instead_of_a_point(self, world, client_for):
        village = world.region.unit("A1a")
        data = intake_data(lat="", lng="", unit=str(village.pk))
        client_for("a1_clerk").post(reverse("cases:intake"), data)
        assert Case.objects.get().territory == village

    def test_an_empty_title_is_taken_from_the_description(self, client_for):
        client_for("a1_clerk").post(reverse("cases:intake"), intake_data(title=""))
        assert Case.objects.get().title == "楼上邻居连续两周晚间装修，多次沟通无果"

    def test_without_javascript_the_check_button_renders_the_panels(self, client_for):
        data = intake_data(check="1", description="包工头拖欠工资三个月")
        response = client_for("a1_clerk").post(reverse("cases:intake"), data)
        assert response.status_code == 200
        assert 'data-category="M10.01"' in response.text
        assert "胜利路社区工作队" in response.text  # the routing panel's lead department
        assert Case.objects.count() == 0


class TestLivePanels:
    def test_suggestions_for_the_description(self, client_for):
        response = client_for("a1_clerk").get(
            reverse("cases:intake_suggest"), {"description": "包工头拖欠工资三个月"}, **HTMX
        )
        assert response.status_code == 200
        suggestions = response.context["suggestions"]
        assert suggestions[0].code == "M10.01"
        assert 'data-category="M10.01"' in response.text
        assert "包工头" in response.text

    def test_duplicates_name_the_earlier_case_and_offer_to_link(self, world, client_for):
        earlier = case_register(actor=world.user("a1_clerk"), data=case_in()).case
        response = client_for("a1_clerk").post(
            reverse("cases:intake_duplicates"), intake_data(), **HTMX
        )
        assert response.status_code == 200
        assert earlier.number in response.text
        assert "当事人电话相同" in response.text  # same party phone
        assert "当事人身份证号码相同" in response.text  # same party ID number
        assert reverse("cases:intake_link", kwargs={"case_id": earlier.pk}) in response.text

    def test_duplicates_are_searched_in_the_jurisdiction_only(self, world, client_for):
        case_register(actor=world.user("a1_clerk"), data=case_in())
        response = client_for("a2_clerk").post(
            reverse("cases:intake_duplicates"),
            intake_data(lat="", lng="", unit=str(world.region.unit("A2a").pk)),
            **HTMX,
        )
        assert response.context["duplicates"] == []
        assert "邻居装修噪音扰民" not in response.text

    def test_routing_preview_explains_who_leads(self, client_for):
        response = client_for("a1_clerk").post(
            reverse("cases:intake_routing"), intake_data(), **HTMX
        )
        assert response.status_code == 200
        decision = response.context["routing"]
        assert decision.lead_department.name == "胜利路社区工作队"
        assert "一般纠纷" in response.text
        assert response.context["accept_minutes"] == 15

    def test_routing_preview_of_domestic_violence_is_restricted(self, client_for):
        data = intake_data(category="M01.09")
        response = client_for("a1_clerk").post(reverse("cases:intake_routing"), data, **HTMX)
        assert response.context["routing"].restricted
        assert "限制查看" in response.text  # Restricted

    def test_routing_preview_waits_for_a_place(self, client_for):
        data = intake_data(lat="", lng="")
        response = client_for("a1_clerk").post(reverse("cases:intake_routing"), data, **HTMX)
        assert response.context["routing"] is None

    def test_routing_preview_outside_the_jurisdiction_says_so(self, client_for):
        data = intake_data(**B1_POINT)
        response = client_for("a1_clerk").post(reverse("cases:intake_routing"), data, **HTMX)
        assert "不在您的管辖范围内" in response.context["routing_error"]

    def test_a_map_click_names_the_grid(self, client_for):
        response = client_for("a1_clerk").get(reverse("cases:intake_locate"), A1_POINT, **HTMX)
        assert response.context["grid"].name == "红旗社区第1网格"
        assert "红旗社区第1网格" in response.text

    def test_a_map_click_outside_the_jurisdiction_names_no_grid(self, client_for):
        response = client_for("a1_clerk").get(reverse("cases:intake_locate"), B1_POINT, **HTMX)
        assert response.context["grid"] is None
        assert "工农社区" not in response.text

    def test_panels_are_refused_to_an_analyst(self, client_for):
        client = client_for("a_analyst")
        assert client.get(reverse("cases:intake_suggest"), {"description": "x"}).status_code == 403
        assert client.post(reverse("cases:intake_routing"), intake_data()).status_code == 403
        assert client.post(reverse("cases:intake_duplicates"), intake_data()).status_code == 403


class TestLinkFromIntake:
    @pytest.fixture
    def earlier(self, world) -> Case:
        return case_register(actor=world.user("a1_clerk"), data=case_in()).case

    def test_linking_adds_a_report_and_goes_to_the_case(self, earlier, client_for):
        url = reverse("cases:intake_link", kwargs={"case_id": earlier.pk})
        data = intake_data(channel="12345", external_id="GD-7")
        response = client_for("a1_clerk").post(url, data)
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:detail", kwargs={"case_id": earlier.pk})
        assert Case.objects.count() == 1
        report = Report.objects.get(external_id="GD-7")
        assert report.case == earlier
        assert report.content == data["description"]

    def test_with_htmx_the_answer_is_a_redirect_header(self, earlier, client_for):
        url = reverse("cases:intake_link", kwargs={"case_id": earlier.pk})
        response = client_for("a1_clerk").post(url, intake_data(), **HTMX)
        assert response["HX-Redirect"] == reverse("cases:detail", kwargs={"case_id": earlier.pk})
        assert earlier.reports.count() == 2

    def test_an_external_id_of_another_case_is_an_error(self, world, earlier, client_for):
        other = case_register(
            actor=world.user("a1_clerk"),
            data=case_in(report={"channel": "12345", "external_id": "GD-9"}, title="另一件事"),
        ).case
        url = reverse("cases:intake_link", kwargs={"case_id": earlier.pk})
        response = client_for("a1_clerk").post(
            url, intake_data(channel="12345", external_id="GD-9"), **HTMX
        )
        assert response.status_code == 200
        assert other.number in response.text
        assert earlier.reports.count() == 1

    def test_another_townships_clerk_gets_404(self, earlier, client_for):
        url = reverse("cases:intake_link", kwargs={"case_id": earlier.pk})
        client = client_for("b1_clerk")
        for response in (client.post(url, intake_data()), client.get(url)):
            assert response.status_code == 404
            assert earlier.title not in response.text
        assert earlier.reports.count() == 1
