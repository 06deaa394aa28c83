"""Personal data on the way out: masked unless the role needs it and asks, and then logged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from fengqiao.cases.models import Case, Party, PersonalDataAccess
from fengqiao.cases.permissions import may_unmask
from fengqiao.cases.pii import mask_address, mask_id_number, mask_phone
from fengqiao.core.errors import PermissionDenied


@dataclass(frozen=True)
class PartyView:
    id: int
    kind: str
    role: str
    name: str
    id_number: str
    org_code: str
    phone: str
    address: str
    masked: bool


def party_view(party: Party, *, reveal: bool) -> PartyView:
    if reveal:
        return PartyView(
            party.pk,
            party.kind,
            party.role,
            party.name,
            party.id_number,
            party.org_code,
            party.phone,
            party.address,
            masked=False,
        )
    return PartyView(
        party.pk,
        party.kind,
        party.role,
        party.name,
        mask_id_number(party.id_number) if party.id_number else "",
        party.org_code,
        mask_phone(party.phone) if party.phone else "",
        mask_address(party.address),
        masked=True,
    )


def reveal_allowed(actor: Any, requested: bool) -> bool:
    """Whether to show unmasked data; asking without the right is an error, not a silent mask."""
    if not requested:
        return False
    if not may_unmask(actor):
        raise PermissionDenied(gettext("your role may not see unmasked personal data"))
    return True


def log_access(
    *,
    actor: Any,
    case: Case | None,
    parties: Iterable[Party],
    purpose: str,
    ip_address: str | None,
    fields: str = "id_number,phone,address",
) -> None:
    rows = [
        PersonalDataAccess(
            user=actor,
            case=case or party.case,
            party=party,
            fields=fields,
            purpose=purpose,
            ip_address=ip_address,
        )
        for party in parties
        if party.id_number or party.phone or party.address
    ]
    PersonalDataAccess.objects.bulk_create(rows)


def parties_for(
    *,
    actor: Any,
    case: Case,
    reveal: bool,
    purpose: str,
    ip_address: str | None,
    parties: list[Party] | None = None,
) -> list[PartyView]:
    """The case's parties as this actor may see them (``parties``: already in hand)."""
    parties = list(case.parties.all()) if parties is None else parties
    if reveal_allowed(actor, reveal):
        log_access(actor=actor, case=case, parties=parties, purpose=purpose, ip_address=ip_address)
        return [party_view(p, reveal=True) for p in parties]
    return [party_view(p, reveal=False) for p in parties]


def reporter_phone(value: str, *, reveal: bool) -> str:
    return value if reveal or not value else mask_phone(value)
