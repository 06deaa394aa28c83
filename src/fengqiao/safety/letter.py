"""The warning letter (预警函) to a unit about its safety risk index, as a PDF.

The letter is an official record sent to the unit, so its text is in the deployment language
(:func:`fengqiao.core.text.system_text`), whoever downloads it; names of units and indicators
are the Chinese ones of the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from fengqiao.core.errors import NotFound
from fengqiao.core.pdf import Document
from fengqiao.core.text import system_text
from fengqiao.orgs.models import Level
from fengqiao.safety import selectors
from fengqiao.safety.models import Dimension, IndexColour
from fengqiao.safety.periods import Period

TOP_FACTORS = 8
# Working days a unit has to report back on the risks named in its letter.
REPLY_WORKING_DAYS = 15


@dataclass(frozen=True)
class Letter:
    filename: str
    content: bytes


def _number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"


def letter_build(*, actor: Any, unit_id: int, period: str) -> Letter:
    result = selectors.result_get(actor=actor, unit_id=unit_id, period=period)
    unit = result.unit
    parent = unit.parent
    district = parent if unit.level == Level.TOWNSHIP else (parent.parent if parent else None)
    indicators = selectors.indicators_by_code()
    dimensions = {d.code: d for d in Dimension.objects.all()}
    issuer = system_text(
        gettext_noop("%(district)s Comprehensive Governance Centre"),
        district=district.name if district else "",
    )
    doc = Document(
        title=system_text(gettext_noop("Safety risk warning letter")),
        subtitle=f"{unit.name} · {result.period}",
        footer=issuer,
    )
    doc.paragraph(f"{unit.name}：")
    doc.paragraph(
        system_text(
            gettext_noop(
                "In the safety risk index for %(period)s, %(unit)s scored %(index)s points "
                "(colour: %(colour)s), ranking %(rank)s of %(rank_of)s %(level)s units in the "
                "city and %(district_rank)s of %(district_rank_of)s in %(district)s."
            ),
            period=result.period,
            unit=unit.name,
            index=_number(result.index),
            colour=IndexColour(result.colour).label,
            rank=result.rank,
            rank_of=result.rank_of,
            level=Level(result.level).label,
            district_rank=result.district_rank,
            district_rank_of=result.district_rank_of,
            district=district.name if district else "",
        )
    )
    try:
        previous = selectors.result_get(
            actor=actor, unit_id=unit_id, period=Period.parse(period).previous().label
        )
    except (NotFound, ValueError):
        previous = None
    if previous is not None:
        doc.paragraph(
            system_text(
                gettext_noop("In %(previous)s it scored %(previous_index)s points (%(change)s)."),
                previous=previous.period,
                previous_index=_number(previous.index),
                change=f"{result.index - previous.index:+.2f}",
            )
        )
    if result.negative:
        doc.paragraph(
            system_text(gettext_noop("The unit is on the negative list for this period.")),
        )
    doc.heading(system_text(gettext_noop("Scores by dimension")))
    rows: list[list[Any]] = [
        [system_text(gettext_noop("Dimension")), system_text(gettext_noop("Score (0–100)"))]
    ]
    for code, score in result.dimension_scores.items():
        dimension = dimensions.get(code)
        rows.append([dimension.name_zh if dimension else code, _number(score)])
    doc.table(rows, col_widths=[0.7, 0.3], align_right=[1])
    doc.heading(system_text(gettext_noop("Main risk factors")))
    factors: list[list[Any]] = [
        [
            system_text(gettext_noop("Indicator")),
            system_text(gettext_noop("Value")),
            system_text(gettext_noop("Points lost")),
        ]
    ]
    for row in selectors.contribution_rows(result, indicators)[:TOP_FACTORS]:
        if row.points <= 0:
            break
        name = row.indicator.name_zh if row.indicator else row.code
        unit_of_measure = row.indicator.unit if row.indicator else ""
        value = f"{_number(row.value)} {unit_of_measure}".strip() if row.value is not None else "—"
        factors.append([name, value, _number(row.points)])
    doc.table(factors, col_widths=[0.55, 0.25, 0.2], align_right=[1, 2])
    doc.heading(system_text(gettext_noop("Requirements")))
    doc.paragraph(
        system_text(
            gettext_noop(
                "Please analyse the causes of the risks above, take targeted measures, and report "
                "on the rectification to the comprehensive governance centre within %(days)s "
                "working days."
            ),
            days=REPLY_WORKING_DAYS,
        )
    )
    doc.paragraph(f"{issuer}　{timezone.localdate():%Y-%m-%d}", align_right=True)
    return Letter(f"safety-letter-{unit.code}-{result.period}.pdf", doc.build())
