from __future__ import annotations

import pytest

from fengqiao.core.errors import ValidationFailed
from fengqiao.orgs import geometry
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.orgs.services import org_unit_create, org_unit_set_boundary
from fengqiao.testing.region import square


class TestResolveGrid:
    def test_point_inside_a_grid_resolves_to_it(self, region):
        grid = geometry.resolve_grid(105.005, 29.005)
        assert grid == region.unit("A1a-g1")

    def test_neighbouring_grid(self, region):
        assert geometry.resolve_grid(105.015, 29.005) == region.unit("A1a-g2")

    def test_point_on_no_grid_resolves_to_none(self, region):
        # Inside township A1 but in the part of the village no grid covers.
        assert geometry.resolve_grid(105.005, 29.015) is None
        assert geometry.resolve_grid(100.0, 20.0) is None

    def test_point_on_a_shared_border_gets_exactly_one_grid(self, region):
        grid = geometry.resolve_grid(105.01, 29.005)
        assert grid in {region.unit("A1a-g1"), region.unit("A1a-g2")}

    def test_many_points_in_one_call(self, region):
        ids = geometry.resolve_grid_ids([(105.005, 29.005), (105.505, 29.005), (0.0, 0.0)])
        assert ids == [region.unit("A1a-g1").pk, region.unit("B1a-g1").pk, None]

    def test_index_is_rebuilt_when_a_boundary_changes(self, region):
        assert geometry.resolve_grid(105.005, 29.015) is None
        org_unit_set_boundary(unit=region.unit("A1a-g1"), boundary=square(105.0, 29.01, 0.01))
        geometry.invalidate()  # on_commit does not fire inside the test transaction
        assert geometry.resolve_grid(105.005, 29.015) == region.unit("A1a-g1")

    def test_index_notices_a_new_grid_without_explicit_invalidation(self, region):
        assert geometry.resolve_grid(105.005, 29.015) is None
        geometry.grid_index()
        org_unit_create(
            code="500118001001003",
            name="新网格",
            level=Level.GRID,
            parent=region.unit("A1a"),
            boundary=square(105.0, 29.01, 0.01),
        )
        assert geometry.resolve_grid(105.005, 29.015) == OrgUnit.objects.get(code="500118001001003")


class TestBoundaryValidation:
    def test_self_intersecting_polygon_is_rejected(self, region):
        bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
        with pytest.raises(ValidationFailed, match="not a valid polygon"):
            org_unit_set_boundary(unit=region.unit("A1a-g1"), boundary=bowtie)

    def test_non_polygon_is_rejected(self, region):
        with pytest.raises(ValidationFailed, match="Polygon"):
            org_unit_set_boundary(
                unit=region.unit("A1a-g1"), boundary={"type": "Point", "coordinates": [1, 2]}
            )

    def test_centroid_lies_inside(self, region):
        unit = region.unit("A1a")
        assert 105.0 < unit.centroid_lng < 105.02
        assert 29.0 < unit.centroid_lat < 29.02
