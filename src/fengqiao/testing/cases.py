"""A case-handling world on top of the small test region: taxonomy, rules, the departments the
default rules route to, their liaisons, and a factory for intake payloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.services import user_create
from fengqiao.cases.routing.services import load_default_rules
from fengqiao.cases.schemas import CaseIn
from fengqiao.orgs.models import Department, DepartmentType
from fengqiao.taxonomy.services import load_default_channels, load_default_taxonomy
from fengqiao.testing.region import PASSWORD, SmallRegion

# A point inside grid A1a-g1 (胜利路街道 红旗社区 第1网格) and one inside B1a-g1 (龙塔街道).
A1_POINT = {"lng": 105.005, "lat": 29.005}
B1_POINT = {"lng": 105.505, "lat": 29.005}

VALID_ID = "11010519491231002X"  # GB 11643 example: Beijing, born 1949-12-31, check digit X


@dataclass
class CaseWorld:
    region: SmallRegion
    departments: dict[str, Department]
    users: dict[str, User]

    def user(self, key: str) -> User:
        return self.users.get(key) or self.region.users[key]


def build_case_world(region: SmallRegion) -> CaseWorld:
    load_default_taxonomy()
    load_default_channels()
    load_default_rules()
    u = region.units
    specs = {
        "A1-community": ("胜利路社区工作队", DepartmentType.COMMUNITY, "A1"),
        "A1-mediation": ("胜利路人民调解委员会", DepartmentType.MEDIATION_COMMITTEE, "A1"),
        "A1-police": ("胜利路派出所", DepartmentType.POLICE, "A1"),
        "A1-governance": ("胜利路综治办", DepartmentType.GOVERNANCE_OFFICE, "A1"),
        "A-hrss": ("永川区人力社保局", DepartmentType.HRSS, "A"),
        "A-housing": ("永川区住建委", DepartmentType.HOUSING, "A"),
        "A-union": ("永川区总工会", DepartmentType.TRADE_UNION, "A"),
        "A-women": ("永川区妇联", DepartmentType.WOMEN, "A"),
        "A-justice": ("永川区司法局", DepartmentType.JUSTICE, "A"),
        "A-governance": ("永川区综治中心", DepartmentType.GOVERNANCE_OFFICE, "A"),
        "B1-community": ("龙塔社区工作队", DepartmentType.COMMUNITY, "B1"),
    }
    departments = {
        key: Department.objects.create(name=name, department_type=kind, org_unit=u[unit])
        for key, (name, kind, unit) in specs.items()
    }
    departments.update(region.departments)
    users = {}
    for key, role, unit, department in [
        ("a1_community", Role.LIAISON, "A1", "A1-community"),
        ("a_hrss", Role.LIAISON, "A", "A-hrss"),
        ("a_housing", Role.LIAISON, "A", "A-housing"),
        ("a_union", Role.LIAISON, "A", "A-union"),
        ("a_women", Role.LIAISON, "A", "A-women"),
        ("a1_police", Role.LIAISON, "A1", "A1-police"),
    ]:
        users[key] = user_create(
            username=key,
            password=PASSWORD,
            role=role,
            units=[u[unit]],
            department=departments[department],
            check_password_strength=False,
        )
    return CaseWorld(region, departments, users)


def case_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "邻居装修噪音扰民",
        "description": "楼上邻居连续两周晚间装修，多次沟通无果。",
        "category": "M02.04",
        "report": {"channel": "visit", "reporter_name": "王芳", "reporter_phone": "13800138000"},
        **A1_POINT,
        "parties": [
            {
                "role": "applicant",
                "name": "王芳",
                "phone": "13800138000",
                "id_number": VALID_ID,
                "address": "胜利路红旗社区3栋2单元501",
            },
            {"role": "respondent", "name": "李强", "phone": "13911112222"},
        ],
    }
    payload.update(overrides)
    return payload


def case_in(**overrides: Any) -> CaseIn:
    return CaseIn.model_validate(case_payload(**overrides))
