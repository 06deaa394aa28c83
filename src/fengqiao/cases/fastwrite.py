# ruff: noqa: S608  (identifiers come from model metadata; every value is bound by psycopg)
"""A registration's rows written to PostgreSQL in one statement (data-modifying CTEs).

``case_register`` builds the case and everything a registration writes beside it (report,
parties, assignments, timeline event, timers, notifications, idempotency record, statistics
mark) as unsaved objects; on PostgreSQL this module writes them all with a single round trip
instead of a dozen ORM statements, which is most of what intake costs. It is how the rows are
written, not another way to register: the rows are exactly those the ORM path writes (a test
compares the two), and one statement is one transaction.

The case's id is drawn from its sequence inside the statement, so whatever must carry it before
it exists is built with placeholders: :data:`PENDING_ID` in task arguments and
:data:`PENDING_NUMBER` in notification texts. SQL text depends only on the shape (how many
parties, assignments, timers…) and is built once per shape; values are bound by psycopg.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model
from django.db.models.fields import AutoFieldMixin
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import task_enqueued

from fengqiao.accounts.models import User
from fengqiao.cases.handling.models import Assignment
from fengqiao.cases.models import Case, IdempotencyRecord, Party, Report, TimelineEvent
from fengqiao.core.queue import Call, task_row
from fengqiao.metrics.models import DirtyDay
from fengqiao.notifications.models import Notification
from fengqiao.orgs.models import OrgUnit


class PendingId(int):
    """The id of the case being written, before the statement draws it (an ``int`` of 0)."""


PENDING_ID = PendingId(0)
# Stands for the case number in texts built before the number exists; the statement replaces it.
PENDING_NUMBER = "\x1fcase-number\x1f"

_CASE_ID = "(SELECT id FROM i)"
_CASE_NUMBER = "(SELECT number FROM i)"


@dataclass
class Write:
    """Everything one registration writes. Objects are unsaved; ``case_id`` columns and the
    case's own id and number come from the statement."""

    case: Case
    number_prefix: str
    report: Report
    parties: list[Party]
    assignments: list[Assignment]
    event: TimelineEvent
    timers: list[Call]
    dirty: tuple[date, str]
    # (department id, message) per notice; the message may contain PENDING_NUMBER.
    notices: list[tuple[int, str]] = field(default_factory=list)
    notice_kind: str = ""
    # Restricted cases only tell liaisons and the named handlers: (liaison role, handler ids).
    notice_only: tuple[str, list[int]] | None = None
    partners: list[OrgUnit] = field(default_factory=list)
    handlers: list[User] = field(default_factory=list)
    idempotency: IdempotencyRecord | None = None


def supported() -> bool:
    """PostgreSQL, with the timers and deliveries on the database task backend."""
    if connection.vendor != "postgresql":
        return False
    return isinstance(_backend(), DatabaseBackend)


def _backend() -> Any:
    from fengqiao.cases.tasks import deadline_fire
    from fengqiao.notifications.tasks import deliver_notifications

    backend = task_backends[deadline_fire.backend]
    return backend if task_backends[deliver_notifications.backend] is backend else None


def write(plan: Write) -> None:
    """Write ``plan`` in one statement and give its objects their ids."""
    from fengqiao.notifications.tasks import deliver_notifications

    backend = _backend()
    timer_rows = [task_row(backend, call) for call in plan.timers]
    delivery = task_row(backend, Call(deliver_notifications, ([],))) if plan.notices else None
    pending = tuple(
        tuple(i for i, arg in enumerate(call.args) if isinstance(arg, PendingId))
        for call in plan.timers
    )
    shape = _Shape(
        parties=len(plan.parties),
        assignments=len(plan.assignments),
        timers=pending,
        notices=len(plan.notices),
        notice_only=plan.notice_only is not None,
        partners=len(plan.partners),
        handlers=len(plan.handlers),
        idempotency=plan.idempotency is not None,
    )
    params: list[Any] = [plan.number_prefix]
    params += _params(plan.case, _CASE_REFS)
    params += _params(plan.report, _CHILD_REFS)
    for party in plan.parties:
        params += _params(party, _CHILD_REFS)
    for assignment in plan.assignments:
        params += _params(assignment, _CHILD_REFS)
    params += _params(plan.event, _CHILD_REFS)
    for row, positions in zip(timer_rows, pending, strict=True):
        params += _params(row, _task_refs(positions))
    if delivery is not None:
        params += [plan.notice_kind, PENDING_NUMBER, plan.event.at]
        for department_id, message in plan.notices:
            params += [department_id, message]
        if plan.notice_only is not None:
            params += [plan.notice_only[0], plan.notice_only[1]]
        params += _params(delivery, _DELIVERY_REFS)
    for unit in plan.partners:
        params.append(unit.pk)
    for user in plan.handlers:
        params.append(user.pk)
    if plan.idempotency is not None:
        params += _params(plan.idempotency, _CHILD_REFS)
    day, path = plan.dirty
    params += [day, path, plan.event.at]
    sql = _sql(shape)
    began = time.monotonic()
    with _bound_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if connection.queries_logged:
        # Django's debug cursor cannot render a server-bound statement; log its text as is.
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - began:.3f}"})
    case_id, number, report_ids, party_ids, assignment_ids, notified = row
    case = plan.case
    case.pk, case.number = case_id, number
    _saved(case)
    children: list[Report | Party | Assignment] = [plan.report, *plan.parties, *plan.assignments]
    for child in children:
        child.case_id = case_id
        _saved(child)
    plan.report.pk = report_ids[0]
    for party, pk in zip(plan.parties, party_ids, strict=True):
        party.pk = pk
    for assignment, pk in zip(plan.assignments, assignment_ids, strict=True):
        assignment.pk = pk
    # Not part of the answer, so their ids are not read back; they refer to the case, though.
    plan.event.case_id = case_id
    if plan.idempotency is not None:
        plan.idempotency.case_id = case_id
    # Written now: tell listeners, as the backend's own enqueue does, with the real arguments.
    for timer, positions in zip(timer_rows, pending, strict=True):
        for position in positions:
            timer.args_kwargs["args"][position] = case_id
    if delivery is not None and notified:
        delivery.args_kwargs = {"args": [list(notified)], "kwargs": {}}
        timer_rows.append(delivery)
    for row in timer_rows:
        task_enqueued.send(type(backend), task_result=row.task_result)


