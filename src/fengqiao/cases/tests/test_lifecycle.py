from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from fengqiao.cases.handling.models import Assignment, Referral
from fengqiao.cases.lifecycle import allowed_actions, case_transition
from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_timeline
from fengqiao.cases.services import case_register
from fengqiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.testing.cases import case_in


@pytest.fixture
def case(world) -> Case:
    return case_register(actor=world.user("a1_clerk"), data=case_in()).case


def act(world, who, case, action, **kwargs):
    fresh = Case.objects.get(pk=case.pk)
    return case_transition(
        actor=world.user(who),
        case_id=case.pk,
        action=action,
        expected_version=fresh.version,
        **kwargs,
    )


class TestHappyPath:
    def test_register_accept_start_resolve_close(self, world, case):
        for action, status in [
            ("accept", "accepted"),
            ("start", "in_handling"),
            ("resolve", "resolved"),
            ("close", "closed"),
        ]:
            assert act(world, "a1_clerk", case, action).status == status
        case.refresh_from_db()
        assert case.accepted_at is not None
        assert case.resolved_at is not None
        assert case.closed_at is not None
        events = list(case.events.filter(kind="transition").values_list("from_status", "to_status"))
        assert events == [
            ("registered", "accepted"),
            ("accepted", "in_handling"),
            ("in_handling", "resolved"),
            ("resolved", "closed"),
        ]
        assert not Assignment.objects.filter(case=case, status__in=["pending", "accepted"]).exists()

    def test_allowed_actions_follow_state_and_role(self, world, case):
        assert set(allowed_actions(actor=world.user("a1_clerk"), case=case)) == {
            "accept",
            "escalate",
            "withdraw",
            "merge",
        }
        assert allowed_actions(actor=world.user("a_analyst"), case=case) == []


class TestRefusals:
    def test_illegal_transition_is_409_and_changes_nothing(self, world, case):
        before = Case.objects.get(pk=case.pk)
        with pytest.raises(Conflict) as excinfo:
            act(world, "a1_clerk", case, "close")
        assert excinfo.value.field == "action"
        assert excinfo.value.details == {"status": "registered"}
        after = Case.objects.get(pk=case.pk)
        assert (after.status, after.version) == (before.status, before.version)
        assert after.events.count() == 1

    def test_stale_version_is_409(self, world, case):
        act(world, "a1_clerk", case, "accept")
        with pytest.raises(Conflict) as excinfo:
            case_transition(
                actor=world.user("a1_clerk"), case_id=case.pk, action="start", expected_version=1
            )
        assert excinfo.value.field == "version"
        assert excinfo.value.details == {"current_version": 2}
        assert Case.objects.get(pk=case.pk).status == "accepted"

    def test_role_without_the_action_is_refused(self, world, case):
        with pytest.raises(PermissionDenied):
            act(world, "a_analyst", case, "accept")

    def test_other_township_gets_404_not_403(self, world, case):
        with pytest.raises(NotFound):
            act(world, "b1_clerk", case, "accept")

    def test_co_handler_cannot_drive_the_lifecycle(self, world):
        case = case_register(
            actor=world.user("a1_clerk"), data=case_in(category="M10.01", people_involved=40)
        ).case
        with translation.override("en"), pytest.raises(PermissionDenied, match="only the lead"):
            act(world, "a_union", case, "accept")
        assert act(world, "a_hrss", case, "accept").status == "accepted"

    def test_withdraw_needs_a_reason(self, world, case):
        with pytest.raises(ValidationFailed) as excinfo:
            act(world, "a1_clerk", case, "withdraw")
        assert excinfo.value.field == "reason"


