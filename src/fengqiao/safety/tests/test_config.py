"""Editing the configuration: indicator settings and per-dimension weights are validated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import translation

from fengqiao.safety.admin import IndicatorFormSet, IndicatorInline
from fengqiao.safety.models import Dimension, Indicator


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """These tests read the English source messages; the deployment language is Chinese."""
    with translation.override("en"):
        yield


def formset_data(dimension: Dimension, weights: dict[str, float]) -> dict[str, Any]:
    indicators = list(dimension.indicators.order_by("order"))
    data: dict[str, Any] = {
        "indicators-TOTAL_FORMS": len(indicators),
        "indicators-INITIAL_FORMS": len(indicators),
    }
    for n, i in enumerate(indicators):
        for name in IndicatorInline.fields:
            value = getattr(i, name)
            if value is not None and not (name == "is_active" and not value):
                data[f"indicators-{n}-{name}"] = value
        data[f"indicators-{n}-id"] = i.pk
        data[f"indicators-{n}-dimension"] = dimension.pk
        data[f"indicators-{n}-weight"] = weights.get(i.code, i.weight)
    return data


class TestIndicatorClean:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"source": "computed:nonsense"}, "source"),
            ({"source": "sensors"}, "source"),
            ({"weight": 0}, "weight"),
            ({"normalisation": "fixed", "good_value": None, "bad_value": None}, "good_value"),
            ({"normalisation": "fixed", "good_value": 5, "bad_value": 5}, "bad_value"),
            # Riskier, but the bad value lies below the good one.
            ({"normalisation": "fixed", "good_value": 10, "bad_value": 0}, "bad_value"),
        ],
    )
    def test_unusable_settings_are_refused(
        self, config: None, changes: dict[str, Any], field: str
    ) -> None:
        indicator = Indicator.objects.get(code="D2.01")
        for name, value in changes.items():
            setattr(indicator, name, value)
        with pytest.raises(ValidationError) as error:
            indicator.full_clean()
        assert field in error.value.message_dict

    def test_category_and_channel_metrics_are_known(self, config: None) -> None:
        indicator = Indicator.objects.get(code="D2.01")
        indicator.source = "computed:category:M02.04"
        indicator.full_clean()
        indicator.source = "computed:channel:12345"
        indicator.full_clean()


class TestDimensionWeights:
    def formset(self, dimension: Dimension, weights: dict[str, float]) -> IndicatorFormSet:
        factory = inlineformset_factory(
            Dimension, Indicator, formset=IndicatorFormSet, fields=IndicatorInline.fields, extra=0
        )
        return factory(formset_data(dimension, weights), instance=dimension, prefix="indicators")  # type: ignore[return-value]

    def test_weights_must_add_up_to_100(self, config: None) -> None:
        dimension = Dimension.objects.get(code="D2")
        broken = self.formset(dimension, {"D2.01": 20})
        assert not broken.is_valid()
        assert "add up to 106" in " ".join(broken.non_form_errors())
        moved = self.formset(dimension, {"D2.01": 20, "D2.02": 8})
        assert moved.is_valid(), moved.errors
