"""Routing rules: validation (admin and loader share it) and the shipped defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext

from fengqiao.cases.routing.models import LeadLevel, RoutingRule
from fengqiao.core.errors import ValidationFailed
from fengqiao.orgs.models import DepartmentType
from fengqiao.taxonomy.models import Category, Channel, RiskColour

DEFAULT_RULES = Path(__file__).with_name("data") / "default_rules.yaml"
RULE_FIELDS = {
    "name",
    "priority",
    "description",
    "is_active",
    "category_codes",
    "channel_codes",
    "risk_colours",
    "min_people",
    "min_amount",
    "cross_region",
    "lead_level",
    "lead_department_type",
    "co_department_types",
    "accept_minutes",
    "resolve_days",
    "restrict_visibility",
}


def rule_problems(rule: RoutingRule) -> dict[str, str]:
    """Field → message for everything wrong with a rule; empty when it is valid."""
    problems: dict[str, str] = {}
    for name in ("category_codes", "channel_codes", "risk_colours", "co_department_types"):
        value = getattr(rule, name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems[name] = gettext("must be a list of codes")
    if "category_codes" not in problems and rule.category_codes:
        known = set(
            Category.objects.filter(code__in=rule.category_codes).values_list("code", flat=True)
        )
        if unknown := sorted(set(rule.category_codes) - known):
            problems["category_codes"] = gettext("unknown category codes: %(codes)s") % {
                "codes": ", ".join(unknown)
            }
    if "channel_codes" not in problems and rule.channel_codes:
        known = set(
            Channel.objects.filter(code__in=rule.channel_codes).values_list("code", flat=True)
        )
        if unknown := sorted(set(rule.channel_codes) - known):
            problems["channel_codes"] = gettext("unknown channel codes: %(codes)s") % {
                "codes": ", ".join(unknown)
            }
    if "risk_colours" not in problems and (
        bad := sorted(set(rule.risk_colours) - set(RiskColour.values))
    ):
        problems["risk_colours"] = gettext("unknown risk colours: %(codes)s") % {
            "codes": ", ".join(bad)
        }
    if rule.lead_level not in LeadLevel.values:
        problems["lead_level"] = gettext("must be one of %(codes)s") % {
            "codes": ", ".join(LeadLevel.values)
        }
    if rule.lead_department_type and rule.lead_department_type not in DepartmentType.values:
        problems["lead_department_type"] = gettext("unknown department type %(code)s") % {
            "code": rule.lead_department_type
        }
    if "co_department_types" not in problems and (
        bad := sorted(set(rule.co_department_types) - set(DepartmentType.values))
    ):
        problems["co_department_types"] = gettext("unknown department types: %(codes)s") % {
            "codes": ", ".join(bad)
        }
    if rule.lead_department_type and rule.lead_department_type in rule.co_department_types:
        problems["co_department_types"] = gettext("the lead department type cannot also co-handle")
    return problems


def rule_validate(rule: RoutingRule) -> None:
    problems = rule_problems(rule)
    if problems:
        field, message = next(iter(problems.items()))
        raise ValidationFailed(message, field=field, problems=problems)


def _rule_from(entry: dict[str, Any], index: int) -> RoutingRule:
    unknown = set(entry) - RULE_FIELDS
    if unknown:
        raise ValidationFailed(
            gettext("rule %(index)s: unknown fields %(fields)s")
            % {"index": index, "fields": ", ".join(sorted(unknown))}
        )
    return RoutingRule(**entry)


@transaction.atomic
def load_default_rules() -> int:
    """Create the shipped rules that do not exist yet (by name); returns how many were created."""
    entries = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    created = 0
    for index, entry in enumerate(entries, start=1):
        rule = _rule_from(entry, index)
        if RoutingRule.objects.filter(name=rule.name).exists():
            continue
        rule_validate(rule)
        rule.save()
        created += 1
    return created
