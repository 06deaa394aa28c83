"""The draw: which cases are candidates, reproducibility by seed, sizes following the plan."""

from __future__ import annotations

from datetime import datetime

import pytest

from fengqiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.revisits.models import Revisit, RevisitDraw
from fengqiao.revisits.sampling import candidates, parse_period, sample
from fengqiao.revisits.services import draw_create
from fengqiao.revisits.tasks import revisits_monthly_draw
from fengqiao.revisits.tests.conftest import MARCH, mediated

APRIL = "2025-04"


@pytest.fixture
def march(world):
    """3 major cases (two by amount, one by people) and 17 ordinary ones closed in March."""
    major = [
        mediated(world, amount=80000),
        mediated(world, amount=50000),
        mediated(world, people=12),
    ]
    ordinary = [mediated(world, amount=100 * n) for n in range(17)]
    return major, ordinary


class TestCandidates:
    def test_closed_in_the_month_with_session_or_agreement(self, world, plan):
        counted = [
            mediated(world),
            mediated(world, agreement=False),
            mediated(world, session=False),
        ]
        mediated(world, agreement=False, session=False)  # closed without mediation
        mediated(world, period=APRIL)  # another month
        mediated(world, closed=False)  # still open
        mediated(world, restricted=True)  # domestic violence: never sampled
        mediated(world, where="B1")  # another district
        found = [c.case_id for c in candidates(plan, MARCH)]
        assert set(found) == {c.pk for c in counted}
        numbers = [c.number for c in candidates(plan, MARCH)]
        assert numbers == sorted(numbers)

    def test_agreement_required_leaves_out_session_only_cases(self, world, plan):
        with_agreement = mediated(world)
        mediated(world, agreement=False)
        plan.agreement_required = True
        assert [c.case_id for c in candidates(plan, MARCH)] == [with_agreement.pk]

    def test_period_must_be_a_month(self):
        with pytest.raises(ValidationFailed) as exc:
            parse_period("2025-13")
        assert exc.value.field == "period"


class TestSample:
    def test_same_seed_gives_the_same_sample(self, world, plan, march):
        first, second = sample(plan, MARCH, 42), sample(plan, MARCH, 42)
        assert first.pairs() == second.pairs()
        assert first.sizes == second.sizes

    def test_different_seed_gives_a_different_sample(self, world, plan, march):
        def ids(seed: int) -> list[tuple[str, str, int]]:
            return [(lvl, g, c.case_id) for lvl, g, c in sample(plan, MARCH, seed).pairs()]

        assert ids(42) != ids(43)
        # Full shares select everything whatever the seed: only partial strata differ.
        assert [p for p in ids(42) if p[0] == "mediator"] == [
            p for p in ids(43) if p[0] == "mediator"
        ]

    def test_sizes_follow_the_plan_rounding_up(self, world, plan, march):
        major, ordinary = march
        drawn = sample(plan, MARCH, 7)
        # 3 major, 17 ordinary; size = ceil(n × share / 100).
        expected = {
            "mediator": {"major": (3, 100, 3), "ordinary": (17, 100, 17)},
            "committee_head": {"major": (3, 100, 3), "ordinary": (17, 30, 6)},  # 5.1 → 6
            "judicial_office": {"major": (3, 100, 3), "ordinary": (17, 10, 2)},  # 1.7 → 2
            "district_bureau": {"major": (3, 50, 2), "ordinary": (17, 5, 1)},  # 1.5, 0.85
        }
        assert drawn.sizes == {
            level: {
                grade: {"candidates": n, "share": share, "size": size}
                for grade, (n, share, size) in grades.items()
            }
            for level, grades in expected.items()
        }
        major_ids, ordinary_ids = {c.pk for c in major}, {c.pk for c in ordinary}
        for level, grades in drawn.chosen.items():
            assert {c.case_id for c in grades["major"]} <= major_ids
            assert {c.case_id for c in grades["ordinary"]} <= ordinary_ids
            for grade, chosen in grades.items():
                assert len(chosen) == expected[level][grade][2]
                assert len({c.case_id for c in chosen}) == len(chosen)

    def test_zero_share_draws_nothing(self, world, plan, march):
        plan.shares["district_bureau"] = {"major": 0, "ordinary": 0}
        drawn = sample(plan, MARCH, 7)
        assert drawn.chosen["district_bureau"] == {"major": [], "ordinary": []}


class TestDrawCreate:
    def test_recorded_draw_is_the_seeded_sample(self, world, plan, march):
        draw = draw_create(actor=world.user("a_auditor"), plan_id=plan.pk, period=MARCH, seed=99)
        assert draw.seed == 99
        assert draw.drawn_by == world.user("a_auditor")
        assert draw.candidate_count == 20
        assert draw.sample_size == 3 + 17 + 3 + 6 + 3 + 2 + 2 + 1
        recorded = sorted(
            Revisit.objects.filter(draw=draw).values_list("level", "grade", "case_id")
        )
        expected = sorted((lvl, g, c.case_id) for lvl, g, c in sample(plan, MARCH, 99).pairs())
        assert recorded == expected
        # The only auditor of district A gets them all.
        assert set(Revisit.objects.filter(draw=draw).values_list("assigned_to", flat=True)) == {
            world.user("a_auditor").pk
        }

    def test_a_random_seed_is_recorded(self, world, plan, march):
        draw = draw_create(actor=world.user("a_auditor"), plan_id=plan.pk, period=MARCH)
        assert draw.seed >= 0
        again = sample(plan, MARCH, draw.seed).pairs()
        assert sorted(
            Revisit.objects.filter(draw=draw).values_list("level", "grade", "case_id")
        ) == (sorted((lvl, g, c.case_id) for lvl, g, c in again))

    def test_a_month_is_drawn_once(self, world, plan, march):
        draw_create(actor=world.user("a_auditor"), plan_id=plan.pk, period=MARCH, seed=1)
        with pytest.raises(Conflict):
            draw_create(actor=world.user("a_auditor"), plan_id=plan.pk, period=MARCH, seed=2)
        assert RevisitDraw.objects.count() == 1

    def test_roles_and_jurisdiction(self, world, plan):
        with pytest.raises(PermissionDenied):
            draw_create(actor=world.user("a2_clerk"), plan_id=plan.pk, period=MARCH)
        with pytest.raises(NotFound):
            draw_create(actor=world.user("b1_clerk"), plan_id=plan.pk, period=MARCH)
        assert not RevisitDraw.objects.exists()


class TestMonthlyDraw:
    def test_draws_last_month_once_for_active_plans(self, world, plan, march):
        slot = datetime(2025, 4, 1, 3, 20).astimezone()
        drawn = revisits_monthly_draw.call(slot.isoformat())
        draw = RevisitDraw.objects.get()
        assert drawn == [draw.pk]
        assert (draw.period, draw.automatic, draw.drawn_by) == (MARCH, True, None)
        assert draw.sample_size == 37
        assert revisits_monthly_draw.call(slot.isoformat()) == []

    def test_inactive_plan_is_not_drawn(self, world, plan):
        plan.is_active = False
        plan.save()
        assert revisits_monthly_draw.call(datetime(2025, 4, 2).astimezone().isoformat()) == []
