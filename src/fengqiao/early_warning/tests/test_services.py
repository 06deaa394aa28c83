"""The warning lifecycle, raising through the contract, rule_ensure, permissions and versions."""

from __future__ import annotations

import pytest

from fengqiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.early_warning import services
from fengqiao.early_warning.models import Warning, WarningRule
from fengqiao.notifications.models import Notification

pytestmark = pytest.mark.django_db


def raise_septic(ew, **overrides) -> Warning:
    values = {
        "rule_code": "septic.maintenance",
        "subject_key": f"point:{ew.septic.code}",
        "unit": ew.septic.grid,
        "colour": "orange",
        "title": "工农社区2号化粪池：维保检查超期",
        "explanation": "维保超期10天",
        "value": 10.0,
        "risk_point": ew.septic,
    }
    values.update(overrides)
    return services.warning_raise(**values)


class TestWarningRaise:
    def test_is_assigned_to_the_township_and_notifies_it(self, ew):
        warning = raise_septic(ew)
        assert warning.status == "assigned"
        assert warning.assigned_unit == ew.world.region.units["B1"]
        told = set(Notification.objects.values_list("user__username", flat=True))
        assert told == {"b1_clerk", "b1a_grid"}

    def test_repeat_updates_the_open_warning(self, ew):
        first = raise_septic(ew)
        second = raise_septic(ew, value=12.0, explanation="维保超期12天")
        assert first.pk == second.pk
        assert second.fire_count == 2
        assert second.value == 12.0
        assert Warning.objects.count() == 1

    def test_after_closing_a_new_warning_is_raised(self, ew):
        first = raise_septic(ew)
        Warning.objects.filter(pk=first.pk).update(status="closed")
        assert raise_septic(ew).pk != first.pk

    def test_unknown_rule_is_422(self, ew):
        with pytest.raises(ValidationFailed) as exc:
            raise_septic(ew, rule_code="nope")
        assert exc.value.field == "rule_code"


class TestRuleEnsure:
    def test_creates_once_and_leaves_configuration_alone(self, ew):
        rule = services.rule_ensure(code="labour.score", name="劳资纠纷风险", colour="red")
        rule.deadline_minutes = 99
        rule.save()
        again = services.rule_ensure(code="labour.score", name="其他", colour="green")
        assert again.pk == rule.pk
        assert again.deadline_minutes == 99
        assert WarningRule.objects.filter(code="labour.score").count() == 1

    def test_external_warning_above_township_stays_with_its_unit(self, ew):
        services.rule_ensure(code="labour.score", name="劳资纠纷风险", colour="red")
        district = ew.world.region.units["A"]
        warning = services.warning_raise(
            rule_code="labour.score",
            subject_key="employer:7",
            unit=district,
            colour="red",
            title="某建筑公司：劳资纠纷风险",
            explanation="工资拖欠45天（+28.0）",
        )
        assert warning.assigned_unit == district


