"""Reading unit populations from CSV (``fengqiao import population FILE``).

The first row names the columns, in any order (English or Chinese names)::

    unit_code,population          区划代码,人口
    500118001001,8420             500118001001001,1210

  unit_code   the unit's code: 12 digits, 15 for a grid (区划代码)
  population  people living there, a whole number ≥ 0; empty for unknown (人口, 常住人口)

UTF-8 (with or without the byte-order mark Excel writes) or GB18030.
"""

from __future__ import annotations

import csv
import io

from fengqiao.service_circle.services import PopulationIssue, PopulationRejected, PopulationRow

HEADER_ALIASES = {
    "区划代码": "unit_code",
    "单位代码": "unit_code",
    "code": "unit_code",
    "人口": "population",
    "常住人口": "population",
}
REQUIRED = ("unit_code", "population")
MAX_ROWS = 200_000
MAX_POPULATION = 50_000_000


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise PopulationRejected(
                [PopulationIssue(1, "file", "not UTF-8 or GB18030 text")]
            ) from exc


def parse_population_csv(data: bytes) -> list[PopulationRow]:
    """Rows of the file, or :class:`PopulationRejected` listing every bad cell by line."""
    reader = csv.reader(io.StringIO(decode(data)))
    header = next(reader, None)
    if header is None:
        raise PopulationRejected([PopulationIssue(1, "file", "the file is empty")])
    names = [HEADER_ALIASES.get(h.strip(), h.strip().lower()) for h in header]
    issues = [PopulationIssue(1, name, "missing column") for name in REQUIRED if name not in names]
    issues += [
        PopulationIssue(1, raw.strip() or "(empty)", "unknown column")
        for raw, name in zip(header, names, strict=True)
        if name not in REQUIRED
    ]
    if issues:
        raise PopulationRejected(issues)
    rows: list[PopulationRow] = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            issues.append(PopulationIssue(line, "file", f"more than {MAX_ROWS} rows"))
            break
        if len(cells) != len(names):
            issues.append(
                PopulationIssue(line, "row", f"has {len(cells)} cells, expected {len(names)}")
            )
            continue
        record = dict(zip(names, (c.strip() for c in cells), strict=True))
        code = record["unit_code"]
        if not (code.isdigit() and len(code) in (12, 15)):
            issues.append(PopulationIssue(line, "unit_code", "must be 12 digits, or 15 for a grid"))
            continue
        raw = record["population"].replace(",", "")
        population: int | None = None
        if raw:
            if not raw.isdigit():
                issues.append(PopulationIssue(line, "population", "must be a whole number ≥ 0"))
                continue
            population = int(raw)
            if population > MAX_POPULATION:
                issues.append(
                    PopulationIssue(line, "population", f"must be at most {MAX_POPULATION}")
                )
                continue
        rows.append(PopulationRow(line, code, population))
    if issues:
        raise PopulationRejected(issues)
    return rows
