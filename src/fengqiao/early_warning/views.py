"""Warning and risk-point pages (HTML + htmx). Reads through ``selectors``, changes through the
same services as the API; a warning or point outside the viewer's jurisdiction is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from fengqiao.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from fengqiao.early_warning import selectors, services
from fengqiao.early_warning.forms import (
    ActionForm,
    MaintenanceForm,
    PointFilterForm,
    WarningFilterForm,
)
from fengqiao.early_warning.models import Warning
from fengqiao.early_warning.points import MAINTENANCE_ROLES, maintenance_record
from fengqiao.early_warning.presenters import is_overdue, point_out, timeline_steps
from fengqiao.early_warning.states import OPEN_STATUSES, WarningAction
from fengqiao.orgs.models import OrgUnit
from fengqiao.web.http import acting_user, is_htmx, not_found_as_404

PAGE_SIZE = 50


# --- warnings ------------------------------------------------------------------------------


@require_GET
@login_required
@not_found_as_404
def warning_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    form = WarningFilterForm(request.GET or None, actor=actor)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    status = data.get("status") or ""
    unit = OrgUnit.objects.filter(pk=data["unit"]).first() if data.get("unit") else None
    warnings = selectors.warning_list(
        actor=actor,
        status=[status] if status and status != "open" else None,
        open_only=status == "open",
        colour=data.get("colour") or "",
        rule_code=data.get("rule") or "",
        unit=unit,
        mine=bool(data.get("mine")),
        overdue=bool(data.get("overdue")),
    )
    page = Paginator(warnings, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    context = {
        "form": form,
        "page": page,
        "rows": [(w, is_overdue(w, now)) for w in page.object_list],
        "tasks": selectors.warning_list(actor=actor, mine=True)[:20],
        "query": _query_without_page(request),
    }
    template = (
        "early_warning/_warning_results.html" if is_htmx(request) else "early_warning/list.html"
    )
    return render(request, template, context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _detail_context(
    actor: Any, warning: Warning, forms: dict[str, ActionForm] | None = None
) -> dict[str, Any]:
    events = list(selectors.warning_timeline(actor=actor, warning=warning))
    allowed = selectors.warning_actions(actor=actor, warning=warning)
    forms = forms or {}
    actions = [
        {
            "action": action,
            "label": WarningAction(action).label,
            "form": forms.get(action)
            or ActionForm(initial={"version": warning.version}, action=action),
            "primary": action != WarningAction.DISMISS and action != WarningAction.CONVERT,
        }
        for action in allowed
    ]
    # An action that is no longer offered (someone else moved the warning on) still explains why.
    refused = [
        str(error)
        for action, form in forms.items()
        if action not in allowed
        for error in form.non_field_errors()
    ]
    return {
        "warning": warning,
        "refused": refused,
        "steps": timeline_steps(warning, events),
        "actions": actions,
        "overdue": is_overdue(warning),
        "is_open": warning.status in OPEN_STATUSES,
    }


@require_GET
@login_required
@not_found_as_404
def warning_detail(request: HttpRequest, warning_id: int) -> HttpResponse:
    actor = acting_user(request)
    warning = selectors.warning_get(actor=actor, warning_id=warning_id)
    return render(request, "early_warning/detail.html", _detail_context(actor, warning))


def _perform(actor: Any, warning_id: int, action: str, data: dict[str, Any]) -> Warning:
    common: dict[str, Any] = {
        "actor": actor,
        "warning_id": warning_id,
        "expected_version": data["version"],
    }
    if action in {WarningAction.VERIFY, WarningAction.DISMISS}:
        return services.warning_verify(
            **common, confirmed=action == WarningAction.VERIFY, note=data["note"]
        )
    if action == WarningAction.HANDLE:
        return services.warning_handle(**common, note=data["note"])
    if action == WarningAction.CLOSE:
        return services.warning_close(**common, feedback=data["feedback"])
    if action == WarningAction.CONVERT:
        return services.warning_convert(
            **common, note=data.get("note", ""), category_code=data.get("category", "")
        )
    return services.warning_assign(**common)


@require_POST
@login_required
@not_found_as_404
def warning_act(request: HttpRequest, warning_id: int, action: str) -> HttpResponse:
    if action not in WarningAction.values:
        raise Http404("unknown action")
    actor = acting_user(request)
    warning = selectors.warning_get(actor=actor, warning_id=warning_id)
    form = ActionForm(request.POST, action=action)
    if form.is_valid():
        try:
            _perform(actor, warning.pk, action, form.cleaned_data)
        except PermissionDenied as exc:
            raise HttpForbidden(exc.message) from exc
        except (ValidationFailed, Conflict) as exc:
            _form_error(form, exc)
        else:
            if not is_htmx(request):
                return redirect("early_warning:detail", warning.pk)
            warning = selectors.warning_get(actor=actor, warning_id=warning.pk)
            return render(
                request, "early_warning/_warning_main.html", _detail_context(actor, warning)
            )
    context = _detail_context(actor, warning, {action: form})
    template = (
        "early_warning/_warning_main.html" if is_htmx(request) else "early_warning/detail.html"
    )
    return render(request, template, context, status=422 if is_htmx(request) else 200)


def _form_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields and exc.field != "version" else None
    form.add_error(field, exc.message)


# --- risk points -----------------------------------------------------------------------------


@require_GET
@login_required
@not_found_as_404
def point_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    form = PointFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    points = selectors.point_list(
        actor=actor,
        point_type=data.get("point_type") or "",
        q=data.get("q") or "",
        overdue_only=bool(data.get("overdue")),
    )
    page = Paginator(points, 100).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    today = timezone.localdate()
    grid_ids = {p.grid_id for p in listed}
    grids = OrgUnit.objects.filter(pk__in=grid_ids, boundary__isnull=False).only(
        "pk", "name", "boundary"
    )
    map_data = {
        "grids": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": g.boundary, "properties": {"name": g.name}}
                for g in grids
            ],
        },
        "points": [
            {
                "name": p.name,
                "lng": p.lng,
                "lat": p.lat,
                "type": p.get_point_type_display(),
                "overdue": bool(p.maintenance_due_on and p.maintenance_due_on < today),
                "url": reverse("early_warning:point", args=[p.pk]),
            }
            for p in listed
        ],
    }
    rows = [
        (p, point_out(p), bool(p.maintenance_due_on and p.maintenance_due_on < today))
        for p in listed
    ]
    return render(
        request,
        "early_warning/points.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "map_data": map_data,
            "query": _query_without_page(request),
        },
    )


def _point_context(
    actor: Any, point_id: int, form: MaintenanceForm | None = None
) -> dict[str, Any]:
    point = selectors.point_get(actor=actor, point_id=point_id)
    role = "admin" if actor.is_superuser else actor.role
    return {
        "point": point,
        "out": point_out(point),
        "devices": selectors.point_devices(actor=actor, point=point),
        "warnings": selectors.point_warnings(actor=actor, point=point)[:50],
        "maintenances": point.maintenances.select_related("recorded_by")[:20],
        "may_record": role in MAINTENANCE_ROLES,
        "form": form
        or MaintenanceForm(initial={"version": point.version, "done_on": timezone.localdate()}),
        "map_data": {
            "grids": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": point.grid.boundary,
                        "properties": {"name": point.grid.name},
                    }
                ]
                if point.grid.boundary
                else [],
            },
            "points": [
                {
                    "name": point.name,
                    "lng": point.lng,
                    "lat": point.lat,
                    "type": point.get_point_type_display(),
                    "overdue": False,
                    "url": "",
                }
            ],
        },
    }


@require_GET
@login_required
@not_found_as_404
def point_detail(request: HttpRequest, point_id: int) -> HttpResponse:
    return render(
        request, "early_warning/point.html", _point_context(acting_user(request), point_id)
    )


@require_POST
@login_required
@not_found_as_404
def point_maintenance(request: HttpRequest, point_id: int) -> HttpResponse:
    actor = acting_user(request)
    selectors.point_get(actor=actor, point_id=point_id)
    form = MaintenanceForm(request.POST)
    if form.is_valid():
        try:
            maintenance_record(
                actor=actor,
                point_id=point_id,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except PermissionDenied as exc:
            raise HttpForbidden(exc.message) from exc
        except (ValidationFailed, Conflict) as exc:
            _form_error(form, exc)
        else:
            return redirect("early_warning:point", point_id)
    return render(request, "early_warning/point.html", _point_context(actor, point_id, form))
