from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengqiao.cases.handling import services as handling
from fengqiao.cases.handling.models import (
    Agreement,
    AgreementStatus,
    Assignment,
    AssignmentStatus,
    ConfirmationStatus,
    JudicialConfirmation,
    ProtectiveOrder,
)
from fengqiao.cases.lifecycle import allowed_actions
from fengqiao.cases.models import Case, Party, PersonalDataAccess
from fengqiao.cases.schemas import ReportIn
from fengqiao.cases.services import case_link_report, case_register
from fengqiao.cases.states import Action, CaseStatus
from fengqiao.taxonomy.models import RiskColour
from fengqiao.testing.cases import VALID_ID, case_in

HTMX = {"HTTP_HX_REQUEST": "true"}
FULL_ADDRESS = "胜利路红旗社区3栋2单元501"


@pytest.fixture
def client_for(world):
    def make(username: str) -> Client:
        client = Client()
        client.force_login(world.user(username))
        return client

    return make


@pytest.fixture
def case(world) -> Case:
    return case_register(actor=world.user("a1_clerk"), data=case_in()).case


def url(name: str, case: Case, *args: Any) -> str:
    return reverse(f"cases:{name}", args=[case.pk, *args])


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def move(assignment: Assignment, action: str, version: int | None = None) -> dict[str, Any]:
    version = assignment.version if version is None else version
    return {f"asg-{assignment.pk}-version": version, f"asg-{assignment.pk}-move": action}


def edit_data(case: Case, **changes: Any) -> dict[str, Any]:
    current = {
        "version": case.version,
        "title": case.title,
        "description": case.description,
        "category": case.category.code,
        "people_involved": case.people_involved,
        "amount": case.amount,
        "risk_colour": case.risk_colour,
        "risk_reason": "",
        "leader": "",
    }
    return {f"edit-{name}": value for name, value in {**current, **changes}.items()}


class TestCasePage:
    def test_renders_for_the_clerk_with_masked_personal_data(self, case, client_for):
        response = client_for("a1_clerk").get(url("detail", case))
        assert response.status_code == 200
        html = response.text
        assert case.number in html
        assert case.title in html
        assert "110***********002X" in html
        assert "138****8000" in html
        for secret in (VALID_ID, "13800138000", "13911112222", FULL_ADDRESS):
            assert secret not in html
        assert url("parties_reveal", case) in html

    def test_shows_status_deadlines_lead_and_routing(self, case, client_for):
        response = client_for("a1_clerk").get(url("detail", case))
        html = response.text
        assert "Registered" in html or "已登记" in html
        assert case.lead_department.name in html
        assert "一般纠纷" in html  # the routing explanation names the rule
        states = {d.kind: d.state for d in response.context["deadlines"]}
        assert states == {"accept": "running", "resolve": "running"}

    def test_the_actions_shown_are_the_allowed_actions(self, world, case, client_for):
        for username in ("a1_clerk", "a_leader", "a1_community", "a1_mediator", "a_auditor"):
            html = client_for(username).get(url("detail", case)).text
            allowed = set(allowed_actions(actor=world.user(username), case=fresh(case)))
            shown = {a for a in Action.values if url("transition", case, a) in html}
            assert shown == allowed, username

    def test_a_leader_sees_no_reveal_button(self, case, client_for):
        html = client_for("a_leader").get(url("detail", case)).text
        assert url("parties_reveal", case) not in html
        assert "110***********002X" in html

    def test_timeline_is_newest_first(self, world, case, client_for):
        case_link_report(
            actor=world.user("a1_clerk"),
            case_id=case.pk,
            data=ReportIn(channel="12345", external_id="GD-1"),
        )
        response = client_for("a1_clerk").get(url("timeline", case), **HTMX)
        kinds = [row.kind for row in response.context["timeline"]]
        assert kinds == ["report", "created"]


