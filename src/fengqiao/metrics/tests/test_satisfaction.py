"""Satisfaction from revisits: answered revisits only, picked up by the minute refresh."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import timezone

from fengqiao.metrics.aggregate import refresh
from fengqiao.metrics.services import unit_figures
from fengqiao.metrics.tests.history import DAY

pytestmark = pytest.mark.skipif(
    not apps.is_installed("fengqiao.revisits"), reason="the revisits app is not installed"
)


def test_satisfied_share_of_answered_revisits(world, history):
    from fengqiao.revisits.models import Revisit, RevisitDraw, SamplingPlan

    unit = world.region.unit("A1")
    plan = SamplingPlan.objects.create(unit=unit, unit_path=unit.path, name="抽访")
    draw = RevisitDraw.objects.create(plan=plan, period="2026-03", seed=1, drawn_at=timezone.now())
    answers = [
        ("c1", "mediator", True, True),  # reached, satisfied
        ("c1", "committee_head", True, False),  # reached, not satisfied
        ("c2", "mediator", True, None),  # reached, no answer: left out
        ("c3", "mediator", False, None),  # not reached: left out
    ]
    for key, level, reached, satisfied in answers:
        case = history[key]
        Revisit.objects.create(
            draw=draw, case=case, territory_path=case.territory_path, level=level,
            grade="ordinary", reached=reached, satisfied=satisfied,
            revisited_at=timezone.now(),
        )  # fmt: skip
    before = unit_figures(actor=world.user("a_leader"), unit=unit, start=DAY, end=DAY)
    assert before.satisfaction.value is None  # the statistics have not seen them yet
    assert refresh() >= 1
    after = unit_figures(actor=world.user("a_leader"), unit=unit, start=DAY, end=DAY)
    assert (after.satisfaction.numerator, after.satisfaction.denominator) == (1, 2)
    assert after.satisfaction.value == 0.5
