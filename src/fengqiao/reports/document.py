"""A report's content in one format-neutral shape, rendered as PDF or XLSX.

Builders fill :class:`ReportContent` once; both renderers read the same values, so the PDF and
the spreadsheet of a report cannot disagree. Cells keep raw numbers (a rate is a fraction, a
duration is hours) with a column kind saying how to show them: the spreadsheet stores the
number with a cell format, the PDF prints the formatted text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from fengqiao.core.pdf import Document

TEXT = "text"
INT = "int"
PERCENT = "percent"  # a fraction, shown as a percentage
HOURS = "hours"
DELTA_INT = "delta-int"  # signed differences, in the unit of the figure they compare
DELTA_POINTS = "delta-points"  # a difference of two fractions, shown in percentage points
DELTA_HOURS = "delta-hours"
MIXED = "mixed"  # each cell is a :class:`Cell` carrying its own kind

NUMBER_FORMATS = {
    INT: "0",
    PERCENT: "0.0%",
    HOURS: "0.0",
    DELTA_INT: "+0;-0;0",
    DELTA_POINTS: "+0.0;-0.0;0.0",
    DELTA_HOURS: "+0.0;-0.0;0.0",
}
EMPTY = "—"


@dataclass(frozen=True)
class Cell:
    """A value whose kind differs from its column's (a table of mixed metrics)."""

    value: Any
    kind: str
    # How the PDF shows it, when another module owns the format (the cockpit's figures).
    text: str = ""


def cell_value(value: Any, kind: str) -> tuple[Any, str]:
    """The raw value and kind a spreadsheet stores (percentage points as points)."""
    if isinstance(value, Cell):
        value, kind = value.value, value.kind
    if kind == DELTA_POINTS and isinstance(value, int | float):
        return round(float(value) * 100, 2), kind
    if value is not None and not isinstance(value, int | float | str):
        value = str(value)  # lazy translations and other objects become their text
    return value, kind


def format_cell(value: Any, kind: str = TEXT) -> str:
    """How a value reads in the PDF (and on pages that quote a report's figures)."""
    if isinstance(value, Cell):
        if value.text:
            return value.text
        value, kind = value.value, value.kind
    if value is None or value == "":
        return EMPTY
    if kind == INT:
        return f"{int(value)}"
    if kind == PERCENT:
        return f"{float(value) * 100:.1f}%"
    if kind == HOURS:
        return f"{float(value):.1f}"
    if kind == DELTA_INT:
        return f"{int(value):+d}"
    if kind == DELTA_POINTS:
        return f"{float(value) * 100:+.1f}"
    if kind == DELTA_HOURS:
        return f"{float(value):+.1f}"
    return str(value)


@dataclass
class Table:
    header: list[str]
    kinds: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    widths: Sequence[float] | None = None

    def formatted(self) -> list[list[str]]:
        return [
            [format_cell(value, kind) for value, kind in zip(row, self.kinds, strict=True)]
            for row in self.rows
        ]


@dataclass
class Section:
    heading: str
    # A short name for the spreadsheet tab; the heading is used when empty.
    sheet: str = ""
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    empty_text: str = ""


@dataclass
class ReportContent:
    title: str
    subtitle: str
    footer: str
    intro: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def render_pdf(content: ReportContent) -> bytes:
    doc = Document(title=content.title, subtitle=content.subtitle, footer=content.footer)
    for text in content.intro:
        doc.paragraph(text)
    for section in content.sections:
        doc.heading(section.heading)
        for text in section.paragraphs:
            doc.paragraph(text)
        if section.empty_text and not any(table.rows for table in section.tables):
            doc.paragraph(section.empty_text)
            continue
        for table in section.tables:
            if not table.rows:
                continue
            numeric = [i for i, kind in enumerate(table.kinds) if kind != TEXT]
            doc.table(
                [table.header, *table.formatted()], col_widths=table.widths, align_right=numeric
            )
    return doc.build()


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", name).strip()[:28] or "Sheet"
    title, n = base, 2
    while title in taken:
        title, n = f"{base[:25]} {n}", n + 1
    taken.add(title)
    return title


def render_xlsx(content: ReportContent) -> bytes:
    """One sheet for the title and introduction, then one sheet per section."""
    workbook = Workbook()
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="E6EDF8")
    taken: set[str] = set()
    cover = workbook.active
    assert cover is not None  # noqa: S101 - a new workbook always has its first sheet
    cover.title = _sheet_title(content.title, taken)
    cover.append([content.title])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([content.subtitle])
    for text in content.intro:
        cover.append([text])
    cover.append([content.footer])
    cover.column_dimensions["A"].width = 90
    for section in content.sections:
        sheet = workbook.create_sheet(_sheet_title(section.sheet or section.heading, taken))
        sheet.append([section.heading])
        sheet["A1"].font = Font(bold=True, size=12)
        for text in section.paragraphs:
            sheet.append([text])
        if section.empty_text and not any(table.rows for table in section.tables):
            sheet.append([section.empty_text])
        widths: dict[int, int] = {}
        for table in section.tables:
            if not table.rows:
                continue
            sheet.append([])
            sheet.append(table.header)
            for cell in sheet[sheet.max_row]:
                cell.font = bold
                cell.fill = header_fill
            for row in table.rows:
                values = [cell_value(v, k) for v, k in zip(row, table.kinds, strict=True)]
                sheet.append([None if value == "" else value for value, _kind in values])
                for cell, (value, kind) in zip(sheet[sheet.max_row], values, strict=False):
                    if kind in NUMBER_FORMATS and isinstance(value, int | float):
                        cell.number_format = NUMBER_FORMATS[kind]
                        cell.alignment = Alignment(horizontal="right")
            for index, text in enumerate(table.header, start=1):
                cells = (format_cell(r[index - 1], table.kinds[index - 1]) for r in table.rows)
                longest = max([len(str(text)), *(len(c) for c in cells)])
                widths[index] = max(widths.get(index, 8), min(60, longest * 2 + 2))
        for index, width in widths.items():
            sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
