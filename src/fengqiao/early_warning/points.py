"""Risk points and devices: registering, recording maintenance, linking devices.

The CSV importer (``importer``) and the API go through :func:`point_save`, so a point from a
file is checked exactly like one typed in.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from pydantic import BaseModel, ConfigDict, Field

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.models import Role
from fengqiao.cases.schemas import PhoneNumber
from fengqiao.core.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.early_warning.models import Device, Maintenance, RiskPoint, RiskPointType
from fengqiao.early_warning.selectors import point_get
from fengqiao.orgs import geometry
from fengqiao.orgs.models import OrgUnit

# Who keeps the register; everyone in scope reads it. Grid workers record maintenance they see.
REGISTER_ROLES = frozenset({Role.CLERK, Role.LEADER, Role.ANALYST, Role.ADMIN})
MAINTENANCE_ROLES = REGISTER_ROLES | {Role.GRID_WORKER}

PointCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._\-]+$")]


class PointIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: PointCode
    name: Annotated[str, Field(min_length=1, max_length=150)]
    point_type: RiskPointType
    lng: Annotated[float, Field(ge=-180, le=180)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    address: Annotated[str, Field(max_length=255)] = ""
    owner_org: Annotated[str, Field(max_length=150)] = ""
    owner_contact: Annotated[str, Field(max_length=50)] = ""
    owner_phone: PhoneNumber = ""
    maintenance_interval_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    last_maintained_on: date | None = None
    devices: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=50
    )


def scope(actor: Any) -> Jurisdiction:
    """``None`` is the operator at the command line (``fengqiao import risk-points``)."""
    return Jurisdiction(None, True, (), None) if actor is None else Jurisdiction.of(actor)


def _role(actor: Any) -> str:
    return Role.ADMIN if getattr(actor, "is_superuser", False) else str(getattr(actor, "role", ""))


def check_register_role(actor: Any) -> None:
    if _role(actor) not in REGISTER_ROLES:
        raise PermissionDenied(gettext("your role cannot edit the risk point register"))


def grid_for(actor: Any, lng: float, lat: float) -> OrgUnit:
    grid = geometry.resolve_grid(lng, lat)
    if grid is None:
        raise ValidationFailed(gettext("the location lies on no grid"), field="lng")
    if not scope(actor).covers_path(grid.path):
        raise ValidationFailed(gettext("the location lies outside your jurisdiction"), field="lng")
    return grid


def check_point(data: PointIn) -> None:
    if data.last_maintained_on is not None and data.last_maintained_on > timezone.localdate():
        raise ValidationFailed(gettext("cannot lie in the future"), field="last_maintained_on")


def point_write(*, actor: Any, data: PointIn, grid: OrgUnit) -> tuple[RiskPoint, str]:
    """Insert or update by code, inside the caller's transaction (checks already done);
    returns the point and "created", "updated" or "unchanged"."""
    values = data.model_dump(exclude={"code", "devices"})
    values["point_type"] = str(data.point_type)
    values["grid_id"] = grid.pk
    values["unit_path"] = grid.path
    point = RiskPoint.objects.select_for_update().filter(code=data.code).first()
    if point is None:
        point = RiskPoint(code=data.code)
        state = "created"
    elif not scope(actor).covers_path(point.unit_path):
        # A code that exists outside the actor's scope must not be overwritten (nor revealed).
        raise ValidationFailed(gettext("this code is already used elsewhere"), field="code")
    else:
        same = all(getattr(point, name) == value for name, value in values.items())
        state = "unchanged" if same else "updated"
    if state != "unchanged":
        for name, value in values.items():
            setattr(point, name, value)
        if state == "updated":
            point.version += 1
        point.save()
    for device_id in data.devices:
        device, _new = Device.objects.get_or_create(
            device_id=device_id, defaults={"risk_point": point}
        )
        if device.risk_point_id != point.pk:
            device.risk_point = point
            device.save(update_fields=["risk_point", "updated_at"])
    return point, state


@transaction.atomic
def point_save(*, actor: Any, data: PointIn) -> tuple[RiskPoint, bool]:
    check_register_role(actor)
    check_point(data)
    grid = grid_for(actor, data.lng, data.lat)
    point, state = point_write(actor=actor, data=data, grid=grid)
    return point, state == "created"


@transaction.atomic
def maintenance_record(
    *, actor: Any, point_id: int, done_on: date, note: str, expected_version: int | None = None
) -> Maintenance:
    """Record a maintenance; the point's last maintenance moves forward (never back)."""
    point = point_get(actor=actor, point_id=point_id, for_update=True)
    if _role(actor) not in MAINTENANCE_ROLES:
        raise PermissionDenied(gettext("your role cannot record maintenance"))
    if done_on > timezone.localdate():
        raise ValidationFailed(gettext("cannot lie in the future"), field="done_on")
    queryset = RiskPoint.objects.filter(pk=point.pk)
    if expected_version is not None:
        queryset = queryset.filter(version=expected_version)
    if queryset.update(version=F("version") + 1, updated_at=timezone.now()) != 1:
        raise Conflict(
            gettext("the risk point was changed by someone else; reload it and try again"),
            field="version",
        )
    record = Maintenance.objects.create(
        risk_point=point,
        done_on=done_on,
        note=note.strip()[:500],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    if point.last_maintained_on is None or done_on > point.last_maintained_on:
        RiskPoint.objects.filter(pk=point.pk).update(last_maintained_on=done_on)
    return record
