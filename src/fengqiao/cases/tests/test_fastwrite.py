"""On PostgreSQL a registration is written by one statement (``cases.fastwrite``); it must write
exactly the rows the ORM path writes, and keep every intake guarantee."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fengqiao.cases import fastwrite
from fengqiao.cases.deadlines import deadline_act
from fengqiao.cases.handling.models import Assignment
from fengqiao.cases.models import Case, IdempotencyRecord, Party, Report, TimelineEvent
from fengqiao.cases.services import case_register
from fengqiao.metrics.models import DirtyDay
from fengqiao.notifications.models import Notification
from fengqiao.testing.cases import case_in

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's"
)

_STAMPS = {"id", "case_id", "created_at", "updated_at"}


def _row(obj: Any, *skip: str) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in type(obj)._meta.concrete_fields
        if f.attname not in _STAMPS | set(skip)
    }


def _seconds(value: Any, since: Any) -> int:
    return round((value - since).total_seconds())


def _written(case_id: int) -> dict[str, Any]:
    """Everything a registration wrote, without what differs between two registrations (ids,
    times, tracking code, the id in the number)."""
    case = Case.objects.get(pk=case_id)
    number = case.number
    assert number.endswith(f"-{case.pk:07d}")
    start = case.created_at
    notifications = Notification.objects.filter(case=case).order_by("user_id", "message")
    notification_ids = sorted(n.pk for n in notifications)
    tasks = []
    for task in DBTaskResult.objects.all():
        args = task.args_kwargs["args"]
        if task.task_path.endswith("deadline_fire") and args[0] == case.pk:
            due = _seconds(datetime.fromisoformat(args[3]), start)
            tasks.append(
                (task.task_path, ["<case>", args[1], args[2], due], _seconds(task.run_after, start))
            )
        elif (
            task.task_path.endswith("deliver_notifications")
            and args[0]
            and (sorted(args[0]) == notification_ids)
        ):
            tasks.append((task.task_path, ["<notifications>"], task.run_after.year))
    return {
        "case": {
            **_row(case, "number", "tracking_code", "accept_deadline", "resolve_deadline"),
            "number": number.rsplit("-", 1)[0],
            "accept": _seconds(case.accept_deadline, start),
            "resolve": _seconds(case.resolve_deadline, start),
        },
        "reports": [_row(r, "received_at") for r in Report.objects.filter(case=case)],
        "parties": sorted(
            (_row(p) for p in Party.objects.filter(case=case)), key=lambda r: (r["role"], r["name"])
        ),
        "assignments": sorted(
            (
                {**_row(a, "deadline"), "deadline": a.deadline == case.resolve_deadline}
                for a in Assignment.objects.filter(case=case)
            ),
            key=lambda r: (r["role"], r["department_id"]),
        ),
        "events": [_row(e, "at") for e in TimelineEvent.objects.filter(case=case)],
        "notifications": [
            (n.user_id, n.kind, n.message.replace(number, "<number>"), n.read_at, n.sent_at)
            for n in notifications
        ],
        "tasks": sorted(tasks),
        "handlers": sorted(case.handlers.values_list("pk", flat=True)),
        "partners": sorted(case.partner_units.values_list("pk", flat=True)),
        "idempotency": [
            (r.key, r.user_id, r.endpoint, r.request_hash)
            for r in IdempotencyRecord.objects.filter(case=case)
        ],
        "dirty": DirtyDay.objects.filter(
            day=timezone.localdate(case.created_at), unit_path=case.territory_path
        ).exists(),
    }


def _both_ways(monkeypatch: pytest.MonkeyPatch, register: Any) -> tuple[dict, dict, Any]:
    fast = register()
    assert fastwrite.supported()
    with monkeypatch.context() as patched:
        patched.setattr(fastwrite, "supported", lambda: False)
        orm = register()
    return _written(fast.case.pk), _written(orm.case.pk), fast


SCENARIOS = {
    "ordinary": {},
    "joint team, notifications": {
        "category": "M10.01",
        "people_involved": 160,
        "amount": Decimal("2100000"),
        "title": "农民工欠薪",
    },
    "restricted": {"category": "M01.09"},
    "by unit": {"lat": None, "lng": None, "unit_id": "A1a-g1"},
    "no parties, external id": {"parties": [], "report": {"channel": "12345"}},
}


class TestSameRowsAsTheOrm:
    @pytest.mark.parametrize("overrides", SCENARIOS.values(), ids=SCENARIOS.keys())
    def test_rows(self, world, monkeypatch, overrides):
        overrides = dict(overrides)
        if overrides.get("unit_id"):
            overrides["unit_id"] = world.region.unit(overrides["unit_id"]).pk
        counter = iter(range(100))

        def register() -> Any:
            data = dict(overrides)
            if "report" in data:  # a fresh external id each time, or the second is a retry
                data["report"] = {**data["report"], "external_id": f"GD-{next(counter)}"}
            return case_register(actor=world.user("a1_clerk"), data=case_in(**data))

        fast, orm, _ = _both_ways(monkeypatch, register)
        if overrides.get("report"):
            orm["reports"][0]["external_id"] = fast["reports"][0]["external_id"]
        assert fast == orm
        assert fast["dirty"]
        assert fast["events"][0]["kind"] == "created"
        assert len([t for t in fast["tasks"] if t[0].endswith("deadline_fire")]) == 4

    def test_notifications_and_their_delivery(self, world, monkeypatch):
        data = case_in(category="M10.01", people_involved=160, amount=Decimal("2100000"))
        fast, orm, _ = _both_ways(
            monkeypatch, lambda: case_register(actor=world.user("a1_clerk"), data=data)
        )
        assert fast["notifications"], "the joint team's liaisons hear of it"
        assert ["<notifications>"] in [t[1] for t in fast["tasks"]]
        assert fast == orm

    def test_partners_handlers_and_idempotency_record(self, world, monkeypatch):
        partner = world.region.unit("B1")
        keys = iter(["k-fast", "k-orm"])

        def register() -> Any:
            key = next(keys)
            return case_register(
                actor=world.user("a1_clerk"),
                data=case_in(category="M01.09", partner_unit_ids=[partner.pk]),
                idempotency_key=key,
            )

        fast, orm, _ = _both_ways(monkeypatch, register)
        assert fast["partners"] == [partner.pk]
        assert fast["handlers"] == [world.user("a1_clerk").pk]
        assert fast["idempotency"][0][0] == "k-fast"
        orm["idempotency"][0] = ("k-fast", *orm["idempotency"][0][1:])
        assert fast == orm


class TestOneStatement:
    def test_the_answer_is_what_was_written(self, world):
        with CaptureQueriesContext(connection) as queries:
            registration = case_register(
                actor=world.user("a1_clerk"),
                data=case_in(category="M10.01", people_involved=160, amount=Decimal("2100000")),
            )
        writes = [
            q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE", "WITH"))
        ]
        assert len(writes) == 1, writes
        case, written = registration.case, registration.written
        stored = Case.objects.get(pk=case.pk)
        assert (case.number, case.tracking_code) == (stored.number, stored.tracking_code)
        assert [r.pk for r in written["reports"]] == list(
            Report.objects.filter(case=case).values_list("pk", flat=True)
        )
        assert sorted(p.pk for p in written["parties"]) == sorted(
            Party.objects.filter(case=case).values_list("pk", flat=True)
        )
        assert {(a.pk, a.department_id) for a in written["assignments"]} == set(
            Assignment.objects.filter(case=case).values_list("pk", "department_id")
        )

    def test_timers_fire_once_on_the_case_written(self, world):
        case = case_register(actor=world.user("a1_clerk"), data=case_in()).case
        timers = [t for t in DBTaskResult.objects.all() if t.task_path.endswith("deadline_fire")]
        assert {t.args_kwargs["args"][0] for t in timers} == {case.pk}
        _, kind, stage, due = timers[0].args_kwargs["args"]
        first = deadline_act(case_id=case.pk, kind=kind, stage=stage, due_iso=due)
        again = deadline_act(case_id=case.pk, kind=kind, stage=stage, due_iso=due)
        assert first in {"reminded", "overdue", "escalated"}
        assert again == "already"


@pytest.mark.django_db(transaction=True)
class TestOutsideATransaction:
    """Without a caller's transaction the statement commits by itself (no BEGIN/COMMIT)."""

    def test_retry_of_a_known_report_returns_the_first_case(self, world):
        data = case_in(report={"channel": "12345", "external_id": "GD-race"})
        assert not connection.in_atomic_block
        first = case_register(actor=world.user("a1_clerk"), data=data)
        # The retry skips the lookup (see case_register) and collides on the unique key.
        again = case_register(actor=world.user("a1_clerk"), data=data)
        assert first.created
        assert not again.created
        assert again.case.pk == first.case.pk
        assert Case.objects.count() == 1
        assert Report.objects.count() == 1
        assert TimelineEvent.objects.count() == 1
