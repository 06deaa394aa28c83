"""Warning rules: what each kind needs, and the default rules shipped in ``data/default_rules.yaml``.

The same checks guard the admin form (``WarningRule.clean``), the YAML loader and ``rule_ensure``,
so a rule the engine cannot evaluate is never saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext

from fengqiao.core.errors import ValidationFailed
from fengqiao.early_warning.models import RiskPointType, RuleKind, WarningRule
from fengqiao.taxonomy.models import Category, RiskColour

DEFAULT_RULES = Path(__file__).resolve().parent / "data" / "default_rules.yaml"

# Field → why it is needed, per kind.
_NEEDS: dict[str, tuple[str, ...]] = {
    RuleKind.OVER: ("signal_kind", "threshold"),
    RuleKind.UNDER: ("signal_kind", "threshold"),
    RuleKind.RATE_OF_CHANGE: ("signal_kind", "threshold"),
    RuleKind.SILENCE: ("window_minutes",),
    RuleKind.MAINTENANCE_OVERDUE: (),
    RuleKind.CASE_COUNT: ("window_minutes", "count_n", "category"),
    RuleKind.EXTERNAL: (),
}


def rule_problems(rule: WarningRule) -> dict[str, str]:
    """Field → message for everything that keeps the engine from evaluating the rule."""
    problems: dict[str, str] = {}
    if rule.kind not in _NEEDS:
        return {"kind": gettext("unknown rule kind")}
    for field in _NEEDS[rule.kind]:
        value = rule.category_id if field == "category" else getattr(rule, field)
        if value in (None, ""):
            problems[field] = gettext("required for this kind of rule")
    if rule.kind == RuleKind.RATE_OF_CHANGE and rule.threshold is not None and rule.threshold <= 0:
        problems["threshold"] = gettext("a rate of change threshold must be above zero")
    if rule.window_minutes is not None and rule.window_minutes < 1:
        problems["window_minutes"] = gettext("must be at least one minute")
    if not isinstance(rule.point_types, list) or not all(
        isinstance(t, str) and t in RiskPointType.values for t in rule.point_types
    ):
        problems["point_types"] = gettext("a list of risk point types: %(types)s") % {
            "types": ", ".join(RiskPointType.values)
        }
    if rule.colour not in RiskColour.values:
        problems["colour"] = gettext("red, orange or green")
    if rule.deadline_minutes is None or rule.deadline_minutes < 1:
        problems["deadline_minutes"] = gettext("must be at least one minute")
    return problems


def rule_validate(rule: WarningRule) -> None:
    problems = rule_problems(rule)
    if problems:
        field, message = next(iter(problems.items()))
        raise ValidationFailed(message, field=field, errors=problems)


def _rule_from(entry: dict[str, Any]) -> WarningRule:
    values = dict(entry)
    category_code = values.pop("category", None)
    rule = WarningRule(**values)
    if category_code:
        category = Category.objects.filter(code=category_code).first()
        if category is None:
            raise ValidationFailed(
                gettext("unknown category %(code)s") % {"code": category_code}, field="category"
            )
        rule.category = category
    return rule


@transaction.atomic
def load_default_rules(path: Path = DEFAULT_RULES) -> int:
    """Create the shipped rules that do not exist yet (by code); returns how many were created.
    Rules an operator has changed are left as they are."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    existing = set(WarningRule.objects.values_list("code", flat=True))
    created = 0
    for entry in entries:
        if entry["code"] in existing:
            continue
        rule = _rule_from(entry)
        rule_validate(rule)
        rule.save()
        created += 1
    return created
