"""Checking a chunk of historical rows column by column: the importer's fast path.

``RowChecker`` explains every problem of every cell, one row at a time: right for the rows that
have problems, but a hundred microseconds a row. Most rows of a real export are clean and written
the way the source system always writes them, so a chunk is first checked here as columns
(Polars), against only the plain forms ``RowChecker`` reads the same way: ISO times, digits,
codes and names exactly as listed, no padding. A row that is not plainly clean in every cell goes
to ``RowChecker``, which either accepts it (it reads more forms: 2025/3/11, "1,200元", +86…) or
says what is wrong, so messages and accepted values never depend on which path a row took. The
tests check both paths give the same rows.

Everything after the per-row check — points to grids, duplicates within the file — runs on the
merged columns, and valid rows leave as one DataFrame per chunk (``FRAME_SCHEMA``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.utils import timezone

from fengqiao.cases.import_rows import (
    _LIMITS,
    _RISKS,
    _STATUSES,
    _UNIT_CODE,
    COLUMNS,
    REQUIRED,
    TIMES,
    RowChecker,
    RowIssue,
    _title_from,
)
from fengqiao.cases.pii import _ID_CHECK, _ID_WEIGHTS, _PROVINCE_PREFIXES
from fengqiao.cases.states import CaseStatus
from fengqiao.orgs import geometry

_TZ = settings.TIME_ZONE
_TIME = pl.Datetime("us", _TZ)
FRAME_SCHEMA: dict[str, Any] = {
    "line": pl.Int64, "external_id": pl.String, "channel_id": pl.Int64,
    "category_id": pl.Int64, "territory_id": pl.Int64, "title": pl.String,
    "description": pl.String, "lat": pl.Float64, "lng": pl.Float64, "address": pl.String,
    "people_involved": pl.Int64, "amount_cents": pl.Int64, "risk_colour": pl.String,
    "status": pl.String, "registered_at": _TIME, "accepted_at": _TIME, "resolved_at": _TIME,
    "closed_at": _TIME, "applicant_name": pl.String, "applicant_phone": pl.String,
    "applicant_id_number": pl.String, "respondent_name": pl.String,
    "respondent_phone": pl.String, "outcome": pl.String,
}  # fmt: skip
# Leading or trailing space by Python's str.strip(), which also strips \x1c-\x1f; such cells take
# the row path, so a cell accepted here is exactly the text the row checker would keep.
_PADDED = r"^[\s\x1c-\x1f]|[\s\x1c-\x1f]$"
_PLAIN_TIME = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$"
_PLAIN_PHONE = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$"
_PLAIN_AMOUNT = r"^\d{1,12}(\.\d{1,2})?$"
_PLAIN_FLOAT = r"^-?\d{1,3}(\.\d{1,15})?$"
_PLAIN_ID = r"^\d{17}[\dX]$"
_MAX_PEOPLE = 1_000_000


def _column(rows: list[tuple[int, list[Any]]], position: int) -> list[Any]:
    return [cells[position] if position < len(cells) else None for _, cells in rows]


def _plain(frame: pl.DataFrame, index: dict[str, int]) -> pl.Series:
    """True for rows whose every cell is text in a form checked here (or empty)."""
    conditions = [pl.col(name).is_null() | ~pl.col(name).str.contains(_PADDED) for name in index]
    return frame.select(pl.all_horizontal(conditions)).to_series()


class ColumnChecker:
    """The fast path beside a ``RowChecker``, sharing its header, lookups and duplicates."""

    def __init__(self, rows: RowChecker) -> None:
        self.rows = rows
        lookups = rows.lookups
        self.channels = lookups.channels
        self.categories = lookups.categories
        self.units = {code: pk for code, pk in lookups.units.items() if _UNIT_CODE.match(code)}
        self.default_risk = {pk: str(risk) for pk, risk in lookups.default_risk.items()}
        self.latest = rows.latest.astimezone(rows.tz).replace(tzinfo=None)
        self.today = rows.today

    def check_chunk(
        self, chunk: list[tuple[int, list[Any]]]
    ) -> tuple[pl.DataFrame, list[RowIssue]]:
        """Valid rows of the chunk as a frame (``FRAME_SCHEMA``) and the problems found."""
        index = self.rows.index
        lines = [line for line, _ in chunk]
        texts: dict[str, list[Any]] = {}
        # Spreadsheet cells hold numbers and dates as well as text: those rows take the row path.
        odd: set[int] = set()
        for name, position in index.items():
            values = _column(chunk, position)
            if not all(value is None or type(value) is str for value in values):
                odd.update(
                    line
                    for line, v in zip(lines, values, strict=True)
                    if v is not None and type(v) is not str
                )
                values = [v if type(v) is str else None for v in values]
            texts[name] = values
        raw = pl.DataFrame(
            {"line": lines, **texts}, schema={"line": pl.Int64, **dict.fromkeys(texts, pl.String)}
        )
        # Empty cells are absent; a cell of another type than text ("\x00") is never plain.
        raw = raw.with_columns(pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in index)
        plain = _plain(raw, index) & ~raw["line"].is_in(sorted(odd))
        typed = self._typed(raw.filter(plain))
        fast = typed.filter(pl.col("_ok")).drop("_ok")
        slow_lines = set(raw.filter(~plain)["line"].to_list()) | set(
            typed.filter(~pl.col("_ok"))["line"].to_list()
        )
        issues: list[RowIssue] = []
        drafts = []
        if slow_lines:
            for line, cells in chunk:
                if line in slow_lines and (draft := self.rows._check(line, cells, issues)):
                    drafts.append(draft)
        frame = pl.concat([fast, _frame_of(drafts)], how="vertical")
        frame = self._placed(frame, issues)
        return self._first_of_each(frame, issues), issues

    # -- the plain forms, typed -------------------------------------------------------------

    def _typed(self, raw: pl.DataFrame) -> pl.DataFrame:
        """Parsed columns, and ``_ok``: every cell plainly valid and the columns consistent."""
        col, has = pl.col, self.rows.index.__contains__
        text = {name: (col(name) if has(name) else pl.lit(None, pl.String)) for name in COLUMNS}
        checks: list[pl.Expr] = [text[name].is_not_null() for name in REQUIRED]
        checks += [
            text[name].is_null() | (text[name].str.len_chars() <= limit)
            for name, limit in _LIMITS.items()
        ]
        parsed: dict[str, pl.Expr] = {}
        parsed["channel_id"] = text["channel"].replace_strict(
            self.channels, default=None, return_dtype=pl.Int64
        )
        parsed["category_id"] = text["category"].replace_strict(
            self.categories, default=None, return_dtype=pl.Int64
        )
        checks += [parsed["channel_id"].is_not_null(), parsed["category_id"].is_not_null()]
        unit = text["unit_code"].replace_strict(self.units, default=None, return_dtype=pl.Int64)
        checks.append(text["unit_code"].is_null() | unit.is_not_null())
        for name, limit in (("lat", 90), ("lng", 180)):
            number = text[name].cast(pl.Float64, strict=False)
            checks.append(
                text[name].is_null()
                | (text[name].str.contains(_PLAIN_FLOAT) & number.is_between(-limit, limit))
            )
            parsed[name] = number
        checks.append(text["lat"].is_null() == text["lng"].is_null())
        checks.append(unit.is_not_null() | text["lat"].is_not_null())
        people = text["people_involved"].cast(pl.Int64, strict=False)
        checks.append(
            text["people_involved"].is_null()
            | (
                text["people_involved"].str.contains(r"^\d{1,7}$")
                & people.is_between(1, _MAX_PEOPLE)
            )
        )
        checks.append(text["amount"].is_null() | text["amount"].str.contains(_PLAIN_AMOUNT))
        whole = text["amount"].str.extract(r"^(\d+)", 1).cast(pl.Int64, strict=False)
        cents = (
            text["amount"]
            .str.extract(r"\.(\d{1,2})$", 1)
            .str.pad_end(2, "0")
            .cast(pl.Int64, strict=False)
        )
        risks = {key: str(value) for key, value in _RISKS.items()}
        risk = text["risk_colour"].str.to_lowercase().replace_strict(risks, default=None)
        checks.append(text["risk_colour"].is_null() | risk.is_not_null())
        statuses = {key: str(value) for key, value in _STATUSES.items()}
        status = text["status"].str.to_lowercase().replace_strict(statuses, default=None)
        checks.append(status.is_not_null())
        for name in TIMES:
            # 2025-03-01, 2025-03-01 09:00 and 2025-03-01T09:00:00 as datetime.fromisoformat.
            tail = (
                text[name]
                .str.len_chars()
                .replace_strict({10: " 00:00:00", 16: ":00"}, default="", return_dtype=pl.String)
            )
            full = text[name].str.replace("T", " ", literal=True) + tail
            moment = full.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")
            checks.append(
                text[name].is_null()
                | (
                    text[name].str.contains(_PLAIN_TIME)
                    & moment.is_not_null()
                    & (moment <= self.latest)
                )
            )
            parsed[name] = moment
        for name in ("applicant_phone", "respondent_phone"):
            checks.append(text[name].is_null() | text[name].str.contains(_PLAIN_PHONE))
        checks.append(self._id_number_ok(text["applicant_id_number"]))
        for role in ("applicant", "respondent"):
            contact = text[f"{role}_phone"].is_not_null()
            if role == "applicant":
                contact = contact | text["applicant_id_number"].is_not_null()
            checks.append(~contact | text[f"{role}_name"].is_not_null())
        frame = raw.select(
            pl.col("line"),
            *(text[name].fill_null("").alias(name) for name in _TEXTS),
            parsed["channel_id"].alias("channel_id"),
            parsed["category_id"].alias("category_id"),
            unit.alias("territory_id"),
            parsed["lat"].alias("lat"),
            parsed["lng"].alias("lng"),
            people.fill_null(1).alias("people_involved"),
            (whole * 100 + cents.fill_null(0)).fill_null(0).alias("amount_cents"),
            risk.alias("risk_colour"),
            status.alias("status"),
            *(parsed[name].alias(name) for name in TIMES),
            pl.all_horizontal(checks).fill_null(False).alias("_ok"),
        )
        return self._consistent(frame)

    def _id_number_ok(self, value: pl.Expr) -> pl.Expr:
        digits = [value.str.slice(i, 1).cast(pl.Int64, strict=False) for i in range(17)]
        total = pl.sum_horizontal(d * w for d, w in zip(digits, _ID_WEIGHTS, strict=True))
        check = (total % 11).replace_strict(
            dict(enumerate(_ID_CHECK)), default=None, return_dtype=pl.String
        )
        born = value.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
        valid = (
            value.str.contains(_PLAIN_ID)
            & value.str.slice(0, 2).is_in(sorted(_PROVINCE_PREFIXES))
            & born.is_between(date(1900, 1, 1), self.today)
            & (check == value.str.slice(17, 1))
        )
        return value.is_null() | valid

    def _consistent(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Status against times, times in order, open made registered or accepted, defaults."""
        col = pl.col
        status = (
            pl.when(col("status") != "open")
            .then(col("status"))
            .when(col("accepted_at").is_not_null())
            .then(pl.lit(str(CaseStatus.ACCEPTED)))
            .otherwise(pl.lit(str(CaseStatus.REGISTERED)))
        )
        needs = {
            CaseStatus.CLOSED: "closed_at",
            CaseStatus.RESOLVED: "resolved_at",
            CaseStatus.ACCEPTED: "accepted_at",
            CaseStatus.IN_HANDLING: "accepted_at",
        }
        checks = [(status != str(s)) | col(name).is_not_null() for s, name in needs.items()]
        checks.append((status == str(CaseStatus.CLOSED)) | col("closed_at").is_null())
        checks.append(
            status.is_in([str(CaseStatus.CLOSED), str(CaseStatus.RESOLVED)])
            | col("resolved_at").is_null()
        )
        # Each time no earlier than the latest one given before it.
        previous: pl.Expr | None = None
        for name in TIMES:
            if previous is not None:
                checks.append(col(name).is_null() | previous.is_null() | (col(name) >= previous))
                previous = pl.coalesce(col(name), previous)
            else:
                previous = col(name)
        frame = frame.with_columns(
            status.alias("status"),
            (col("_ok") & pl.all_horizontal(checks).fill_null(False)).alias("_ok"),
            *(
                col(n).dt.replace_time_zone(_TZ, ambiguous="earliest", non_existent="null")
                for n in TIMES
            ),
        )
        title = col("title")
        risk = col("risk_colour").fill_null(
            col("category_id").replace_strict(self.default_risk, default=None)
        )
        frame = frame.with_columns(
            risk.alias("risk_colour"),
            # A time that does not exist on the local clock is left to the row checker.
            (col("_ok") & col("registered_at").is_not_null()).alias("_ok"),
            pl.when(title == "").then(None).otherwise(title).alias("title"),
        )
        missing = frame["title"].is_null()
        if missing.any():
            titles = [
                _title_from(d) if t is None else t
                for t, d in zip(frame["title"], frame["description"], strict=True)
            ]
            frame = frame.with_columns(pl.Series("title", titles, pl.String))
        return frame.select(*FRAME_SCHEMA, "_ok")

    # -- after the per-row check -----------------------------------------------------------

    def _placed(self, frame: pl.DataFrame, issues: list[RowIssue]) -> pl.DataFrame:
        """Points resolved to grids for the whole chunk, as ``RowChecker.check_chunk`` does."""
        located = frame.filter(pl.col("lat").is_not_null())
        if located.is_empty():
            return frame
        points = list(zip(located["lng"].to_list(), located["lat"].to_list(), strict=True))
        grids = geometry.resolve_grid_ids(points)
        paths = self.rows.lookups.paths
        territory: dict[int, int | None] = {}
        for line, unit_id, grid_id in zip(
            located["line"], located["territory_id"], grids, strict=True
        ):
            if grid_id is None and unit_id is None:
                issues.append(RowIssue(line, "lat", "the point lies on no grid"))
            elif grid_id is not None and unit_id and not paths[grid_id].startswith(paths[unit_id]):
                issues.append(RowIssue(line, "lat", "the point lies outside unit_code"))
                territory[line] = None
            elif grid_id is not None:
                territory[line] = grid_id
        if not territory:
            return frame
        found = pl.DataFrame(
            {"line": list(territory), "_grid": list(territory.values())},
            schema={"line": pl.Int64, "_grid": pl.Int64},
        )
        frame = frame.join(found, on="line", how="left", maintain_order="left")
        place = pl.when(pl.col("line").is_in(found["line"].implode())).then(pl.col("_grid"))
        return frame.with_columns(
            place.otherwise(pl.col("territory_id")).alias("territory_id")
        ).drop("_grid")

    def _first_of_each(self, frame: pl.DataFrame, issues: list[RowIssue]) -> pl.DataFrame:
        """Drop later rows repeating an earlier row's (channel, external id), and unplaced ones."""
        frame = frame.sort("line")
        seen, keep = self.rows.seen, []
        for line, channel_id, external_id in zip(
            frame["line"], frame["channel_id"], frame["external_id"], strict=True
        ):
            first = seen.setdefault((channel_id, external_id), line)
            if first != line:
                issues.append(RowIssue(line, "external_id", f"duplicate of line {first}"))
            keep.append(first == line)
        kept = pl.Series(keep, dtype=pl.Boolean)
        return frame.filter(kept & frame["territory_id"].is_not_null())


