"""Computing and storing the index through the database, and the metrics from Fengqiao's cases."""

from __future__ import annotations

import math

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fengqiao.cases.services import case_register
from fengqiao.core.errors import PermissionDenied, ValidationFailed
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.safety.compute import index_compute
from fengqiao.safety.config import load_default_config
from fengqiao.safety.metrics import compute_metrics
from fengqiao.safety.models import Dimension, IndexResult, IndexSettings, Indicator
from fengqiao.safety.periods import Period
from fengqiao.safety.tasks import nightly_periods, safety_index_compute, safety_index_nightly
from fengqiao.safety.tests.conftest import CALLS, FEB, JAN, SECURITY
from fengqiao.testing.cases import CaseWorld, case_in
from fengqiao.testing.region import SmallRegion


def result(region: SmallRegion, key: str, period: str = JAN) -> IndexResult:
    return IndexResult.objects.get(unit=region.unit(key), period=period)


class TestDefaultConfig:
    def test_six_dimensions_and_56_indicators(self, config: None) -> None:
        assert Dimension.objects.count() == 6
        assert Indicator.objects.count() == 56
        for dimension in Dimension.objects.all():
            total = sum(i.weight for i in dimension.indicators.all())
            assert total == pytest.approx(100)
        assert IndexSettings.objects.get(pk=1).red_below == 50

    def test_loading_again_keeps_edits(self, config: None) -> None:
        Indicator.objects.filter(code=CALLS).update(weight=20, name_zh="改过的名称")
        summary = load_default_config()
        assert summary.indicators_created == 0
        indicator = Indicator.objects.get(code=CALLS)
        assert (indicator.weight, indicator.name_zh) == (20, "改过的名称")


class TestIndexCompute:
    """With only 110 calls (weight 14) and sense of security (10) active, January's townships:

    calls 90, 40, 20 → min–max risk 1, 2/7, 0; security 86, 95, 99 on fixed 99 (good) → 85 (bad)
    → risk 13/14, 4/14, 0. Index = 100 − 100·(14/24·r_calls + 10/24·r_security):
    A1 = 100 − (58.333 + 38.690) = 2.976; A2 = 100 − 100·(2/7) = 71.429; B1 = 100.
    """

    def test_townships_by_hand(self, computed: SmallRegion) -> None:
        a1, a2, b1 = (result(computed, k) for k in ("A1", "A2", "B1"))
        assert a1.index == pytest.approx(2.98, abs=0.006)
        assert a2.index == pytest.approx(71.43, abs=0.006)
        assert b1.index == pytest.approx(100)
        assert [a1.colour, a2.colour, b1.colour] == ["red", "blue", "blue"]
        assert [b1.rank, a2.rank, a1.rank] == [1, 2, 3]
        assert a1.rank_of == 3
        assert (a1.district_rank, a1.district_rank_of) == (2, 2)
        assert a1.dimension_scores == {"D2": pytest.approx(2.98, abs=0.006)}

    def test_contributions_and_reasons(self, computed: SmallRegion) -> None:
        a1 = result(computed, "A1")
        by_code = {code: (value, risk, points) for code, value, risk, points in a1.contributions}
        assert by_code[CALLS] == (90.0, 1.0, pytest.approx(58.333, abs=0.001))
        assert by_code[SECURITY] == (
            86.0,
            pytest.approx(0.9286, abs=0.0001),
            pytest.approx(38.69, abs=0.001),
        )
        assert [code for code, _points in a1.reasons] == [CALLS, SECURITY]
        assert a1.missing == 0

    def test_negative_list_red_and_lowest_per_district(self, computed: SmallRegion) -> None:
        negative = set(
            IndexResult.objects.filter(period=JAN, negative=True).values_list(
                "unit__name", flat=True
            )
        )
        # Red (below 50): A1, A1a (8.93) and A2a (48.81); B1 and B1a are the lowest of
        # district B but blue, so not listed.
        assert negative == {"胜利路街道", "红旗社区", "萱花社区"}

    def test_villages_are_ranked_among_villages(self, computed: SmallRegion) -> None:
        villages = IndexResult.objects.filter(period=JAN, level=Level.VILLAGE)
        assert villages.count() == 4
        assert {r.rank_of for r in villages} == {4}
        assert result(computed, "A1a").index == pytest.approx(8.93, abs=0.01)

    def test_recompute_replaces_the_period(self, computed: SmallRegion) -> None:
        before = IndexResult.objects.filter(period=JAN).count()
        IndexSettings.objects.filter(pk=1).update(red_below=1, negative_bottom_n=0)
        index_compute(actor=None, period=JAN)
        assert IndexResult.objects.filter(period=JAN).count() == before
        assert result(computed, "A1").colour == "orange"
        assert not result(computed, "A1").negative
        assert IndexResult.objects.filter(period=FEB).count() == before

    def test_only_analysts_compute(self, computed: SmallRegion) -> None:
        with pytest.raises(PermissionDenied):
            index_compute(actor=computed.users["a1_clerk"], period=JAN)
        summary = index_compute(actor=computed.users["a_analyst"], period=JAN)
        assert summary.units == 7

    @pytest.mark.parametrize("period", ["2025-13", "2025/01", "", "2999-01"])
    def test_bad_or_future_period(self, computed: SmallRegion, period: str) -> None:
        with pytest.raises(ValidationFailed) as error:
            index_compute(actor=None, period=period)
        assert error.value.field == "period"

    def test_task_computes_a_period(self, computed: SmallRegion) -> None:
        IndexResult.objects.all().delete()
        assert "2 red" in safety_index_compute.call(period=JAN)
        assert IndexResult.objects.filter(period=JAN).count() == 7