class TestReveal:
    def test_a_clerk_sees_full_details_and_the_access_is_logged(self, case, client_for):
        response = client_for("a1_clerk").post(url("parties_reveal", case), **HTMX)
        assert response.status_code == 200
        assert VALID_ID in response.text
        assert "13911112222" in response.text
        assert 'id="case-parties"' in response.text
        logged = PersonalDataAccess.objects.filter(case=case, purpose="detail")
        assert logged.count() == case.parties.count()

    def test_without_javascript_the_page_is_rendered_revealed(self, case, client_for):
        response = client_for("a1_clerk").post(url("parties_reveal", case))
        assert response.status_code == 200
        assert VALID_ID in response.text
        assert case.number in response.text

    def test_a_leader_gets_403_and_nothing_is_logged(self, case, client_for):
        response = client_for("a_leader").post(url("parties_reveal", case), **HTMX)
        assert response.status_code == 403
        assert VALID_ID not in response.text
        assert not PersonalDataAccess.objects.exists()

    def test_hiding_again_masks(self, case, client_for):
        response = client_for("a1_clerk").get(url("parties", case), **HTMX)
        assert "110***********002X" in response.text
        assert VALID_ID not in response.text


class TestOutsideTheJurisdiction:
    @pytest.fixture
    def full_case(self, world, case) -> dict[str, int]:
        clerk = world.user("a1_clerk")
        agreement = handling.agreement_record(
            actor=clerk,
            case_id=case.pk,
            terms="李强停止夜间施工并赔偿500元",
            amount=Decimal("500"),
            performance_deadline=None,
        )
        confirmation = handling.confirmation_request(
            actor=clerk, agreement_id=agreement.pk, court_id=world.departments["A-court"].pk
        )
        return {
            "assignment": case.assignments.get().pk,
            "agreement": agreement.pk,
            "confirmation": confirmation.pk,
        }

    def all_urls(self, case: Case, ids: dict[str, int]) -> list[str]:
        return [
            url("detail", case),
            url("parties", case),
            url("parties_reveal", case),
            url("party_add", case),
            url("timeline", case),
            *(url("transition", case, action) for action in Action.values),
            url("edit", case),
            url("link_report", case),
            url("assignment_move", case, ids["assignment"]),
            url("assignment_add", case),
            url("session_add", case),
            url("agreement_add", case),
            url("agreement_performance", case, ids["agreement"]),
            url("confirmation_request", case, ids["agreement"]),
            url("confirmation_decide", case, ids["confirmation"]),
            url("protective_order_add", case),
            url("intake_link", case),
        ]

    def test_another_townships_clerk_gets_404_everywhere(self, case, full_case, client_for):
        client = client_for("b1_clerk")
        version = fresh(case).version
        body = {"t-accept-version": version, "edit-version": version, "edit-title": "x"}
        for address in self.all_urls(case, full_case):
            for response in (
                client.get(address),
                client.post(address, body),
                client.post(address, body, **HTMX),
            ):
                assert response.status_code == 404, address
                assert case.title not in response.text, address
        assert fresh(case).status == CaseStatus.REGISTERED
        assert fresh(case).version == version

    def test_a_restricted_case_is_404_for_a_mediator_who_is_not_named(self, world, client_for):
        violence = case_register(
            actor=world.user("a1_clerk"),
            data=case_in(category="M01.09", title="丈夫多次殴打妻子"),
        ).case
        assert violence.restricted
        response = client_for("a1_mediator").get(url("detail", violence))
        assert response.status_code == 404
        assert violence.title not in response.text
        assert client_for("a1_mediator").post(url("parties_reveal", violence)).status_code == 404
        assert client_for("a1_clerk").get(url("detail", violence)).status_code == 200


