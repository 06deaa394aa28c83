"""JSON API of safety risk index (mounted under /api/v1/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["safety"])
