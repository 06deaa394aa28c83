from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengqiao.cases.handling.models import Assignment
from fengqiao.cases.models import EventKind, TimelineEvent
from fengqiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.notifications.models import Notification
from fengqiao.risk.boards import (
    NO_OWNER,
    NOT_REVIEWED,
    OVERDUE_TASK,
    REVIEW_STALE,
    board,
    control_failures,
)
from fengqiao.risk.models import DispatchDecision, DispatchMeeting
from fengqiao.risk.schemas import DecisionIn, MeetingIn
from fengqiao.risk.selectors import colour_setting
from fengqiao.risk.services import dispatch_meeting_record, risk_colour_set
from fengqiao.risk.tests.conftest import overdue_assignment, register, reviewed, set_fields


class TestRiskColourSet:
    def test_change_is_a_timeline_event_with_actor_and_reason(self, world, red_a1):
        clerk = world.user("a1_clerk")
        case = risk_colour_set(
            actor=clerk,
            case_id=red_a1.pk,
            colour="orange",
            reason="已支付部分工资",
            expected_version=red_a1.version,
        )
        assert (case.risk_colour, case.risk_reason) == ("orange", "已支付部分工资")
        event = TimelineEvent.objects.filter(case=red_a1, kind=EventKind.RISK).get()
        assert event.actor == clerk
        assert (event.from_status, event.to_status) == ("red", "orange")
        assert "已支付部分工资" in event.message
        setting = colour_setting(actor=clerk, case_id=red_a1.pk)
        assert (setting.by, setting.colour, setting.at_registration) == (
            "a1_clerk",
            "orange",
            False,
        )

    def test_missing_reason_is_422_and_changes_nothing(self, world, red_a1):
        with pytest.raises(ValidationFailed) as exc:
            risk_colour_set(
                actor=world.user("a1_clerk"),
                case_id=red_a1.pk,
                colour="green",
                reason="  ",
                expected_version=red_a1.version,
            )
        assert (exc.value.status_code, exc.value.field) == (422, "reason")
        red_a1.refresh_from_db()
        assert red_a1.risk_colour == "red"

    def test_stale_version_is_409(self, world, red_a1):
        with pytest.raises(Conflict):
            risk_colour_set(
                actor=world.user("a1_clerk"),
                case_id=red_a1.pk,
                colour="green",
                reason="已化解",
                expected_version=red_a1.version - 1 if red_a1.version > 1 else 99,
            )
        assert not TimelineEvent.objects.filter(case=red_a1, kind=EventKind.RISK).exists()

    def test_unknown_colour_is_422(self, world, red_a1):
        with pytest.raises(ValidationFailed) as exc:
            risk_colour_set(
                actor=world.user("a1_clerk"),
                case_id=red_a1.pk,
                colour="blue",
                reason="x",
                expected_version=red_a1.version,
            )
        assert exc.value.field == "colour"

    def test_other_township_gets_not_found(self, world, red_a1):
        with pytest.raises(NotFound):
            risk_colour_set(
                actor=world.user("a2_clerk"),
                case_id=red_a1.pk,
                colour="green",
                reason="x",
                expected_version=red_a1.version,
            )

    def test_role_without_risk_right_is_refused(self, world, red_a1):
        with pytest.raises(PermissionDenied):
            risk_colour_set(
                actor=world.user("a_auditor"),
                case_id=red_a1.pk,
                colour="green",
                reason="x",
                expected_version=red_a1.version,
            )

    def test_unchanged_colour_and_reason_is_422(self, world, red_a1):
        with pytest.raises(ValidationFailed):
            risk_colour_set(
                actor=world.user("a1_clerk"),
                case_id=red_a1.pk,
                colour="red",
                reason=red_a1.risk_reason,
                expected_version=red_a1.version,
            )

    def test_colour_from_registration_is_credited_to_the_registrar(self, world, red_a1):
        setting = colour_setting(actor=world.user("a_leader"), case_id=red_a1.pk)
        assert (setting.by, setting.reason, setting.at_registration) == (
            "a1_clerk",
            "人数众多",
            True,
        )


def meeting_in(case_id: int, unit_id: int, **overrides) -> MeetingIn:
    today = timezone.localdate()
    values = {
        "colour": "red",
        "unit_id": unit_id,
        "held_on": today,
        "next_review_on": today + timedelta(days=14),
        "decisions": [DecisionIn(case_id=case_id, decision="区领导督办，两周内兑付")],
        **overrides,
    }
    return MeetingIn(**values)


