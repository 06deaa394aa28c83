"""Reference data cached per process must never outlive a change made anywhere."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fengqiao.cases.routing.models import RoutingRule
from fengqiao.cases.services import routing_preview
from fengqiao.core import refcache
from fengqiao.core.errors import ValidationFailed
from fengqiao.orgs.models import Department
from fengqiao.taxonomy.models import Category
from fengqiao.testing.cases import case_in


class TestSnapshot:
    def test_a_built_value_is_reused_while_the_tables_are_unchanged(self, world) -> None:
        builds: list[int] = []
        first = refcache.snapshot().get("probe", ("category",), lambda: builds.append(1) or 1)
        second = refcache.snapshot().get("probe", ("category",), lambda: builds.append(2) or 2)
        assert (first, second, builds) == (1, 1, [1])

    def test_a_bulk_update_elsewhere_changes_the_version(self, world) -> None:
        before = refcache.snapshot()
        # What another process (the admin, an import) does: no signal reaches this one.
        Category.objects.filter(code="M02.04").update(updated_at=timezone.now())
        assert refcache.snapshot().key("category") != before.key("category")
        assert refcache.snapshot().key("rule") == before.key("rule")

    def test_a_deleted_row_changes_the_version(self, world) -> None:
        before = refcache.snapshot().key("department")
        Department.objects.filter(pk=world.departments["A-women"].pk).delete()
        assert refcache.snapshot().key("department") != before


class TestRoutingSeesChanges:
    def test_a_deactivated_category_is_refused_at_once(self, world) -> None:
        routing_preview(actor=world.user("a1_clerk"), data=case_in())  # warm the cache
        Category.objects.filter(code="M02.04").update(is_active=False, updated_at=timezone.now())
        with pytest.raises(ValidationFailed) as refused:
            routing_preview(actor=world.user("a1_clerk"), data=case_in())
        assert refused.value.field == "category"

    def test_a_rule_edited_elsewhere_routes_the_next_case(self, world) -> None:
        clerk = world.user("a1_clerk")
        before = routing_preview(actor=clerk, data=case_in())
        RoutingRule.objects.filter(pk=before.rule.pk).update(
            is_active=False, updated_at=timezone.now()
        )
        after = routing_preview(actor=clerk, data=case_in())
        assert after.rule != before.rule

    def test_a_new_department_up_the_lineage_is_found(self, world) -> None:
        clerk = world.user("a1_clerk")
        wage = case_in(category="M10.01", people_involved=40, amount=500000)
        before = routing_preview(actor=clerk, data=wage)
        Department.objects.filter(pk=before.lead_department.pk).update(
            is_active=False, updated_at=timezone.now()
        )
        after = routing_preview(actor=clerk, data=wage)
        assert after.lead_department != before.lead_department
