"""The demo's revisits: a plan for the auditor's district, a draw per month, most recorded, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.utils import timezone

from fengqiao.cases.routing.services import load_default_rules
from fengqiao.demo.cases import load_demo_cases
from fengqiao.demo.plan import RegionSize
from fengqiao.demo.region import load_demo_region
from fengqiao.demo.revisits import load_demo_revisits
from fengqiao.revisits.models import Revisit, RevisitDraw, SamplingPlan
from fengqiao.taxonomy.services import load_default_channels, load_default_taxonomy

SMALL = RegionSize(townships=(2, 3), villages=(2, 3), grids=(2, 3))


@pytest.fixture
def demo_cases(db: None) -> None:
    load_default_taxonomy()
    load_default_channels()
    load_default_rules()
    load_demo_region(size=SMALL)
    load_demo_cases(count=400, stories=False)


def test_loaded_once_with_most_revisits_recorded(demo_cases: None) -> None:
    out = StringIO()
    summary = load_demo_revisits(out)
    assert summary.created
    plan = SamplingPlan.objects.get()
    draws = list(RevisitDraw.objects.filter(plan=plan).order_by("period"))
    assert len(draws) == 3
    assert draws[-1].period < timezone.localdate().strftime("%Y-%m")
    assert summary.revisits == Revisit.objects.count() > 0
    assert 0.7 * summary.revisits < summary.recorded < summary.revisits
    assert Revisit.objects.filter(status="done").count() == summary.recorded
    assert Revisit.objects.filter(revisited_at__gt=timezone.now()).count() == 0
    again = load_demo_revisits(out)
    assert not again.created
    assert RevisitDraw.objects.count() == 3
    assert "already loaded" in out.getvalue()
