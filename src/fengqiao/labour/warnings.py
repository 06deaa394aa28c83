"""The top of the labour-risk list becomes early warnings (``fengqiao.early_warning``).

Which employers: every one at or above ``warnings.min_score`` in the latest month, and the
``top_per_district`` highest of each district that reach ``top_floor``. Each is raised through
``early_warning.services.warning_raise`` under one rule, ``labour.score``, with the employer's
id as the subject: at most one open warning per employer, and a re-score updates it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.utils.translation import gettext_noop

from fengqiao.core.text import system_text
from fengqiao.labour.config import ScoringConfig, scoring_config
from fengqiao.labour.models import Employer, LabourScore
from fengqiao.labour.scoring import explanation
from fengqiao.orgs.models import PATH_SEGMENT_WIDTH

RULE_CODE = "labour.score"
# District = the second level of the tree: its path is two segments long.
_DISTRICT_PATH = 2 * PATH_SEGMENT_WIDTH
# Labour risks are looked into over days (visits to the employer, the housing and labour
# bureaus), not minutes like a sensor alarm.
DEADLINE_MINUTES = 3 * 24 * 60


def warning_candidates(config: ScoringConfig, period: date) -> list[LabourScore]:
    """The scores of the month that call for a warning, highest first."""
    scores = list(
        LabourScore.objects.filter(
            period=period, employer__is_active=True, score__gte=config.warn_top_floor
        )
        .select_related("employer", "employer__unit")
        .defer("employer__unit__boundary")
        .order_by("-score", "employer_id")
    )
    chosen: list[LabourScore] = []
    per_district: dict[str, int] = defaultdict(int)
    for score in scores:
        district = score.employer.unit_path[:_DISTRICT_PATH]
        per_district[district] += 1
        if score.score >= config.warn_min_score or (
            per_district[district] <= config.warn_top_per_district
        ):
            chosen.append(score)
    return chosen


def labour_warnings_raise(*, period: date) -> int:
    """Raise or update the warnings of the month; returns how many were raised or updated."""
    from fengqiao.early_warning.services import rule_ensure, warning_raise

    config = scoring_config()
    candidates = warning_candidates(config, period)
    if not candidates:
        return 0
    rule_ensure(
        code=RULE_CODE,
        name=system_text(gettext_noop("Labour-dispute risk")),
        kind="external",
        colour="red",
        deadline_minutes=DEADLINE_MINUTES,
        description=system_text(
            gettext_noop(
                "Employers at the top of the labour-dispute risk list (wage delays, "
                "social-insurance and utility arrears, overdue progress payments, complaints)."
            )
        ),
    )
    for score in candidates:
        employer: Employer = score.employer
        warning_raise(
            rule_code=RULE_CODE,
            subject_key=str(employer.pk),
            unit=employer.unit,
            colour=score.colour,
            title=system_text(
                gettext_noop("Labour-dispute risk: %(name)s (%(score)s points, %(month)s)"),
                name=employer.name,
                score=f"{score.score:.1f}",
                month=f"{period:%Y-%m}",
            ),
            explanation=explanation(score.contributions),
            value=score.score,
            lng=employer.lng,
            lat=employer.lat,
        )
    return len(candidates)


def warnings_for(*, actor: Any, employer: Employer) -> list[Any]:
    """The employer's labour warnings the actor may see, newest first."""
    from fengqiao.early_warning.selectors import warning_queryset

    return list(
        warning_queryset(actor)
        .filter(rule__code=RULE_CODE, subject_key=str(employer.pk))
        .order_by("-last_fired_at", "-pk")[:20]
    )
