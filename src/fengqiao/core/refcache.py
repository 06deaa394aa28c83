"""Reference data (taxonomy, channels, routing rules, org units, departments) cached per process.

Intake reads the same few hundred reference rows for every case; fetching them costs most of the
request. Each registration instead takes one :class:`Snapshot`: a single query reads a version of
every reference table (row count and latest ``updated_at``), and whatever was built from a table
at that version is reused. A change made in any process (the admin, an import, a move in the org
tree) changes the version, so the next snapshot rebuilds: no time-based staleness, no signals.

The services that change these tables keep ``updated_at`` current, bulk updates included
(``orgs.services`` moves, ``taxonomy.services`` deactivation), which is what makes this sound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.apps import apps
from django.db import connection

T = TypeVar("T")

# label -> "app_label.Model"; a cached value names the tables it was built from.
TABLES: dict[str, str] = {
    "category": "taxonomy.Category",
    "channel": "taxonomy.Channel",
    "rule": "routing.RoutingRule",
    "unit": "orgs.OrgUnit",
    "department": "orgs.Department",
}

_lock = threading.Lock()
_values: dict[str, tuple[tuple[Any, ...], Any]] = {}
# Lineages by unit id: bounded, since a city has tens of thousands of grids.
_LINEAGE_LIMIT = 20_000
_lineages: OrderedDict[int, tuple[Any, list[Any]]] = OrderedDict()


def _version_sql() -> str:
    # Table and column names come from model metadata, never from input.
    # One scan per table (count and latest change together): this runs once per registration.
    quote = connection.ops.quote_name
    columns, scans = [], []
    for n, label in enumerate(TABLES.values()):
        table = quote(apps.get_model(label)._meta.db_table)
        columns += [f"t{n}.c", f"t{n}.m"]
        latest = quote("updated_at")
        scans.append(f"(SELECT COUNT(*) AS c, MAX({latest}) AS m FROM {table}) t{n}")  # noqa: S608
    return "SELECT " + ", ".join(columns) + " FROM " + ", ".join(scans)  # noqa: S608


@dataclass
class Snapshot:
    """The versions of the reference tables as of one query; lookups reuse what matches."""

    versions: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def key(self, *tables: str) -> tuple[Any, ...]:
        return tuple(self.versions[t] for t in tables)

    def get(self, name: str, tables: tuple[str, ...], build: Callable[[], T]) -> T:
        key = self.key(*tables)
        cached = _values.get(name)
        if cached is not None and cached[0] == key:
            return cached[1]  # type: ignore[no-any-return]
        value = build()
        with _lock:
            _values[name] = (key, value)
        return value

    def lineage(self, unit_id: int, build: Callable[[int], list[Any]]) -> list[Any]:
        """The unit and its ancestors, nearest first (see ``routing.engine.lineage``)."""
        key = self.key("unit")
        cached = _lineages.get(unit_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        chain = build(unit_id)
        with _lock:
            _lineages[unit_id] = (key, chain)
            _lineages.move_to_end(unit_id)
            while len(_lineages) > _LINEAGE_LIMIT:
                _lineages.popitem(last=False)
        return chain


def snapshot() -> Snapshot:
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        row = cursor.fetchone()
    versions = {label: (row[2 * i], str(row[2 * i + 1])) for i, label in enumerate(TABLES)}
    return Snapshot(versions)


def clear() -> None:
    """Forget everything (tests that rebuild the world in a rolled-back transaction)."""
    with _lock:
        _values.clear()
        _lineages.clear()
