"""Checking imported industry data: CSV files (CLI, upload) and JSON batches (API).

One row is one employer and one month: the employer's code, the month, any indicator values,
and optionally the employer's own details (which register it when it is new). Every row is
checked before anything is written; a file with any problem is rejected whole, each problem
reported as ``LINE: field: message``.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import ValidationFailed
from fengqiao.labour.creditcode import normalise_credit_code, normalise_project_code
from fengqiao.labour.indicators import INDICATORS, indicator_for_header
from fengqiao.labour.models import Employer, EmployerKind
from fengqiao.orgs import geometry
from fengqiao.orgs.models import OrgUnit

MAX_ROWS = 200_000

# Employer columns: code first, then Chinese headers of department exports.
EMPLOYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("统一社会信用代码", "项目编码", "credit_code", "project_code"),
    "period": ("月份", "month"),
    "kind": ("类型",),
    "name": ("名称", "单位名称", "项目名称"),
    "industry": ("行业",),
    "address": ("地址",),
    "lng": ("经度",),
    "lat": ("纬度",),
    "unit_code": ("区划代码",),
    "workers": ("职工人数", "工人数"),
    "contractor": ("总包单位",),
    "contractor_code": ("总包单位信用代码",),
}
DETAIL_FIELDS = tuple(k for k in EMPLOYER_COLUMNS if k not in {"code", "period"})
KIND_WORDS = {"enterprise": "enterprise", "企业": "enterprise", "project": "project",
              "项目": "project", "工程项目": "project", "在建项目": "project"}  # fmt: skip
_PERIOD = re.compile(r"^(\d{4})\s*[-/.年]?\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})?\s*日?)?\s*月?$")


@dataclass(frozen=True)
class Issue:
    where: int  # line of a file, or index of a JSON item
    field: str
    message: str


class ImportRejected(ValidationFailed):
    """Some rows are wrong; nothing was written."""

    def __init__(self, issues: list[Issue], *, by_index: bool = False) -> None:
        self.issues = issues
        key = "index" if by_index else "line"
        super().__init__(
            _("%(n)d problems; nothing was imported") % {"n": len(issues)},
            errors=[{key: i.where, "field": i.field, "message": i.message} for i in issues],
        )


@dataclass
class EmployerData:
    code: str
    kind: str
    details: dict[str, Any]  # only the fields the rows gave
    unit: OrgUnit | None  # where it lies, when the rows gave a location
    existing: Employer | None


@dataclass
class CheckedBatch:
    employers: dict[str, EmployerData] = field(default_factory=dict)
    # (code, month, indicator) -> value
    values: dict[tuple[str, date, str], float] = field(default_factory=dict)
    rows: int = 0


class _Bad(ValueError):
    pass


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GB18030 (older Chinese systems)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                [Issue(1, "-", _("the file is neither UTF-8 nor GB18030"))]
            ) from exc


def csv_rows(raw: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: cell}) for every non-blank data row; columns mapped to their codes."""
    reader = csv.reader(io.StringIO(decode_csv(raw), newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ImportRejected([Issue(1, "-", _("the file is empty"))])
        columns: list[str] = []
        issues: list[Issue] = []
        for cell in header:
            name = _column(cell)
            if name is None:
                issues.append(Issue(1, cell.strip() or "-", _("unknown column")))
            elif name in columns:
                issues.append(Issue(1, cell.strip(), _("column given twice")))
            columns.append(name or "")
        for needed in ("code", "period"):
            if needed not in columns:
                issues.append(Issue(1, needed, _("this column is required")))
        if issues:
            raise ImportRejected(issues)
        rows: list[tuple[int, dict[str, str]]] = []
        last = reader.line_num
        for record in reader:
            start, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(columns):
                raise ImportRejected([Issue(start, "-", _("more cells than columns"))])
            rows.append((start, dict(zip(columns, record, strict=False))))
            if len(rows) > MAX_ROWS:
                raise ImportRejected(
                    [Issue(start, "-", _("more than %(n)d rows") % {"n": MAX_ROWS})]
                )
    except csv.Error as exc:
        raise ImportRejected([Issue(reader.line_num, "-", str(exc))]) from exc
    return rows


def _column(header: str) -> str | None:
    text = header.strip().lstrip("\ufeff")
    for name, aliases in EMPLOYER_COLUMNS.items():
        if text == name or text in aliases:
            return name
    return indicator_for_header(text)


def parse_period(raw: str) -> date:
    match = _PERIOD.match(raw.strip())
    if not match:
        raise _Bad(_("a month such as 2025-03 is required"))
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 2000:
        raise _Bad(_("not a month: %(value)s") % {"value": raw})
    period = date(year, month, 1)
    today = timezone.localdate()
    if period > date(today.year, today.month, 1):
        raise _Bad(_("the month lies in the future"))
    return period


def _number(raw: str, *, whole: bool, maximum: float) -> float:
    text = raw.strip().replace(",", "")
    try:
        value = float(text)
    except ValueError as exc:
        raise _Bad(_("a number is required")) from exc
    if not math.isfinite(value) or value < 0:
        raise _Bad(_("must be a number ≥ 0"))
    if value > maximum:
        raise _Bad(_("must not exceed %(n)s") % {"n": f"{maximum:g}"})
    if whole and not value.is_integer():
        raise _Bad(_("a whole number is required"))
    return value


def _coordinate(raw: str, limit: float) -> float:
    try:
        value = float(raw)
    except ValueError as exc:
        raise _Bad(_("a number is required")) from exc
    if not math.isfinite(value) or abs(value) > limit:
        raise _Bad(_("must lie between -%(n)s and %(n)s") % {"n": f"{limit:g}"})
    return value


class RowChecker:
    """Checks rows one by one against the register and the importer's jurisdiction."""

    def __init__(self, actor: Any, *, by_index: bool = False) -> None:
        self.by_index = by_index
        # No actor: the command line, run by the operator for the whole installation.
        self.jurisdiction = Jurisdiction.of(actor) if actor is not None else None
        self.batch = CheckedBatch()
        self.issues: list[Issue] = []
        self._value_where: dict[tuple[str, date, str], int] = {}
        self._detail_where: dict[tuple[str, str], tuple[int, Any]] = {}
        self._first: dict[str, int] = {}

    def _covers(self, path: str) -> bool:
        return self.jurisdiction is None or self.jurisdiction.covers_path(path)

    def check_all(self, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> CheckedBatch:
        rows = list(rows)
        codes = {str(r.get("code") or "").strip().upper() for _, r in rows}
        known = {e.code: e for e in Employer.objects.filter(code__in=codes).select_related("unit")}
        for where, row in rows:
            self._row(where, row, known)
        for code, data in self.batch.employers.items():
            if data.existing is not None:
                continue
            first = self._first[code]
            if any(issue.where == first for issue in self.issues):
                continue  # the row's own problem says it better
            if "name" not in data.details:
                self.issues.append(Issue(first, "name", _("a name is required for a new employer")))
            if data.unit is None:
                self.issues.append(Issue(first, "lng", _("a location is required")))
        if self.issues:
            issues = sorted(self.issues, key=lambda i: i.where)
            raise ImportRejected(issues, by_index=self.by_index)
        return self.batch

    def _row(self, where: int, row: Mapping[str, Any], known: dict[str, Employer]) -> None:
        self.batch.rows += 1
        before = len(self.issues)
        code = str(row.get("code") or "").strip().upper()
        if not code:
            self.issues.append(Issue(where, "code", _("this field is required")))
            return
        try:
            period = parse_period(str(row.get("period") or ""))
        except _Bad as exc:
            self.issues.append(Issue(where, "period", str(exc)))
            period = None
        existing = known.get(code)
        if existing is not None and not self._covers(existing.unit_path):
            self.issues.append(Issue(where, "code", _("this employer lies outside your area")))
            return
        data = self._employer(where, code, row, existing)
        if data is None or len(self.issues) > before:
            return
        for indicator, spec in INDICATORS.items():
            raw = row.get(indicator)
            if raw is None or str(raw).strip() == "" or spec.source != "import":
                continue
            try:
                value = _number(str(raw), whole=spec.whole, maximum=spec.maximum)
            except _Bad as exc:
                self.issues.append(Issue(where, indicator, str(exc)))
                continue
            if not spec.applies_to(data.kind):
                self.issues.append(
                    Issue(where, indicator, _("does not apply to this kind of employer"))
                )
                continue
            if period is None:
                continue
            key = (code, period, indicator)
            if key in self._value_where:
                self.issues.append(
                    Issue(
                        where,
                        indicator,
                        _("given twice for this month (line %(n)d)")
                        % {"n": self._value_where[key]},
                    )
                )
                continue
            self._value_where[key] = where
            self.batch.values[key] = value

    def _employer(
        self, where: int, code: str, row: Mapping[str, Any], existing: Employer | None
    ) -> EmployerData | None:
        given = {k: str(row[k]).strip() for k in DETAIL_FIELDS if str(row.get(k) or "").strip()}
        kind_word = given.pop("kind", "")
        kind = KIND_WORDS.get(kind_word.lower(), "") if kind_word else ""
        if kind_word and not kind:
            self.issues.append(Issue(where, "kind", _("'enterprise' or 'project'")))
            return None
        data = self.batch.employers.get(code)
        if data is not None and kind and kind != data.kind:
            self.issues.append(
                Issue(where, "kind", _("differs from line %(n)d") % {"n": self._first[code]})
            )
            return None
        if data is None:
            if existing is not None:
                if kind and kind != existing.kind:
                    self.issues.append(Issue(where, "kind", _("an employer's kind cannot change")))
                    return None
                kind = existing.kind
            elif not kind:
                message = _("unknown code: give kind, name and a location to register it")
                self.issues.append(Issue(where, "kind" if given else "code", message))
                return None
            try:
                if kind == EmployerKind.ENTERPRISE:
                    code_ok = normalise_credit_code(code)
                else:
                    code_ok = normalise_project_code(code)
            except ValidationFailed as exc:
                self.issues.append(Issue(where, "code", exc.message))
                return None
            data = EmployerData(code_ok, kind, {}, None, existing)
            self.batch.employers[code] = data
            self._first[code] = where
        for name, raw in given.items():
            earlier = self._detail_where.get((code, name))
            if earlier is not None and earlier[1] != raw:
                self.issues.append(
                    Issue(where, name, _("differs from line %(n)d") % {"n": earlier[0]})
                )
                continue
            self._detail_where[(code, name)] = (where, raw)
            try:
                data.details[name] = self._detail(name, raw)
            except _Bad as exc:
                self.issues.append(Issue(where, name, str(exc)))
        self._locate(where, data, given)
        return data

    def _detail(self, name: str, raw: str) -> Any:
        limits = {"name": 200, "industry": 64, "address": 255, "contractor": 200}
        if name in limits:
            if len(raw) > limits[name]:
                raise _Bad(_("at most %(n)d characters") % {"n": limits[name]})
            return raw
        if name == "workers":
            return int(_number(raw, whole=True, maximum=1_000_000))
        if name in {"lng", "lat"}:
            return _coordinate(raw, 180 if name == "lng" else 90)
        if name == "contractor_code":
            try:
                return normalise_credit_code(raw, field=name)
            except ValidationFailed as exc:
                raise _Bad(exc.message) from exc
        if name == "unit_code":
            unit = OrgUnit.objects.filter(code=raw, is_active=True).defer("boundary").first()
            if unit is None or not self._covers(unit.path):
                raise _Bad(_("no such unit in your area"))
            return unit
        raise _Bad(_("unknown column"))  # pragma: no cover - DETAIL_FIELDS is closed

    def _locate(self, where: int, data: EmployerData, given: dict[str, str]) -> None:
        details = data.details
        if data.unit is not None or ("lng" not in details and "unit_code" not in details):
            if ("lng" in given) != ("lat" in given):
                self.issues.append(Issue(where, "lat", _("give both longitude and latitude")))
            return
        if "lng" in details and "lat" in details:
            grid = geometry.resolve_grid(details["lng"], details["lat"])
            if grid is None or not self._covers(grid.path):
                self.issues.append(Issue(where, "lng", _("the point lies in no grid of your area")))
                return
            unit = details.get("unit_code")
            if unit is not None and not grid.path.startswith(unit.path):
                self.issues.append(Issue(where, "unit_code", _("the point lies outside this unit")))
                return
            data.unit = grid
        elif "lng" in details or "lat" in details:
            self.issues.append(Issue(where, "lat", _("give both longitude and latitude")))
        else:
            data.unit = details["unit_code"]