class TestTransitions:
    def test_accept_with_htmx_refreshes_the_page_body(self, case, client_for):
        response = client_for("a1_clerk").post(
            url("transition", case, "accept"),
            {"t-accept-version": case.version, "t-accept-public_note": "已受理"},
            **HTMX,
        )
        assert response.status_code == 200
        assert 'id="case-main"' in response.text
        assert "<html" not in response.text
        assert fresh(case).status == CaseStatus.ACCEPTED
        assert url("transition", case, "start") in response.text

    def test_without_javascript_it_redirects_back(self, case, client_for):
        response = client_for("a1_clerk").post(
            url("transition", case, "accept"), {"t-accept-version": case.version}
        )
        assert response.status_code == 302
        assert response["Location"] == url("detail", case)
        assert fresh(case).status == CaseStatus.ACCEPTED

    def test_a_stale_version_shows_the_conflict_and_changes_nothing(self, world, case, client_for):
        stale = case.version
        case_link_report(
            actor=world.user("a1_clerk"), case_id=case.pk, data=ReportIn(channel="110")
        )
        before = fresh(case)
        response = client_for("a1_clerk").post(
            url("transition", case, "accept"), {"t-accept-version": stale}
        )
        assert response.status_code == 409
        assert "已被他人修改" in response.text  # changed by someone else
        assert "重新加载案件" in response.text  # Reload the case
        after = fresh(case)
        assert (after.status, after.version) == (before.status, before.version)

    def test_a_stale_version_with_htmx_is_shown_in_the_swapped_body(self, world, case, client_for):
        stale = case.version
        case_link_report(
            actor=world.user("a1_clerk"), case_id=case.pk, data=ReportIn(channel="110")
        )
        response = client_for("a1_clerk").post(
            url("transition", case, "accept"), {"t-accept-version": stale}, **HTMX
        )
        assert response.status_code == 200
        assert "已被他人修改" in response.text  # changed by someone else
        assert fresh(case).status == CaseStatus.REGISTERED

    def test_escalating_without_a_reason_is_a_field_error(self, case, client_for):
        response = client_for("a1_clerk").post(
            url("transition", case, "escalate"), {"t-escalate-version": case.version}
        )
        assert response.status_code == 422
        form = next(t["form"] for t in response.context["transitions"] if t["action"] == "escalate")
        assert form.errors["reason"]
        assert fresh(case).status == CaseStatus.REGISTERED

    def test_merge_takes_the_other_cases_number(self, world, case, client_for):
        other = case_register(actor=world.user("a1_clerk"), data=case_in(title="同一件事")).case
        response = client_for("a1_clerk").post(
            url("transition", other, "merge"),
            {
                "t-merge-version": other.version,
                "t-merge-reason": "同一纠纷重复登记",
                "t-merge-merge_into": case.number,
            },
        )
        assert response.status_code == 302
        assert fresh(other).merged_into == case
        timeline = client_for("a1_clerk").get(url("timeline", case)).context["timeline"]
        assert any(row.other_case == other.number for row in timeline)

    def test_merge_into_an_unknown_number_is_a_field_error(self, case, client_for):
        response = client_for("a1_clerk").post(
            url("transition", case, "merge"),
            {
                "t-merge-version": case.version,
                "t-merge-reason": "重复",
                "t-merge-merge_into": "X-1",
            },
        )
        assert response.status_code == 422
        assert "没有该编号的案件" in response.text  # no case with this number

    def test_an_action_the_role_may_not_take_is_an_error_not_a_change(self, case, client_for):
        response = client_for("a_auditor").post(
            url("transition", case, "accept"), {"t-accept-version": case.version}
        )
        assert response.status_code == 403
        assert fresh(case).status == CaseStatus.REGISTERED


