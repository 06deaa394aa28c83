from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django_tasks import task
from django_tasks_db.models import DBTaskResult, get_date_max

from fengqiao.core.queue import Call, enqueue_many


@task()
def _echo(value: int, *, label: str = "") -> str:
    return f"{label}{value}"


@pytest.mark.django_db
class TestEnqueueMany:
    def test_rows_match_what_the_backend_writes_itself(self, django_assert_num_queries) -> None:
        later = datetime(2030, 1, 1, tzinfo=UTC)
        with django_assert_num_queries(1):
            enqueue_many([Call(_echo, (1,), {"label": "a"}), Call(_echo, (2,), run_after=later)])
        _echo.enqueue(3, label="c")
        rows = {r.args_kwargs["args"][0]: r for r in DBTaskResult.objects.all()}
        assert rows[1].args_kwargs == {"args": [1], "kwargs": {"label": "a"}}
        assert rows[1].run_after == get_date_max() == rows[3].run_after
        assert rows[2].run_after == later
        assert {r.task_path for r in rows.values()} == {_echo.module_path}
        assert {r.queue_name for r in rows.values()} == {rows[3].queue_name}

    def test_nothing_to_enqueue_writes_nothing(self, django_assert_num_queries) -> None:
        with django_assert_num_queries(0):
            enqueue_many([])
