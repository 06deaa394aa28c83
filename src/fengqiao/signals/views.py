"""The signals page: recent signals with filters and each device's latest value (scoped)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.core.errors import NotFound
from fengqiao.orgs.models import Level, OrgUnit
from fengqiao.signals.permissions import may_read
from fengqiao.signals.selectors import SignalFilters, device_latest, signal_list
from fengqiao.web.http import acting_user, is_htmx

PAGE_SIZE = 50
RESULTS_TARGET = "signal-results"


class SignalFilterForm(forms.Form):
    device_id = forms.CharField(label=_("Device"), required=False, max_length=100)
    kind = forms.CharField(label=_("Type"), required=False, max_length=40)
    source = forms.CharField(label=_("Source"), required=False, max_length=64)
    unit = forms.TypedChoiceField(label=_("Area"), required=False, coerce=int, empty_value=None)
    since = forms.DateTimeField(
        label=_("From"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    until = forms.DateTimeField(
        label=_("To"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = (
            Jurisdiction.of(actor)
            .units()
            .filter(level__lte=Level.GRID, is_active=True)
            .order_by("path")
            .values_list("pk", "name", "level")[:500]
        )
        self.fields["unit"].choices = [("", _("All of my area"))] + [  # type: ignore[attr-defined]
            (pk, "\u2003" * (level - 1) + name) for pk, name, level in units
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            self.add_error("until", _("must be after the start"))
        return data

    def filters(self) -> SignalFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return SignalFilters(
            device_id=data.get("device_id", ""),
            kind=data.get("kind", ""),
            source=data.get("source", ""),
            since=data.get("since"),
            until=data.get("until"),
            unit_id=data.get("unit"),
        )


@require_GET
@login_required
def signal_page(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    if not may_read(actor):
        raise PermissionDenied
    form = SignalFilterForm(request.GET or None, actor=actor)
    filters = form.filters() if form.is_bound else SignalFilters()
    try:
        signals = signal_list(actor=actor, filters=filters)
        page = Paginator(signals, PAGE_SIZE).get_page(request.GET.get("page"))
        latest = device_latest(actor=actor, filters=filters)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    rows = list(page.object_list)
    grid_ids = {d.grid_id for d in latest} | {s.grid_id for s in rows}
    grid_names = dict(OrgUnit.objects.filter(pk__in=grid_ids - {None}).values_list("pk", "name"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(s, grid_names.get(s.grid_id or 0, "")) for s in rows],
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_ends=1)),
        "latest": [(d, grid_names.get(d.grid_id or 0, "")) for d in latest],
        "results_target": RESULTS_TARGET,
        "query_prefix": f"{query.urlencode()}&" if query else "",
        "now": timezone.now(),
    }
    template = "signals/_results.html" if is_htmx(request) else "signals/list.html"
    return render(request, template, context)
