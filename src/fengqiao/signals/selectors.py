"""Reads of signals, always through the acting user's jurisdiction.

A signal belongs to the grid its point resolved to; a user sees the signals of the grids in
their jurisdiction. Signals without a grid belong to no one's territory and are shown only to
the roles in :data:`fengqiao.signals.permissions.GRIDLESS_ROLES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import PermissionDenied
from fengqiao.orgs.models import Level, OrgUnit, subtree_range
from fengqiao.orgs.selectors import unit_get
from fengqiao.signals.models import Signal
from fengqiao.signals.permissions import may_read, sees_gridless

LATEST_DEVICES = 100
LATEST_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class SignalFilters:
    device_id: str = ""
    kind: str = ""
    source: str = ""
    since: datetime | None = None
    until: datetime | None = None
    unit_id: int | None = None


def signal_scope(actor: Any) -> Q:
    """Q over Signal for what ``actor`` may read (raises 403 for roles that read no signals)."""
    if not may_read(actor):
        raise PermissionDenied(gettext("you may not read signals"))
    jurisdiction = Jurisdiction.of(actor)
    if jurisdiction.unrestricted:
        return Q()
    grids = OrgUnit.objects.filter(jurisdiction.unit_q(), level=Level.GRID).values("pk")
    scope = Q(grid_id__in=grids)
    if sees_gridless(actor):
        scope |= Q(grid__isnull=True)
    return scope


def signal_list(*, actor: Any, filters: SignalFilters) -> QuerySet[Signal]:
    """Newest first. ``unit_id`` narrows to a grid, or to the grids under a higher unit."""
    signals = Signal.objects.filter(signal_scope(actor))
    if filters.device_id:
        signals = signals.filter(device_id=filters.device_id)
    if filters.kind:
        signals = signals.filter(kind=filters.kind)
    if filters.source:
        signals = signals.filter(source=filters.source)
    if filters.since is not None:
        signals = signals.filter(observed_at__gte=filters.since)
    if filters.until is not None:
        signals = signals.filter(observed_at__lt=filters.until)
    if filters.unit_id is not None:
        unit = unit_get(actor=actor, unit_id=filters.unit_id)
        if unit.level == Level.GRID:
            signals = signals.filter(grid_id=unit.pk)
        else:
            under = OrgUnit.objects.filter(subtree_range(unit.path), level=Level.GRID)
            signals = signals.filter(grid_id__in=under.values("pk"))
    return signals.order_by("-observed_at", "-id")


@dataclass(frozen=True)
class DeviceLatest:
    source: str
    device_id: str
    kind: str
    value: float | None
    observed_at: datetime
    readings: int
    grid_id: int | None


def device_latest(
    *, actor: Any, filters: SignalFilters, limit: int = LATEST_DEVICES
) -> list[DeviceLatest]:
    """The latest value of each (source, device, kind) seen in the window (default 7 days)."""
    since = filters.since or timezone.now() - LATEST_WINDOW
    window = SignalFilters(**{**filters.__dict__, "since": since})
    signals = signal_list(actor=actor, filters=window).order_by()
    heads = list(
        signals.values("source", "device_id", "kind")
        .annotate(last=Max("observed_at"), readings=Count("id"))
        .order_by("-last")[:limit]
    )
    if not heads:
        return []
    match = Q()
    for head in heads:
        match |= Q(
            source=head["source"],
            device_id=head["device_id"],
            kind=head["kind"],
            observed_at=head["last"],
        )
    rows = {
        (s.source, s.device_id, s.kind): s
        for s in Signal.objects.filter(match).only(
            "source", "device_id", "kind", "value", "observed_at", "grid_id"
        )
    }
    latest: list[DeviceLatest] = []
    for head in heads:
        row = rows.get((head["source"], head["device_id"], head["kind"]))
        if row is not None:
            latest.append(
                DeviceLatest(
                    source=row.source,
                    device_id=row.device_id,
                    kind=row.kind,
                    value=row.value,
                    observed_at=row.observed_at,
                    readings=head["readings"],
                    grid_id=row.grid_id,
                )
            )
    return latest
