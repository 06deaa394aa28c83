"""Tiered routing (分级分类): the first matching rule decides who leads, who co-handles, and when.

A decision is explained in words, so the clerk (and later the auditor) can see why a case went
where it went. The explanation is stored on the case, so it is written in the deployment's
language (``system_text``), whoever registers the case.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_noop

from fengqiao.cases.routing.models import LeadLevel, RoutingRule
from fengqiao.core import refcache
from fengqiao.core.text import system_text
from fengqiao.orgs.models import Department, DepartmentType, Level, OrgUnit
from fengqiao.taxonomy.models import Category, Channel, RiskColour

LEVEL_OF: dict[str, int] = {
    LeadLevel.GRID: Level.GRID,
    LeadLevel.VILLAGE: Level.VILLAGE,
    LeadLevel.TOWNSHIP: Level.TOWNSHIP,
    LeadLevel.DISTRICT: Level.DISTRICT,
    LeadLevel.CITY: Level.CITY,
}
LEVEL_KEY: dict[int, str] = {value: key for key, value in LEVEL_OF.items()}


@dataclass(frozen=True)
class RoutingInput:
    category: Category
    channel: Channel
    territory: OrgUnit
    risk_colour: str
    people_involved: int
    amount: Decimal
    cross_region: bool = False


@dataclass
class RoutingDecision:
    lead_unit: OrgUnit
    lead_department: Department | None
    co_departments: list[Department]
    accept_within: timedelta
    resolve_within: timedelta
    rule: RoutingRule | None
    restricted: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return "\n".join(self.reasons)


def _category_codes(category: Category) -> set[str]:
    codes = {category.code}
    if category.parent_id is not None and category.parent is not None:
        codes.add(category.parent.code)
    return codes


def _label(choices: type[RiskColour] | type[DepartmentType], code: str) -> str | Promise:
    """The (lazy) label of a code, or the code itself when it is not one of the choices."""
    return choices(code).label if code in choices.values else code


def _labels(choices: type[RiskColour] | type[DepartmentType], codes: list[str]) -> str | Promise:
    """Labels joined lazily, so ``system_text`` renders them in the deployment's language."""
    # Translators: the separator between the items of a list, such as risk colours.
    separator = system_text(gettext_noop(", "))
    return format_lazy(separator.join("{}" for _ in codes), *(_label(choices, c) for c in codes))


def rule_line(rule: RoutingRule | None, matched: list[str] | None) -> str:
    """The first line of an explanation: which rule decided, and why."""
    if rule is None:
        return system_text(
            gettext_noop(
                "no routing rule matched: the grid front (community team) leads by default"
            )
        )
    return system_text(
        gettext_noop("rule “%(name)s” (priority %(priority)s) matched: %(conditions)s"),
        name=rule.name,
        priority=rule.priority,
        # Translators: the separator between the conditions a routing rule matched.
        conditions=system_text(gettext_noop("; ")).join(matched or [])
        or system_text(gettext_noop("no conditions")),
    )


def lead_line(unit: OrgUnit) -> str:
    return system_text(
        gettext_noop("lead unit: %(unit)s (%(level)s)"),
        unit=unit.name,
        level=Level(unit.level).label,
    )


def deadline_line(accept_minutes: int, resolve_days: int) -> str:
    return system_text(
        gettext_noop("deadlines: accept within %(minutes)s min, resolve within %(days)s days"),
        minutes=accept_minutes,
        days=resolve_days,
    )


def rule_match(rule: RoutingRule, data: RoutingInput) -> list[str] | None:
    """The reasons a rule matches, one per condition it sets; None when any condition fails."""
    reasons: list[str] = []
    if rule.category_codes:
        hit = _category_codes(data.category) & set(rule.category_codes)
        if not hit:
            return None
        reasons.append(
            system_text(
                gettext_noop("category %(code)s %(name)s is in %(codes)s"),
                code=data.category.code,
                name=data.category.name_zh,
                codes=", ".join(sorted(hit)),
            )
        )
    if rule.channel_codes:
        if data.channel.code not in rule.channel_codes:
            return None
        reasons.append(
            system_text(
                gettext_noop("channel %(code)s is in %(codes)s"),
                code=data.channel.code,
                codes=", ".join(rule.channel_codes),
            )
        )
    if rule.risk_colours:
        if data.risk_colour not in rule.risk_colours:
            return None
        reasons.append(
            system_text(
                gettext_noop("risk colour %(colour)s is in %(colours)s"),
                colour=_label(RiskColour, data.risk_colour),
                colours=_labels(RiskColour, rule.risk_colours),
            )
        )
    if rule.min_people is not None:
        if data.people_involved < rule.min_people:
            return None
        reasons.append(
            system_text(
                gettext_noop("%(people)s people involved ≥ %(minimum)s"),
                people=data.people_involved,
                minimum=rule.min_people,
            )
        )
    if rule.min_amount is not None:
        if data.amount < rule.min_amount:
            return None
        reasons.append(
            system_text(
                gettext_noop("amount %(amount)s ≥ %(minimum)s"),
                amount=data.amount,
                minimum=rule.min_amount,
            )
        )
    if rule.cross_region is not None:
        if data.cross_region != rule.cross_region:
            return None
        reasons.append(
            system_text(gettext_noop("cross-region"))
            if rule.cross_region
            else system_text(gettext_noop("not cross-region"))
        )
    return reasons


