"""Coverage computation on the durable queue, requested by the coverage page when stations or
units have changed since the stored run."""

from __future__ import annotations

from django_tasks import task

from fengqiao.service_circle.coverage import coverage_run_execute


@task()
def coverage_run(run_id: int) -> int:
    """Compute one requested coverage run; returns the id of the run holding the result."""
    return coverage_run_execute(run_id=run_id).pk