class TestNightly:
    def test_registered_as_a_daily_job(self) -> None:
        from fengqiao.core import schedule

        job = schedule.jobs()["safety.nightly"]
        assert job.task is safety_index_nightly
        assert job.daily_at is not None

    def test_month_under_way_and_the_one_before(self) -> None:
        slot = timezone.make_aware(timezone.datetime(2025, 5, 12, 3, 40))
        assert nightly_periods(slot) == ["2025-04", "2025-05"]

    def test_first_month_of_a_quarter_adds_the_quarter_just_ended(self) -> None:
        slot = timezone.make_aware(timezone.datetime(2025, 1, 3, 3, 40))
        assert nightly_periods(slot) == ["2024-Q4", "2024-12", "2025-01"]


class TestPeriods:
    def test_quarter_bounds_and_previous(self) -> None:
        q1 = Period.parse("2025-q1")
        assert (q1.label, q1.start_date.isoformat(), q1.end_date.isoformat()) == (
            "2025-Q1",
            "2025-01-01",
            "2025-04-01",
        )
        assert q1.previous().label == "2024-Q4"
        assert Period.parse("2025-01").previous().label == "2024-12"
        assert Period.parse("2025-12").end_date.isoformat() == "2026-01-01"


class TestCaseMetrics:
    def test_counts_by_unit_category_channel_and_group(self, world: CaseWorld) -> None:
        clerk = world.user("a1_clerk")
        case_register(actor=clerk, data=case_in())
        case_register(actor=clerk, data=case_in(category="M10.01", people_involved=6))
        case_register(actor=clerk, data=case_in(title="又一起噪音纠纷"))
        period = Period.month_of(timezone.localdate())
        townships = list(OrgUnit.objects.filter(level=Level.TOWNSHIP).order_by("path"))
        metrics = compute_metrics(
            [
                "cases",
                "group_disputes",
                "category:M10",
                "category:M10.01",
                "channel:visit",
                "resolution_rate",
                "cases_per_10k",
                "red_cases",
            ],
            townships,
            period,
        )
        a1, a2 = world.region.unit("A1").pk, world.region.unit("A2").pk
        assert metrics["cases"][a1] == 3
        assert metrics["cases"][a2] == 0
        assert metrics["group_disputes"][a1] == 1
        assert metrics["category:M10"][a1] == metrics["category:M10.01"][a1] == 1
        assert metrics["channel:visit"][a1] == 3
        assert metrics["resolution_rate"][a1] == 0
        assert math.isnan(metrics["resolution_rate"][a2])  # no case: no rate
        assert math.isnan(metrics["cases_per_10k"][a1])  # the test region has no population
        villages = list(OrgUnit.objects.filter(level=Level.VILLAGE).order_by("path"))
        by_village = compute_metrics(["cases"], villages, period)["cases"]
        assert by_village[world.region.unit("A1a").pk] == 3
        assert sum(by_village.values()) == 3

    def test_last_month_is_not_counted_this_month(self, world: CaseWorld) -> None:
        case_register(actor=world.user("a1_clerk"), data=case_in())
        previous = Period.month_of(timezone.localdate()).previous()
        townships = list(OrgUnit.objects.filter(level=Level.TOWNSHIP))
        assert set(compute_metrics(["cases"], townships, previous)["cases"].values()) == {0}

    def test_facility_warnings_are_counted_from_the_early_warning_app(
        self, region: SmallRegion
    ) -> None:
        townships = list(OrgUnit.objects.filter(level=Level.TOWNSHIP))
        counts = compute_metrics(["warnings"], townships, Period.month_of(timezone.localdate()))
        # 0, not NaN: the Warning model was found and queried.
        assert set(counts["warnings"].values()) == {0.0}


class TestImportRecompute:
    def test_import_enqueues_a_recompute_of_its_periods(
        self, region: SmallRegion, config: None
    ) -> None:
        from fengqiao.safety.services import values_import

        values_import(
            actor=None,
            rows=[
                {"unit_code": region.unit("A1").code, "period": JAN, "indicator": CALLS, "value": 5}
            ],
        )
        queued = DBTaskResult.objects.filter(task_path__endswith="safety_index_compute")
        assert [t.args_kwargs["kwargs"] for t in queued] == [{"period": JAN}]