class TestConcurrentEdits:
    @pytest.mark.django_db(transaction=True)
    def test_two_writers_on_the_same_version_one_wins(self, world):
        if connection.vendor == "sqlite":
            pytest.skip(
                "the in-memory test database is shared-cache SQLite; the race runs on PostgreSQL"
            )
        case = case_register(actor=world.user("a1_clerk"), data=case_in()).case
        results: list[str] = []
        barrier = threading.Barrier(2)

        def writer(action: str) -> None:
            barrier.wait()
            try:
                case_transition(
                    actor=world.user("a1_clerk"),
                    case_id=case.pk,
                    action=action,
                    expected_version=1,
                    reason="test",
                )
                results.append("ok")
            except Conflict:
                results.append("conflict")
            finally:
                connection.close()

        threads = [threading.Thread(target=writer, args=(a,)) for a in ("accept", "withdraw")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == ["conflict", "ok"]
        assert Case.objects.get(pk=case.pk).version == 2


class TestEscalate:
    def test_moves_the_lead_one_level_up(self, world, case):
        escalated = act(world, "a1_clerk", case, "escalate", reason="调解无果")
        assert escalated.status == "escalated"
        assert escalated.lead_unit == world.region.unit("A1a")
        assert escalated.escalation_count == 1
        assert (
            Assignment.objects.get(case=case, department=world.departments["A1-community"]).status
            == "returned"
        )

    def test_village_escalation_reaches_the_township(self, world, case):
        act(world, "a1_clerk", case, "escalate", reason="调解无果")
        act(world, "a1_clerk", case, "accept")
        act(world, "a1_clerk", case, "escalate", reason="仍未化解")
        case.refresh_from_db()
        assert case.lead_unit == world.region.unit("A1")
        assert case.lead_department == world.region.departments["A1-justice"]
        assert Assignment.objects.filter(case=case, role="lead", status="pending").count() == 1

    def test_the_grid_clerk_loses_no_sight_of_an_escalated_case(self, world, case):
        for _ in range(3):
            act(world, "a1_clerk", case, "escalate", reason="升级")
            if Case.objects.get(pk=case.pk).lead_unit.level < 3:
                break
            act(world, "a1_clerk", case, "accept")
        # Led by the district now; the place is still in 胜利路街道, so its clerk still sees it.
        assert act(world, "a_leader", case, "accept").status == "accepted"
        assert Case.objects.get(pk=case.pk).lead_unit == world.region.unit("A")


class TestReferAndMerge:
    def test_refer_records_the_referral(self, world, case):
        act(world, "a1_clerk", case, "accept")
        act(
            world,
            "a1_clerk",
            case,
            "refer",
            reason="对方拒绝调解",
            referral_kind="litigation",
            referral_body="永川区人民法院",
        )
        referral = Referral.objects.get(case=case)
        assert (referral.kind, referral.body) == ("litigation", "永川区人民法院")
        assert Case.objects.get(pk=case.pk).status == "referred"

    def test_merge_keeps_both_histories(self, world, case):
        other = case_register(
            actor=world.user("a1_clerk"), data=case_in(title="同一噪音纠纷的另一次来访")
        ).case
        act(world, "a1_clerk", other, "merge", reason="同一纠纷", merge_into_id=case.pk)
        other.refresh_from_db()
        assert other.status == "merged"
        assert other.merged_into == case
        timeline = case_timeline(actor=world.user("a1_clerk"), case=case)
        assert {e.case_id for e in timeline} == {case.pk, other.pk}
        assert any(e.kind == "merge" for e in timeline)

    def test_reopen_by_auditor_counts(self, world, case):
        for action in ("accept", "start", "resolve", "close"):
            act(world, "a1_clerk", case, action)
        assert (
            act(world, "a_auditor", case, "reopen", reason="回访发现协议未履行").status
            == "in_handling"
        )
        assert Case.objects.get(pk=case.pk).reopen_count == 1


class TestDeadlineFields:
    def test_escalation_gives_the_upper_level_fresh_deadlines(self, world, case):
        Case.objects.filter(pk=case.pk).update(resolve_deadline=timezone.now() - timedelta(hours=1))
        escalated = act(world, "a1_clerk", case, "escalate", reason="超期")
        assert escalated.resolve_deadline > timezone.now()
        assert escalated.accept_deadline > timezone.now()
