from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fengqiao.cases.deadlines import deadline_act
from fengqiao.cases.lifecycle import case_transition
from fengqiao.cases.models import Case, DeadlineMark
from fengqiao.cases.services import case_register
from fengqiao.notifications.models import Notification
from fengqiao.testing.cases import case_in


@pytest.fixture
def case(world) -> Case:
    return case_register(actor=world.user("a1_clerk"), data=case_in()).case


def fire(case: Case, kind: str, stage: str) -> str:
    case.refresh_from_db()
    due = case.accept_deadline if kind == "accept" else case.resolve_deadline
    return deadline_act(case_id=case.pk, kind=kind, stage=stage, due_iso=due.isoformat())


class TestReminder:
    def test_reminds_the_lead_department_once(self, world, case):
        assert fire(case, "resolve", "reminder") == "reminded"
        assert fire(case, "resolve", "reminder") == "already"
        assert (
            Notification.objects.filter(user=world.user("a1_community"), kind="deadline").count()
            == 1
        )
        assert case.events.filter(kind="deadline", action="reminder").count() == 1


class TestBreach:
    def test_resolution_breach_marks_overdue_and_escalates_once(self, world, case):
        assert fire(case, "resolve", "breach") == "escalated"
        case.refresh_from_db()
        assert case.status == "escalated"
        assert case.lead_unit == world.region.unit("A1a")
        # The same timer delivered again (a retry, a second worker) finds its mark and stops.
        original_due = DeadlineMark.objects.get(case=case, stage="breach").due_at
        again = deadline_act(
            case_id=case.pk, kind="resolve", stage="breach", due_iso=original_due.isoformat()
        )
        assert again in {"already", "rescheduled"}
        case.refresh_from_db()
        assert case.escalation_count == 1
        assert case.events.filter(action="escalate").count() == 1

    def test_acceptance_breach_marks_overdue_without_escalating(self, world, case):
        assert fire(case, "accept", "breach") == "overdue"
        case.refresh_from_db()
        assert case.overdue
        assert case.status == "registered"

    def test_done_work_is_left_alone(self, world, case):
        case_transition(
            actor=world.user("a1_clerk"), case_id=case.pk, action="accept", expected_version=1
        )
        assert fire(case, "accept", "breach") == "done"
        assert not Case.objects.get(pk=case.pk).overdue

    def test_a_moved_deadline_ignores_the_old_timer(self, world, case):
        old_due = case.resolve_deadline
        Case.objects.filter(pk=case.pk).update(resolve_deadline=old_due + timedelta(days=3))
        result = deadline_act(
            case_id=case.pk, kind="resolve", stage="breach", due_iso=old_due.isoformat()
        )
        assert result == "rescheduled"


class TestDurableTimers:
    # The worker closes stale connections between tasks, as it must in production; that needs
    # real transactions rather than the test-wrapping one.
    @pytest.mark.django_db(transaction=True)
    def test_timers_survive_in_the_queue_and_a_fresh_worker_runs_the_due_ones(self, world, case):
        timers = DBTaskResult.objects.filter(
            task_path__endswith="deadline_fire", args_kwargs__args__0=case.pk
        )
        assert timers.count() == 4
        # Make the breach timers due, as if the worker had been down past the deadline.
        past = timezone.now() - timedelta(minutes=1)
        Case.objects.filter(pk=case.pk).update(resolve_deadline=past, accept_deadline=past)
        for timer in timers:
            args = timer.args_kwargs["args"]
            args[3] = past.isoformat()
            timer.args_kwargs = {"args": args, "kwargs": {}}
            timer.run_after = past
            timer.save()
        original = [timer.pk for timer in timers]
        call_command(
            "db_worker", batch=True, startup_delay=False, queue_name="*", verbosity=0, reload=False
        )
        case.refresh_from_db()
        assert case.status == "escalated"
        assert case.escalation_count == 1
        assert set(
            DBTaskResult.objects.filter(pk__in=original).values_list("status", flat=True)
        ) == {"SUCCESSFUL"}
        # Escalation scheduled fresh timers for the new deadlines; they wait for their time.
        assert (
            DBTaskResult.objects.filter(args_kwargs__args__0=case.pk, status="READY").count() == 4
        )
