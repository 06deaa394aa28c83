"""A small, hand-sized region for tests, built through the real services.

City 500000000000 > districts A, B > townships A1, A2, B1 > one or two villages > grids of
0.01° squares. Every grid's square is known, so tests can aim points at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.services import user_create
from fengqiao.orgs.models import Department, DepartmentType, Level, OrgUnit, Station, StationKind
from fengqiao.orgs.services import org_unit_create

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (test fixture)


def square(lng: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class SmallRegion:
    units: dict[str, OrgUnit] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    stations: dict[str, Station] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def unit(self, key: str) -> OrgUnit:
        return self.units[key]


def build_small_region() -> SmallRegion:
    r = SmallRegion()
    u = r.units
    u["city"] = org_unit_create(
        code="500000000000",
        name="重庆市",
        name_en="Chongqing",
        level=Level.CITY,
        boundary=square(105.0, 29.0, 1.0),
    )
    u["A"] = org_unit_create(
        code="500118000000",
        name="永川区",
        level=Level.DISTRICT,
        parent=u["city"],
        boundary=square(105.0, 29.0, 0.5),
    )
    u["B"] = org_unit_create(
        code="500112000000",
        name="渝北区",
        level=Level.DISTRICT,
        parent=u["city"],
        boundary=square(105.5, 29.0, 0.5),
    )
    u["A1"] = org_unit_create(
        code="500118001000",
        name="胜利路街道",
        level=Level.TOWNSHIP,
        parent=u["A"],
        boundary=square(105.0, 29.0, 0.1),
    )
    u["A2"] = org_unit_create(
        code="500118002000",
        name="中山路街道",
        level=Level.TOWNSHIP,
        parent=u["A"],
        boundary=square(105.1, 29.0, 0.1),
    )
    u["B1"] = org_unit_create(
        code="500112001000",
        name="龙塔街道",
        level=Level.TOWNSHIP,
        parent=u["B"],
        boundary=square(105.5, 29.0, 0.1),
    )
    u["A1a"] = org_unit_create(
        code="500118001001",
        name="红旗社区",
        level=Level.VILLAGE,
        parent=u["A1"],
        boundary=square(105.0, 29.0, 0.02),
    )
    u["A1b"] = org_unit_create(
        code="500118001002",
        name="双竹村",
        level=Level.VILLAGE,
        parent=u["A1"],
        boundary=square(105.02, 29.0, 0.02),
    )
    u["A2a"] = org_unit_create(
        code="500118002001",
        name="萱花社区",
        level=Level.VILLAGE,
        parent=u["A2"],
        boundary=square(105.1, 29.0, 0.02),
    )
    u["B1a"] = org_unit_create(
        code="500112001001",
        name="工农社区",
        level=Level.VILLAGE,
        parent=u["B1"],
        boundary=square(105.5, 29.0, 0.02),
    )
    # Grids: two 0.01° squares side by side in each village's lower row.
    for village in ("A1a", "A1b", "A2a", "B1a"):
        parent = u[village]
        ring = parent.boundary["coordinates"][0]  # type: ignore[index]
        lng0, lat0 = ring[0]
        for n in (1, 2):
            u[f"{village}-g{n}"] = org_unit_create(
                code=f"{parent.code}00{n}",
                name=f"{parent.name}第{n}网格",
                level=Level.GRID,
                parent=parent,
                boundary=square(lng0 + 0.01 * (n - 1), lat0, 0.01),
            )
    d = r.departments
    d["A-court"] = Department.objects.create(
        name="永川区人民法院", department_type=DepartmentType.COURT, org_unit=u["A"]
    )
    d["A1-justice"] = Department.objects.create(
        name="胜利路司法所", department_type=DepartmentType.JUSTICE, org_unit=u["A1"]
    )
    d["A2-justice"] = Department.objects.create(
        name="中山路司法所", department_type=DepartmentType.JUSTICE, org_unit=u["A2"]
    )
    d["B1-police"] = Department.objects.create(
        name="龙塔派出所", department_type=DepartmentType.POLICE, org_unit=u["B1"]
    )
    s = r.stations
    s["A-centre"] = Station.objects.create(
        name="永川区综治中心", kind=StationKind.CENTRE, org_unit=u["A"], lat=29.3, lng=105.2
    )
    s["A1-centre"] = Station.objects.create(
        name="胜利路街道综治中心", kind=StationKind.CENTRE, org_unit=u["A1"], lat=29.05, lng=105.05
    )
    s["A2-centre"] = Station.objects.create(
        name="中山路街道综治中心", kind=StationKind.CENTRE, org_unit=u["A2"], lat=29.05, lng=105.15
    )
    s["B1-centre"] = Station.objects.create(
        name="龙塔街道综治中心", kind=StationKind.CENTRE, org_unit=u["B1"], lat=29.05, lng=105.55
    )

    def person(key: str, role: str, *units: str, department: str | None = None) -> None:
        r.users[key] = user_create(
            username=key,
            password=PASSWORD,
            role=role,
            units=[u[x] for x in units],
            department=d[department] if department else None,
            check_password_strength=False,
        )

    person("city_admin", Role.ADMIN, "city")
    person("a_leader", Role.LEADER, "A")
    person("a1_clerk", Role.CLERK, "A1")
    person("a2_clerk", Role.CLERK, "A2")
    person("b1_clerk", Role.CLERK, "B1")
    person("a1_mediator", Role.MEDIATOR, "A1", department="A1-justice")
    person("a1a_grid", Role.GRID_WORKER, "A1a-g1")
    person("a_liaison", Role.LIAISON, "A", department="A-court")
    person("a_auditor", Role.AUDITOR, "A")
    person("a_analyst", Role.ANALYST, "A")
    return r
