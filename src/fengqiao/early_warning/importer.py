"""``fengqiao import risk-points FILE``: the risk point register from a CSV file.

The first row names the columns (English names, or the Chinese ones in brackets), in any order:

  code                       required; the point's code, the key of a re-run (编号)
  name                       required (名称)
  point_type                 required; septic_tank, slope, gas_station, construction_site,
                             water_level, dangerous_building, elevator, other, or the Chinese
                             label (类型)
  lng, lat                   required; WGS 84, inside a grid (经度, 纬度)
  address                    (地址)
  owner_org, owner_contact, owner_phone   who is responsible (责任单位, 联系人, 联系电话)
  maintenance_interval_days  whole days (维保周期天数)
  last_maintained_on         a date, e.g. 2025-03-01 (上次维保日期)
  devices                    device ids separated by ";" (设备编号)

Every row is checked before anything is written; a file with any bad row writes nothing. A row
whose code exists already updates that point, so running the same file twice changes nothing.
CSV may be UTF-8 (with or without a byte-order mark) or GB18030.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from pydantic import ValidationError

from fengqiao.core.errors import ValidationFailed
from fengqiao.early_warning.models import RiskPointType
from fengqiao.early_warning.points import PointIn, check_point, point_write
from fengqiao.orgs import geometry
from fengqiao.orgs.models import OrgUnit

COLUMNS = {
    "code": "编号",
    "name": "名称",
    "point_type": "类型",
    "lng": "经度",
    "lat": "纬度",
    "address": "地址",
    "owner_org": "责任单位",
    "owner_contact": "联系人",
    "owner_phone": "联系电话",
    "maintenance_interval_days": "维保周期天数",
    "last_maintained_on": "上次维保日期",
    "devices": "设备编号",
}
REQUIRED = ("code", "name", "point_type", "lng", "lat")
_BY_CHINESE = {zh: en for en, zh in COLUMNS.items()}
_TYPE_BY_LABEL = {
    **{str(label): value for value, label in RiskPointType.choices},
    "化粪池": "septic_tank",
    "边坡": "slope",
    "加油加气站": "gas_station",
    "加气站": "gas_station",
    "建筑工地": "construction_site",
    "工地": "construction_site",
    "水位站": "water_level",
    "危房": "dangerous_building",
    "电梯": "elevator",
    "其他": "other",
}


@dataclass(frozen=True)
class Issue:
    line: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.created} risk points created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )


class ImportRejected(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problems")
        self.issues = issues


def _read(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected([Issue(1, "file", "not UTF-8 or GB18030 text")])


def _header(names: list[str]) -> tuple[list[str], list[Issue]]:
    columns, issues = [], []
    for name in names:
        key = name.strip()
        key = _BY_CHINESE.get(key, key)
        if key not in COLUMNS:
            issues.append(Issue(1, name, "unknown column"))
        columns.append(key)
    issues += [Issue(1, c, "required column is missing") for c in REQUIRED if c not in columns]
    return columns, issues


def _row_values(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {k: v.strip() for k, v in row.items() if k and v and v.strip()}
    if "point_type" in values:
        values["point_type"] = _TYPE_BY_LABEL.get(values["point_type"], values["point_type"])
    values["devices"] = [d.strip() for d in values.get("devices", "").split(";") if d.strip()]
    return values


def parse(path: Path) -> list[tuple[int, PointIn, OrgUnit]]:
    """Every row checked (fields, grid, duplicates); ImportRejected lists all problems."""
    reader = csv.reader(io.StringIO(_read(path)))
    rows = list(reader)
    if not rows:
        raise ImportRejected([Issue(1, "file", "the file is empty")])
    columns, issues = _header(rows[0])
    if issues:
        raise ImportRejected(issues)
    parsed: list[tuple[int, PointIn]] = []
    seen_codes: dict[str, int] = {}
    seen_devices: dict[str, int] = {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            issues.append(Issue(line, "row", f"{len(cells)} cells, the header has {len(columns)}"))
            continue
        try:
            data = PointIn.model_validate(_row_values(dict(zip(columns, cells, strict=True))))
            check_point(data)
        except ValidationError as exc:
            for error in exc.errors():
                column = ".".join(str(p) for p in error["loc"]) or "row"
                issues.append(Issue(line, column, error["msg"]))
            continue
        except ValidationFailed as exc:
            issues.append(Issue(line, exc.field or "row", exc.message))
            continue
        if data.code in seen_codes:
            issues.append(Issue(line, "code", f"also on line {seen_codes[data.code]}"))
        seen_codes.setdefault(data.code, line)
        for device in data.devices:
            if device in seen_devices:
                issues.append(
                    Issue(line, "devices", f"{device} also on line {seen_devices[device]}")
                )
            seen_devices.setdefault(device, line)
        parsed.append((line, data))
    grid_ids = geometry.resolve_grid_ids([(d.lng, d.lat) for _line, d in parsed])
    grids = OrgUnit.objects.defer("boundary").in_bulk([g for g in grid_ids if g is not None])
    located: list[tuple[int, PointIn, OrgUnit]] = []
    for (line, data), grid_id in zip(parsed, grid_ids, strict=True):
        if grid_id is None:
            issues.append(Issue(line, "lng", "the location lies on no grid"))
            continue
        located.append((line, data, grids[grid_id]))
    if issues:
        raise ImportRejected(sorted(issues, key=lambda i: i.line))
    return located


def points_import(*, path: Path, dry_run: bool = False) -> ImportResult:
    located = parse(path)
    result = ImportResult()
    if dry_run:
        return result
    with transaction.atomic():
        for _line, data, grid in located:
            _point, state = point_write(actor=None, data=data, grid=grid)
            setattr(result, state, getattr(result, state) + 1)
    return result
