from __future__ import annotations

import pytest

from fengqiao.core.errors import ValidationFailed
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.orgs.services import org_unit_create, org_unit_move


class TestSubtree:
    def test_subtree_of_district_holds_its_townships_villages_and_grids_only(self, region):
        codes = set(region.unit("A").subtree().values_list("code", flat=True))
        assert "500118000000" in codes
        assert {"500118001000", "500118002000", "500118001001001"} <= codes
        assert not any(code.startswith("500112") for code in codes)
        assert len(codes) == 1 + 2 + 3 + 6

    def test_subtree_is_an_index_range_not_a_recursive_walk(
        self, region, django_assert_num_queries
    ):
        total = OrgUnit.objects.count()
        with django_assert_num_queries(1):
            assert len(list(region.unit("city").subtree())) == total


class TestCreate:
    def test_level_must_follow_parent(self, region):
        with pytest.raises(ValidationFailed):
            org_unit_create(
                code="500118001009", name="x", level=Level.GRID, parent=region.unit("A1")
            )

    def test_move_rewrites_the_whole_subtree(self, region):
        village = region.unit("A1b")
        org_unit_move(unit=village, new_parent=region.unit("A2"))
        grid = OrgUnit.objects.get(code=f"{village.code}001")
        assert grid.path.startswith(region.unit("A2").path)
        assert grid in region.unit("A2").subtree()
        assert grid not in region.unit("A1").subtree()
