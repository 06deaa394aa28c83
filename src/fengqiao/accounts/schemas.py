from __future__ import annotations

from ninja import Schema


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    department_id: int | None
    unit_ids: list[int]

    @staticmethod
    def resolve_unit_ids(obj: object) -> list[int]:
        return [unit.pk for unit in obj.units.all()]  # type: ignore[attr-defined]
