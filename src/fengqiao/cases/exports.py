"""Case exports (CSV and XLSX): one row builder, two encoders.

Rows come from a queryset the caller obtained through :mod:`fengqiao.cases.filters`, so an export
never holds a case the user could not open. Parties are masked exactly as on screen unless the
caller was allowed to unmask, and then every exported party is written to the personal-data
access log before its row leaves the server.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from fengqiao.cases.models import Case, Party, PartyRole
from fengqiao.cases.privacy import log_access, party_view
from fengqiao.cases.states import OPEN_STATUSES
from fengqiao.taxonomy.models import RiskColour

Cell = str | int | Decimal | datetime | None

# Cases read (and parties prefetched) per database round trip.
EXPORT_CHUNK = 1000
# A spreadsheet is built in memory; beyond this, the user narrows the filters or takes the CSV.
XLSX_MAX_ROWS = 100_000
# CSV rows sent per chunk of the streamed response.
CSV_ROWS_PER_CHUNK = 200
EXPORT_PURPOSE = "export"
EXPORTED_FIELDS = "id_number,phone"
# Spreadsheet programs run a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Column widths in the spreadsheet, in the order of :func:`header`.
_WIDTHS = (20, 30, 10, 18, 12, 10, 8, 18, 20, 18, 8, 12, 17, 17, 17, 8, 17, 17, 12, 12, 22, 16)


def header() -> list[Cell]:
    return [
        _("Number"),
        _("Title"),
        _("Category code"),
        _("Category"),
        _("Channel"),
        _("Status"),
        _("Risk colour"),
        _("Lead unit"),
        _("Lead department"),
        _("Place (unit)"),
        _("People involved"),
        _("Amount (yuan)"),
        _("Registered"),
        _("Acceptance deadline"),
        _("Resolution deadline"),
        _("Overdue"),
        _("Resolved"),
        _("Closed"),
        _("Party roles"),
        _("Party names"),
        _("Party ID numbers"),
        _("Party phones"),
    ]


def overdue_now(case: Case, now: datetime) -> bool:
    """Marked overdue by its timer, or past the resolution deadline while still open."""
    return case.overdue or (case.status in OPEN_STATUSES and case.resolve_deadline <= now)


def case_rows(
    *, actor: Any, cases: QuerySet[Case], reveal: bool, ip_address: str | None
) -> Iterator[list[Cell]]:
    """The header, then one row per case; with ``reveal`` each chunk is logged before it is sent."""
    yield header()
    now = timezone.now()
    batch: list[Case] = []
    for case in cases.prefetch_related("parties").iterator(chunk_size=EXPORT_CHUNK):
        batch.append(case)
        if len(batch) == EXPORT_CHUNK:
            yield from _batch_rows(batch, actor=actor, reveal=reveal, ip=ip_address, now=now)
            batch = []
    if batch:
        yield from _batch_rows(batch, actor=actor, reveal=reveal, ip=ip_address, now=now)


def _batch_rows(
    batch: list[Case], *, actor: Any, reveal: bool, ip: str | None, now: datetime
) -> Iterator[list[Cell]]:
    if reveal:
        parties = [party for case in batch for party in case.parties.all()]
        log_access(
            actor=actor,
            case=None,
            parties=parties,
            purpose=EXPORT_PURPOSE,
            ip_address=ip,
            fields=EXPORTED_FIELDS,
        )
    for case in batch:
        yield _row(case, case.parties.all(), reveal=reveal, now=now)


def _local(value: datetime | None) -> datetime | None:
    # Spreadsheets have no time zones: write the wall-clock time of the installation.
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, second=0, microsecond=0)


def _row(case: Case, parties: Iterable[Party], *, reveal: bool, now: datetime) -> list[Cell]:
    views = [party_view(party, reveal=reveal) for party in parties]
    roles = dict(PartyRole.choices)
    return [
        case.number,
        case.title,
        case.category.code,
        case.category.name,
        case.channel.name,
        case.get_status_display(),
        str(RiskColour(case.risk_colour).label),
        case.lead_unit.name,
        case.lead_department.name if case.lead_department else "",
        case.territory.name,
        case.people_involved,
        case.amount,
        _local(case.created_at),
        _local(case.accept_deadline),
        _local(case.resolve_deadline),
        _("yes") if overdue_now(case, now) else _("no"),
        _local(case.resolved_at),
        _local(case.closed_at),
        # One line per party in each column, so the lines of a case's cells belong together.
        "\n".join(str(roles.get(v.role, v.role)) for v in views),
        "\n".join(v.name for v in views),
        "\n".join(v.id_number or "—" for v in views),
        "\n".join(v.phone or "—" for v in views),
    ]


def _text_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_cell(value: Cell) -> str | int | Decimal:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str):
        return _text_safe(value)
    return value


class _Echo:
    """A file-like object that hands back what the csv writer gives it."""

    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list[Cell]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, which is how Excel recognises Chinese text in a CSV."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([_csv_cell(value) for value in row]))
        if len(buffer) >= CSV_ROWS_PER_CHUNK:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def xlsx_bytes(rows: Iterable[list[Cell]], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(_WIDTHS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, row in enumerate(rows):
        if number == 0:
            sheet.append([_header_cell(sheet, str(value), bold) for value in row])
            continue
        sheet.append([_xlsx_cell(sheet, value, wrap) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet: Any, value: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def _xlsx_cell(sheet: Any, value: Cell, wrap: Alignment) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    if isinstance(value, str):
        if "\n" not in value and not value.startswith("="):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        # openpyxl stores a string starting with "=" as a formula; keep it text.
        cell.data_type = "s"
        if "\n" in value:
            cell.alignment = wrap
        return cell
    return value


def filename(extension: str) -> str:
    return f"cases-{timezone.localtime():%Y%m%d-%H%M}.{extension}"