def lineage(unit: OrgUnit, refs: refcache.Snapshot | None = None) -> list[OrgUnit]:
    """The unit and its ancestors, nearest first."""
    return (refs or refcache.snapshot()).lineage(unit.pk, _lineage_of)


def lineage_of_id(unit_id: int, refs: refcache.Snapshot | None = None) -> list[OrgUnit]:
    """Like :func:`lineage`, from the unit's id (a point resolved to a grid gives only that)."""
    return (refs or refcache.snapshot()).lineage(unit_id, _lineage_of)


def _lineage_of(unit_id: int) -> list[OrgUnit]:
    # Boundaries can be megabytes of GeoJSON for a district; routing never needs them.
    unit = OrgUnit.objects.defer("boundary").get(pk=unit_id)
    paths = [*unit.ancestor_paths(), unit.path]
    by_path = {u.path: u for u in OrgUnit.objects.filter(path__in=paths).defer("boundary")}
    chain = [by_path[p] for p in reversed(paths) if p in by_path]
    for child, parent in itertools.pairwise(chain):
        if child.parent_id == parent.pk:
            child._state.fields_cache["parent"] = parent  # unit.parent without another query
    return chain


def _departments_by_unit() -> dict[int, list[Department]]:
    by_unit: dict[int, list[Department]] = {}
    rows = (
        Department.objects.filter(is_active=True)
        .select_related("org_unit")
        .defer("org_unit__boundary")
        .order_by("pk")
    )
    for department in rows:
        by_unit.setdefault(department.org_unit_id, []).append(department)
    return by_unit


def nearest_department(
    chain: list[OrgUnit], department_type: str, refs: refcache.Snapshot | None = None
) -> Department | None:
    """The department of that type at the first unit up the lineage that has one."""
    if not department_type:
        return None
    refs = refs or refcache.snapshot()
    by_unit = refs.get("routing.departments", ("department", "unit"), _departments_by_unit)
    for unit in chain:
        for department in by_unit.get(unit.pk, ()):
            if department.department_type == department_type:
                return department
    return None


def _active_rules() -> list[RoutingRule]:
    return list(RoutingRule.objects.filter(is_active=True).order_by("priority", "pk"))


def route(data: RoutingInput, refs: refcache.Snapshot | None = None) -> RoutingDecision:
    refs = refs or refcache.snapshot()
    rules = refs.get("routing.rules", ("rule",), _active_rules)
    chosen: RoutingRule | None = None
    reasons: list[str] = []
    for rule in rules:
        matched = rule_match(rule, data)
        if matched is not None:
            chosen = rule
            reasons = [rule_line(rule, matched)]
            break
    if chosen is None:
        reasons = [rule_line(None, None)]
    lead_level = LEVEL_OF[chosen.lead_level] if chosen else Level.GRID

    chain = lineage(data.territory, refs)
    # A place recorded above the rule's level (say a township with no grid) leads itself.
    lead_unit = next((u for u in chain if u.level == lead_level), chain[0])
    lead_key = LEVEL_KEY[lead_unit.level]
    lead_from = chain[chain.index(lead_unit) :]

    lead_type = (chosen.lead_department_type if chosen else "") or data.category.responsible.get(
        lead_key, ""
    )
    lead_department = nearest_department(lead_from, lead_type, refs)
    reasons.append(lead_line(lead_unit))
    if lead_department is not None:
        reasons.append(
            system_text(
                gettext_noop("lead department: %(department)s (%(type)s)"),
                department=lead_department.name,
                type=_label(DepartmentType, lead_type),
            )
        )
    elif lead_type:
        reasons.append(
            system_text(
                gettext_noop(
                    "no %(type)s department at or above %(unit)s: the unit's centre leads"
                ),
                type=_label(DepartmentType, lead_type),
                unit=lead_unit.name,
            )
        )

    co_departments: list[Department] = []
    for co_type in chosen.co_department_types if chosen else []:
        department = nearest_department(lead_from, co_type, refs)
        if (
            department is not None
            and department not in co_departments
            and department != lead_department
        ):
            co_departments.append(department)
            reasons.append(
                system_text(
                    gettext_noop("co-handler: %(department)s (%(type)s)"),
                    department=department.name,
                    type=_label(DepartmentType, co_type),
                )
            )

    accept_minutes = (chosen.accept_minutes if chosen else None) or data.category.acceptance_minutes
    resolve_days = (chosen.resolve_days if chosen else None) or data.category.resolution_days
    reasons.append(deadline_line(accept_minutes, resolve_days))
    return RoutingDecision(
        lead_unit=lead_unit,
        lead_department=lead_department,
        co_departments=co_departments,
        accept_within=timedelta(minutes=accept_minutes),
        resolve_within=timedelta(days=resolve_days),
        rule=chosen,
        restricted=bool(chosen and chosen.restrict_visibility),
        reasons=reasons,
    )
