"""Placing a report by its address text, for reports without a point on a grid.

Shared by the citizen service and the Open311 intake: both receive free-text addresses such as
"永川区胜利路街道红旗社区3栋" and must hand ``case_register`` a unit to start from.
"""

from __future__ import annotations

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Length
from django.db.models.lookups import Contains

from fengqiao.orgs.models import PATH_SEGMENT_WIDTH, OrgUnit

# Enough for any real address; a text naming more units than this is not an address.
_MAX_CANDIDATES = 200


def _common_ancestor_path(paths: list[str]) -> str:
    shortest = min(len(p) for p in paths)
    common = ""
    for end in range(PATH_SEGMENT_WIDTH, shortest + 1, PATH_SEGMENT_WIDTH):
        prefix = paths[0][:end]
        if not all(p.startswith(prefix) for p in paths):
            break
        common = prefix
    return common


def unit_from_address(address: str, units: QuerySet[OrgUnit]) -> OrgUnit | None:
    """The most specific unit among ``units`` that the address names, or None.

    A unit counts when its name occurs in the text; a match whose ancestors are named too is
    preferred ("胜利路街道红旗社区" over a 红旗社区 elsewhere). When equally good matches lie in
    different places, their nearest common ancestor is the answer, or None if there is none.
    """
    text = address.strip()
    if len(text) < 2:
        return None
    matches = list(
        units.filter(is_active=True)
        .annotate(name_length=Length("name"))
        .filter(name_length__gte=2)
        .filter(Contains(Value(text), F("name")))
        .order_by("path")[:_MAX_CANDIDATES]
    )
    if not matches:
        return None
    matched_paths = {unit.path for unit in matches}

    def score(unit: OrgUnit) -> tuple[int, int]:
        named_ancestors = sum(1 for path in unit.ancestor_paths() if path in matched_paths)
        return named_ancestors, unit.depth

    best = max(score(unit) for unit in matches)
    tied = [unit for unit in matches if score(unit) == best]
    if len(tied) == 1:
        return tied[0]
    common = _common_ancestor_path([unit.path for unit in tied])
    if not common:
        return None
    return units.filter(path=common, is_active=True).first()
