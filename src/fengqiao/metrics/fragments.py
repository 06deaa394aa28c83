"""Cached cockpit panels and map geometry, keyed by the versions of what they show.

A panel is rendered from the statistics tables, the org tree and the taxonomy (plus, for the
hotspot list, the latest hotspot run). One query reads a version of each (:func:`versions`):
the statistics' token, which every refresh and rebuild replaces in the transaction that writes
the tables, and the row count and latest ``updated_at`` of the reference tables (as
``core.refcache`` does). A panel is cached under those versions, the unit, the resolved filters,
the query string its links carry, the language and the reader's scope, so:

- a refresh, a rebuild, an org or taxonomy edit gives a new key: the next request recomputes;
- the view checks jurisdiction on every request *before* looking in the cache, and the key holds
  the reader's scope, so a fragment is only ever served to a reader of the same scope;
- the watch list, which depends on the reader's own case visibility and on the clock (the
  "overdue" badge), is keyed per reader and expires when its next deadline passes.

The map's geometry (children's boundaries) changes only with the org tree: it is kept in the
process per (unit, org version), serialised once; each request joins only the values.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.cases.permissions import role_of
from fengqiao.hotspots.models import HotspotRun, RunStatus
from fengqiao.metrics.models import StatsVersion
from fengqiao.orgs.models import OrgUnit

T = TypeVar("T")
# The key carries every version; the timeout only bounds how long unused entries take memory.
TIMEOUT_SECONDS = 15 * 60
PREFIX = "metrics:panel:"
# Whose scope a panel depends on: the unit subtrees (aggregates, hotspots) or the person too
# (the watch list lists cases through the reader's own case visibility).
PERSONAL_PANELS = frozenset({"watch"})
_REFERENCE = ("orgs.OrgUnit", "taxonomy.Category", "taxonomy.Channel")


@dataclass(frozen=True)
class Versions:
    stats: str
    reference: tuple[Any, ...]
    hotspot_run: int | None

    @property
    def orgs(self) -> tuple[Any, ...]:
        return self.reference[:2]


def _versions_sql() -> tuple[str, list[Any]]:
    # Table and column names come from model metadata, never from input.
    quote = connection.ops.quote_name
    updated = quote("updated_at")
    columns, scans = [], []
    for n, label in enumerate(_REFERENCE):
        table = quote(apps.get_model(label)._meta.db_table)
        columns += [f"r{n}.c", f"r{n}.m"]
        scans.append(f"(SELECT COUNT(*) AS c, MAX({updated}) AS m FROM {table}) r{n}")  # noqa: S608
    stats = quote(StatsVersion._meta.db_table)
    runs = quote(HotspotRun._meta.db_table)
    token = f"(SELECT {quote('token')} FROM {stats} WHERE {quote('id')} = 1)"  # noqa: S608
    latest_run = (
        f"(SELECT {quote('id')} FROM {runs} WHERE {quote('status')} = %s "  # noqa: S608
        f"ORDER BY {quote('finished_at')} DESC, {quote('id')} DESC LIMIT 1)"
    )
    sql = f"SELECT {token}, {latest_run}, {', '.join(columns)} FROM {', '.join(scans)}"  # noqa: S608
    return sql, [RunStatus.DONE]


def versions() -> Versions | None:
    """The current versions, or ``None`` while the statistics were never built (no caching)."""
    sql, params = _versions_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return None
    reference = tuple(str(value) for value in row[2:])
    return Versions(stats=row[0], reference=reference, hotspot_run=row[1])


def scope_of(actor: Any, panel: str) -> tuple[Any, ...]:
    jurisdiction = Jurisdiction.of(actor)
    scope: tuple[Any, ...] = (jurisdiction.unrestricted, jurisdiction.paths)
    if panel in PERSONAL_PANELS:
        scope += (actor.pk, role_of(actor), jurisdiction.department_id)
    return scope


def panel_key(
    panel: str,
    *,
    version: Versions,
    unit: OrgUnit | None,
    scope: tuple[Any, ...],
    filters: dict[str, Any],
    query: str,
) -> str:
    parts = (
        panel,
        version,
        (unit.pk, unit.path) if unit is not None else None,
        scope,
        sorted((k, str(v)) for k, v in filters.items()),
        query,
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )
    return PREFIX + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached(key: str | None, build: Callable[[], tuple[T, datetime | None]]) -> T:
    """The value under ``key``, built (and stored) when missing or expired.

    ``build`` returns the value and the moment it stops being true by the clock alone (or
    ``None``). Without a key (statistics never built) nothing is cached.
    """
    if key is not None:
        hit = cache.get(key)
        if hit is not None and (hit[1] is None or timezone.now() < hit[1]):
            return cast("T", hit[0])
    value, expires = build()
    if key is not None:
        cache.set(key, (value, expires), TIMEOUT_SECONDS)
    return value


# ---------------------------------------------------------------- map geometry, per process

_GEOMETRY_LIMIT = 512
_geometry_lock = threading.Lock()
_geometry: OrderedDict[int, tuple[Any, list[Shape]]] = OrderedDict()


@dataclass(frozen=True)
class Shape:
    pk: int
    name: str
    path: str
    level: int
    population: int | None
    geometry_json: str  # the boundary, serialised once


def map_shapes(
    unit: OrgUnit, org_version: tuple[Any, ...] | None, build: Callable[[], list[OrgUnit]]
) -> list[Shape]:
    """The shapes of the map of ``unit`` (``build`` lists the units), reused per org version."""
    if org_version is not None:
        cached = _geometry.get(unit.pk)
        if cached is not None and cached[0] == (unit.path, org_version):
            return cached[1]
    shapes = [
        Shape(u.pk, u.name, u.path, u.level, u.population, json.dumps(u.boundary)) for u in build()
    ]
    if org_version is not None:
        with _geometry_lock:
            _geometry[unit.pk] = ((unit.path, org_version), shapes)
            _geometry.move_to_end(unit.pk)
            while len(_geometry) > _GEOMETRY_LIMIT:
                _geometry.popitem(last=False)
    return shapes


def clear() -> None:
    """Forget every cached panel, shape and unit row (tests; the bench's fresh-process run)."""
    from fengqiao.metrics.selectors import forget_org_rows

    with _geometry_lock:
        _geometry.clear()
    forget_org_rows()
    cache.clear()
