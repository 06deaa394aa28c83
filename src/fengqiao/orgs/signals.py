from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from fengqiao.orgs import geometry
from fengqiao.orgs.models import OrgUnit


@receiver([post_save, post_delete], sender=OrgUnit)
def _grid_changed(sender: type[OrgUnit], instance: OrgUnit, **kwargs: Any) -> None:
    # Deletions do not move Max(updated_at) forward when the deleted row was not the newest,
    # so this process drops its index outright; other processes see the count change.
    transaction.on_commit(geometry.invalidate)
