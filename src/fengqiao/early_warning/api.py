"""JSON API of early warning (mounted under /api/v1/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["early_warning"])