class TestDispatchMeetingRecord:
    def test_records_the_meeting_and_writes_the_case_timeline(self, world, red_a1):
        leader = world.user("a_leader")
        owner = world.user("a1_clerk")
        data = meeting_in(
            red_a1.pk,
            world.region.unit("A").pk,
            decisions=[
                DecisionIn(case_id=red_a1.pk, decision="两周内兑付", owner_user_id=owner.pk)
            ],
        )
        meeting = dispatch_meeting_record(actor=leader, data=data)
        assert (meeting.chair, meeting.created_by, meeting.unit_path) == (
            leader,
            leader,
            world.region.unit("A").path,
        )
        decision = meeting.decisions.get()
        assert (decision.case, decision.owner_user, decision.item_title) == (
            red_a1,
            owner,
            red_a1.title,
        )
        event = TimelineEvent.objects.get(case=red_a1, kind=EventKind.NOTE, action="dispatch")
        assert event.actor == leader
        assert "两周内兑付" in event.message
        assert event.data["meeting_id"] == meeting.pk
        assert Notification.objects.filter(user=owner, case=red_a1).exists()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"unit": "A1"}, "unit_id"),  # red meets at district level
            ({"unit": "B"}, "unit_id"),  # outside the leader's jurisdiction
            ({"held_on": 1}, "held_on"),  # in the future
            ({"next_review_on": -1}, "next_review_on"),
            ({"colour": "orange"}, "decisions.0.case_id"),  # the case is not orange
            ({"chair": "a1_clerk"}, "chair_id"),  # red is chaired by a leader
            ({"due_on": -1}, "decisions.0.due_on"),
            ({"owner": "b1_clerk"}, "decisions.0.owner_user_id"),
            ({"twice": True}, "decisions.1"),
        ],
    )
    def test_invalid_meeting_is_422_and_writes_nothing(self, world, red_a1, overrides, field):
        today = timezone.localdate()
        unit = world.region.unit(overrides.get("unit", "A"))
        decision = DecisionIn(
            case_id=red_a1.pk,
            decision="督办",
            due_on=today + timedelta(days=overrides.get("due_on", 3)),
            owner_user_id=world.user(overrides["owner"]).pk if "owner" in overrides else None,
        )
        data = meeting_in(
            red_a1.pk,
            unit.pk,
            colour=overrides.get("colour", "red"),
            held_on=today + timedelta(days=overrides.get("held_on", 0)),
            next_review_on=today + timedelta(days=overrides.get("next_review_on", 14)),
            chair_id=world.user(overrides["chair"]).pk if "chair" in overrides else None,
            decisions=[decision, decision] if overrides.get("twice") else [decision],
        )
        with pytest.raises(ValidationFailed) as exc:
            dispatch_meeting_record(actor=world.user("a_leader"), data=data)
        assert exc.value.field == field
        assert DispatchMeeting.objects.count() == 0
        assert DispatchDecision.objects.count() == 0

    def test_case_of_another_district_is_not_on_the_board(self, world, red_a1, red_b1):
        data = meeting_in(red_b1.pk, world.region.unit("A").pk, chair_id=world.user("a_leader").pk)
        with pytest.raises(ValidationFailed) as exc:
            dispatch_meeting_record(actor=world.user("city_admin"), data=data)
        assert exc.value.field == "decisions.0.case_id"

    def test_closed_case_is_not_on_the_board(self, world, red_a1):
        set_fields(red_a1, status="closed")
        with pytest.raises(ValidationFailed):
            dispatch_meeting_record(
                actor=world.user("a_leader"), data=meeting_in(red_a1.pk, world.region.unit("A").pk)
            )

    def test_role_without_dispatch_right_is_refused(self, world, red_a1):
        with pytest.raises(PermissionDenied):
            dispatch_meeting_record(
                actor=world.user("a_analyst"),
                data=meeting_in(red_a1.pk, world.region.unit("A").pk),
            )

    def test_township_clerk_records_the_green_board(self, world):
        case = register(world, title="邻里噪音")
        assert case.risk_colour == "green"
        today = timezone.localdate()
        meeting = dispatch_meeting_record(
            actor=world.user("a1_clerk"),
            data=MeetingIn(
                colour="green",
                unit_id=world.region.unit("A1").pk,
                held_on=today,
                next_review_on=today + timedelta(days=7),
                decisions=[DecisionIn(case_id=case.pk, decision="社区调解", owner_text="社区")],
            ),
        )
        assert meeting.chair == world.user("a1_clerk")


