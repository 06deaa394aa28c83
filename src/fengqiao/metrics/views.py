"""The cockpit (驾驶舱): one page per unit, its panels as htmx fragments, the map and the export.

Each panel has its own URL so its server time is measurable and a wall display can refresh
them one by one. Every figure comes from :mod:`fengqiao.metrics.services`; every list and map
through scoped selectors. Rendered panels are cached by :mod:`fengqiao.metrics.fragments`
under the versions of the data they show; jurisdiction is checked on every request first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from fengqiao.cases.exports import csv_stream, xlsx_bytes
from fengqiao.core.errors import NotFound, ValidationFailed
from fengqiao.metrics import fragments, maps, selectors, services
from fengqiao.metrics.forms import CockpitForm, FilterForm
from fengqiao.metrics.presentation import (
    HIGHER_IS_BETTER,
    LABELS,
    display,
    display_change,
    export_header,
    export_rows,
)
from fengqiao.metrics.stats import METRIC_KEYS, Figures
from fengqiao.orgs.models import OrgUnit
from fengqiao.web.http import acting_user, not_found_as_404

WALL_REFRESH_SECONDS = 60
PANELS = ("figures", "trend", "map", "colours", "hotspots", "watch", "breakdown")
FILTER_KEYS = ("start", "end", "category", "channel", "by", "colour")


def _unit(
    request: HttpRequest, unit_id: int | None, version: fragments.Versions | None = None
) -> OrgUnit:
    actor = acting_user(request)
    if unit_id is None:
        return selectors.home_unit(actor=actor)
    orgs = version.orgs if version is not None else None
    return selectors.unit_get(actor=actor, unit_id=unit_id, org_version=orgs)


def _query(request: HttpRequest, **extra: Any) -> str:
    params = {k: request.GET[k] for k in (*FILTER_KEYS, "wall") if request.GET.get(k)}
    params.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(params)


def grain_for(filters: dict[str, Any]) -> str:
    days = (filters["end"] - filters["start"]).days + 1
    return "day" if days <= 62 else "week" if days <= 366 else "month"


@require_GET
@login_required
@not_found_as_404
def cockpit(request: HttpRequest, unit_id: int | None = None) -> HttpResponse:
    """The page shell: breadcrumb, filters and empty panels that load themselves (htmx)."""
    actor = acting_user(request)
    version = fragments.versions()
    unit = _unit(request, unit_id, version)
    form = FilterForm(request.GET)
    filters = form.values()
    query = _query(request)
    wall = request.GET.get("wall") == "1"
    return render(
        request,
        "metrics/cockpit.html",
        {
            "unit": unit,
            "trail": selectors.lineage(unit, actor=actor),
            "filter_fields": _filter_fields(request, version),
            "filters": filters,
            "wall": wall,
            "refresh_seconds": WALL_REFRESH_SECONDS,
            "panels": [
                (name, reverse("metrics:panel", args=[unit.pk, name]) + f"?{query}")
                for name in PANELS
            ],
            "wall_url": reverse("metrics:cockpit_unit", args=[unit.pk])
            + "?"
            + _query(request, wall="1"),
            "page_url": reverse("metrics:cockpit_unit", args=[unit.pk])
            + "?"
            + urlencode({k: v for k, v in request.GET.items() if k in FILTER_KEYS and v}),
            "now": timezone.localtime(),
        },
    )


def _filter_fields(request: HttpRequest, version: fragments.Versions | None) -> str:
    """The filter form's fields: the category and channel choices change with the taxonomy only
    (and the default dates with the day), not with every refresh of the statistics."""
    raw = {k: request.GET.get(k, "") for k in FILTER_KEYS}
    key = None
    if version is not None:
        reference = fragments.Versions(stats="", reference=version.reference, hotspot_run=None)
        key = fragments.panel_key(
            "filter-fields",
            version=reference,
            unit=None,
            scope=(),
            filters={**raw, "today": timezone.localdate()},
            query="",
        )

    def build() -> tuple[str, datetime | None]:
        form = CockpitForm(request.GET)
        form.is_valid()
        return render_to_string("metrics/_filter_fields.html", {"form": form}), None

    return fragments.cached(key, build)


def figure_cards(figures: Figures) -> list[dict[str, Any]]:
    cards = []
    for key, metric in figures.items():
        change = metric.change
        tone = ""
        if change:
            good = (change > 0) == (key in HIGHER_IS_BETTER)
            tone = "good" if good else "bad"
        cards.append(
            {
                "key": key,
                "label": LABELS[key],
                "value": display(key, metric.value),
                "change": display_change(key, metric),
                "last_year": display(key, metric.last_year),
                "tone": tone,
                "metric": metric,
            }
        )
    return cards


def panel_context(
    request: HttpRequest, unit: OrgUnit, name: str, version: fragments.Versions | None = None
) -> dict[str, Any]:
    actor = acting_user(request)
    filters = FilterForm(request.GET).values()
    period = {"start": filters["start"], "end": filters["end"]}
    dims = {"category": filters["category"], "channel": filters["channel"]}
    if name == "figures":
        figures = services.unit_figures(actor=actor, unit=unit, **period, **dims)
        return {"cards": figure_cards(figures)}
    if name == "trend":
        points = services.trend(actor=actor, unit=unit, grain=grain_for(filters), **period, **dims)
        return {
            "series": {
                "labels": [p.start.isoformat() for p in points],
                "registered": [p.figures.registered.value for p in points],
                "resolved": [p.figures.resolution_rate.numerator for p in points],
                "resolution_rate": [p.figures.resolution_rate.value for p in points],
            }
        }
    if name == "map":
        return {
            "geojson_url": reverse("metrics:map", args=[unit.pk]) + f"?{_query(request)}",
            "colour": filters["colour"],
        }
    if name == "colours":
        return {"counts": selectors.colour_counts(actor=actor, unit=unit)}
    if name == "hotspots":
        return {"hotspots": maps.hotspots(actor=actor, unit=unit)}
    if name == "watch":
        return {"cases": selectors.watch_list(actor=actor, unit=unit), "now": timezone.now()}
    orgs = version.orgs if version is not None else None
    rows = services.breakdown(
        actor=actor, unit=unit, by=filters["by"], **period, **dims, org_version=orgs
    )
    return {
        "rows": [
            {
                "row": row,
                "cells": [display(k, m.value) for k, m in row.figures.items()],
                "url": (
                    reverse("metrics:cockpit_unit", args=[row.unit.pk]) + f"?{_query(request)}"
                    if row.unit is not None
                    else ""
                ),
            }
            for row in rows
        ],
        "labels": [LABELS[k] for k in METRIC_KEYS],
        "by": filters["by"],
        "export_csv": reverse("metrics:export", args=[unit.pk, "csv"]) + f"?{_query(request)}",
        "export_xlsx": reverse("metrics:export", args=[unit.pk, "xlsx"]) + f"?{_query(request)}",
    }


@require_GET
@login_required
@not_found_as_404
def panel(request: HttpRequest, unit_id: int, panel: str) -> HttpResponse:
    if panel not in PANELS:
        raise Http404("no such panel")
    version = fragments.versions()
    unit = _unit(request, unit_id, version)  # jurisdiction, before anything is read from the cache
    try:
        html = panel_html(request, unit, panel, version)
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
    return HttpResponse(html)


def panel_html(
    request: HttpRequest, unit: OrgUnit, panel: str, version: fragments.Versions | None = None
) -> str:
    """The rendered panel, from the cache when the data it shows has not changed.

    Jurisdiction is checked here again (no query: the user's scope is already loaded), so no
    caller can reach a cached fragment without it. ``version`` is the caller's reading of
    :func:`fragments.versions` (read here when not given).
    """
    selectors.unit_check(actor=acting_user(request), unit=unit)
    if version is None:
        version = fragments.versions()
    key = None
    if version is not None:
        key = fragments.panel_key(
            panel,
            version=version,
            unit=unit,
            scope=fragments.scope_of(acting_user(request), panel),
            filters=_filter_key(request),
            query=_query(request),
        )

    def build() -> tuple[str, datetime | None]:
        context = {"unit": unit, **panel_context(request, unit, panel, version)}
        html = render_to_string(f"metrics/panels/{panel}.html", context, request=request)
        return html, _true_until(panel, context)

    return fragments.cached(key, build)


def _filter_key(request: HttpRequest) -> dict[str, Any]:
    """What the panel's filters are a function of: the parameters and, for the default
    period, today (cheaper than validating the form on every cached request)."""
    return {"today": timezone.localdate(), **{k: request.GET.get(k, "") for k in FILTER_KEYS}}


def _true_until(panel: str, context: dict[str, Any]) -> datetime | None:
    """When the rendered panel turns wrong by the clock alone: the watch list's next deadline."""
    if panel != "watch":
        return None
    now = context["now"]
    upcoming = [c.resolve_deadline for c in context["cases"] if c.resolve_deadline > now]
    return min(upcoming, default=None)


@require_GET
@login_required
@not_found_as_404
def map_geojson(request: HttpRequest, unit_id: int) -> HttpResponse:
    version = fragments.versions()
    unit = _unit(request, unit_id, version)
    filters = FilterForm(request.GET).values()
    try:
        text = maps.unit_map(
            actor=acting_user(request),
            unit=unit,
            start=filters["start"],
            end=filters["end"],
            category=filters["category"],
            channel=filters["channel"],
            link=lambda child: (
                reverse("metrics:cockpit_unit", args=[child.pk]) + f"?{_query(request)}"
            ),
            version=version,
        )
    except ValidationFailed as exc:
        return JsonResponse(exc.as_dict(), status=422)
    return HttpResponse(text, content_type="application/json")


@require_GET
@login_required
def export(request: HttpRequest, unit_id: int, fmt: str) -> HttpResponseBase:
    if fmt not in {"csv", "xlsx"}:
        raise Http404("no such format")
    try:
        unit = _unit(request, unit_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    filters = FilterForm(request.GET).values()
    try:
        rows = services.breakdown(
            actor=acting_user(request),
            unit=unit,
            start=filters["start"],
            end=filters["end"],
            by=filters["by"],
            category=filters["category"],
            channel=filters["channel"],
        )
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
    table: list[list[Any]] = [export_header(), *export_rows(rows)]
    name = f"cockpit-{unit.code}-{filters['by']}-{filters['start']:%Y%m%d}-{filters['end']:%Y%m%d}"
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            csv_stream(table), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            xlsx_bytes(table, title=unit.name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
