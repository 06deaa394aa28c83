"""Pages of the four-level revisits: the auditor's queue, one revisit's form, plans, draws and
referral flags. Reads go through :mod:`fengqiao.revisits.selectors`; hidden is 404 like missing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from fengqiao.accounts.auth import client_ip
from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.cases.permissions import may_unmask
from fengqiao.cases.privacy import parties_for
from fengqiao.core.errors import DomainError, NotFound
from fengqiao.revisits import selectors, services
from fengqiao.revisits.flags import flag_list
from fengqiao.revisits.forms import DrawForm, PlanForm, ReferForm, ResultForm
from fengqiao.revisits.models import GRADES, LEVELS, Grade, RevisitLevel, RevisitStatus
from fengqiao.revisits.sampling import previous_period
from fengqiao.revisits.schemas import PlanIn, PlanPatch, ResultIn
from fengqiao.revisits.services import PLAN_LEVELS
from fengqiao.web.http import acting_user, not_found_as_404


def _form_error(form: forms.Form, exc: DomainError | ValidationError) -> None:
    """Put a service's refusal on the field it names, or on the form as a whole."""
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else None
            form.add_error(name if name in form.fields else None, error["msg"])
        return
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    status = request.GET.get("status", RevisitStatus.PENDING)
    status = status if status in RevisitStatus.values or status == "all" else RevisitStatus.PENDING
    mine = selectors.may_audit(actor) and request.GET.get("scope") != "all"
    revisits = selectors.revisit_list(
        actor=actor, mine=mine, status="" if status == "all" else status
    )
    return render(
        request,
        "revisits/queue.html",
        {
            "revisits": revisits[:300],
            "status": status,
            "mine": mine,
            "may_audit": selectors.may_audit(actor),
            "statuses": RevisitStatus.choices,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@not_found_as_404
def revisit(request: HttpRequest, revisit_id: int) -> HttpResponse:
    actor = acting_user(request)
    item = selectors.revisit_get(actor=actor, revisit_id=revisit_id)
    form = ResultForm(initial=_result_initial(item))
    if request.method == "POST":
        form = ResultForm(request.POST)
        if form.is_valid():
            try:
                services.revisit_record(
                    actor=actor, revisit_id=item.pk, result=ResultIn(**form.cleaned_data)
                )
            except (DomainError, ValidationError) as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Revisit recorded."))
                return redirect("revisits:revisit", revisit_id=item.pk)
    unmask = request.GET.get("unmask") == "1"
    parties = parties_for(
        actor=actor,
        case=item.case,
        reveal=unmask and may_unmask(actor),
        purpose="revisit",
        ip_address=client_ip(request),
    )
    agreements = list(item.case.agreements.order_by("signed_at"))
    return render(
        request,
        "revisits/revisit.html",
        {
            "revisit": item,
            "form": form,
            "parties": parties,
            "may_unmask": may_unmask(actor),
            "unmasked": unmask and may_unmask(actor),
            "agreements": agreements,
            "flags": flag_list(actor=actor, case_ids=[item.case_id]),
            "may_record": selectors.may_audit(actor),
        },
        status=422 if request.method == "POST" else 200,
    )


def _result_initial(item: Any) -> dict[str, Any]:
    def yes_no(value: bool | None) -> str:
        return "" if value is None else ("yes" if value else "no")

    initial: dict[str, Any] = {"version": item.version}
    if item.status == RevisitStatus.DONE:
        initial.update(
            reached="yes" if item.reached else "no",
            satisfied=yes_no(item.satisfied),
            agreement_performed=yes_no(item.agreement_performed),
            problem_found=item.problem_found,
            note=item.note,
        )
    return initial


def _plan_units(actor: Any) -> Any:
    return Jurisdiction.of(actor).units().filter(level__in=PLAN_LEVELS).order_by("path")


@require_http_methods(["GET", "POST"])
@login_required
def plans(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    may_create = selectors.may_audit(actor)
    form = PlanForm(units=_plan_units(actor), initial={
        "amount_threshold": 50000, "people_threshold": 10, "long_mediation_days": 60,
        "is_active": True,
    }) if may_create else None  # fmt: skip
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST, units=_plan_units(actor))
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.plan_create(
                    actor=actor,
                    data=PlanIn(
                        unit_id=data["unit"].pk,
                        name=data["name"],
                        amount_threshold=data["amount_threshold"],
                        people_threshold=data["people_threshold"],
                        shares=form.shares(),
                        agreement_required=data["agreement_required"],
                        long_mediation_days=data["long_mediation_days"],
                        is_active=data["is_active"],
                    ),
                )
            except (DomainError, ValidationError) as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Sampling plan created."))
                return redirect("revisits:plan", plan_id=plan.pk)
        status = 422
    return render(
        request,
        "revisits/plans.html",
        {"plans": selectors.plan_list(actor=actor), "form": form, **_share_headers()},
        status=status,
    )


def _share_headers() -> dict[str, Any]:
    return {
        "levels": [(level, RevisitLevel(level).label) for level in LEVELS],
        "grades": [(grade, Grade(grade).label) for grade in GRADES],
    }


@require_http_methods(["GET", "POST"])
@login_required
@not_found_as_404
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = acting_user(request)
    item = selectors.plan_get(actor=actor, plan_id=plan_id)
    editable = selectors.plan_editable(actor, item)
    initial = {name: getattr(item, name) for name in services.PLAN_FIELDS}
    initial["version"] = item.version
    for level in LEVELS:
        for grade in GRADES:
            initial[f"share_{level}_{grade}"] = item.share(level, grade)
    form = PlanForm(initial=initial) if editable else None
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.plan_update(
                    actor=actor,
                    plan_id=item.pk,
                    data=PlanPatch(
                        version=data["version"] or 0,
                        shares=form.shares(),
                        **{k: data[k] for k in services.PLAN_FIELDS if k != "shares"},
                    ),
                )
            except (DomainError, ValidationError) as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Sampling plan saved."))
                return redirect("revisits:plan", plan_id=item.pk)
        status = 422
    return render(
        request,
        "revisits/plan.html",
        {
            "plan": item,
            "form": form,
            "draws": selectors.draw_list(actor=actor, plan=item)[:24],
            "rows": [
                (RevisitLevel(level).label, [item.share(level, g) for g in GRADES])
                for level in LEVELS
            ],
            **_share_headers(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def draws(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    choices = [
        (p.pk, f"{p.name} · {p.unit.name}")
        for p in selectors.plan_list(actor=actor)
        if selectors.plan_editable(actor, p)
    ]
    form = DrawForm(plans=choices, initial={"period": previous_period()}) if choices else None
    status = 200
    if request.method == "POST":
        form = DrawForm(request.POST, plans=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                draw = services.draw_create(
                    actor=actor, plan_id=data["plan"], period=data["period"], seed=data["seed"]
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Sample drawn."))
                return redirect("revisits:draw", draw_id=draw.pk)
        status = 422
    return render(
        request,
        "revisits/draws.html",
        {"draws": selectors.draw_list(actor=actor)[:100], "form": form},
        status=status,
    )


@require_GET
@login_required
@not_found_as_404
def draw(request: HttpRequest, draw_id: int) -> HttpResponse:
    actor = acting_user(request)
    item = selectors.draw_get(actor=actor, draw_id=draw_id)
    size_rows = [
        (
            RevisitLevel(level).label,
            [item.sizes.get(level, {}).get(g, {}) for g in GRADES],
        )
        for level in LEVELS
    ]
    return render(
        request,
        "revisits/draw.html",
        {
            "draw": item,
            "size_rows": size_rows,
            "revisits": selectors.revisit_list(actor=actor, draw=item),
            **_share_headers(),
        },
    )


@require_GET
@login_required
def flags(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    found = flag_list(actor=actor)
    rows = [
        (
            flag,
            ReferForm(
                initial={"kind": flag.suggested, "version": flag.case.version},
                auto_id=f"id_refer{flag.case.pk}_%s",
            ),
        )
        for flag in found
    ]
    return render(request, "revisits/flags.html", {"rows": rows})


@require_POST
@login_required
def refer(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = acting_user(request)
    form = ReferForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("revisits:flags")
    try:
        case = services.flag_refer(
            actor=actor,
            case_id=case_id,
            expected_version=form.cleaned_data["version"],
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
        )
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("revisits:flags")
    messages.success(request, _("Case %(number)s referred.") % {"number": case.number})
    return redirect("cases:detail", case_id=case.pk)
