"""Background work of labour-dispute risk: re-scoring after an import, and every night."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django_tasks import task

from fengqiao.core import schedule
from fengqiao.labour.services import labour_refresh as refresh
from fengqiao.labour.services import latest_period


@task()
def labour_refresh(period_isos: list[str]) -> dict[str, Any]:
    """Re-score the months an import touched and raise the latest month's warnings."""
    result = refresh(periods=[date.fromisoformat(p) for p in period_isos])
    return {"scored": sum(r.scored for r in result.runs), "warnings": result.warnings}


@task()
def labour_nightly(slot_iso: str) -> dict[str, Any]:
    """Earlier complaints grow as cases come in: re-score the latest month each night."""
    month = latest_period()
    if month is None:
        return {"scored": 0, "warnings": 0}
    result = refresh(periods=[month])
    return {"scored": sum(r.scored for r in result.runs), "warnings": result.warnings}


schedule.register("labour.nightly", labour_nightly, daily_at=time(3, 20))