class _PreparedCursor(psycopg.RawCursor):
    """Binds values on the server with PostgreSQL's own ``$n`` placeholders and prepares the
    statement: psycopg neither parses the long text nor quotes each value into it, and
    PostgreSQL parses and plans it once per connection and shape instead of every time.

    Django turns psycopg's automatic preparation off (for transaction-mode poolers) and its
    cursors interpolate values client-side; this cursor serves only the registration write.
    """

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("prepare", True)
        return super().execute(query, params, **kwargs)


def _bound_cursor() -> Any:
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # None forbids preparing at all; a threshold never reached allows explicit preparation
        # only. Django's cursors bind client-side and never prepare, so nothing else changes.
        raw.prepare_threshold = 2**31
    # Wrapped as connection.cursor() wraps: database errors become Django's (IntegrityError).
    cursor: Any = _PreparedCursor(raw)  # the stubs take the wrapper for the raw cursor
    return connection.make_cursor(cursor)


def _saved(obj: Model) -> None:
    obj._state.adding = False
    obj._state.db = connection.alias


# --- SQL, per shape ---------------------------------------------------------------------------

_CASE_REFS = {"id": _CASE_ID, "number": _CASE_NUMBER}
_CHILD_REFS = {"case_id": _CASE_ID}


def _task_refs(positions: tuple[int, ...]) -> dict[str, str]:
    expression = "%s::jsonb"
    for position in positions:
        expression = f"jsonb_set({expression}, '{{args,{position}}}', to_jsonb({_CASE_ID}))"
    return {"args_kwargs": expression}


# The delivery's one argument is the list of notification ids the statement inserts.
_DELIVERY_REFS = {
    "args_kwargs": "jsonb_build_object('args', jsonb_build_array(jsonb_agg(n.id ORDER BY n.id)),"
    " 'kwargs', '{}'::jsonb)"
}


@functools.cache
def _fields(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    """The columns an INSERT of ``model`` lists: every concrete field but a generated id."""
    # The case's id is listed: the statement draws it first, for the number and the children.
    return tuple(
        f
        for f in model._meta.concrete_fields
        if model is Case or not (f.primary_key and isinstance(f, AutoFieldMixin))
    )


def _params(obj: Model, refs: dict[str, str]) -> list[Any]:
    # What the ORM's INSERT binds: pre_save (auto_now, defaults) then the database form. The
    # connection itself, not the thread-local proxy: it is looked up once per value.
    db = connections[DEFAULT_DB_ALIAS]
    return [
        f.get_db_prep_save(f.pre_save(obj, True), db)
        for f in _fields(type(obj))
        if "%s" in refs.get(f.attname, "%s")
    ]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[Model]) -> str:
    return _q(model._meta.db_table)


def _columns(model: type[Model]) -> str:
    return ", ".join(_q(f.column) for f in _fields(model))


def _values(model: type[Model], refs: dict[str, str]) -> str:
    return "(" + ", ".join(refs.get(f.attname, "%s") for f in _fields(model)) + ")"


