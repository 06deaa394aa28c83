"""Plans, recording a revisit (events, agreement performance, reopening), flags and referral,
and the satisfaction figure — through the services, with hand-computed expectations."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from pydantic import ValidationError

from fengqiao.accounts.models import Role
from fengqiao.accounts.services import user_create
from fengqiao.cases.handling.models import Agreement, AgreementStatus, Referral
from fengqiao.cases.models import Case
from fengqiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.revisits.flags import AGREEMENT_REFUSED, LONG_MEDIATION, flag_list
from fengqiao.revisits.models import Revisit, SamplingPlan
from fengqiao.revisits.schemas import PlanPatch, ResultIn
from fengqiao.revisits.selectors import satisfaction
from fengqiao.revisits.services import (
    draw_create,
    flag_refer,
    plan_create,
    plan_update,
    revisit_record,
)
from fengqiao.revisits.tests.conftest import MARCH, mediated, plan_in
from fengqiao.testing.region import PASSWORD


def revisit_of(world, plan, case, level="mediator") -> Revisit:
    draw = plan.draws.first() or draw_create(
        actor=world.user("a_auditor"), plan_id=plan.pk, period=MARCH, seed=5
    )
    return Revisit.objects.get(draw=draw, case=case, level=level)


def record(world, revisit, who="a_auditor", **fields) -> Revisit:
    revisit.refresh_from_db()
    return revisit_record(
        actor=world.user(who),
        revisit_id=revisit.pk,
        result=ResultIn(version=revisit.version, **fields),
    )


class TestPlan:
    def test_create_with_defaults_for_the_district(self, world, plan):
        assert plan.unit_path == world.region.unit("A").path
        assert plan.share("committee_head", "ordinary") == 30
        assert plan.long_mediation_days == 60

    def test_only_districts_or_the_city(self, world):
        with pytest.raises(ValidationFailed) as exc:
            plan_create(
                actor=world.user("a_auditor"),
                data=plan_in(world, unit_id=world.region.unit("A1").pk),
            )
        assert exc.value.field == "unit_id"

    def test_one_plan_per_unit(self, world, plan):
        with pytest.raises(Conflict):
            plan_create(actor=world.user("a_auditor"), data=plan_in(world, name="又一个"))

    def test_roles_and_jurisdiction(self, world):
        with pytest.raises(PermissionDenied):
            plan_create(actor=world.user("a_leader"), data=plan_in(world))
        with pytest.raises(NotFound):
            plan_create(
                actor=world.user("a_auditor"),
                data=plan_in(world, unit_id=world.region.unit("B").pk),
            )
        assert not SamplingPlan.objects.exists()

    def test_shares_must_cover_every_level_and_grade_in_range(self, world):
        with pytest.raises(ValidationError, match="each level"):
            plan_in(world, shares={"mediator": {"major": 100, "ordinary": 100}})
        shares = plan_in(world).shares
        shares["mediator"]["major"] = 120
        with pytest.raises(ValidationError, match="less than or equal to 100"):
            plan_in(world, shares=shares)

    def test_update_checks_the_version(self, world, plan):
        updated = plan_update(
            actor=world.user("a_auditor"),
            plan_id=plan.pk,
            data=PlanPatch(version=plan.version, long_mediation_days=45),
        )
        assert (updated.long_mediation_days, updated.version) == (45, 2)
        with pytest.raises(Conflict):
            plan_update(
                actor=world.user("a_auditor"),
                plan_id=plan.pk,
                data=PlanPatch(version=1, people_threshold=5),
            )
        with pytest.raises(PermissionDenied):
            plan_update(
                actor=world.user("a2_clerk"), plan_id=plan.pk, data=PlanPatch(version=2, name="x")
            )


class TestRecord:
    def test_result_is_stored_and_written_to_the_timeline(self, world, plan):
        case = mediated(world)
        revisit = record(
            world,
            revisit_of(world, plan, case),
            reached=True,
            satisfied=True,
            agreement_performed=True,
            note="当事人表示满意",
        )
        assert (revisit.status, revisit.reached, revisit.satisfied) == ("done", True, True)
        assert revisit.revisited_at is not None
        event = case.events.get(action="revisit")
        assert event.actor == world.user("a_auditor")
        assert event.data["satisfied"] is True
        assert Agreement.objects.get(case=case).status == AgreementStatus.PERFORMED

    def test_not_reached_takes_no_answers(self, world, plan):
        revisit = revisit_of(world, plan, mediated(world))
        with pytest.raises(ValidationFailed) as exc:
            record(world, revisit, reached=False, satisfied=True)
        assert exc.value.field == "satisfied"
        done = record(world, revisit, reached=False, note="电话无人接听")
        assert (done.status, done.reached, done.satisfied) == ("done", False, None)

    def test_reached_needs_satisfaction_and_performance_of_an_agreement(self, world, plan):
        with_agreement, without_agreement = mediated(world), mediated(world, agreement=False)
        revisit = revisit_of(world, plan, with_agreement)
        with pytest.raises(ValidationFailed) as exc:
            record(world, revisit, reached=True)
        assert exc.value.field == "satisfied"
        with pytest.raises(ValidationFailed) as exc:
            record(world, revisit, reached=True, satisfied=True)
        assert exc.value.field == "agreement_performed"
        without = revisit_of(world, plan, without_agreement)
        assert record(world, without, reached=True, satisfied=False).satisfied is False

    def test_stale_version_is_a_conflict(self, world, plan):
        revisit = revisit_of(world, plan, mediated(world, agreement=False))
        stale = revisit.version
        record(world, revisit, reached=False)
        with pytest.raises(Conflict):
            revisit_record(
                actor=world.user("a_auditor"),
                revisit_id=revisit.pk,
                result=ResultIn(version=stale, reached=False),
            )

    def test_only_auditors_and_the_assigned_one(self, world, plan):
        revisit = revisit_of(world, plan, mediated(world, agreement=False))
        with pytest.raises(PermissionDenied):
            record(world, revisit, who="a_leader", reached=False)
        user_create(
            username="a_auditor2",
            password=PASSWORD,
            role=Role.AUDITOR,
            units=[world.region.unit("A")],
            check_password_strength=False,
        )
        world.users["a_auditor2"] = type(world.user("a_auditor")).objects.get(username="a_auditor2")
        with pytest.raises(PermissionDenied):
            record(world, revisit, who="a_auditor2", reached=False)
        with pytest.raises(NotFound):
            record(world, revisit, who="b1_clerk", reached=False)

    def test_problem_found_reopens_the_case(self, world, plan):
        case = mediated(world)
        revisit = record(
            world,
            revisit_of(world, plan, case),
            reached=True,
            satisfied=False,
            agreement_performed=True,
            problem_found="赔偿款只付了一半",
            reopen=True,
        )
        case.refresh_from_db()
        assert (case.status, case.reopen_count, case.closed_at) == ("in_handling", 1, None)
        reopen = case.events.get(kind="transition", action="reopen")
        assert "赔偿款只付了一半" in reopen.message
        assert revisit.problem_found == "赔偿款只付了一半"

    def test_reopen_needs_a_problem(self, world, plan):
        case = mediated(world, agreement=False)
        with pytest.raises(ValidationFailed) as exc:
            record(world, revisit_of(world, plan, case), reached=False, reopen=True)
        assert exc.value.field == "problem_found"
        case.refresh_from_db()
        assert case.status == "closed"
        assert not case.events.filter(action="revisit").exists()


class TestFlags:
    def test_long_mediation_without_agreement(self, world):
        long = mediated(world, closed=False, agreement=False, session_days_ago=61)
        mediated(world, closed=False, agreement=False, session_days_ago=30)
        mediated(world, closed=False, agreement=True, session_days_ago=90)
        wages = mediated(
            world, closed=False, agreement=False, session_days_ago=70, category="M10.01"
        )
        flags = {f.case.pk: f for f in flag_list(actor=world.user("a_auditor"))}
        assert set(flags) == {long.pk, wages.pk}
        assert (flags[long.pk].reason, flags[long.pk].suggested) == (LONG_MEDIATION, "litigation")
        assert flags[long.pk].days == 61
        assert flags[wages.pk].suggested == "labour_arbitration"

    def test_plan_sets_the_limit(self, world, plan):
        thirty = mediated(world, closed=False, agreement=False, session_days_ago=30)
        assert flag_list(actor=world.user("a_auditor")) == []
        plan_update(
            actor=world.user("a_auditor"),
            plan_id=plan.pk,
            data=PlanPatch(version=plan.version, long_mediation_days=20),
        )
        assert [f.case.pk for f in flag_list(actor=world.user("a_auditor"))] == [thirty.pk]

    def test_refused_agreement_or_revisit_finding(self, world, plan):
        refused = mediated(world, agreement_status=AgreementStatus.REFUSED)
        found = mediated(world)
        record(
            world,
            revisit_of(world, plan, found),
            reached=True,
            satisfied=False,
            agreement_performed=False,
        )
        flags = flag_list(actor=world.user("a_auditor"))
        assert {f.case.pk for f in flags} == {refused.pk, found.pk}
        assert {f.reason for f in flags} == {AGREEMENT_REFUSED}
        assert flag_list(actor=world.user("a2_clerk")) == []

    def test_refer_reopens_and_refers_through_the_lifecycle(self, world):
        case = mediated(world, agreement_status=AgreementStatus.REFUSED)
        referred = flag_refer(
            actor=world.user("a_leader"), case_id=case.pk, expected_version=case.version
        )
        assert referred.status == "referred"
        referral = Referral.objects.get(case=case)
        assert referral.kind == "litigation"
        assert [e.action for e in case.events.filter(kind="transition")] == ["reopen", "refer"]
        assert flag_list(actor=world.user("a_leader")) == []

    def test_refer_needs_a_flag_a_role_and_the_jurisdiction(self, world):
        unflagged = mediated(world)
        with pytest.raises(Conflict):
            flag_refer(actor=world.user("a_leader"), case_id=unflagged.pk, expected_version=1)
        case = mediated(world, agreement_status=AgreementStatus.REFUSED)
        with pytest.raises(NotFound):
            flag_refer(actor=world.user("a2_clerk"), case_id=case.pk, expected_version=1)
        with pytest.raises(PermissionDenied):
            flag_refer(
                actor=world.user("a_auditor"), case_id=case.pk, expected_version=case.version
            )
        with pytest.raises(ValidationFailed):
            flag_refer(
                actor=world.user("a_leader"),
                case_id=case.pk,
                expected_version=case.version,
                kind="court_of_heaven",
            )
        assert Case.objects.get(pk=case.pk).status == "closed"


class TestSatisfaction:
    def test_satisfied_over_reached_in_the_unit_and_period(self, world, plan):
        cases = [mediated(world, agreement=False) for _ in range(4)]
        draw_create(actor=world.user("a_auditor"), plan_id=plan.pk, period=MARCH, seed=1)
        record(world, revisit_of(world, plan, cases[0]), reached=True, satisfied=True)
        record(world, revisit_of(world, plan, cases[1]), reached=True, satisfied=True)
        record(world, revisit_of(world, plan, cases[2]), reached=True, satisfied=False)
        record(world, revisit_of(world, plan, cases[3]), reached=False)
        now = timezone.now()
        window = {"start": now - timedelta(hours=1), "end": now + timedelta(hours=1)}
        auditor = world.user("a_auditor")
        # 2 satisfied of 3 reached; the unreached party is not counted.
        assert satisfaction(actor=auditor, unit=world.region.unit("A"), **window) == (2, 3)
        assert satisfaction(actor=auditor, unit=world.region.unit("A1b"), **window) == (0, 0)
        earlier = {"start": datetime(2025, 1, 1).astimezone(), "end": now - timedelta(hours=1)}
        assert satisfaction(actor=auditor, unit=world.region.unit("A"), **earlier) == (0, 0)
        with pytest.raises(NotFound):
            satisfaction(actor=auditor, unit=world.region.unit("B"), **window)
        with pytest.raises(NotFound):
            satisfaction(actor=world.user("a2_clerk"), unit=world.region.unit("A1"), **window)
