"""Service-circle fixtures: round travel figures so expectations can be worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.orgs.models import Station, StationKind
from fengqiao.testing.region import PASSWORD, SmallRegion

# Walking at 2 km/h on straight roads: 15 minutes reach exactly 0.5 km.
# Driving at 4 km/h: 15 minutes reach exactly 1.0 km.
HAND_CONFIG = {"speeds_kmh": {"walk": 2.0, "bike": 12.0, "car": 4.0}, "detour_factor": 1.0}


@pytest.fixture
def hand_config(settings: Any) -> dict[str, Any]:
    settings.FENGQIAO_SERVICE_CIRCLE = HAND_CONFIG
    return HAND_CONFIG


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def set_population(region: SmallRegion, **by_key: int) -> None:
    for key, population in by_key.items():
        unit = region.unit(key.replace("_", "-"))
        unit.population = population
        unit.save(update_fields=["population", "updated_at"])


@pytest.fixture
def room(region: SmallRegion) -> Station:
    """A mediation room on the west edge of grid A1a-g1, half-way up (105.00, 29.005)."""
    return Station.objects.create(
        name="红旗社区调解室",
        kind=StationKind.MEDIATION_ROOM,
        org_unit=region.unit("A1a"),
        lat=29.005,
        lng=105.0,
        opening_schedule={"mon": [["09:00", "17:00"]]},
    )