class TestLifecycle:
    def test_full_story_verify_handle_close(self, ew):
        w = raise_septic(ew)
        w = services.warning_verify(
            actor=ew.user("b1a_grid"),
            warning_id=w.pk,
            expected_version=w.version,
            confirmed=True,
            note="现场核实属实",
        )
        assert w.status == "verified"
        w = services.warning_handle(
            actor=ew.user("b1_clerk"),
            warning_id=w.pk,
            expected_version=w.version,
            note="物业公司完成检修保养",
        )
        assert w.status == "handled"
        w = services.warning_close(
            actor=ew.user("b1_clerk"),
            warning_id=w.pk,
            expected_version=w.version,
            feedback="已办结，结果反馈区治理中心",
        )
        assert w.status == "closed"
        kinds = list(w.events.values_list("kind", flat=True))
        assert kinds == ["raised", "assigned", "verified", "handled", "closed"]
        assert w.events.get(kind="closed").data["minutes_since_raised"] == 0

    def test_false_alarm_is_final(self, ew):
        w = raise_septic(ew)
        w = services.warning_verify(
            actor=ew.user("b1a_grid"),
            warning_id=w.pk,
            expected_version=None,
            confirmed=False,
            note="传感器误报",
        )
        assert w.status == "false_alarm"
        assert w.closed_at is not None

    @pytest.mark.parametrize(
        ("call", "kwargs"),
        [
            (services.warning_handle, {"note": "x"}),
            (services.warning_close, {"feedback": "x"}),
        ],
    )
    def test_illegal_transition_is_409_and_changes_nothing(self, ew, call, kwargs):
        w = raise_septic(ew)
        with pytest.raises(Conflict):
            call(actor=ew.user("b1_clerk"), warning_id=w.pk, expected_version=w.version, **kwargs)
        fresh = Warning.objects.get(pk=w.pk)
        assert (fresh.status, fresh.version, fresh.events.count()) == ("assigned", w.version, 2)

    def test_clerk_cannot_verify(self, ew):
        w = raise_septic(ew)
        with pytest.raises(PermissionDenied):
            services.warning_verify(
                actor=ew.user("b1_clerk"),
                warning_id=w.pk,
                expected_version=None,
                confirmed=True,
                note="x",
            )

    def test_grid_worker_of_another_grid_gets_404(self, ew):
        w = raise_septic(ew)
        with pytest.raises(NotFound):
            services.warning_verify(
                actor=ew.user("a1a_grid"),
                warning_id=w.pk,
                expected_version=None,
                confirmed=True,
                note="x",
            )

    def test_other_township_gets_404(self, ew):
        w = raise_septic(ew)
        with pytest.raises(NotFound):
            services.warning_convert(
                actor=ew.user("a1_clerk"), warning_id=w.pk, expected_version=None
            )

    def test_stale_version_is_409(self, ew):
        w = raise_septic(ew)
        services.warning_verify(
            actor=ew.user("b1a_grid"),
            warning_id=w.pk,
            expected_version=w.version,
            confirmed=True,
            note="属实",
        )
        with pytest.raises(Conflict) as exc:
            services.warning_handle(
                actor=ew.user("b1_clerk"), warning_id=w.pk, expected_version=w.version, note="x"
            )
        assert exc.value.field == "version"

    def test_note_is_required(self, ew):
        w = raise_septic(ew)
        with pytest.raises(ValidationFailed) as exc:
            services.warning_verify(
                actor=ew.user("b1a_grid"),
                warning_id=w.pk,
                expected_version=None,
                confirmed=True,
                note="  ",
            )
        assert exc.value.field == "note"
        assert Warning.objects.get(pk=w.pk).status == "assigned"


class TestConvert:
    def test_becomes_a_sensor_case_linked_both_ways(self, ew):
        from fengqiao.cases.selectors import case_get, case_timeline

        w = raise_septic(ew, lng=ew.septic.lng, lat=ew.septic.lat)
        clerk = ew.user("b1_clerk")
        w = services.warning_convert(actor=clerk, warning_id=w.pk, expected_version=w.version)
        assert w.status == "converted"
        case = case_get(actor=clerk, case_id=w.case_id)
        assert case.channel.code == "sensor"
        assert case.category.code == "M09.08"
        assert case.territory == ew.septic.grid
        assert case.reports.get().external_id == f"EW-{w.pk}"
        notes = [e.data for e in case_timeline(actor=clerk, case=case) if e.kind == "note"]
        assert notes == [{"warning_id": w.pk}]

    def test_bad_category_is_422_and_nothing_changes(self, ew):
        w = raise_septic(ew)
        with pytest.raises(ValidationFailed):
            services.warning_convert(
                actor=ew.user("b1_clerk"),
                warning_id=w.pk,
                expected_version=None,
                category_code="ZZ.99",
            )
        assert Warning.objects.get(pk=w.pk).status == "assigned"
