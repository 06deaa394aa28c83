"""Tiered routing (分级分类): the first matching rule decides who leads, who co-handles, and when.

A decision is explained in words, so the clerk (and later the auditor) can see why a case went
where it went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q

from fengqiao.cases.routing.models import LeadLevel, RoutingRule
from fengqiao.orgs.models import Department, Level, OrgUnit
from fengqiao.taxonomy.models import Category, Channel

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


def rule_match(rule: RoutingRule, data: RoutingInput) -> list[str] | None:
    """The reasons a rule matches, one per condition it sets; None when any condition fails."""
    reasons: list[str] = []
    if rule.category_codes:
        hit = _category_codes(data.category) & set(rule.category_codes)
        if not hit:
            return None
        reasons.append(f"category {data.category.code} {data.category.name_zh} is in {sorted(hit)}")
    if rule.channel_codes:
        if data.channel.code not in rule.channel_codes:
            return None
        reasons.append(f"channel {data.channel.code} is in {rule.channel_codes}")
    if rule.risk_colours:
        if data.risk_colour not in rule.risk_colours:
            return None
        reasons.append(f"risk colour {data.risk_colour} is in {rule.risk_colours}")
    if rule.min_people is not None:
        if data.people_involved < rule.min_people:
            return None
        reasons.append(f"{data.people_involved} people involved ≥ {rule.min_people}")
    if rule.min_amount is not None:
        if data.amount < rule.min_amount:
            return None
        reasons.append(f"amount {data.amount} ≥ {rule.min_amount}")
    if rule.cross_region is not None:
        if data.cross_region != rule.cross_region:
            return None
        reasons.append("cross-region" if rule.cross_region else "not cross-region")
    return reasons


def lineage(unit: OrgUnit) -> list[OrgUnit]:
    """The unit and its ancestors, nearest first."""
    paths = [*unit.ancestor_paths(), unit.path]
    by_path = {u.path: u for u in OrgUnit.objects.filter(path__in=paths)}
    return [by_path[p] for p in reversed(paths) if p in by_path]


def nearest_department(chain: list[OrgUnit], department_type: str) -> Department | None:
    """The department of that type at the first unit up the lineage that has one."""
    if not department_type:
        return None
    units = {u.pk: i for i, u in enumerate(chain)}
    candidates = Department.objects.filter(
        Q(org_unit_id__in=units), department_type=department_type, is_active=True
    ).select_related("org_unit")
    best = sorted(candidates, key=lambda d: (units[d.org_unit_id], d.pk))
    return best[0] if best else None


def route(data: RoutingInput) -> RoutingDecision:
    rules = RoutingRule.objects.filter(is_active=True).order_by("priority", "pk")
    chosen: RoutingRule | None = None
    reasons: list[str] = []
    for rule in rules:
        matched = rule_match(rule, data)
        if matched is not None:
            chosen = rule
            reasons = [
                f"rule “{rule.name}” (priority {rule.priority}) matched: "
                + ("; ".join(matched) or "no conditions")
            ]
            break
    if chosen is None:
        reasons = ["no routing rule matched: the grid front (community team) leads by default"]
    lead_level = LEVEL_OF[chosen.lead_level] if chosen else Level.GRID

    chain = lineage(data.territory)
    # A place recorded above the rule's level (say a township with no grid) leads itself.
    lead_unit = next((u for u in chain if u.level == lead_level), chain[0])
    lead_key = LEVEL_KEY[lead_unit.level]
    lead_from = chain[chain.index(lead_unit) :]

    lead_type = (chosen.lead_department_type if chosen else "") or data.category.responsible.get(
        lead_key, ""
    )
    lead_department = nearest_department(lead_from, lead_type)
    reasons.append(f"lead unit: {lead_unit.name} ({Level(lead_unit.level).label})")
    if lead_department is not None:
        reasons.append(f"lead department: {lead_department.name} ({lead_type})")
    elif lead_type:
        reasons.append(
            f"no {lead_type} department at or above {lead_unit.name}: the unit's centre leads"
        )

    co_departments: list[Department] = []
    for co_type in chosen.co_department_types if chosen else []:
        department = nearest_department(lead_from, co_type)
        if (
            department is not None
            and department not in co_departments
            and department != lead_department
        ):
            co_departments.append(department)
            reasons.append(f"co-handler: {department.name} ({co_type})")

    accept_minutes = (chosen.accept_minutes if chosen else None) or data.category.acceptance_minutes
    resolve_days = (chosen.resolve_days if chosen else None) or data.category.resolution_days
    reasons.append(
        f"deadlines: accept within {accept_minutes} min, resolve within {resolve_days} days"
    )
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
