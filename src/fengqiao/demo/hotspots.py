"""A week of noise complaints piling up in one grid of 胜利路街道, so the demo's hotspot list and
cockpit have a cluster to explain ("14 cases in 7 days, 0.1 expected").

The cases go through ``case_register`` like any hotline call; only their registration times are
spread back over the last six days afterwards. Each carries a fixed 12345 work-order number, so a
second ``init --demo`` registers nothing twice. The demo's statistics and the first hotspot run
are then computed at once rather than at the next nightly slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, Report
from fengqiao.cases.schemas import CaseIn, PartyIn, ReportIn
from fengqiao.cases.services import case_register
from fengqiao.orgs.models import Level

CLUSTER_SIZE = 14
CATEGORY = "M02.04"  # 噪音扰民
COMPLAINTS = (
    ("夜间施工噪音扰民", "凌晨仍有工地机械作业，噪音严重影响休息。"),
    ("广场舞音响过大", "晚间广场舞音响音量过大，持续到十点以后。"),
    ("商铺外放音乐扰民", "临街商铺整日外放音乐，多次劝说无果。"),
    ("楼上装修噪音", "楼上住户装修电钻声不断，周末也不停工。"),
)
CALLERS = ("刘敏", "陈静", "杨洋", "黄磊", "赵娟", "周涛", "吴艳")


@dataclass(frozen=True)
class ClusterSummary:
    created: int
    grid: str

    def summary(self) -> str:
        return f"{self.created} noise complaints in {self.grid} over the last week"


def load_demo_cluster(stdout: TextIO | None = None) -> ClusterSummary:
    clerk = User.objects.get(username="clerk")
    grid = (
        Jurisdiction.of(clerk)
        .units()
        .filter(level=Level.GRID, is_active=True)
        .order_by("path")
        .defer("boundary")
        .first()
    )
    if grid is None:
        raise RuntimeError("the demo clerk's township has no grid")
    now = timezone.now()
    created = 0
    with transaction.atomic():
        for n in range(CLUSTER_SIZE):
            title, description = COMPLAINTS[n % len(COMPLAINTS)]
            caller = CALLERS[n % len(CALLERS)]
            phone = f"1390238{n:04d}"
            data = CaseIn(
                title=title,
                description=description,
                category=CATEGORY,
                unit_id=grid.pk,
                report=ReportIn(
                    channel="12345",
                    external_id=f"12345-DEMO-HOT-{n:02d}",
                    reporter_name=caller,
                    reporter_phone=phone,
                    content=description,
                ),
                parties=[PartyIn(role="applicant", name=caller, phone=phone)],
            )
            registration = case_register(actor=clerk, data=data)
            if not registration.created:
                continue
            created += 1
            # Spread over the six days before now, several a day, the latest this morning.
            when = now - timedelta(days=n % 6, hours=2 + (n * 5) % 9)
            Case.objects.filter(pk=registration.case.pk).update(created_at=when)
            Report.objects.filter(case_id=registration.case.pk).update(received_at=when)
    if stdout is not None and created:
        stdout.write(f"Registered {created} demo noise complaints in {grid.name}\n")
    return ClusterSummary(created, grid.name)


def compute_demo_statistics(stdout: TextIO | None = None) -> str:
    """The cockpit's daily statistics and a first hotspot run over the demo history."""
    from fengqiao.hotspots.detection import DetectionParams
    from fengqiao.hotspots.models import CategoryLevel, RunTrigger
    from fengqiao.hotspots.services import hotspot_run_create, hotspot_run_execute
    from fengqiao.metrics.aggregate import rebuild

    stats = rebuild()
    run = hotspot_run_create(
        params=DetectionParams(),
        trigger=RunTrigger.ON_DEMAND,
        requested_by=None,
        category_level=CategoryLevel.MAJOR,
        window_end=timezone.localdate(),
    )
    run = hotspot_run_execute(run_id=run.pk)
    text = (
        f"{stats['cases']} cases in {stats['stats']} statistic rows; "
        f"hotspots: {run.flagged} in {run.series_evaluated} series"
    )
    if stdout is not None:
        stdout.write(text + "\n")
    return text
