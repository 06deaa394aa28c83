"""Pages of the safety risk index: the map and table, a unit's history, the negative list, the
configuration, and (for analysts) value import and computation.

Every read goes through :mod:`fengqiao.safety.selectors`; a unit outside the jurisdiction is a
404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.core.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.orgs.models import Level
from fengqiao.safety import selectors
from fengqiao.safety.compute import INDEX_LEVELS, index_compute, may_configure
from fengqiao.safety.config import index_settings
from fengqiao.safety.importer import FileRejected, import_csv
from fengqiao.safety.letter import letter_build
from fengqiao.safety.models import IndexColour, ValueSource
from fengqiao.safety.services import SETTINGS_FIELDS, index_settings_update
from fengqiao.web.http import acting_user, not_found_as_404

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check the file"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class ComputeForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=7,
        help_text=gettext_lazy("A month such as 2025-03 or a quarter such as 2025-Q1."),
    )


class SettingsForm(forms.Form):
    red_below = forms.FloatField(label=gettext_lazy("Red below"), min_value=0, max_value=100)
    orange_below = forms.FloatField(label=gettext_lazy("Orange below"), min_value=0, max_value=100)
    yellow_below = forms.FloatField(label=gettext_lazy("Yellow below"), min_value=0, max_value=100)
    zscore_clip = forms.FloatField(label=gettext_lazy("Z-score clip"), min_value=0.5)
    negative_include_red = forms.BooleanField(
        label=gettext_lazy("Every red unit is on the negative list"), required=False
    )
    negative_bottom_n = forms.IntegerField(
        label=gettext_lazy("Lowest N per district on the negative list"), min_value=0, max_value=50
    )
    reason_count = forms.IntegerField(
        label=gettext_lazy("Reasons given per unit"), min_value=1, max_value=10
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def _level(request: HttpRequest) -> int:
    try:
        level = int(request.GET.get("level", Level.TOWNSHIP))
    except ValueError:
        return Level.TOWNSHIP
    return level if level in INDEX_LEVELS else Level.TOWNSHIP


def _period(request: HttpRequest, available: list[str]) -> str | None:
    asked = request.GET.get("period", "")
    if asked in available:
        return asked
    months = [p for p in available if "Q" not in p]
    candidates = months or available
    return candidates[0] if candidates else None


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    available = selectors.periods(actor=actor)
    period = _period(request, available)
    level = _level(request)
    results = list(selectors.result_list(actor=actor, period=period, level=level)) if period else []
    dimensions = [d for d in selectors.dimensions_with_indicators() if d.is_active]
    counts = dict.fromkeys(IndexColour.values, 0)
    for result in results:
        counts[result.colour] += 1
    context = {
        "periods": available,
        "period": period,
        "level": level,
        "levels": [(lvl, Level(lvl).label) for lvl in INDEX_LEVELS],
        "results": results,
        "rows": [(r, [r.dimension_scores.get(d.code) for d in dimensions]) for r in results],
        "dimensions": dimensions,
        "colour_counts": [(IndexColour(c), n) for c, n in counts.items()],
        "negative_count": sum(1 for r in results if r.negative),
        "may_configure": may_configure(actor),
        "compute_form": ComputeForm(initial={"period": period or ""}),
        "settings": index_settings(),
    }
    return render(request, "safety/index.html", context)


@require_GET
@login_required
@not_found_as_404
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = acting_user(request)
    org_unit = selectors.unit_get(actor=actor, unit_id=unit_id)
    history = selectors.unit_history(actor=actor, unit=org_unit)
    available = [r.period for r in history]
    period = _period(request, sorted(available, reverse=True))
    result = next((r for r in history if r.period == period), None)
    indicators = selectors.indicators_by_code()
    dimensions = {d.code: d for d in selectors.dimensions_with_indicators()}
    months = [r for r in history if "Q" not in r.period]
    trend = {
        "periods": [r.period for r in months],
        "index": [r.index for r in months],
        "dimensions": [
            {
                "name": dimensions[code].name if code in dimensions else code,
                "scores": [r.dimension_scores.get(code) for r in months],
            }
            for code in (result.dimension_scores if result else {})
        ],
    }
    context = {
        "unit": org_unit,
        "result": result,
        "period": period,
        "periods": sorted(available, reverse=True),
        "history": history[::-1],
        "trend": trend,
        "dimension_rows": [
            (dimensions.get(code), code, score)
            for code, score in (result.dimension_scores.items() if result else [])
        ],
        "contributions": selectors.contribution_rows(result, indicators) if result else [],
        "reasons": [(indicators.get(code), code, points) for code, points in result.reasons]
        if result
        else [],
    }
    return render(request, "safety/unit.html", context)


@require_GET
@login_required
@not_found_as_404
def letter(request: HttpRequest, unit_id: int) -> HttpResponse:
    built = letter_build(
        actor=acting_user(request), unit_id=unit_id, period=request.GET.get("period", "")
    )
    response = HttpResponse(built.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    return response


@require_GET
@login_required
def negative(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    available = selectors.periods(actor=actor)
    period = _period(request, available)
    indicators = selectors.indicators_by_code()
    results = (
        list(selectors.result_list(actor=actor, period=period, negative_only=True))
        if period
        else []
    )
    rows = [
        (r, [(indicators.get(code), code, points) for code, points in r.reasons]) for r in results
    ]
    return render(
        request,
        "safety/negative.html",
        {"periods": available, "period": period, "rows": rows, "settings": index_settings()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def config(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    current = index_settings()
    editable = may_configure(actor)
    form = None
    if editable:
        initial = {name: getattr(current, name) for name in SETTINGS_FIELDS}
        form = SettingsForm(request.POST or None, initial={**initial, "version": current.version})
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                index_settings_update(actor=actor, version=version, changes=data)
            except ValidationFailed as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            except Conflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Settings saved; they apply from the next computation.")
                )
                return redirect("safety:config")
    elif request.method == "POST":
        return HttpResponse(status=403)
    return render(
        request,
        "safety/config.html",
        {
            "dimensions": selectors.dimensions_with_indicators(),
            "settings": current,
            "form": form,
            "may_configure": editable,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def import_values(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    if not may_configure(actor):
        return render(request, "safety/forbidden.html", status=403)
    form = ImportForm(request.POST or None, request.FILES or None)
    issues: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = import_csv(
                actor=actor,
                data=form.cleaned_data["file"].read(),
                source=ValueSource.CSV,
                dry_run=form.cleaned_data["dry_run"],
            )
        except FileRejected as exc:
            issues = exc.issues
        else:
            messages.success(request, result.summary())
            if not result.dry_run:
                return redirect(reverse("safety:index"))
    return render(
        request,
        "safety/import.html",
        {"form": form, "issues": issues, "status": 422 if issues else 200},
        status=422 if issues else 200,
    )


@require_POST
@login_required
def compute(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    form = ComputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a period such as 2025-03 or 2025-Q1."))
        return redirect("safety:index")
    try:
        summary = index_compute(actor=actor, period=form.cleaned_data["period"])
    except PermissionDenied:
        return render(request, "safety/forbidden.html", status=403)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("safety:index")
    messages.success(request, summary.summary())
    return redirect(f"{reverse('safety:index')}?period={summary.period}")
