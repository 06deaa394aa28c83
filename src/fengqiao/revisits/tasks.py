"""The monthly draw: each night, every active plan without last month's sample gets one.

Running nightly rather than on the 1st only means a day without a worker delays the draw by a
day instead of skipping the month; the unique (plan, period) draw makes reruns harmless.
"""

from __future__ import annotations

import logging
from datetime import datetime, time

from django_tasks import task

from fengqiao.core import schedule
from fengqiao.core.errors import Conflict
from fengqiao.revisits.sampling import previous_period
from fengqiao.revisits.services import draw_create, plans_to_draw

logger = logging.getLogger(__name__)


@task()
def revisits_monthly_draw(slot_iso: str) -> list[int]:
    period = previous_period(datetime.fromisoformat(slot_iso))
    drawn: list[int] = []
    for plan_id in plans_to_draw(period):
        try:
            drawn.append(draw_create(actor=None, plan_id=plan_id, period=period).pk)
        except Conflict:
            logger.info("revisit sample of plan %s for %s already drawn", plan_id, period)
    return drawn


schedule.register("revisits.monthly_draw", revisits_monthly_draw, daily_at=time(3, 20))
