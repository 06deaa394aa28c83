from __future__ import annotations

import pytest

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role, User
from fengqiao.accounts.services import user_create
from fengqiao.orgs.models import Level, OrgUnit


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


class TestUnits:
    @pytest.mark.parametrize(
        ("username", "root", "excluded"),
        [
            ("a_leader", "A", "B"),
            ("a1_clerk", "A1", "A2"),
            ("a2_clerk", "A2", "A1"),
            ("b1_clerk", "B1", "A"),
            ("a1_mediator", "A1", "B1"),
            ("a_liaison", "A", "B1"),
            ("a_auditor", "A", "B"),
            ("a_analyst", "A", "B"),
        ],
    )
    def test_each_role_sees_its_subtree_and_nothing_else(self, region, username, root, excluded):
        visible = codes(Jurisdiction.of(region.users[username]).units())
        assert visible == codes(region.unit(root).subtree())
        assert not visible & codes(region.unit(excluded).subtree())

    def test_grid_worker_sees_only_their_grid(self, region):
        visible = codes(Jurisdiction.of(region.users["a1a_grid"]).units())
        assert visible == {region.unit("A1a-g1").code}

    def test_city_admin_sees_everything(self, region):
        assert codes(Jurisdiction.of(region.users["city_admin"]).units()) == codes(
            OrgUnit.objects.all()
        )

    def test_user_in_two_townships_sees_both(self, region):
        user = user_create(
            username="two",
            password="x",
            role=Role.CLERK,
            units=[region.unit("A1"), region.unit("B1")],
            check_password_strength=False,
        )
        visible = codes(Jurisdiction.of(user).units())
        assert visible == codes(region.unit("A1").subtree()) | codes(region.unit("B1").subtree())

    def test_nested_units_collapse_to_the_outer_one(self, region):
        user = user_create(
            username="nested",
            password="x",
            role=Role.CLERK,
            units=[region.unit("A"), region.unit("A1a")],
            check_password_strength=False,
        )
        assert Jurisdiction.of(user).paths == (region.unit("A").path,)

    def test_inactive_or_anonymous_sees_nothing(self, region):
        from django.contrib.auth.models import AnonymousUser

        assert not Jurisdiction.of(AnonymousUser()).units().exists()
        user = region.users["a1_clerk"]
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.refresh_from_db()
        assert not Jurisdiction.of(user).units().exists()


class TestDepartmentsAndStations:
    def test_township_clerk_sees_own_township_departments_only(self, region):
        names = set(
            Jurisdiction.of(region.users["a1_clerk"]).departments().values_list("name", flat=True)
        )
        assert names == {"胜利路司法所"}

    def test_member_of_a_department_outside_their_units_still_sees_that_department(self, region):
        liaison = user_create(
            username="court_at_a1",
            password="x",
            role=Role.LIAISON,
            units=[region.unit("A1")],
            department=region.departments["A-court"],
            check_password_strength=False,
        )
        names = set(Jurisdiction.of(liaison).departments().values_list("name", flat=True))
        assert names == {"胜利路司法所", "永川区人民法院"}

    def test_stations_follow_the_subtree(self, region):
        names = set(
            Jurisdiction.of(region.users["a_leader"]).stations().values_list("name", flat=True)
        )
        assert names == {"永川区综治中心", "胜利路街道综治中心", "中山路街道综治中心"}


class TestUsers:
    def test_township_clerk_sees_users_of_own_township_only(self, region):
        names = set(
            Jurisdiction.of(region.users["a1_clerk"]).users().values_list("username", flat=True)
        )
        assert names == {"a1_clerk", "a1_mediator", "a1a_grid"}

    def test_district_leader_does_not_see_other_district_users(self, region):
        names = set(
            Jurisdiction.of(region.users["a_leader"]).users().values_list("username", flat=True)
        )
        assert "b1_clerk" not in names
        assert "city_admin" not in names
        assert {"a1_clerk", "a2_clerk", "a_liaison"} <= names


class TestQueryShape:
    def test_unit_scope_is_one_query(self, region, django_assert_num_queries):
        user = User.objects.get(username="a_leader")
        jurisdiction = Jurisdiction.of(user)
        with django_assert_num_queries(1):
            list(jurisdiction.units().filter(level=Level.GRID))
