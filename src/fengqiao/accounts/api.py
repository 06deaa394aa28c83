from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.params.functions import Query

from fengqiao.accounts.jurisdiction import Jurisdiction
from fengqiao.accounts.schemas import UserOut

router = Router(tags=["people"])


@router.get("/me", response=UserOut)
def me(request: HttpRequest) -> Any:
    return request.user


@router.get("/users", response=list[UserOut])
def list_users(
    request: HttpRequest,
    role: str = "",
    limit: int = Query(200, ge=1, le=2000),
    offset: int = Query(0, ge=0),
) -> Any:
    users = Jurisdiction.of(request.user).users().prefetch_related("units").order_by("username")
    if role:
        users = users.filter(role=role)
    return users[offset : offset + limit]
