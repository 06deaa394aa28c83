"""The cockpit map colours each place by its safety index of the default period."""

from __future__ import annotations

from django.urls import reverse

from fengqiao.safety.models import IndexResult
from fengqiao.safety.tests.conftest import FEB
from fengqiao.safety.tests.test_api import client_for
from fengqiao.testing.region import SmallRegion


def test_map_shows_the_newest_months_index_of_each_township(computed: SmallRegion) -> None:
    district = computed.unit("A")
    url = reverse("metrics:map", args=[district.pk])
    features = client_for("a_leader").get(url).json()["features"]
    shown = {
        f["id"]: (f["properties"]["safety_index"], f["properties"]["safety_colour"])
        for f in features
    }
    expected = {
        r.unit_id: (round(r.index, 1), r.colour)
        for r in IndexResult.objects.filter(period=FEB, unit__parent=district)
    }
    assert expected  # the fixture computed February for these townships
    assert {pk: shown[pk] for pk in expected} == expected


def test_map_of_a_reader_without_results_has_no_index(computed: SmallRegion) -> None:
    IndexResult.objects.all().delete()
    url = reverse("metrics:map", args=[computed.unit("A").pk])
    features = client_for("a_leader").get(url).json()["features"]
    assert features
    assert all(f["properties"]["safety_index"] is None for f in features)