class TestAssignments:
    def test_the_liaison_of_the_assigned_department_accepts(self, case, client_for):
        assignment = case.assignments.get()
        assert assignment.department.name == "胜利路社区工作队"
        client = client_for("a1_community")
        page = client.get(url("detail", case)).text
        move_url = url("assignment_move", case, assignment.pk)
        assert move_url in page
        response = client.post(
            move_url,
            move(assignment, "accept"),
            **HTMX,
        )
        assert response.status_code == 200
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.ACCEPTED

    def test_returning_without_a_note_is_a_field_error(self, case, client_for):
        assignment = case.assignments.get()
        response = client_for("a1_community").post(
            url("assignment_move", case, assignment.pk),
            move(assignment, "return"),
        )
        assert response.status_code == 422
        assert "请说明退回交办任务的理由" in response.text  # say why it is returned
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.PENDING

    def test_taking_it_personally(self, world, case, client_for):
        assignment = case.assignments.get()
        client_for("a1_community").post(
            url("assignment_move", case, assignment.pk),
            move(assignment, "take"),
        )
        assignment.refresh_from_db()
        assert assignment.assignee == world.user("a1_community")

    def test_a_stale_assignment_version_is_a_conflict(self, case, client_for):
        assignment = case.assignments.get()
        response = client_for("a1_community").post(
            url("assignment_move", case, assignment.pk),
            move(assignment, "accept", assignment.version + 1),
        )
        assert response.status_code == 409
        assert "已被他人修改" in response.text  # changed by someone else

    def test_an_assignment_of_another_case_is_404(self, world, case, client_for):
        other = case_register(actor=world.user("a1_clerk"), data=case_in(title="别的事")).case
        foreign = other.assignments.get()
        response = client_for("a1_clerk").post(
            url("assignment_move", case, foreign.pk),
            move(foreign, "accept"),
        )
        assert response.status_code == 404
        foreign.refresh_from_db()
        assert foreign.status == AssignmentStatus.PENDING

    def test_adding_a_co_handling_department(self, world, case, client_for):
        hrss = world.departments["A-hrss"]
        response = client_for("a1_clerk").post(
            url("assignment_add", case), {"co-department": hrss.pk, "co-task": "核实欠薪"}
        )
        assert response.status_code == 302
        assert Assignment.objects.filter(case=case, department=hrss, role="co").exists()


class TestDetailsAndParties:
    def test_edit_changes_the_title(self, case, client_for):
        response = client_for("a1_clerk").post(
            url("edit", case), edit_data(case, title="邻居夜间装修噪音")
        )
        assert response.status_code == 302
        assert fresh(case).title == "邻居夜间装修噪音"

    def test_a_new_risk_colour_needs_a_reason_and_names_the_leader(self, world, case, client_for):
        data = edit_data(case, risk_colour="red", leader=world.user("a_leader").pk)
        # The leading official is any leader whose units contain the place: a township clerk
        # can name the district's leader.
        assert world.user("a_leader").pk in dict(
            client_for("a1_clerk")
            .get(url("detail", case))
            .context["edit_form"]
            .fields["leader"]
            .choices
        )
        client = client_for("a_leader")
        refused = client.post(url("edit", case), data)
        assert refused.status_code == 422
        assert fresh(case).risk_colour == "green"
        accepted = client.post(url("edit", case), {**data, "edit-risk_reason": "扬言报复"})
        assert accepted.status_code == 302
        changed = fresh(case)
        assert (changed.risk_colour, changed.leader) == ("red", world.user("a_leader"))
        page = client.get(url("detail", case))
        assert page.context["colour_set"].actor == str(world.user("a_leader"))
        assert page.context["colour_set"].to_label == str(RiskColour.RED.label)

    def test_a_party_with_a_wrong_id_is_refused_on_the_field(self, case, client_for):
        response = client_for("a1_clerk").post(
            url("party_add", case),
            {
                "party-role": "third_party",
                "party-kind": "person",
                "party-name": "赵六",
                "party-id_number": "110105194912310021",
            },
        )
        assert response.status_code == 422
        assert response.context["party_form"].errors["id_number"]
        assert not Party.objects.filter(name="赵六").exists()

    def test_a_party_is_added(self, case, client_for):
        response = client_for("a1_clerk").post(
            url("party_add", case),
            {"party-role": "third_party", "party-kind": "organisation", "party-name": "某装修公司"},
            **HTMX,
        )
        assert response.status_code == 200
        assert case.parties.filter(name="某装修公司", kind="organisation").exists()

    def test_another_report_is_linked(self, case, client_for):
        response = client_for("a1_clerk").post(
            url("link_report", case),
            {"link-channel": "12345", "link-external_id": "GD-55", "link-description": "再次来电"},
        )
        assert response.status_code == 302
        assert case.reports.filter(external_id="GD-55").exists()


