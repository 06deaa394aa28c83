"""The reads of the daily statistics, as a few fixed SQL statements with parameters.

Every cockpit panel reads ``DailyStat`` rows. For a district's month the database answers in
about 0.1 ms, while building and compiling the same query through the ORM took about 1 ms in
Python on every panel request. The statements are written out here once, for both databases,
from the model's own table and column names. ``tests/test_figures.py`` checks them against
plain ORM queries.

Which rows answer a question (:func:`rows_where`): a unit at a roll-up level (city, district,
township) answers from its own roll-up rows of the right kind. A village or grid, or a
question mixing dimensions, sums the base rows of the unit's subtree (a path range).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from django.db import connection
from django.db.models import Field

from fengqiao.metrics.models import OPEN_COLOUR_FIELDS, ROLLUP_LEVELS, DailyStat, StatKind
from fengqiao.metrics.stats import COUNTERS
from fengqiao.orgs.models import subtree_range_kwargs

ROW_FIELDS = ("day", "unit_path", "major_id", "channel_id", "lead_level", *COUNTERS)
HIST_FIELDS = ("accept_hist", "resolve_hist")
_EMPTY_HIST = ("{}", b"{}")


class Placed(Protocol):
    """A unit as the stat reads need it (an ``OrgUnit`` or the map's cached shape)."""

    @property
    def path(self) -> str: ...

    @property
    def level(self) -> int: ...


def _column(name: str) -> str:
    field = DailyStat._meta.get_field(name)
    assert isinstance(field, Field)  # noqa: S101 - the names are this module's own
    return connection.ops.quote_name(field.column)


def _table() -> str:
    return connection.ops.quote_name(DailyStat._meta.db_table)


def rows_where(
    units: Sequence[Placed],
    kind: int | None,
    *,
    periods: Sequence[tuple[date, date]] = (),
    major: int | None = None,
    channel: int | None = None,
) -> tuple[str, list[Any]] | None:
    """The WHERE clause (and its parameters) selecting the rows that cover ``units``.

    ``kind`` is the roll-up kind that answers the question, or ``None`` when only base rows
    can. Without units there is nothing to select: ``None``. Without periods, every day.
    """
    path, kind_column, day = _column("unit_path"), _column("kind"), _column("day")
    rolled = [u.path for u in units if kind is not None and u.level in ROLLUP_LEVELS]
    based = [u.path for u in units if kind is None or u.level not in ROLLUP_LEVELS]
    params: list[Any] = []
    scopes: list[str] = []
    if rolled and kind is not None:
        scopes.append(f"({kind_column} = %s AND {path} IN ({', '.join(['%s'] * len(rolled))}))")
        params += [int(kind), *rolled]
    if based:
        ranges, bounds = [], []
        for unit_path in based:
            subtree = subtree_range_kwargs("p", unit_path)
            if "p__lt" in subtree:
                ranges.append(f"({path} >= %s AND {path} < %s)")
                bounds += [subtree["p__gte"], subtree["p__lt"]]
            else:
                ranges.append(f"({path} >= %s)")
                bounds.append(subtree["p__gte"])
        scopes.append(f"({kind_column} = %s AND ({' OR '.join(ranges)}))")
        params += [int(StatKind.BASE), *bounds]
    if not scopes:
        return None
    clauses = [f"({' OR '.join(scopes)})"]
    if periods:
        adapt = connection.ops.adapt_datefield_value
        clauses.append(f"({' OR '.join([f'({day} >= %s AND {day} <= %s)'] * len(periods))})")
        for first, last in periods:
            params += [adapt(first), adapt(last)]
    if major:
        clauses.append(f"{_column('major')} = %s")
        params.append(major)
    if channel:
        clauses.append(f"{_column('channel')} = %s")
        params.append(channel)
    return " AND ".join(clauses), params


def rows(
    units: Sequence[Placed],
    kind: int | None,
    *,
    periods: Sequence[tuple[date, date]],
    major: int | None = None,
    channel: int | None = None,
) -> list[dict[str, Any]]:
    """The stat rows, as ``values(*ROW_FIELDS, *HIST_FIELDS)`` would give them."""
    if not periods:
        return []
    where = rows_where(units, kind, periods=periods, major=major, channel=channel)
    if where is None:
        return []
    names = [*ROW_FIELDS, *HIST_FIELDS]
    select = ", ".join(_column(name.removesuffix("_id")) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {_table()} WHERE {where[0]}", where[1])  # noqa: S608
        fetched = cursor.fetchall()
    day_at, hist_at = names.index("day"), [names.index(name) for name in HIST_FIELDS]
    out = []
    for values in fetched:
        row = list(values)
        if isinstance(row[day_at], str):  # SQLite returns dates as text
            row[day_at] = date.fromisoformat(row[day_at])
        for at in hist_at:
            raw = row[at]
            if isinstance(raw, (str, bytes)):
                row[at] = {} if raw in _EMPTY_HIST else json.loads(raw)
        out.append(dict(zip(names, row, strict=True)))
    return out


def sums_by_owner(
    units: Sequence[Placed],
    kind: int | None,
    fields: Sequence[str],
    *,
    periods: Sequence[tuple[date, date]] = (),
    major: int | None = None,
    channel: int | None = None,
    open_only: bool = False,
) -> dict[str, list[int]]:
    """``fields`` summed per unit of ``units`` (all of one level), by path.

    ``open_only`` reads only rows still holding an open case, with the very condition of the
    partial index ``metrics_stat_open`` (literal zeros: the planner must see them to use it).
    """
    if not units:
        return {}
    where = rows_where(units, kind, periods=periods, major=major, channel=channel)
    if where is None:
        return {}
    sql, params = where
    if open_only:
        sql += " AND (" + " OR ".join(f"{_column(n)} > 0" for n in OPEN_COLOUR_FIELDS) + ")"
    owner = f"SUBSTR({_column('unit_path')}, 1, {len(units[0].path):d})"
    sums = ", ".join(f"SUM({_column(name)})" for name in fields)
    statement = f"SELECT {owner}, {sums} FROM {_table()} WHERE {sql} GROUP BY {owner}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return {row[0]: [int(n or 0) for n in row[1:]] for row in cursor.fetchall()}
