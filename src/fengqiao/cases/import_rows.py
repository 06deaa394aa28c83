"""Reading and checking historical case files (CSV or XLSX), row by row, for the importer.

The columns and their rules are documented where operators read them: the docstring of
``fengqiao.cases.management.commands.import`` (``fengqiao import cases --help``). Every row is
checked completely, and each problem carries its line and column, so a spreadsheet is fixed in
one pass instead of one error per try.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from django.utils import timezone

from fengqiao.cases.pii import normalise_id_number, normalise_phone
from fengqiao.cases.states import CaseStatus
from fengqiao.core.errors import ValidationFailed
from fengqiao.orgs import geometry
from fengqiao.orgs.models import OrgUnit
from fengqiao.taxonomy.models import Category, Channel, RiskColour

COLUMNS: dict[str, str] = {
    "external_id": "外部编号", "channel": "渠道", "category": "类别", "title": "标题",
    "description": "描述", "unit_code": "区划代码", "lat": "纬度", "lng": "经度",
    "address": "地址", "people_involved": "涉及人数", "amount": "涉及金额",
    "risk_colour": "风险等级", "status": "状态", "registered_at": "登记时间",
    "accepted_at": "受理时间", "resolved_at": "化解时间", "closed_at": "办结时间",
    "applicant_name": "申请人", "applicant_phone": "申请人电话",
    "applicant_id_number": "申请人身份证号", "respondent_name": "被申请人",
    "respondent_phone": "被申请人电话", "outcome": "处理结果",
}  # fmt: skip
REQUIRED = ("external_id", "channel", "category", "description", "status", "registered_at")
TIMES = ("registered_at", "accepted_at", "resolved_at", "closed_at")
_HEADERS = {
    **{name: name for name in COLUMNS},
    **{chinese: name for name, chinese in COLUMNS.items()},
    "risk_color": "risk_colour", "latitude": "lat", "longitude": "lng",
}  # fmt: skip
S = CaseStatus
_STATUSES = {
    "closed": S.CLOSED, "已办结": S.CLOSED, "resolved": S.RESOLVED, "已化解": S.RESOLVED,
    "withdrawn": S.WITHDRAWN, "已撤回": S.WITHDRAWN, "referred": S.REFERRED, "已移交": S.REFERRED,
    "open": "open", "办理中": "open", "registered": S.REGISTERED, "accepted": S.ACCEPTED,
    "in_handling": S.IN_HANDLING,
}  # fmt: skip
_RISKS = {
    "red": RiskColour.RED, "红": RiskColour.RED, "红色": RiskColour.RED,
    "orange": RiskColour.ORANGE, "橙": RiskColour.ORANGE, "橙色": RiskColour.ORANGE,
    "green": RiskColour.GREEN, "绿": RiskColour.GREEN, "绿色": RiskColour.GREEN,
}  # fmt: skip
_LIMITS = {"external_id": 64, "title": 200, "description": 20000, "address": 255,
           "applicant_name": 100, "respondent_name": 100, "outcome": 2000}  # fmt: skip
_UNIT_CODE = re.compile(r"^\d{12}(\d{3})?$")
# 2025/3/11 10:05, 2025.3.11, 2025年3月11日 10:05:30: what spreadsheets and older systems write.
_LOOSE_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?)?$"
)
_AMOUNT_NOISE = re.compile(r"[,，\s元¥￥]")
# Clocks of source systems drift; a few minutes "in the future" is not an error.
_CLOCK_SKEW = timedelta(minutes=5)


class RowIssue(NamedTuple):
    line: int
    column: str
    message: str


class ImportRow(NamedTuple):
    """One checked row. Plain values and ids only, so a million of them spool cheaply to disk."""

    line: int
    external_id: str
    channel_id: int
    category_id: int
    territory_id: int
    title: str
    description: str
    lat: float | None
    lng: float | None
    address: str
    people_involved: int
    amount: Decimal
    risk_colour: str
    status: str
    registered_at: datetime
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    applicant_name: str
    applicant_phone: str
    applicant_id_number: str
    respondent_name: str
    respondent_phone: str
    outcome: str


class FileProblem(ValidationFailed):
    """The file cannot be read as a table of cases at all; nothing is imported."""

    def __init__(self, issues: list[RowIssue]) -> None:
        self.issues = issues
        super().__init__(issues[0].message, field=issues[0].column)


# --- reading ------------------------------------------------------------------------------


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else GB18030."""
    with path.open("rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    with path.open(encoding=_csv_encoding(path), newline="") as handle:
        reader = csv.reader(handle)
        last = 0
        try:
            for record in reader:
                # A quoted field may span lines: report the line the record starts on.
                start, last = last + 1, reader.line_num
                yield start, record
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FileProblem([RowIssue(last + 1, "-", f"unreadable CSV: {exc}")]) from exc


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors alike
        raise FileProblem([RowIssue(1, "-", f"not a readable XLSX workbook: {exc}")]) from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        yield from ((line, list(values)) for line, values in enumerate(rows, start=1))
    finally:
        workbook.close()


def read_table(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(line number, cell values) for every non-blank row, the header included."""
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".txt", ".xlsx"}:
        raise FileProblem([RowIssue(1, "-", "the file must be .csv or .xlsx")])
    rows = _xlsx_rows(path) if suffix == ".xlsx" else _csv_rows(path)
    for line, values in rows:
        if any(value is not None and str(value).strip() for value in values):
            yield line, values


# --- checking -----------------------------------------------------------------------------


class Lookups:
    """Codes and names of everything a row may name, loaded once per import."""

    def __init__(self) -> None:
        self.channels: dict[str, int] = {}
        for channel in Channel.objects.filter(is_active=True):
            self.channels.setdefault(channel.name_zh, channel.pk)
            self.channels[channel.code] = channel.pk
        self.categories: dict[str, int] = {}
        self.default_risk: dict[int, str] = {}
        names: dict[str, list[int]] = {}
        for category in Category.objects.filter(is_active=True):
            self.categories[category.code] = category.pk
            self.default_risk[category.pk] = category.default_risk
            names.setdefault(category.name_zh, []).append(category.pk)
        # A Chinese name stands for a category only where it is unambiguous.
        self.categories.update({n: ids[0] for n, ids in names.items() if len(ids) == 1})
        units = OrgUnit.objects.filter(is_active=True).values_list("pk", "code", "path")
        self.units = {code: pk for pk, code, _ in units}
        self.paths = {pk: path for pk, _, path in units}


class _Bad(ValueError):
    """A cell's value is wrong; the message says why."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 12345 typed into a cell as 12345.0
    return str(value).strip()


def _parse_time(raw: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        pass
    match = _LOOSE_TIME.match(raw)
    try:
        if match:
            year, month, day, hour, minute, second = (int(p or 0) for p in match.groups())
            return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - made aware by the caller
    except ValueError:
        pass
    raise _Bad(f"not a date and time: {raw!r}")


def _title_from(description: str) -> str:
    return (re.split(r"[。！？!?\n]", description, maxsplit=1)[0].strip() or description)[:40]


class RowChecker:
    """Checks rows against the header and the database; remembers keys to find duplicates."""

    def __init__(self, header: list[Any], header_line: int, lookups: Lookups) -> None:
        self.lookups = lookups
        self.index: dict[str, int] = {}
        issues = []
        for position, raw in enumerate(header):
            label = _text(raw).lstrip("\ufeff").strip()
            name = _HEADERS.get(label) or _HEADERS.get(label.lower().replace(" ", "_"))
            if not label:
                continue
            if name is None:
                issues.append(RowIssue(header_line, label, "unknown column"))
            elif name in self.index:
                issues.append(RowIssue(header_line, label, f"column {name} appears twice"))
            else:
                self.index[name] = position
        issues += [
            RowIssue(header_line, name, "required column is missing")
            for name in REQUIRED
            if name not in self.index
        ]
        if "unit_code" not in self.index and not {"lat", "lng"} <= self.index.keys():
            issues.append(RowIssue(header_line, "unit_code", "give unit_code or lat and lng"))
        if issues:
            raise FileProblem(issues)
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localdate()
        self.latest = timezone.now() + _CLOCK_SKEW
        self.seen: dict[tuple[int, str], int] = {}
        parse: dict[str, Callable[[Any], Any]] = {
            "channel": lambda v: self._known(lookups.channels, v, "channel"),
            "category": lambda v: self._known(lookups.categories, v, "category"),
            "unit_code": self._unit,
            "lat": lambda v: self._float(v, 90),
            "lng": lambda v: self._float(v, 180),
            "people_involved": self._people,
            "amount": self._amount,
            "risk_colour": lambda v: _RISKS.get(_text(v).lower()) or _bad("red, orange or green"),
            "status": lambda v: (
                _STATUSES.get(_text(v).lower())
                or _bad("closed, resolved, withdrawn, referred or open")
            ),
            "applicant_phone": self._phone,
            "respondent_phone": self._phone,
            "applicant_id_number": self._id_number,
            **dict.fromkeys(TIMES, self._time),
        }
        self.parse: dict[str, Callable[[Any], Any]] = {
            name: parse.get(name, _text) for name in self.index
        }

    def check_chunk(
        self, rows: list[tuple[int, list[Any]]]
    ) -> tuple[list[ImportRow], list[RowIssue]]:
        """Check rows; points are resolved to grids for the whole chunk at once."""
        issues: list[RowIssue] = []
        drafts = [d for line, values in rows if (d := self._check(line, values, issues))]
        located = [d for d in drafts if d["lat"] is not None]
        grids = geometry.resolve_grid_ids([(d["lng"], d["lat"]) for d in located])
        for draft, grid_id in zip(located, grids, strict=True):
            unit_id, paths = draft["territory_id"], self.lookups.paths
            if grid_id is None and unit_id is None:
                issues.append(RowIssue(draft["line"], "lat", "the point lies on no grid"))
            elif grid_id is not None and unit_id and not paths[grid_id].startswith(paths[unit_id]):
                issues.append(RowIssue(draft["line"], "lat", "the point lies outside unit_code"))
                draft["territory_id"] = None
            elif grid_id is not None:
                draft["territory_id"] = grid_id
        valid = []
        for draft in drafts:
            first = self.seen.setdefault((draft["channel_id"], draft["external_id"]), draft["line"])
            if first != draft["line"]:
                issues.append(RowIssue(draft["line"], "external_id", f"duplicate of line {first}"))
            elif draft["territory_id"] is not None:
                valid.append(ImportRow(**draft))
        return valid, issues

    def _check(self, line: int, cells: list[Any], issues: list[RowIssue]) -> dict[str, Any] | None:
        failed: set[str] = set()
        values: dict[str, Any] = dict.fromkeys(COLUMNS, "")
        values.update(dict.fromkeys(("lat", "lng", "unit_code", *TIMES)))
        for name, position in self.index.items():
            raw = cells[position] if position < len(cells) else None
            if raw is None or _text(raw) == "":
                if name in REQUIRED:
                    failed.add(name)
                    issues.append(RowIssue(line, name, "required"))
                continue
            try:
                values[name] = self.parse[name](raw)
            except _Bad as exc:
                failed.add(name)
                issues.append(RowIssue(line, name, str(exc)))
            if name in _LIMITS and len(values[name] or "") > _LIMITS[name]:
                failed.add(name)
                issues.append(RowIssue(line, name, f"longer than {_LIMITS[name]} characters"))
        # A column that failed already explains the problems that follow from it.
        across = [(column, text) for column, text in self._across(values) if column not in failed]
        issues.extend(RowIssue(line, column, text) for column, text in across)
        if failed or across:
            return None
        channel_id, category_id = values.pop("channel"), values.pop("category")
        unit_id = values.pop("unit_code")
        return {
            **values,
            "line": line,
            "channel_id": channel_id,
            "category_id": category_id,
            "territory_id": unit_id,
            "title": values["title"] or _title_from(values["description"]),
            "people_involved": values["people_involved"] or 1,
            "amount": values["amount"] or Decimal("0"),
            "risk_colour": values["risk_colour"] or self.lookups.default_risk[category_id],
        }

    def _across(self, values: dict[str, Any]) -> Iterator[tuple[str, str]]:
        """Problems between columns: place, status and times, parties."""
        if (values["lat"] is None) != (values["lng"] is None):
            yield "lat" if values["lat"] is None else "lng", "give both lat and lng, or neither"
        elif values["unit_code"] is None and values["lat"] is None:
            if "unit_code" in self.index and not self.index.keys() & {"lat", "lng"}:
                yield "unit_code", "required"
            else:
                yield "unit_code", "give unit_code or lat and lng"
        times = {name: values[name] for name in TIMES}
        status = values["status"]
        if status == "open":
            status = values["status"] = S.ACCEPTED if times["accepted_at"] else S.REGISTERED
        needs = {S.CLOSED: "closed_at", S.RESOLVED: "resolved_at", S.ACCEPTED: "accepted_at",
                 S.IN_HANDLING: "accepted_at"}  # fmt: skip
        if status in needs and times[needs[status]] is None:
            yield needs[status], f"a {status} case needs {needs[status]}"
        if status and status != S.CLOSED and times["closed_at"]:
            yield "closed_at", f"only a closed case has closed_at, not a {status} one"
        if status and status not in {S.CLOSED, S.RESOLVED} and times["resolved_at"]:
            yield "resolved_at", f"only a resolved or closed case has resolved_at, not {status}"
        earlier: tuple[str, datetime] | None = None
        for name, moment in times.items():
            if moment is not None:
                if earlier is not None and moment < earlier[1]:
                    yield name, f"{name} is before {earlier[0]}"
                earlier = (name, moment)
        for role in ("applicant", "respondent"):
            has_contact = values[f"{role}_phone"] or values.get(f"{role}_id_number")
            if has_contact and not values[f"{role}_name"]:
                yield f"{role}_name", f"the {role}'s phone or ID number needs a name"

    @staticmethod
    def _known(codes: dict[str, int], value: Any, what: str) -> int:
        found = codes.get(_text(value))
        return found if found is not None else _bad(f"unknown {what} {_text(value)!r}")

    def _unit(self, value: Any) -> int:
        code = _text(value)
        if not _UNIT_CODE.match(code):
            raise _Bad("must be 12 digits, or 15 for a grid")
        found = self.lookups.units.get(code)
        return found if found is not None else _bad(f"unknown or inactive unit {code}")

    @staticmethod
    def _float(value: Any, limit: int) -> float:
        try:
            number = float(_text(value))
        except ValueError:
            raise _Bad("must be decimal degrees") from None
        return number if -limit <= number <= limit else _bad(f"must lie in -{limit}..{limit}")

    @staticmethod
    def _people(value: Any) -> int:
        try:
            people = int(_text(value))
        except ValueError:
            raise _Bad("must be a whole number") from None
        return people if 1 <= people <= 1_000_000 else _bad("must be between 1 and 1,000,000")

    @staticmethod
    def _amount(value: Any) -> Decimal:
        try:
            amount = Decimal(_AMOUNT_NOISE.sub("", str(value))).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise _Bad("must be a number of yuan") from None
        if not amount.is_finite() or not 0 <= amount < Decimal("1e12"):
            raise _Bad("must be between 0 and 999,999,999,999.99 yuan")
        return amount

    def _time(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime(value.year, value.month, value.day)  # noqa: DTZ001 - made aware below
        else:
            moment = _parse_time(_text(value))
        if moment.tzinfo is None:
            # Asia/Shanghai has had no DST since 1991: attaching the zone is exact.
            moment = moment.replace(tzinfo=self.tz)
        return moment if moment <= self.latest else _bad("lies in the future")

    @staticmethod
    def _phone(value: Any) -> str:
        try:
            return normalise_phone(_text(value))
        except ValidationFailed as exc:
            raise _Bad(exc.message) from exc

    def _id_number(self, value: Any) -> str:
        if isinstance(value, int | float):
            # 18 digits do not fit a spreadsheet number: the last ones are already lost.
            raise _Bad("stored as a number; format the column as text")
        try:
            return normalise_id_number(_text(value), today=self.today)
        except ValidationFailed as exc:
            raise _Bad(exc.message) from exc


def _bad(message: str) -> Any:
    raise _Bad(message)


# --- between the passes -------------------------------------------------------------------


@dataclass
class ImportResult:
    source: str
    dry_run: bool
    rows: int = 0
    valid: int = 0
    imported: int = 0
    skipped: int = 0
    rejected: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    issue_count: int = 0
    routing_computed: int = 0

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"{self.rows} rows checked: {self.valid} valid, {self.rejected} rejected "
                "(dry run: nothing was written)"
            )
        return (
            f"{self.imported} imported, {self.skipped} skipped as already present, "
            f"{self.rejected} rejected"
        )


def chunks(rows: Iterable[tuple[int, list[Any]]], size: int) -> Iterator[list[Any]]:
    chunk: list[tuple[int, list[Any]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