class TestMediation:
    def test_session_agreement_confirmation_by_the_court(self, world, case, client_for):
        clerk = client_for("a1_clerk")
        held = timezone.localtime() - timedelta(hours=2)
        clerk.post(
            url("session_add", case),
            {
                "session-held_at": held.strftime("%Y-%m-%dT%H:%M"),
                "session-place": "红旗社区调解室",
                "session-participants": "王芳、李强",
                "session-record": "双方同意调解",
            },
        )
        assert case.mediation_sessions.count() == 1
        clerk.post(
            url("agreement_add", case),
            {"agreement-terms": "李强停止夜间施工", "agreement-amount": "500"},
        )
        agreement = Agreement.objects.get(case=case)
        court = world.departments["A-court"]
        clerk.post(
            url("confirmation_request", case, agreement.pk),
            {f"conf-{agreement.pk}-court": court.pk},
        )
        confirmation = JudicialConfirmation.objects.get(agreement=agreement)
        decide_url = url("confirmation_decide", case, confirmation.pk)
        assert decide_url not in clerk.get(url("detail", case)).text
        court_liaison = client_for("a_liaison")
        assert decide_url in court_liaison.get(url("detail", case)).text
        response = court_liaison.post(
            decide_url, {f"dec-{confirmation.pk}-decision": "confirm"}, **HTMX
        )
        assert response.status_code == 200
        confirmation.refresh_from_db()
        assert confirmation.status == ConfirmationStatus.CONFIRMED

    def test_a_session_in_the_future_is_a_field_error(self, case, client_for):
        later = timezone.localtime() + timedelta(days=1)
        response = client_for("a1_clerk").post(
            url("session_add", case),
            {
                "session-held_at": later.strftime("%Y-%m-%dT%H:%M"),
                "session-place": "调解室",
                "session-participants": "双方",
                "session-record": "记录",
            },
        )
        assert response.status_code == 422
        assert response.context["session_form"].errors["held_at"]

    def test_performance_is_recorded(self, world, case, client_for):
        agreement = handling.agreement_record(
            actor=world.user("a1_clerk"),
            case_id=case.pk,
            terms="赔偿",
            amount=Decimal("100"),
            performance_deadline=None,
        )
        client_for("a1_clerk").post(
            url("agreement_performance", case, agreement.pk),
            {f"perf-{agreement.pk}-outcome": "performed"},
        )
        agreement.refresh_from_db()
        assert agreement.status == AgreementStatus.PERFORMED

    def test_protective_order_in_a_domestic_violence_case(self, world, client_for):
        violence = case_register(
            actor=world.user("a1_clerk"), data=case_in(category="M01.09", title="家暴求助")
        ).case
        client = client_for("a1_clerk")
        assert url("protective_order_add", violence) in client.get(url("detail", violence)).text
        valid_until = timezone.localdate() + timedelta(days=180)
        response = client.post(
            url("protective_order_add", violence),
            {
                "po-court": world.departments["A-court"].pk,
                "po-valid_until": valid_until.isoformat(),
                "po-measures": "禁止被申请人骚扰、接触申请人",
            },
        )
        assert response.status_code == 302
        assert ProtectiveOrder.objects.filter(case=violence).exists()

    def test_no_protective_order_form_on_an_ordinary_case(self, case, client_for):
        html = client_for("a1_clerk").get(url("detail", case)).text
        assert url("protective_order_add", case) not in html
