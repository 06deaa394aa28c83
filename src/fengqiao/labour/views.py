"""Labour-risk pages: the ranked list with its map, an employer's page, the import page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import ValidationFailed
from fengqiao.labour import selectors, services
from fengqiao.labour.forms import ImportForm, LabourFilterForm
from fengqiao.labour.importer import ImportRejected, csv_rows
from fengqiao.labour.indicators import IMPORTED, INDICATORS
from fengqiao.labour.models import LabourScore
from fengqiao.labour.permissions import may_import, may_manage
from fengqiao.labour.presenters import PALETTE, contribution_rows, legend
from fengqiao.labour.scoring import explanation
from fengqiao.orgs.models import Level
from fengqiao.web.http import acting_user, not_found_as_404

PAGE_SIZE = 50
MAP_LIMIT = 2000


def _boundary_source(actor: Any) -> tuple[int | None, int]:
    """The unit whose sub-units outline the map, and the level drawn (townships, or deeper
    for people whose jurisdiction is smaller)."""
    root = Jurisdiction.of(actor).root_units().order_by("level", "path").first()
    if root is None:
        return None, Level.TOWNSHIP
    return root.pk, max(root.level, Level.TOWNSHIP)


def _rows(scores: list[LabourScore], start: int) -> list[dict[str, Any]]:
    rows = []
    for n, score in enumerate(scores):
        parts = contribution_rows(score)
        rows.append(
            {
                "rank": start + n + 1,
                "score": score,
                "employer": score.employer,
                "parts": [p for p in parts if p.points > 0],
                "reason": explanation(score.contributions),
            }
        )
    return rows


@require_GET
@login_required
def labour_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    periods = selectors.score_periods(actor=actor)
    form = LabourFilterForm(request.GET or None, actor=actor, periods=periods)
    context: dict[str, Any] = {
        "form": form,
        "periods": periods,
        "legend": legend(),
        "may_import": may_import(actor),
        "may_manage": may_manage(actor),
        "page": None,
    }
    if periods and (not form.is_bound or form.is_valid()):
        data = form.cleaned_data if form.is_bound else {}
        period = data.get("period") or periods[0]
        scores = selectors.ranked_scores(
            actor=actor,
            period=period,
            unit=data.get("unit"),
            kind=data.get("kind") or "",
            colour=data.get("colour") or "",
            q=(data.get("q") or "").strip(),
        )
        page = Paginator(scores, PAGE_SIZE).get_page(request.GET.get("page"))
        start = (page.number - 1) * PAGE_SIZE
        query = request.GET.copy()
        query.pop("page", None)
        root_id, level = _boundary_source(actor)
        context.update(
            period=period,
            page=page,
            rows=_rows(list(page.object_list), start),
            query=query.urlencode(),
            counts=_colour_counts(scores),
            map_points=[
                {
                    "id": s.employer_id,
                    "name": s.employer.name,
                    "lng": s.employer.lng,
                    "lat": s.employer.lat,
                    "score": s.score,
                    "colour": s.colour,
                    "url": reverse("labour:detail", args=[s.employer_id]),
                }
                for s in scores[:MAP_LIMIT]
                if s.employer.lng is not None and s.employer.lat is not None
            ],
            boundary_url=(
                reverse("api-v1:unit_geojson", kwargs={"unit_id": root_id}) + f"?level={level}"
                if root_id
                else ""
            ),
        )
    return render(request, "labour/list.html", context)


def _colour_counts(scores: Any) -> dict[str, int]:
    counts = {"red": 0, "orange": 0, "green": 0}
    for colour in scores.values_list("colour", flat=True):
        counts[colour] = counts.get(colour, 0) + 1
    return counts


def _history_rows(history: selectors.History) -> list[dict[str, Any]]:
    """Newest month first; one cell per indicator in the chart's order."""
    rows = []
    for i, period in enumerate(history.periods):
        cells = []
        for code, values in history.series.items():
            if code in INDICATORS:
                value = values[i]
                cells.append("—" if value is None else INDICATORS[code].show(value))
        rows.append({"period": period, "score": history.scores[i], "values": cells})
    return rows[::-1]


@require_GET
@login_required
@not_found_as_404
def employer_detail(request: HttpRequest, employer_id: int) -> HttpResponse:
    actor = acting_user(request)
    employer = selectors.employer_get(actor=actor, employer_id=employer_id)
    scores = list(selectors.employer_scores(employer=employer))
    latest = scores[-1] if scores else None
    history = selectors.employer_history(employer=employer)
    series = [
        {
            "code": code,
            "label": f"{INDICATORS[code].label} ({INDICATORS[code].unit})",
            "values": values,
            "colour": PALETTE.get(code, "#777"),
        }
        for code, values in history.series.items()
        if code in INDICATORS
    ]
    context = {
        "employer": employer,
        "latest": latest,
        "parts": contribution_rows(latest) if latest else [],
        "reason": explanation(latest.contributions) if latest else "",
        "history_rows": _history_rows(history),
        "series": series,
        "chart": {
            "periods": [f"{p:%Y-%m}" for p in history.periods],
            "scores": history.scores,
            "series": series,
            "score_label": _("Score"),
        },
        "cases": list(selectors.employer_cases(actor=actor, employer=employer)),
        "warnings": selectors.employer_warnings(actor=actor, employer=employer),
        "legend": legend(),
    }
    return render(request, "labour/detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    if not may_import(actor):
        return HttpResponseForbidden(_("Only analysts and administrators import labour data."))
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {
        "form": form,
        "issues": [],
        "summary": None,
        "indicator_help": [item for item in legend() if item["code"] in IMPORTED],
    }
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = csv_rows(upload.read())
            context["summary"] = services.indicators_import(actor=actor, rows=rows)
        except ImportRejected as exc:
            context["issues"] = exc.issues
            context["file_name"] = upload.name
    status = 422 if context["issues"] else 200
    return render(request, "labour/import.html", context, status=status)


@require_POST
@login_required
def recompute(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    if not may_manage(actor):
        return HttpResponseForbidden(_("Only analysts and administrators recompute scores."))
    try:
        result = services.labour_recompute(actor=actor)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        scored = sum(run.scored for run in result.runs)
        messages.success(
            request,
            _("%(n)d employers scored; %(w)d warnings raised or updated.")
            % {"n": scored, "w": result.warnings},
        )
    return redirect("labour:list")
