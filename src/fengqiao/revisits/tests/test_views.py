"""The revisit pages: the auditor's work on each, form errors, and jurisdiction on every page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.cases.handling.models import AgreementStatus, Referral
from fengqiao.cases.models import Case, PersonalDataAccess
from fengqiao.revisits.models import Revisit, RevisitDraw, SamplingPlan
from fengqiao.revisits.services import draw_create
from fengqiao.revisits.tests.conftest import MARCH, mediated


@pytest.fixture
def browse(world):
    def client_for(username: str) -> Client:
        client = Client()
        client.force_login(world.user(username))
        return client

    return client_for


@pytest.fixture
def drawn(world, plan):
    case = mediated(world)
    draw = draw_create(actor=world.user("a_auditor"), plan_id=plan.pk, period=MARCH, seed=3)
    return draw, Revisit.objects.get(draw=draw, case=case, level="mediator")


def share_fields(**overrides: int) -> dict[str, int]:
    fields = {
        f"share_{level}_{grade}": 100
        for level in ("mediator", "committee_head", "judicial_office", "district_bureau")
        for grade in ("major", "ordinary")
    }
    fields.update(overrides)
    return fields


class TestPlans:
    def test_create_with_errors_then_valid(self, world, browse):
        client = browse("a_auditor")
        page = client.get(reverse("revisits:plans"))
        assert page.status_code == 200
        assert "plan-form" in page.content.decode()
        body = {
            "unit": world.region.unit("A").pk,
            "name": "永川区四级抽访",
            "amount_threshold": "50000",
            "people_threshold": "10",
            "long_mediation_days": "60",
            "is_active": "on",
            **share_fields(share_district_bureau_ordinary=150),
        }
        bad = client.post(reverse("revisits:plans"), body)
        assert bad.status_code == 422
        assert "field-error" in bad.content.decode()
        assert not SamplingPlan.objects.exists()
        body["share_district_bureau_ordinary"] = 5
        created = client.post(reverse("revisits:plans"), body)
        plan = SamplingPlan.objects.get()
        assert created.status_code == 302
        assert plan.share("district_bureau", "ordinary") == 5

    def test_edit_with_stale_version(self, world, browse, plan):
        client = browse("a_auditor")
        body = {
            "name": "改名",
            "amount_threshold": "60000",
            "people_threshold": "8",
            "long_mediation_days": "45",
            "version": plan.version + 5,
            **share_fields(),
        }
        stale = client.post(reverse("revisits:plan", args=[plan.pk]), body)
        assert stale.status_code == 422
        body["version"] = plan.version
        assert client.post(reverse("revisits:plan", args=[plan.pk]), body).status_code == 302
        plan.refresh_from_db()
        assert (plan.name, plan.long_mediation_days, plan.is_active) == ("改名", 45, False)

    def test_jurisdiction(self, browse, plan):
        assert browse("b1_clerk").get(reverse("revisits:plan", args=[plan.pk])).status_code == 404
        listing = browse("b1_clerk").get(reverse("revisits:plans")).content.decode()
        assert plan.name not in listing
        # A township's user reads its district's plan but cannot edit it.
        page = browse("a2_clerk").get(reverse("revisits:plan", args=[plan.pk]))
        assert page.status_code == 200
        assert "plan-form" not in page.content.decode()


class TestDraws:
    def test_draw_on_the_page(self, world, browse, plan):
        mediated(world)
        client = browse("a_auditor")
        assert client.get(reverse("revisits:draws")).status_code == 200
        bad = client.post(reverse("revisits:draws"), {"plan": plan.pk, "period": "March"})
        assert bad.status_code == 422
        response = client.post(
            reverse("revisits:draws"), {"plan": plan.pk, "period": MARCH, "seed": "2024"}
        )
        draw = RevisitDraw.objects.get()
        assert response.status_code == 302
        assert draw.seed == 2024
        page = client.get(reverse("revisits:draw", args=[draw.pk])).content.decode()
        assert "2024" in page
        assert "size-table" in page
        again = client.post(reverse("revisits:draws"), {"plan": plan.pk, "period": MARCH})
        assert again.status_code == 422
        assert RevisitDraw.objects.count() == 1

    def test_jurisdiction(self, browse, drawn):
        draw, revisit = drawn
        assert browse("b1_clerk").get(reverse("revisits:draw", args=[draw.pk])).status_code == 404
        listing = browse("b1_clerk").get(reverse("revisits:draws")).content.decode()
        assert reverse("revisits:draw", args=[draw.pk]) not in listing
        assert (
            reverse("revisits:draw", args=[draw.pk])
            in browse("a2_clerk").get(reverse("revisits:draws")).content.decode()
        )
        page = browse("a2_clerk").get(reverse("revisits:draw", args=[draw.pk])).content.decode()
        assert revisit.case.number not in page
        assert (
            revisit.case.number
            in browse("a_auditor").get(reverse("revisits:draw", args=[draw.pk])).content.decode()
        )
        assert "draw-form" not in browse("a2_clerk").get(reverse("revisits:draws")).content.decode()


class TestRevisitPage:
    def test_queue_and_form(self, browse, drawn):
        _draw, revisit = drawn
        client = browse("a_auditor")
        queue = client.get(reverse("revisits:queue")).content.decode()
        assert revisit.case.number in queue
        url = reverse("revisits:revisit", args=[revisit.pk])
        page = client.get(url).content.decode()
        assert "138****8000" in page
        assert "13800138000" not in page
        bad = client.post(url, {"reached": "yes", "satisfied": "", "version": 1})
        assert bad.status_code == 422
        assert "field-error" in bad.content.decode()
        ok = client.post(
            url,
            {"reached": "yes", "satisfied": "no", "agreement_performed": "yes", "version": 1,
             "problem_found": "未按时付款", "reopen": "on"},
        )  # fmt: skip
        assert ok.status_code == 302
        revisit.refresh_from_db()
        assert (revisit.status, revisit.satisfied) == ("done", False)
        assert Case.objects.get(pk=revisit.case_id).status == "in_handling"
        done = client.get(reverse("revisits:queue") + "?status=done").content.decode()
        assert revisit.case.number in done

    def test_unmask_is_logged(self, browse, drawn):
        _draw, revisit = drawn
        url = reverse("revisits:revisit", args=[revisit.pk])
        page = browse("a_auditor").get(url + "?unmask=1").content.decode()
        assert "13800138000" in page
        assert PersonalDataAccess.objects.filter(purpose="revisit").count() == 2
        leader = browse("a_leader").get(url + "?unmask=1").content.decode()
        assert "13800138000" not in leader
        assert "result-form" not in leader

    def test_jurisdiction(self, browse, drawn):
        _draw, revisit = drawn
        url = reverse("revisits:revisit", args=[revisit.pk])
        assert browse("a2_clerk").get(url).status_code == 404
        assert browse("b1_clerk").post(url, {"reached": "no", "version": 1}).status_code == 404
        assert (
            revisit.case.number
            not in browse("a2_clerk").get(reverse("revisits:queue")).content.decode()
        )


class TestFlagsPage:
    def test_flag_listed_and_referred(self, world, browse):
        case = mediated(world, agreement_status=AgreementStatus.REFUSED)
        page = browse("a_leader").get(reverse("revisits:flags")).content.decode()
        assert case.number in page
        assert case.number not in browse("a2_clerk").get(reverse("revisits:flags")).content.decode()
        url = reverse("revisits:refer", args=[case.pk])
        assert (
            browse("a2_clerk")
            .post(url, {"kind": "litigation", "version": case.version})
            .status_code
            == 404
        )
        response = browse("a_leader").post(url, {"kind": "litigation", "version": case.version})
        assert response.status_code == 302
        assert Referral.objects.get(case=case).kind == "litigation"

    def test_refusal_is_shown_as_a_message(self, world, browse):
        case = mediated(world, agreement_status=AgreementStatus.REFUSED)
        url = reverse("revisits:refer", args=[case.pk])
        response = browse("a_auditor").post(
            url, {"kind": "litigation", "version": case.version}, follow=True
        )
        assert response.status_code == 200
        assert not Referral.objects.exists()
        assert list(response.context["messages"])


def test_nav_item_for_auditors_leaders_and_admins(browse):
    assert reverse("revisits:queue") in browse("a_auditor").get("/").content.decode()
    assert reverse("revisits:queue") in browse("a_leader").get("/").content.decode()
    assert reverse("revisits:queue") not in browse("a1_clerk").get("/").content.decode()


def test_draw_page_queries_do_not_grow_with_the_sample(
    world, browse, plan, django_assert_max_num_queries
):
    for _ in range(6):
        mediated(world)
    draw = draw_create(actor=world.user("a_auditor"), plan_id=plan.pk, period=MARCH, seed=8)
    # 6 ordinary cases: 6 + ceil(1.8) + ceil(0.6) + ceil(0.3) revisits.
    assert Revisit.objects.filter(draw=draw).count() == 10
    client = browse("a_auditor")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("revisits:draw", args=[draw.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("revisits:queue")).status_code == 200
