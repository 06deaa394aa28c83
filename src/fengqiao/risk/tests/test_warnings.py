"""Open early warnings on the boards, read through ``early_warning.selectors.board_warnings``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.early_warning.services import rule_ensure, warning_raise
from fengqiao.risk.boards import NOT_REVIEWED, OVERDUE_TASK, board
from fengqiao.risk.schemas import DecisionIn, MeetingIn
from fengqiao.risk.services import dispatch_meeting_record


@pytest.fixture
def red_warning(world):
    rule_ensure(code="TEST-RED", name="测试红色预警", colour="red", deadline_minutes=30)
    return warning_raise(
        rule_code="TEST-RED",
        subject_key="tank-1",
        unit=world.region.unit("A1a-g1"),
        colour="red",
        title="化粪池液位超限",
        explanation="液位 1.9 m，超过 1.5 m",
        value=1.9,
    )


def warning_entries(world, who: str):
    return [i for i in board(actor=world.user(who), colour="red").items if i.kind == "warning"]


class TestWarningsOnTheBoard:
    def test_open_warning_is_an_item_owned_by_its_township(self, world, red_warning):
        (entry,) = warning_entries(world, "a_leader")
        assert (entry.pk, entry.title, entry.reason) == (
            red_warning.pk,
            "化粪池液位超限",
            "液位 1.9 m，超过 1.5 m",
        )
        assert any("胜利路街道" in owner for owner in entry.owners)
        assert [f.code for f in entry.failures] == [NOT_REVIEWED]

    @pytest.mark.parametrize("who", ["a2_clerk", "b1_clerk"])
    def test_other_township_does_not_see_it(self, world, red_warning, who):
        assert warning_entries(world, who) == []

    def test_past_deadline_is_an_overdue_task(self, world, red_warning):
        type(red_warning).objects.filter(pk=red_warning.pk).update(
            deadline=timezone.now() - timedelta(minutes=1)
        )
        (entry,) = warning_entries(world, "a_leader")
        assert OVERDUE_TASK in [f.code for f in entry.failures]

    def test_meeting_reviews_a_warning(self, world, red_warning):
        today = timezone.localdate()
        meeting = dispatch_meeting_record(
            actor=world.user("a_leader"),
            data=MeetingIn(
                colour="red",
                unit_id=world.region.unit("A").pk,
                held_on=today,
                next_review_on=today + timedelta(days=14),
                decisions=[DecisionIn(warning_id=red_warning.pk, decision="立即清掏")],
            ),
        )
        assert meeting.decisions.get().item_title == "化粪池液位超限"
        (entry,) = warning_entries(world, "a_leader")
        assert entry.last_decision is not None
        assert NOT_REVIEWED not in [f.code for f in entry.failures]
