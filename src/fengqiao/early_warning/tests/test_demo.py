"""The demo's risk points and warnings: loaded once, the septic story closed inside 30 minutes,
warnings in every state."""

from __future__ import annotations

import io

import pytest

from fengqiao.cases.routing.services import load_default_rules
from fengqiao.demo.plan import RegionSize
from fengqiao.demo.region import load_demo_region
from fengqiao.demo.warnings import SEPTIC_CODE, load_demo_warnings
from fengqiao.early_warning.models import RiskPoint, Warning
from fengqiao.taxonomy.services import load_default_channels, load_default_taxonomy

SMALL = RegionSize(townships=(2, 3), villages=(2, 3), grids=(2, 3))


@pytest.fixture
def demo_region(db: None) -> None:
    load_default_taxonomy()
    load_default_channels()
    load_default_rules()
    load_demo_region(size=SMALL)


@pytest.mark.django_db
class TestDemoWarnings:
    def test_loads_once_with_the_septic_story(self, demo_region):
        out = io.StringIO()
        summary = load_demo_warnings(stdout=out)
        assert summary.created
        assert summary.points >= 20
        tank = RiskPoint.objects.get(code=SEPTIC_CODE)
        # 工农社区 where the region has it (the full demo); a small region's first community else.
        community = tank.grid.parent
        assert community.parent.name == "龙塔街道"
        assert tank.name.startswith(community.name)
        story = Warning.objects.get(risk_point=tank, rule__code="septic.maintenance")
        assert story.status == "closed"
        events = list(story.events.order_by("at"))
        assert [e.kind for e in events] == ["raised", "assigned", "verified", "handled", "closed"]
        assert (events[-1].at - events[0].at).total_seconds() == 30 * 60
        assert events[2].actor.username == "grid2"
        statuses = set(Warning.objects.values_list("status", flat=True))
        assert {"assigned", "verified", "handled", "closed", "false_alarm", "converted"} <= statuses
        counts = (RiskPoint.objects.count(), Warning.objects.count())
        again = load_demo_warnings(stdout=io.StringIO())
        assert not again.created
        assert (RiskPoint.objects.count(), Warning.objects.count()) == counts
