"""Distances on the sphere, vectorised: haversine for a point against all stations, and a k-d tree
over unit vectors for many points against many stations (coverage).

On the unit sphere the straight chord between two points orders pairs exactly like the great-circle
distance, so a Euclidean k-d tree over 3-D unit vectors finds the nearest station by great-circle
distance; the chord is then turned back into kilometres.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)

FloatArray = NDArray[np.float64]


def haversine_km(lat: float, lng: float, lats: Any, lngs: Any) -> FloatArray:
    """Great-circle distance in km from one point to each of ``lats``/``lngs`` (degrees)."""
    phi1 = np.radians(lat)
    phi2 = np.radians(np.asarray(lats, dtype=np.float64))
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lngs, dtype=np.float64) - lng)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def unit_vectors(lats: Any, lngs: Any) -> FloatArray:
    """(n, 3) unit vectors of points given in degrees."""
    phi = np.radians(np.asarray(lats, dtype=np.float64))
    lmb = np.radians(np.asarray(lngs, dtype=np.float64))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lmb), cos_phi * np.sin(lmb), np.sin(phi)))


def chord_to_km(chord: Any) -> FloatArray:
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2, 0.0, 1.0)))


def nearest_km(
    point_lats: Any, point_lngs: Any, station_lats: Any, station_lngs: Any
) -> tuple[FloatArray, NDArray[np.int64]]:
    """For each point, the great-circle km to the nearest station and that station's index.

    With no stations every distance is infinite and every index -1.
    """
    n = len(point_lats)
    if len(station_lats) == 0 or n == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    from scipy.spatial import cKDTree

    tree = cKDTree(unit_vectors(station_lats, station_lngs))
    chord, index = tree.query(unit_vectors(point_lats, point_lngs), k=1)
    return chord_to_km(chord), np.asarray(index, dtype=np.int64)


def pairwise_km(lats_a: Any, lngs_a: Any, lats_b: Any, lngs_b: Any) -> FloatArray:
    """(len(a), len(b)) great-circle km between two small sets of points."""
    a = unit_vectors(lats_a, lngs_a)
    b = unit_vectors(lats_b, lngs_b)
    cos_angle = np.clip(a @ b.T, -1.0, 1.0)
    return np.asarray(EARTH_RADIUS_KM * np.arccos(cos_angle))