_TEXTS = (
    "external_id",
    "title",
    "description",
    "address",
    "applicant_name",
    "applicant_phone",
    "applicant_id_number",
    "respondent_name",
    "respondent_phone",
    "outcome",
)


def _frame_of(drafts: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows the row checker accepted, in the frame's columns."""
    columns: dict[str, list[Any]] = {name: [] for name in FRAME_SCHEMA}
    for draft in drafts:
        for name in FRAME_SCHEMA:
            if name == "amount_cents":
                columns[name].append(int(Decimal(draft["amount"]) * 100))
            elif name in TIMES:
                columns[name].append(_naive_local(draft[name]))
            else:
                columns[name].append(draft[name])
    frame = pl.DataFrame(
        columns, schema={**FRAME_SCHEMA, **dict.fromkeys(TIMES, pl.Datetime("us"))}
    )
    return frame.with_columns(pl.col(n).dt.replace_time_zone(_TZ) for n in TIMES)


def _naive_local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None)


class FrameSpool:
    """Checked chunks wait on disk between the two passes (Arrow IPC, one file per chunk): a
    million rows stay out of memory, and nothing is written before the whole file is read."""

    def __init__(self) -> None:
        self.directory = tempfile.TemporaryDirectory(prefix="fengqiao-import-")
        self.files: list[Path] = []

    def add(self, frame: pl.DataFrame) -> None:
        if not frame.is_empty():
            path = Path(self.directory.name) / f"{len(self.files):06d}.arrow"
            frame.write_ipc(path)
            self.files.append(path)

    def __iter__(self) -> Iterator[pl.DataFrame]:
        for path in self.files:
            yield pl.read_ipc(path)

    def close(self) -> None:
        self.directory.cleanup()
