from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from fengqiao.cases.handling.models import Assignment
from fengqiao.cases.models import Case, Report
from fengqiao.cases.schemas import ReportIn
from fengqiao.cases.selectors import case_get, case_queryset
from fengqiao.cases.services import case_link_report, case_register, routing_preview
from fengqiao.core.errors import NotFound, PermissionDenied, ValidationFailed
from fengqiao.testing.cases import B1_POINT, case_in


class TestRouting:
    def test_ordinary_dispute_goes_to_the_grid_community_team(self, world):
        case = case_register(actor=world.user("a1_clerk"), data=case_in()).case
        assert case.territory == world.region.unit("A1a-g1")
        assert case.lead_unit == world.region.unit("A1a-g1")
        assert case.lead_department == world.departments["A1-community"]
        assert "一般纠纷" in case.routing_explanation

    def test_wage_arrears_of_many_workers_go_to_a_joint_team(self, world, settings):
        settings.LANGUAGE_CODE = "en"  # the explanation is written in the deployment's language
        data = case_in(
            category="M10.01", people_involved=160, amount=Decimal("2100000"), title="农民工欠薪"
        )
        case = case_register(actor=world.user("a1_clerk"), data=data).case
        assert case.lead_unit == world.region.unit("A1")
        assignments = {
            a.department.name: a.role for a in case.assignments.select_related("department")
        }
        assert assignments == {
            "永川区人力社保局": "lead",
            "永川区住建委": "co",
            "永川区总工会": "co",
        }
        assert "160 people involved ≥ 30" in case.routing_explanation

    def test_110_call_goes_to_the_police_station(self, world):
        data = case_in(report={"channel": "110", "external_id": "JJ20261125001"})
        case = case_register(actor=world.user("a1_clerk"), data=data).case
        assert case.lead_unit == world.region.unit("A1")
        assert case.lead_department == world.departments["A1-police"]

    def test_domestic_violence_is_restricted(self, world):
        case = case_register(actor=world.user("a1_clerk"), data=case_in(category="M01.09")).case
        assert case.restricted
        assert case in case_queryset(world.user("a1_clerk"))  # the registering clerk is named
        assert case not in case_queryset(world.user("a1_mediator"))
        assert case in case_queryset(world.user("a_leader"))

    def test_preview_writes_nothing(self, world):
        decision = routing_preview(
            actor=world.user("a1_clerk"), data=case_in(category="M10.01", people_involved=50)
        )
        assert decision.lead_department == world.departments["A-hrss"]
        assert Case.objects.count() == 0


class TestRegister:
    def test_writes_report_parties_event_and_timers(self, world):
        case = case_register(actor=world.user("a1_clerk"), data=case_in()).case
        assert case.number.startswith("500118-")
        assert case.reports.count() == 1
        assert case.parties.count() == 2
        assert list(case.events.values_list("kind", flat=True)) == ["created"]
        # Reminder and breach timers for both deadlines.
        assert DBTaskResult.objects.filter(task_path__endswith="deadline_fire").count() == 4

    def test_retry_with_the_same_external_id_returns_the_first_case(self, world):
        data = case_in(report={"channel": "12345", "external_id": "GD-001"})
        first = case_register(actor=world.user("a1_clerk"), data=data)
        second = case_register(actor=world.user("a1_clerk"), data=data)
        assert first.created
        assert not second.created
        assert second.case.pk == first.case.pk
        assert Case.objects.count() == 1

    def test_location_outside_jurisdiction_is_refused(self, world):
        with (
            translation.override("en"),
            pytest.raises(ValidationFailed, match="outside your jurisdiction"),
        ):
            case_register(actor=world.user("a1_clerk"), data=case_in(**B1_POINT))
        assert Case.objects.count() == 0

    def test_point_on_no_grid_needs_a_unit(self, world):
        with translation.override("en"), pytest.raises(ValidationFailed, match="no grid"):
            case_register(actor=world.user("a1_clerk"), data=case_in(lng=105.05, lat=29.05))

    def test_unit_instead_of_point(self, world):
        data = case_in(lng=None, lat=None, unit_id=world.region.unit("A1b").pk)
        case = case_register(actor=world.user("a1_clerk"), data=data).case
        assert case.territory == world.region.unit("A1b")

    def test_analyst_cannot_register(self, world):
        with pytest.raises(PermissionDenied):
            case_register(actor=world.user("a_analyst"), data=case_in())

    def test_unknown_category_is_a_field_error(self, world):
        with pytest.raises(ValidationFailed) as excinfo:
            case_register(actor=world.user("a1_clerk"), data=case_in(category="X99"))
        assert excinfo.value.field == "category"
        assert Case.objects.count() == 0


class TestJurisdiction:
    def test_other_township_cannot_see_the_case(self, world):
        case = case_register(actor=world.user("a1_clerk"), data=case_in()).case
        with pytest.raises(NotFound):
            case_get(actor=world.user("b1_clerk"), case_id=case.pk)
        with pytest.raises(NotFound):
            case_get(actor=world.user("a2_clerk"), case_id=case.pk)
        assert case_get(actor=world.user("a_leader"), case_id=case.pk) == case

    def test_assigned_department_outside_the_subtree_sees_it(self, world):
        case = case_register(
            actor=world.user("a1_clerk"), data=case_in(category="M10.01", people_involved=40)
        ).case
        assert case_get(actor=world.user("a_union"), case_id=case.pk) == case

    def test_partner_jurisdiction_sees_a_cross_region_case(self, world):
        data = case_in(cross_region=True, partner_unit_ids=[world.region.unit("B1").pk])
        case = case_register(actor=world.user("a1_clerk"), data=data).case
        assert case.lead_unit == world.region.unit("A")
        assert case_get(actor=world.user("b1_clerk"), case_id=case.pk) == case
        assert case not in case_queryset(world.user("a2_clerk"))


class TestLinkReport:
    def test_second_channel_attaches_to_the_same_case(self, world):
        case = case_register(actor=world.user("a1_clerk"), data=case_in()).case
        report, created = case_link_report(
            actor=world.user("a1_clerk"),
            case_id=case.pk,
            data=ReportIn(channel="12345", external_id="GD-9"),
        )
        assert created
        assert report.case == case
        assert case_link_report(
            actor=world.user("a1_clerk"),
            case_id=case.pk,
            data=ReportIn(channel="12345", external_id="GD-9"),
        ) == (report, False)
        assert Report.objects.filter(case=case).count() == 2
        assert Assignment.objects.filter(case=case).count() == 1


class TestRestrictedNotifications:
    def test_only_the_liaison_hears_of_it_and_never_the_title(self, world):
        from fengqiao.accounts.models import Role
        from fengqiao.accounts.services import user_create
        from fengqiao.notifications.models import Notification

        colleague = user_create(
            username="women_staff",
            password="x",
            role=Role.MEDIATOR,
            units=[world.region.unit("A")],
            department=world.departments["A-women"],
            check_password_strength=False,
        )
        case = case_register(
            actor=world.user("a1_clerk"), data=case_in(category="M01.09", title="家暴求助")
        ).case
        liaison_notes = Notification.objects.filter(user=world.user("a_women"), case=case)
        assert liaison_notes.count() == 1
        assert "家暴求助" not in liaison_notes.get().message
        assert not Notification.objects.filter(user=colleague, case=case).exists()
        # The liaison can open the case to pick the task up; the colleague cannot.
        assert case in case_queryset(world.user("a_women"))
        assert case not in case_queryset(colleague)
