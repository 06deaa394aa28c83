"""The score itself: Σ weight × normalised value, every term kept so the list can explain itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext_noop

from fengqiao.core.text import system_text
from fengqiao.labour.config import ScoringConfig
from fengqiao.labour.indicators import INDICATORS

# Contributions named in a warning's explanation, largest first.
EXPLAINED = 3


@dataclass(frozen=True)
class Contribution:
    indicator: str
    value: float | None  # None: not reported for the month, counted as 0
    normalised: float
    weight: float
    points: float

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Scored:
    score: float
    colour: str
    contributions: list[Contribution]


def score_of(config: ScoringConfig, kind: str, values: Mapping[str, float]) -> Scored:
    """The score of one employer of ``kind`` with these indicator values for one month."""
    contributions = []
    total = 0.0
    for rule in config.rules_for(kind):
        value = values.get(rule.code)
        weight = rule.weights[kind]
        normalised = rule.normalise(value) if value is not None else 0.0
        points = weight * normalised
        total += points
        contributions.append(
            Contribution(rule.code, value, round(normalised, 4), weight, round(points, 2))
        )
    score = round(min(max(total, 0.0), 100.0), 1)
    return Scored(score, config.colour(score), contributions)


def contribution_phrase(item: Mapping[str, Any]) -> str:
    spec = INDICATORS[item["indicator"]]
    return system_text(
        spec.phrase, value=spec.show(float(item["value"])), points=f"{float(item['points']):.1f}"
    )


def explanation(contributions: list[dict[str, Any]], *, limit: int = EXPLAINED) -> str:
    """The largest contributions in words, e.g. "wages delayed 45 days (+12.5); …"."""
    adding = sorted(
        (c for c in contributions if c["value"] is not None and c["points"] > 0),
        key=lambda c: (-c["points"], c["indicator"]),
    )
    if not adding:
        return system_text(gettext_noop("no indicator adds to the score"))
    separator = system_text(gettext_noop("; "))
    text = separator.join(contribution_phrase(c) for c in adding[:limit])
    return text + ("…" if len(adding) > limit else "")
