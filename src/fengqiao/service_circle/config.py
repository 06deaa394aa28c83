"""Travel assumptions of the service circle, in one place.

Defaults below; a deployment overrides any of them with ``FENGQIAO_SERVICE_CIRCLE`` in the Django
settings (e.g. ``{"speeds_kmh": {"walk": 4.0}, "detour_factor": 1.4}``). Travel time is the
straight-line (great-circle) distance times the detour factor — roads are not straight — divided
by the mode's speed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MODE_LABELS: dict[str, str | Promise] = {
    "walk": _("Walking"),
    "bike": _("Cycling"),
    "car": _("Driving"),
}
DEFAULTS: dict[str, Any] = {
    # Urban walking with crossings; e-bikes and bicycles; town traffic with parking.
    "speeds_kmh": {"walk": 4.5, "bike": 12.0, "car": 25.0},
    "detour_factor": 1.3,
    "coverage_minutes": 15,
    "default_mode": "walk",
    # Sample points per unit for the covered share of its area (a lattice over the unit).
    "samples_per_unit": 25,
    "nearest_limit": 10,
    "suggestions": 3,
}


@dataclass(frozen=True)
class CircleConfig:
    speeds_kmh: dict[str, float]
    detour_factor: float
    coverage_minutes: int
    default_mode: str
    samples_per_unit: int
    nearest_limit: int
    suggestions: int

    def speed(self, mode: str) -> float:
        return self.speeds_kmh[mode]

    def reach_km(self, mode: str, minutes: float) -> float:
        """Straight-line radius reachable in ``minutes`` by ``mode``."""
        return self.speed(mode) * minutes / 60 / self.detour_factor

    def minutes(self, straight_km: Any, mode: str) -> Any:
        """Travel minutes for straight-line distances (a float or a NumPy array)."""
        return straight_km * self.detour_factor / self.speed(mode) * 60

    def token(self) -> tuple[Any, ...]:
        """What a computed coverage depends on, besides stations and units."""
        return (tuple(sorted(self.speeds_kmh.items())), self.detour_factor, self.samples_per_unit)


def circle_config() -> CircleConfig:
    overrides: dict[str, Any] = getattr(settings, "FENGQIAO_SERVICE_CIRCLE", {})
    values = {**DEFAULTS, **overrides}
    values["speeds_kmh"] = {**DEFAULTS["speeds_kmh"], **overrides.get("speeds_kmh", {})}
    return CircleConfig(**values)


def mode_choices() -> list[tuple[str, str | Promise]]:
    return [(m, MODE_LABELS.get(m, m)) for m in circle_config().speeds_kmh]
