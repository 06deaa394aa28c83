"""The engine: every rule kind, batch idempotency, the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengqiao.early_warning.engine import evaluate_batch, sweep
from fengqiao.early_warning.models import (
    BatchEvaluation,
    Device,
    Warning,
    WarningEvent,
    WarningRule,
)
from fengqiao.early_warning.rules import load_default_rules
from fengqiao.early_warning.tests.conftest import open_warnings, signal, stored_signals
from fengqiao.signals.models import SignalBatch

pytestmark = pytest.mark.django_db


class TestThreshold:
    def test_level_over_threshold_raises_one_assigned_warning(self, ew):
        batch = stored_signals([signal("YB-HFC-0002-LV", "level", 0.93)])
        assert evaluate_batch(batch) == 1
        (warning,) = open_warnings()
        assert warning.rule.code == "septic.level"
        assert warning.status == "assigned"
        assert warning.assigned_unit == ew.world.region.units["B1"]
        assert warning.risk_point == ew.septic
        assert warning.value == pytest.approx(0.93)
        assert warning.deadline == warning.assigned_at + timedelta(minutes=30)
        assert "0.93" in warning.explanation

    def test_below_threshold_raises_nothing(self, ew):
        assert evaluate_batch(stored_signals([signal("YB-HFC-0002-LV", "level", 0.5)])) == 0
        assert open_warnings() == []

    def test_under_rule(self, ew):
        rule = WarningRule.objects.create(
            code="t.battery", name="电池电量低", kind="under", signal_kind="battery", threshold=10
        )
        now = timezone.now()
        batch = stored_signals(
            [
                signal("YB-HFC-0002-LV", "battery", 30, now - timedelta(minutes=2)),
                signal("YB-HFC-0002-LV", "battery", 8, now - timedelta(minutes=1)),
            ]
        )
        assert evaluate_batch(batch) == 1
        assert Warning.objects.get(rule=rule).value == 8

    def test_rule_limited_to_other_point_types_does_not_fire(self, ew):
        # The slope's device reports a septic-style level: septic.level only applies to tanks.
        assert evaluate_batch(stored_signals([signal("YC-BP-0001-D1", "level", 0.99)])) == 0


class TestRateOfChange:
    def test_against_the_devices_previous_value_across_batches(self, ew):
        t0 = timezone.now() - timedelta(hours=2)
        first = stored_signals([signal("YC-BP-0001-D1", "displacement", 10.0, t0)])
        assert evaluate_batch(first) == 0
        # 10 → 13 mm in an hour: under 5 mm/h; then 13 → 25 mm in half an hour: 24 mm/h.
        second = stored_signals(
            [
                signal("YC-BP-0001-D1", "displacement", 13.0, t0 + timedelta(hours=1)),
                signal("YC-BP-0001-D1", "displacement", 25.0, t0 + timedelta(hours=1.5)),
            ]
        )
        assert evaluate_batch(second) == 1
        (warning,) = open_warnings()
        assert warning.rule.code == "slope.displacement_rate"
        assert warning.value == pytest.approx(24.0)
        assert warning.assigned_unit == ew.world.region.units["A1"]

    def test_slow_change_does_not_fire(self, ew):
        t0 = timezone.now() - timedelta(hours=3)
        batch = stored_signals(
            [
                signal("YC-BP-0001-D1", "displacement", 10.0, t0),
                signal("YC-BP-0001-D1", "displacement", 12.0, t0 + timedelta(hours=1)),
            ]
        )
        assert evaluate_batch(batch) == 0


class TestIdempotency:
    def test_batch_evaluated_twice_acts_once(self, ew):
        batch = stored_signals([signal("YB-HFC-0002-LV", "level", 0.95)])
        assert evaluate_batch(batch) == 1
        events = WarningEvent.objects.count()
        assert evaluate_batch(batch) == 0
        assert WarningEvent.objects.count() == events
        assert Warning.objects.get().fire_count == 1
        assert BatchEvaluation.objects.get(batch_id=batch).warnings == 1
        assert SignalBatch.objects.get(pk=batch).evaluated_at is not None

    def test_repeat_fires_update_the_one_open_warning(self, ew):
        now = timezone.now()
        for minutes, level in ((3, 0.9), (2, 0.95), (1, 0.97)):
            evaluate_batch(
                stored_signals(
                    [signal("YB-HFC-0002-LV", "level", level, now - timedelta(minutes=minutes))]
                )
            )
        (warning,) = Warning.objects.all()
        assert warning.fire_count == 3
        assert warning.value == pytest.approx(0.97)
        kinds = list(warning.events.values_list("kind", flat=True))
        assert kinds == ["raised", "assigned", "fired_again", "fired_again"]

    def test_unknown_device_is_registered_and_remembered(self, ew):
        batch = stored_signals([signal("NEW-1", "temperature", 21.5)])
        evaluate_batch(batch)
        device = Device.objects.get(device_id="NEW-1")
        assert device.risk_point is None
        assert device.last_value == 21.5

    def test_older_batch_never_overwrites_a_newer_reading(self, ew):
        now = timezone.now()
        evaluate_batch(stored_signals([signal("YB-HFC-0002-LV", "level", 0.4, now)]))
        evaluate_batch(
            stored_signals([signal("YB-HFC-0002-LV", "level", 0.3, now - timedelta(hours=1))])
        )
        assert Device.objects.get(device_id="YB-HFC-0002-LV").last_value == 0.4


class TestSweep:
    def test_maintenance_overdue_raises_once_per_due_date(self, ew):
        assert sweep() == 1
        (warning,) = open_warnings()
        assert warning.rule.code == "septic.maintenance"
        assert warning.value == 10
        assert sweep() == 0  # the same episode
        warning.status = "closed"
        warning.save()
        assert sweep() == 0  # closed, and the point is still not maintained: same due date

    def test_silence(self, ew):
        device = Device.objects.get(device_id="YB-HFC-0002-LV")
        device.last_seen_at = timezone.now() - timedelta(hours=7)
        device.save()
        Warning.objects.all().delete()
        raised = sweep()
        codes = sorted(Warning.objects.values_list("rule__code", flat=True))
        assert raised == 2
        assert codes == ["device.silent", "septic.maintenance"]
        assert sweep() == 0

    def test_recent_device_is_not_silent(self, ew):
        Device.objects.filter(device_id="YB-HFC-0002-LV").update(
            last_seen_at=timezone.now() - timedelta(hours=1)
        )
        sweep()
        assert not Warning.objects.filter(rule__code="device.silent").exists()

    def test_case_count_in_a_grid(self, ew):
        from fengqiao.cases.services import case_register
        from fengqiao.testing.cases import case_in

        clerk = ew.user("a1_clerk")
        for n in range(4):
            case_register(actor=clerk, data=case_in(title=f"欠薪{n}", category="M10.01"))
        raised = sweep()
        warning = Warning.objects.get(rule__code="cases.wage_cluster")
        assert raised >= 1
        assert warning.value == 4
        assert warning.unit == ew.world.region.units["A1a-g1"]
        assert "4" in warning.explanation
        assert sweep() == 0

    def test_default_rules_load_once(self, ew):
        assert load_default_rules() == 0
