"""JSON API of risk colours and dispatch boards (mounted under /api/v1/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["risk"])
