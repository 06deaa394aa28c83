"""Likely duplicates at intake: the same dispute reported again, through any channel.

Signals, strongest first: a party's phone or ID number already on an open or recent case; the
same grid and category within the window; similar wording (character bigrams, which work for
Chinese without a tokenizer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_queryset, parties_matching

MAX_CANDIDATES = 200


@dataclass
class DuplicateCandidate:
    case: Case
    score: float
    reasons: list[str] = field(default_factory=list)


def bigrams(text: str) -> set[str]:
    compact = "".join(ch for ch in text if not ch.isspace())
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


def text_similarity(a: str, b: str) -> float:
    left, right = bigrams(a), bigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def find_duplicates(
    *,
    actor: Any,
    text: str,
    category_id: int | None = None,
    territory_id: int | None = None,
    phones: list[str] | None = None,
    id_numbers: list[str] | None = None,
    window_days: int | None = None,
    limit: int = 5,
) -> list[DuplicateCandidate]:
    days: int = window_days or settings.FENGQIAO_DUPLICATE_WINDOW_DAYS
    since = timezone.now() - timedelta(days=days)
    phones = [p for p in phones or [] if p]
    id_numbers = [i for i in id_numbers or [] if i]
    visible = case_queryset(actor).exclude(status="merged")

    party_hits: dict[int, set[str]] = {}
    if phones or id_numbers:
        rows = parties_matching(actor=actor, phones=phones, id_numbers=id_numbers)
        for case_id, phone, id_number in rows.values_list("case_id", "phone", "id_number")[
            :MAX_CANDIDATES
        ]:
            kinds = party_hits.setdefault(case_id, set())
            if phone and phone in phones:
                kinds.add("phone")
            if id_number and id_number in id_numbers:
                kinds.add("id")

    nearby = Q(pk__in=list(party_hits))
    if territory_id is not None and category_id is not None:
        nearby |= Q(territory_id=territory_id, category_id=category_id, created_at__gte=since)
    candidates = (
        visible.filter(nearby)
        .select_related("category", "territory")
        .order_by("-created_at")[:MAX_CANDIDATES]
    )

    results: list[DuplicateCandidate] = []
    for case in candidates:
        score, reasons = 0.0, []
        kinds = party_hits.get(case.pk, set())
        if "id" in kinds:
            score += 0.6
            reasons.append(gettext("same party ID number"))
        if "phone" in kinds:
            score += 0.5
            reasons.append(gettext("same party phone"))
        if (
            case.territory_id == territory_id
            and case.category_id == category_id
            and case.created_at >= since
        ):
            score += 0.3
            reasons.append(
                ngettext(
                    "same grid and category within %(days)d day",
                    "same grid and category within %(days)d days",
                    days,
                )
                % {"days": days}
            )
        similarity = text_similarity(text, f"{case.title} {case.description}")
        if similarity >= 0.2:
            score += similarity
            reasons.append(
                gettext("similar wording (%(percent)s)") % {"percent": f"{similarity:.0%}"}
            )
        if score >= 0.3:
            results.append(DuplicateCandidate(case, round(score, 2), reasons))
    results.sort(key=lambda c: (-c.score, -c.case.pk))
    return results[:limit]