def _insert(name: str, model: type[Model], rows: int, refs: dict[str, str]) -> str:
    values = ", ".join([_values(model, refs)] * rows)
    return (
        f"{name} AS (INSERT INTO {_table(model)} ({_columns(model)}) VALUES {values}"
        f" RETURNING {_q(model._meta.pk.column)} AS id)"
    )


@dataclass(frozen=True)
class _Shape:
    parties: int
    assignments: int
    timers: tuple[tuple[int, ...], ...]
    notices: int
    notice_only: bool
    partners: int
    handlers: int
    idempotency: bool


@functools.lru_cache(maxsize=256)
def _sql(shape: _Shape) -> str:
    from django_tasks_db.models import DBTaskResult

    case_table = Case._meta.db_table
    ctes = [
        # MATERIALIZED: the id is drawn once, however often the other parts read it.
        "i AS MATERIALIZED (SELECT s.id, %s || lpad(s.id::text, greatest(7, length(s.id::text)),"
        f" '0') AS number FROM (SELECT nextval(pg_get_serial_sequence('{_q(case_table)}',"
        f" '{Case._meta.pk.column}')) AS id) s)",
        _insert("c", Case, 1, _CASE_REFS),
        _insert("r", Report, 1, _CHILD_REFS),
    ]
    if shape.parties:
        ctes.append(_insert("p", Party, shape.parties, _CHILD_REFS))
    if shape.assignments:
        ctes.append(_insert("a", Assignment, shape.assignments, _CHILD_REFS))
    ctes.append(_insert("e", TimelineEvent, 1, _CHILD_REFS))
    for n, positions in enumerate(shape.timers):
        ctes.append(_insert(f"t{n}", DBTaskResult, 1, _task_refs(positions)))
    if shape.notices:
        user = User._meta
        notices = ", ".join(["(%s::bigint, %s::text)"] * shape.notices)
        only = (
            f" AND (u.{_q(user.get_field('role').column)} = %s OR u.{_q(user.pk.column)} = ANY(%s::bigint[]))"
            if shape.notice_only
            else ""
        )
        ctes.append(
            f"n AS (INSERT INTO {_table(Notification)} ({_q('user_id')}, {_q('kind')},"
            f" {_q('case_id')}, {_q('message')}, {_q('created_at')})"
            f" SELECT u.{_q(user.pk.column)}, %s, {_CASE_ID},"
            f" left(replace(nd.message, %s, {_CASE_NUMBER}), 255), %s"
            f" FROM {_table(User)} u JOIN (VALUES {notices}) AS nd(department_id, message)"
            f" ON u.{_q(user.get_field('department').column)} = nd.department_id"
            f" WHERE u.{_q(user.get_field('is_active').column)}{only}"
            f" ORDER BY nd.department_id, u.{_q(user.pk.column)} RETURNING id)"
        )
        ctes.append(
            f"dl AS (INSERT INTO {_table(DBTaskResult)} ({_columns(DBTaskResult)})"
            f" SELECT {_values(DBTaskResult, _DELIVERY_REFS)[1:-1]} FROM n HAVING count(*) > 0)"
        )
    for name, through, target, count in (
        ("pu", Case.partner_units.through, "orgunit_id", shape.partners),
        ("h", Case.handlers.through, "user_id", shape.handlers),
    ):
        if count:
            rows = ", ".join([f"({_CASE_ID}, %s)"] * count)
            ctes.append(
                f"{name} AS (INSERT INTO {_table(through)} ({_q('case_id')}, {_q(target)})"
                f" VALUES {rows})"
            )
    if shape.idempotency:
        ctes.append(_insert("k", IdempotencyRecord, 1, _CHILD_REFS))
    # The cockpit statistics follow every change (``metrics.dirty.mark_dirty``'s upsert).
    ctes.append(
        f"m AS (INSERT INTO {_table(DirtyDay)} ({_q('day')}, {_q('unit_path')},"
        f" {_q('marked_at')}) VALUES (%s, %s, %s) ON CONFLICT ({_q('day')}, {_q('unit_path')})"
        f" DO UPDATE SET {_q('marked_at')} = EXCLUDED.{_q('marked_at')})"
    )
    ids = "ARRAY(SELECT id FROM {0} ORDER BY id)"
    text = (
        "WITH "
        + ", ".join(ctes)
        + " SELECT (SELECT id FROM i), (SELECT number FROM i), ARRAY(SELECT id FROM r), "
        + (ids.format("p") if shape.parties else "'{}'::bigint[]")
        + ", "
        + (ids.format("a") if shape.assignments else "'{}'::bigint[]")
        + ", "
        + (ids.format("n") if shape.notices else "'{}'::bigint[]")
    )
    # Written with %s above for readability; numbered here for the raw cursor.
    first, *rest = text.split("%s")
    return first + "".join(f"${n}{part}" for n, part in enumerate(rest, start=1))
