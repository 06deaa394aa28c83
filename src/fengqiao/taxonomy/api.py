from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from fengqiao.taxonomy.models import Category, Channel
from fengqiao.taxonomy.schemas import CategoryOut, ChannelOut

router = Router(tags=["taxonomy"])


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest, kind: str = "", include_inactive: bool = False) -> Any:
    """The dispute taxonomy is shared configuration, the same for every jurisdiction."""
    categories = Category.objects.all()
    if kind:
        categories = categories.filter(kind=kind)
    if not include_inactive:
        categories = categories.filter(is_active=True)
    return categories.order_by("sort_order", "code")


@router.get("/channels", response=list[ChannelOut])
def list_channels(request: HttpRequest, include_inactive: bool = False) -> Any:
    channels = Channel.objects.all()
    if not include_inactive:
        channels = channels.filter(is_active=True)
    return channels
