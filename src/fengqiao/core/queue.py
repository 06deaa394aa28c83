"""Enqueue several tasks in one INSERT when the database backend is in use.

A registration starts four deadline timers and one notification delivery; one statement for all
of them instead of five keeps intake cheap. The rows are exactly what the backend's own
``enqueue`` writes, in the caller's transaction (a rolled-back registration leaves none behind).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued


@dataclass(frozen=True)
class Call:
    task: Any  # a django_tasks Task
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    run_after: datetime | None = None

    def bound(self) -> Any:
        return self.task.using(run_after=self.run_after) if self.run_after else self.task


def enqueue_many(calls: list[Call]) -> None:
    if not calls:
        return
    backend = task_backends[calls[0].task.backend]
    if not isinstance(backend, DatabaseBackend) or any(
        task_backends[c.task.backend] is not backend for c in calls
    ):
        for call in calls:
            call.bound().enqueue(*call.args, **call.kwargs)
        return
    from django_tasks_db.models import DBTaskResult

    rows = [task_row(backend, call) for call in calls]
    DBTaskResult.objects.bulk_create(rows)
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)


def task_row(backend: DatabaseBackend, call: Call) -> Any:
    """The unsaved ``DBTaskResult`` the backend's own ``enqueue`` would write for ``call``."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    task = call.bound()
    backend.validate_task(task)
    return DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": list(call.args), "kwargs": call.kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        # What the backend's pre_save handler does for "as soon as possible".
        run_after=task.run_after or get_date_max(),
        backend_name=backend.alias,
    )
