"""Reading indicator values from CSV (``fengqiao import safety FILE`` and the import page).

One value per row; the first row names the columns, in any order (English or Chinese names)::

    unit_code,period,indicator,value          区划代码,期间,指标,数值
    500118001000,2025-03,D2.01,46.5           500118001000,2025-Q1,D2.09,93.2

  unit_code   12-digit code of a township or village (区划代码)
  period      a month 2025-03 or a quarter 2025-Q1 (期间)
  indicator   the indicator code, e.g. D2.01; only "imported" indicators (指标)
  value       a number ≥ 0; a percentage ≤ 100 (数值)

The file may be UTF-8 (with or without the byte-order mark Excel writes) or GB18030.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from fengqiao.safety.services import (
    FIELDS,
    ValuesImportResult,
    ValuesRejected,
    values_import,
)

HEADER_ALIASES = {
    "区划代码": "unit_code",
    "单位代码": "unit_code",
    "期间": "period",
    "周期": "period",
    "指标": "indicator",
    "指标代码": "indicator",
    "数值": "value",
    "值": "value",
}
MAX_ROWS = 200_000


@dataclass(frozen=True)
class LineIssue:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.field}: {self.message}"


class FileRejected(Exception):
    """The file cannot be imported; ``issues`` name each problem by line. Nothing was written."""

    def __init__(self, issues: list[LineIssue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise FileRejected([LineIssue(1, "file", "not UTF-8 or GB18030 text")]) from exc


def read_rows(text: str) -> tuple[list[dict[str, Any]], list[int]]:
    """Rows as dicts keyed by the English field names, with each row's line number."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise FileRejected([LineIssue(1, "file", "the file is empty")])
    names = [HEADER_ALIASES.get(h.strip(), h.strip().lower()) for h in header]
    issues = [
        LineIssue(1, raw or "(empty)", "unknown column")
        for raw, n in zip(header, names, strict=True)
        if n not in FIELDS
    ]
    missing = [f for f in FIELDS if f not in names]
    issues += [LineIssue(1, f, "missing column") for f in missing]
    if issues:
        raise FileRejected(issues)
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        line = reader.line_num
        if len(cells) != len(names):
            issues.append(LineIssue(line, "row", f"{len(cells)} cells for {len(names)} columns"))
            continue
        rows.append(dict(zip(names, (c.strip() for c in cells), strict=True)))
        lines.append(line)
        if len(rows) > MAX_ROWS:
            raise FileRejected([LineIssue(line, "file", f"more than {MAX_ROWS} rows")])
    if issues:
        raise FileRejected(issues)
    if not rows:
        raise FileRejected([LineIssue(2, "file", "no values below the header")])
    return rows, lines


def import_csv(
    *, actor: Any | None, data: bytes, source: str, dry_run: bool = False
) -> ValuesImportResult:
    """Import a CSV file's values, all or nothing; :class:`FileRejected` names the bad lines."""
    rows, lines = read_rows(decode(data))
    try:
        return values_import(actor=actor, rows=rows, source=source, dry_run=dry_run)
    except ValuesRejected as exc:
        raise FileRejected(
            [LineIssue(lines[issue.index], issue.field, issue.message) for issue in exc.issues]
        ) from exc
