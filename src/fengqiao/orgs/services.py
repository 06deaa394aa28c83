"""Changes to the organisation tree. Paths are assigned here and nowhere else."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext

from fengqiao.core.errors import Conflict, ValidationFailed
from fengqiao.orgs.geometry import InvalidGeometry, centroid_of
from fengqiao.orgs.models import (
    PATH_SEGMENT_MAX,
    PATH_SEGMENT_WIDTH,
    Level,
    OrgUnit,
    child_path,
    subtree_range,
)


def _next_child_path(parent: OrgUnit | None) -> str:
    siblings = (
        OrgUnit.objects.filter(parent=parent)
        if parent
        else OrgUnit.objects.filter(parent__isnull=True)
    )
    last = siblings.aggregate(last=Max("path"))["last"]
    serial = int(last[-PATH_SEGMENT_WIDTH:]) + 1 if last else 1
    if serial > PATH_SEGMENT_MAX:
        raise Conflict(
            gettext("%(unit)s already has the maximum number of children") % {"unit": parent}
            if parent
            else gettext("the root already has the maximum number of children")
        )
    return child_path(parent.path if parent else "", serial)


def _check_level(level: int, parent: OrgUnit | None) -> None:
    if parent is None:
        if level != Level.CITY:
            raise ValidationFailed(gettext("only a city can be a root unit"), field="parent")
    elif level != parent.level + 1:
        raise ValidationFailed(
            gettext("a %(level)s cannot sit under a %(parent)s")
            % {"level": Level(level).label, "parent": Level(parent.level).label},
            field="level",
        )


def _apply_boundary(unit: OrgUnit, boundary: dict[str, Any] | None) -> None:
    unit.boundary = boundary
    if boundary is None:
        unit.centroid_lat = unit.centroid_lng = None
        return
    try:
        unit.centroid_lat, unit.centroid_lng = centroid_of(boundary)
    except InvalidGeometry as exc:
        raise ValidationFailed(str(exc), field="boundary") from exc


@transaction.atomic
def org_unit_create(
    *,
    code: str,
    name: str,
    level: int,
    parent: OrgUnit | None = None,
    name_en: str = "",
    boundary: dict[str, Any] | None = None,
    population: int | None = None,
) -> OrgUnit:
    _check_level(level, parent)
    if OrgUnit.objects.filter(code=code).exists():
        raise Conflict(gettext("unit code %(code)s is already used") % {"code": code}, field="code")
    if parent is not None:
        # Serialise sibling creation so two writers cannot pick the same path serial.
        OrgUnit.objects.select_for_update().filter(pk=parent.pk).first()
    unit = OrgUnit(
        code=code, name=name, name_en=name_en, level=level, parent=parent, population=population
    )
    _apply_boundary(unit, boundary)
    unit.path = _next_child_path(parent)
    unit.full_clean(exclude=["path"])
    unit.save()
    return unit


@transaction.atomic
def org_unit_set_boundary(*, unit: OrgUnit, boundary: dict[str, Any] | None) -> OrgUnit:
    _apply_boundary(unit, boundary)
    unit.save(update_fields=["boundary", "centroid_lat", "centroid_lng", "updated_at"])
    return unit


@transaction.atomic
def org_unit_move(*, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Re-parent a unit; its whole subtree's paths are rewritten in one UPDATE."""
    if new_parent.path.startswith(unit.path):
        raise ValidationFailed(
            gettext("a unit cannot move under itself or its descendants"), field="parent"
        )
    _check_level(unit.level, new_parent)
    OrgUnit.objects.select_for_update().filter(pk=new_parent.pk).first()
    old_path = unit.path
    new_path = _next_child_path(new_parent)
    OrgUnit.objects.filter(subtree_range(old_path)).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1)),
        updated_at=timezone.now(),
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    return unit