def item(world, case, viewer="a_leader", colour="red"):
    found = [i for i in board(actor=world.user(viewer), colour=colour).items if i.pk == case.pk]
    assert len(found) == 1
    return found[0]


class TestUnderControl:
    def test_owned_recently_reviewed_on_time_is_under_control(self, world, red_a1):
        reviewed(world, red_a1, on=timezone.localdate() - timedelta(days=14))
        entry = item(world, red_a1)
        assert entry.under_control, entry.failures
        assert entry.last_review_on == timezone.localdate() - timedelta(days=14)

    def test_never_reviewed(self, world, red_a1):
        assert [f.code for f in item(world, red_a1).failures] == [NOT_REVIEWED]

    def test_review_older_than_the_period(self, world, red_a1):
        reviewed(world, red_a1, on=timezone.localdate() - timedelta(days=15))
        assert [f.code for f in item(world, red_a1).failures] == [REVIEW_STALE]

    def test_no_owner(self, world, red_a1):
        set_fields(red_a1, leader=None, lead_department=None)
        Assignment.objects.filter(case=red_a1).delete()
        reviewed(world, red_a1, on=timezone.localdate())
        assert [f.code for f in item(world, red_a1).failures] == [NO_OWNER]

    def test_owner_named_by_the_meeting_counts(self, world, red_a1):
        set_fields(red_a1, leader=None, lead_department=None)
        Assignment.objects.filter(case=red_a1).delete()
        decision = reviewed(world, red_a1, on=timezone.localdate())
        DispatchDecision.objects.filter(pk=decision.pk).update(owner_text="区人社局")
        assert item(world, red_a1).under_control

    def test_overdue_case(self, world, red_a1):
        reviewed(world, red_a1, on=timezone.localdate())
        set_fields(red_a1, overdue=True)
        assert [f.code for f in item(world, red_a1).failures] == [OVERDUE_TASK]

    def test_overdue_assignment(self, world):
        # Wage arrears route to a lead department with co-handlers: assignments to fall behind.
        case = register(world, title="欠薪", category="M10.01", risk_colour="red", risk_reason="r")
        assert Assignment.objects.filter(case=case).exists()
        overdue_assignment(case)
        reviewed(world, case, on=timezone.localdate())
        entry = item(world, case)
        assert [f.code for f in entry.failures] == [OVERDUE_TASK]
        assert len(entry.overdue_tasks) == Assignment.objects.filter(case=case).count()

    def test_every_failure_at_once(self):
        failures = control_failures(
            colour="orange",
            owners=[],
            last_review_on=timezone.localdate() - timedelta(days=8),
            overdue=2,
            today=timezone.localdate(),
        )
        assert [f.code for f in failures] == [NO_OWNER, REVIEW_STALE, OVERDUE_TASK]

    def test_board_lists_only_open_cases_of_its_colour_in_view(self, world, red_a1, red_b1):
        green = register(world, title="绿色纠纷")
        leader_board = board(actor=world.user("a_leader"), colour="red")
        assert [i.pk for i in leader_board.items] == [red_a1.pk]
        assert green.pk not in [
            i.pk for i in board(actor=world.user("a2_clerk"), colour="green").items
        ]
        assert [i.pk for i in board(actor=world.user("b1_clerk"), colour="red").items] == [
            red_b1.pk
        ]
        assert [i.pk for i in board(actor=world.user("a2_clerk"), colour="red").items] == []

    def test_unit_filter_narrows(self, world, red_a1):
        a2 = world.region.unit("A2")
        assert board(actor=world.user("a_leader"), colour="red", unit=a2).items == []
        a1 = world.region.unit("A1")
        assert len(board(actor=world.user("a_leader"), colour="red", unit=a1).items) == 1


class TestBoardQueries:
    def test_query_count_does_not_grow_with_items(self, world, red_a1, django_assert_num_queries):
        leader = world.user("a_leader")
        reviewed(world, red_a1, on=timezone.localdate())
        board(actor=leader, colour="red")  # the leader's jurisdiction is read once, then kept
        with CaptureQueriesContext(connection) as one:
            board(actor=leader, colour="red")
        for n in range(4):
            case = register(world, title=f"红色纠纷{n}", risk_colour="red", risk_reason="r")
            reviewed(world, case, on=timezone.localdate())
        with django_assert_num_queries(len(one.captured_queries)):
            items = board(actor=leader, colour="red").items
            assert len(items) == 5
