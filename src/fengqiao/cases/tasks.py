from __future__ import annotations

from django_tasks import task

from fengqiao.cases.deadlines import deadline_act


@task()
def deadline_fire(case_id: int, kind: str, stage: str, due_iso: str) -> str:
    """A case deadline timer (see ``fengqiao.cases.deadlines``)."""
    return deadline_act(case_id=case_id, kind=kind, stage=stage, due_iso=due_iso)
