"""Distance and travel-time arithmetic, checked against figures worked out by hand."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from fengqiao.service_circle.config import circle_config
from fengqiao.service_circle.geo import haversine_km, nearest_km, pairwise_km

# One degree of a great circle: 6371.0088 km × π / 180.
KM_PER_DEGREE = 111.19508


class TestHaversine:
    def test_one_degree_of_latitude(self) -> None:
        assert haversine_km(29.0, 105.0, [30.0], [105.0])[0] == pytest.approx(KM_PER_DEGREE)

    def test_longitude_shrinks_with_the_cosine_of_latitude(self) -> None:
        # 0.01° of longitude at 29° N: 111.195 × cos 29° × 0.01 = 0.97253 km.
        km = haversine_km(29.0, 105.0, [29.0], [105.01])[0]
        assert km == pytest.approx(KM_PER_DEGREE * math.cos(math.radians(29)) * 0.01, rel=1e-6)
        assert km == pytest.approx(0.97253, abs=1e-5)

    def test_the_k_d_tree_agrees_with_haversine(self) -> None:
        rng = np.random.default_rng(7)
        points = rng.uniform([29.0, 105.0], [29.5, 105.5], size=(200, 2))
        stations = rng.uniform([29.0, 105.0], [29.5, 105.5], size=(30, 2))
        km, index = nearest_km(points[:, 0], points[:, 1], stations[:, 0], stations[:, 1])
        for (lat, lng), d, i in zip(points, km, index, strict=True):
            brute = haversine_km(lat, lng, stations[:, 0], stations[:, 1])
            assert i == int(np.argmin(brute))
            assert d == pytest.approx(brute.min(), abs=1e-6)
        pair = pairwise_km(points[:3, 0], points[:3, 1], stations[:2, 0], stations[:2, 1])
        assert pair[1, 1] == pytest.approx(
            haversine_km(points[1, 0], points[1, 1], [stations[1, 0]], [stations[1, 1]])[0],
            abs=1e-6,
        )

    def test_no_stations_means_infinitely_far(self) -> None:
        km, index = nearest_km([29.0], [105.0], [], [])
        assert math.isinf(km[0])
        assert index[0] == -1


class TestTravelTime:
    def test_defaults(self) -> None:
        config = circle_config()
        # 1.5 km straight × 1.3 detour = 1.95 km; on foot at 4.5 km/h: 1.95 / 4.5 h = 26 min.
        assert config.minutes(1.5, "walk") == pytest.approx(26.0)
        # By bicycle at 12 km/h: 1.95 / 12 h = 9.75 min; by car at 25 km/h: 4.68 min.
        assert config.minutes(1.5, "bike") == pytest.approx(9.75)
        assert config.minutes(1.5, "car") == pytest.approx(4.68)
        # 15 minutes on foot: 4.5 × 0.25 = 1.125 km of road = 1.125 / 1.3 = 0.865 km straight.
        assert config.reach_km("walk", 15) == pytest.approx(0.865385, abs=1e-6)

    def test_settings_override_one_place(self, settings: Any) -> None:
        settings.FENGQIAO_SERVICE_CIRCLE = {"speeds_kmh": {"walk": 5.0}, "detour_factor": 1.0}
        config = circle_config()
        assert config.minutes(1.0, "walk") == pytest.approx(12.0)
        assert config.speed("car") == 25.0  # the others keep their defaults
