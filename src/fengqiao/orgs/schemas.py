from __future__ import annotations

from ninja import Schema


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    level: int
    level_label: str
    parent_id: int | None
    centroid_lat: float | None
    centroid_lng: float | None
    population: int | None

    @staticmethod
    def resolve_level_label(obj: object) -> str:
        return str(obj.get_level_display())  # type: ignore[attr-defined]


class DepartmentOut(Schema):
    id: int
    name: str
    department_type: str
    org_unit_id: int
    phone: str
    is_active: bool


class StationOut(Schema):
    id: int
    name: str
    kind: str
    org_unit_id: int
    address: str
    lat: float
    lng: float
    opening_hours: str
    phone: str


class StationingOut(Schema):
    department_id: int
    department_name: str
    mode: str
    rotation_period_weeks: int
    rotation_slot: int

    @staticmethod
    def resolve_department_name(obj: object) -> str:
        return str(obj.department.name)  # type: ignore[attr-defined]


class GridResolutionOut(Schema):
    lng: float
    lat: float
    grid: OrgUnitOut | None
