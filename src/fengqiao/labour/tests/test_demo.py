from __future__ import annotations

from typing import Any

from fengqiao.demo.labour import MONTHS, STORY_PROJECT, load_demo_labour
from fengqiao.labour.models import Employer, IndicatorValue, LabourScore


def test_demo_employers_are_loaded_once(world: Any) -> None:
    first = load_demo_labour(count=20)
    assert first.created
    assert first.employers == 20
    project = Employer.objects.get(code=STORY_PROJECT)
    assert (project.kind, project.workers) == ("project", 160)
    assert LabourScore.objects.filter(employer=project).count() == MONTHS
    assert sum(first.by_colour.values()) == 20
    values = IndicatorValue.objects.count()
    second = load_demo_labour(count=20)
    assert not second.created
    assert (Employer.objects.count(), IndicatorValue.objects.count()) == (20, values)
