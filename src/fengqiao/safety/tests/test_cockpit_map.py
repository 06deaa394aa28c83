"""The cockpit map colours each place by its safety index of the default period."""

from __future__ import annotations

from django.urls import reverse

from fengqiao.metrics.aggregate import rebuild
from fengqiao.safety.compute import index_compute
from fengqiao.safety.models import IndexResult
from fengqiao.safety.services import values_import
from fengqiao.safety.tests.conftest import FEB, FEBRUARY, rows
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


def test_a_new_computation_shows_on_the_next_map(computed: SmallRegion) -> None:
    # With the statistics built, the map's values are cached; computing the index anew must
    # still show at once. February again, with the townships' figures swapped round.
    rebuild()
    url = reverse("metrics:map", args=[computed.unit("A").pk])
    client = client_for("a_leader")

    def shown() -> dict[int, float]:
        features = client.get(url).json()["features"]
        return {f["id"]: f["properties"]["safety_index"] for f in features}

    before = shown()
    swapped = dict(FEBRUARY, A1=FEBRUARY["B1"], A2=FEBRUARY["A1"], B1=FEBRUARY["A2"])
    values_import(actor=None, rows=rows(FEB, swapped, computed), recompute=False)
    index_compute(actor=None, period=FEB)
    after = shown()
    expected = {
        r.unit_id: round(r.index, 1)
        for r in IndexResult.objects.filter(period=FEB, unit__parent=computed.unit("A"))
    }
    assert after == expected
    assert after != before
