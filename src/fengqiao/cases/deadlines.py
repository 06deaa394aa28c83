"""Deadline timers on the durable task queue: a reminder at 80% and an action at the deadline.

Timers are tasks scheduled to run at a time (``run_after``), not a cron job scanning every case.
Each timer carries the deadline it was scheduled for; when it fires it re-reads the case and
does nothing if that deadline has moved, if the work is done, or if it already acted (the
``DeadlineMark`` unique key). So a timer that fires twice, late, or after a worker restart acts
exactly once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from fengqiao.cases.models import Case, DeadlineKind, DeadlineMark, DeadlineStage, EventKind
from fengqiao.cases.states import CaseStatus
from fengqiao.core.queue import Call, enqueue_many
from fengqiao.core.text import system_text

REMINDER_SHARE = 0.8
# Statuses in which each deadline still runs.
PENDING_FOR: dict[str, frozenset[str]] = {
    DeadlineKind.ACCEPT: frozenset({CaseStatus.REGISTERED, CaseStatus.ESCALATED}),
    DeadlineKind.RESOLVE: frozenset(
        {CaseStatus.REGISTERED, CaseStatus.ACCEPTED, CaseStatus.IN_HANDLING, CaseStatus.ESCALATED}
    ),
}


def _deadline_of(case: Case, kind: str) -> datetime:
    return case.accept_deadline if kind == DeadlineKind.ACCEPT else case.resolve_deadline


def _start_of(case: Case, kind: str) -> datetime:
    # The acceptance clock starts at registration or at the last escalation; resolution at registration.
    if kind == DeadlineKind.ACCEPT:
        return case.updated_at if case.status == CaseStatus.ESCALATED else case.created_at
    return case.created_at


def schedule_deadlines(
    case: Case, kinds: tuple[str, ...] = (DeadlineKind.ACCEPT, DeadlineKind.RESOLVE)
) -> None:
    """Enqueue the reminder and breach timers for the case's current deadlines.

    Enqueued inside the caller's transaction: the database backend writes the task rows in the
    same transaction, so a rolled-back registration leaves no timer behind.
    """
    enqueue_many(deadline_calls(case, kinds))


def deadline_calls(
    case: Case, kinds: tuple[str, ...] = (DeadlineKind.ACCEPT, DeadlineKind.RESOLVE)
) -> list[Call]:
    """The timers :func:`schedule_deadlines` enqueues, for a caller batching other tasks too."""
    from fengqiao.cases.tasks import deadline_fire

    now = timezone.now()
    calls: list[Call] = []
    for kind in kinds:
        due = _deadline_of(case, kind)
        start = min(_start_of(case, kind), now)
        reminder_at = start + (due - start) * REMINDER_SHARE
        for stage, when in ((DeadlineStage.REMINDER, reminder_at), (DeadlineStage.BREACH, due)):
            calls.append(
                Call(
                    deadline_fire,
                    (case.pk, kind, stage, due.isoformat()),
                    run_after=max(when, now),
                )
            )
    return calls


def deadline_act(*, case_id: int, kind: str, stage: str, due_iso: str) -> str:
    """Run one timer. Returns what it did (for logs and tests)."""
    from fengqiao.cases.lifecycle import system_escalate
    from fengqiao.cases.services import event_write, notify_department

    due = datetime.fromisoformat(due_iso)
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("lead_department", "lead_unit")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            return "gone"
        if _deadline_of(case, kind) != due:
            return "rescheduled"
        if case.status not in PENDING_FOR[kind]:
            return "done"
        try:
            with transaction.atomic():
                DeadlineMark.objects.create(case=case, kind=kind, stage=stage, due_at=due)
        except IntegrityError:
            return "already"
        label = DeadlineKind(kind).label
        if stage == DeadlineStage.REMINDER:
            event_write(
                case=case,
                actor=None,
                kind=EventKind.DEADLINE,
                action="reminder",
                message=system_text(
                    gettext_noop("%(label)s deadline at %(due)s is near (80%% elapsed)"),
                    label=label,
                    due=f"{timezone.localtime(due):%Y-%m-%d %H:%M}",
                ),
            )
            _notify_lead(
                case,
                "deadline",
                system_text(
                    gettext_noop("%(number)s: %(label)s deadline approaching"),
                    number=case.number,
                    label=label,
                ),
                notify_department,
            )
            return "reminded"
        case.overdue = True
        case.save(update_fields=["overdue", "updated_at"])
        event_write(
            case=case,
            actor=None,
            kind=EventKind.DEADLINE,
            action="breach",
            message=system_text(
                gettext_noop("%(label)s deadline %(due)s breached: marked overdue"),
                label=label,
                due=f"{timezone.localtime(due):%Y-%m-%d %H:%M}",
            ),
        )
        _notify_lead(
            case,
            "overdue",
            system_text(
                gettext_noop("%(number)s: %(label)s deadline breached"),
                number=case.number,
                label=label,
            ),
            notify_department,
        )
        if kind == DeadlineKind.RESOLVE and case.lead_unit.parent_id is not None:
            system_escalate(
                case=case,
                reason=system_text(gettext_noop("%(label)s deadline breached"), label=label),
            )
            return "escalated"
        return "overdue"


def _notify_lead(case: Case, kind: str, message: str, notify_department: Any) -> None:
    if case.lead_department is not None:
        notify_department(case.lead_department, case=case, kind=kind, message=message)
