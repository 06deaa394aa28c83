"""Pages of the 15-minute service circle: nearest stations to a point, and coverage with gaps.

Both read through the same functions as the API (``nearest_stations``, ``coverage_report``), so
the page, the table and the JSON agree; everything is limited to the user's jurisdiction.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import ValidationFailed
from fengqiao.orgs import selectors as org_selectors
from fengqiao.orgs.models import Level, OrgUnit, StationKind
from fengqiao.service_circle.config import circle_config, mode_choices
from fengqiao.service_circle.coverage import MAX_MINUTES
from fengqiao.service_circle.nearest import MAX_LIMIT, nearest_stations
from fengqiao.service_circle.report import coverage_report
from fengqiao.web.http import acting_user, is_htmx, not_found_as_404

KIND_CHOICES = [("", _("All kinds")), *StationKind.choices]
TABLE_LIMIT = 200


class NearestForm(forms.Form):
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False)
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180, required=False)
    q = forms.CharField(label=_("Or a unit (name or code)"), max_length=100, required=False)
    mode = forms.ChoiceField(label=_("Travel by"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    limit = forms.IntegerField(label=_("Show"), min_value=1, max_value=MAX_LIMIT, required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["mode"].choices = mode_choices()  # type: ignore[attr-defined]
        self.unit: OrgUnit | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lng, q = data.get("lat"), data.get("lng"), data.get("q", "").strip()
        if (lat is None) != (lng is None):
            self.add_error("lng" if lng is None else "lat", _("Give both coordinates."))
        elif lat is None and q:
            matches = org_selectors.unit_list(actor=self.actor, q=q).filter(
                centroid_lat__isnull=False
            )
            self.unit = matches.order_by("level", "path").first()
            if self.unit is None:
                self.add_error("q", _("No unit you can see matches this name or code."))
            else:
                data["lat"], data["lng"] = self.unit.centroid_lat, self.unit.centroid_lng
        elif lat is None and not self.errors:
            raise forms.ValidationError(_("Click the map, enter coordinates or name a unit."))
        return data


def _map_unit(actor: Any) -> OrgUnit | None:
    """The unit whose sub-units the map draws: the top of what the user sees."""
    return Jurisdiction.of(actor).root_units().order_by("path").first()


@require_GET
@login_required
def nearest(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    config = circle_config()
    submitted = any(k in request.GET for k in ("lat", "lng", "q"))
    form = NearestForm(request.GET if submitted else None, actor=actor)
    context: dict[str, Any] = {"form": form, "results": None, "config": config}
    if submitted and form.is_valid():
        data = form.cleaned_data
        mode = data["mode"] or config.default_mode
        try:
            context["results"] = nearest_stations(
                actor=actor,
                lat=data["lat"],
                lng=data["lng"],
                mode=mode,
                kind=data["kind"],
                open_now=data["open_now"],
                limit=data["limit"] or 0,
            )
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
        context.update(
            point={"lat": data["lat"], "lng": data["lng"]},
            picked_unit=form.unit,
            mode_label=dict(mode_choices()).get(mode, mode),
            reach_m=round(config.reach_km(mode, config.coverage_minutes) * 1000),
        )
    if is_htmx(request):
        return render(request, "service_circle/_nearest_results.html", context)
    unit = _map_unit(actor)
    context["map_unit"] = unit
    context["default_mode"] = config.default_mode
    return render(request, "service_circle/nearest.html", context)


class CoverageForm(forms.Form):
    mode = forms.ChoiceField(label=_("Travel by"), required=False)
    minutes = forms.IntegerField(
        label=_("Minutes"), min_value=1, max_value=MAX_MINUTES, required=False
    )
    kind = forms.ChoiceField(label=_("Stations"), choices=KIND_CHOICES, required=False)
    level = forms.TypedChoiceField(
        label=_("Units"),
        coerce=int,
        choices=[(Level.GRID, _("Grids")), (Level.VILLAGE, _("Villages/communities"))],
        required=False,
        empty_value=None,
    )
    unit = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = mode_choices()  # type: ignore[attr-defined]


@require_GET
@login_required
@not_found_as_404
def coverage(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    config = circle_config()
    form = CoverageForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    mode = data.get("mode") or config.default_mode
    minutes = data.get("minutes") or config.coverage_minutes
    kind = data.get("kind") or ""
    level = data.get("level") or Level.GRID
    within = org_selectors.unit_get(actor=actor, unit_id=data["unit"]) if data.get("unit") else None
    report = coverage_report(
        actor=actor, mode=mode, minutes=minutes, kind=kind, level=level, within=within
    )
    query = {"mode": mode, "minutes": minutes, "kind": kind, "level": level}
    if within is not None:
        query["unit_id"] = within.pk
    geojson_url = (
        reverse("api-v1:coverage_geojson") + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    )
    context = {
        "form": form,
        "report": report,
        "within": within,
        "mode_label": dict(mode_choices()).get(mode, mode),
        "geojson_url": geojson_url,
        "gaps": report.gaps[:TABLE_LIMIT],
        "cells": report.cells[:TABLE_LIMIT],
        "table_limit": TABLE_LIMIT,
        "refresh_url": request.get_full_path(),
    }
    template = (
        "service_circle/_coverage_body.html" if is_htmx(request) else "service_circle/coverage.html"
    )
    return render(request, template, context)
