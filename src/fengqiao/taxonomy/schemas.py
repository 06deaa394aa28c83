from __future__ import annotations

from ninja import Schema


class CategoryOut(Schema):
    id: int
    code: str
    kind: str
    parent_id: int | None
    name_zh: str
    name_en: str
    responsible: dict[str, str]
    acceptance_minutes: int
    resolution_days: int
    default_risk: str
    keywords: list[str]
    is_active: bool


class ChannelOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    description: str
    is_proactive: bool
    is_active: bool
