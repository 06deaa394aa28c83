from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fengqiao.testing.region import SmallRegion


@pytest.fixture
def client_for(region: SmallRegion) -> Callable[[str], Client]:
    """A test client signed in as one of the region's users."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(region.users[username])
        return client

    return make
