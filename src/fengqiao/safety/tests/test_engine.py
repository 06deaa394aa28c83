"""The index formula, by hand: normalisation, direction, weights, colours, ranks, negative list."""

from __future__ import annotations

import numpy as np
import pytest

from fengqiao.safety.engine import (
    COLOURS,
    Formula,
    IndicatorSpec,
    Thresholds,
    classify,
    evaluate,
    normalise,
)

NAN = np.nan
# Colour bands of these tests: red below 60, orange below 70, yellow below 80.
BANDS = {"red_below": 60.0, "orange_below": 70.0, "yellow_below": 80.0}

# Two dimensions: X (weight 60) holds A and B, Y (weight 40) holds C and D.
HAND_SPECS = [
    IndicatorSpec("A", "X", riskier=True, weight=50),
    IndicatorSpec("B", "X", riskier=False, weight=50),
    IndicatorSpec("C", "Y", riskier=True, weight=25, normalisation="fixed", good=0, bad=10),
    IndicatorSpec("D", "Y", riskier=False, weight=75),
]
HAND_VALUES = np.array(
    [
        [10.0, 80.0, 5.0, 90.0],
        [20.0, 60.0, 0.0, 90.0],
        [30.0, 100.0, 20.0, 60.0],
    ]
)


def hand_formula() -> Formula:
    return Formula.build(HAND_SPECS, {"X": 60, "Y": 40})


def one(spec: IndicatorSpec, column: list[float], clip: float = 3.0) -> np.ndarray:
    formula = Formula.build([spec], {spec.dimension: 1}, zscore_clip=clip)
    return normalise(np.array(column).reshape(-1, 1), formula)[:, 0]


class TestHandExample:
    """3 units × 4 indicators, worked out on paper.

    A riskier min–max over 10..30     → r = 0, .5, 1
    B safer min–max over 60..100      → r = .5, 1, 0      (80 is half way from the best, 100)
    C fixed good 0, bad 10            → r = .5, 0, 1      (20 is past "bad": clipped)
    D safer min–max over 60..90       → r = 0, 0, 1
    Effective weights: A .6·.5 = .3, B .3, C .4·.25 = .1, D .4·.75 = .3
    Points lost: unit 1: 0 + 15 + 5 + 0 = 20; unit 2: 15 + 30 + 0 + 0 = 45; unit 3: 30 + 0 + 10 + 30 = 70
    """

    def test_normalised_risks(self) -> None:
        risk = normalise(HAND_VALUES, hand_formula())
        expected = [[0, 0.5, 0.5, 0], [0.5, 1, 0, 0], [1, 0, 1, 1]]
        np.testing.assert_allclose(risk, expected)

    def test_points_index_and_dimension_scores(self) -> None:
        result = evaluate(HAND_VALUES, hand_formula())
        np.testing.assert_allclose(result.points.sum(axis=1), [20, 45, 70])
        np.testing.assert_allclose(result.points[1], [15, 30, 0, 0])
        np.testing.assert_allclose(result.index, [80, 55, 30])
        # X: 100·(1 − (.5·rA + .5·rB)); Y: 100·(1 − (.25·rC + .75·rD))
        np.testing.assert_allclose(result.dimension_scores, [[75, 87.5], [25, 100], [50, 0]])
        # The index is the weighted mean of the dimension scores.
        np.testing.assert_allclose(result.dimension_scores @ [0.6, 0.4], result.index)

    def test_colours_ranks_and_reasons(self) -> None:
        result = evaluate(HAND_VALUES, hand_formula())
        classes = classify(result, np.zeros(3, dtype=np.int64), Thresholds(reason_count=2, **BANDS))
        # 80 is not below 80: blue. 55 and 30 are below 60: red.
        assert [COLOURS[c] for c in classes.colour] == ["blue", "red", "red"]
        assert classes.rank.tolist() == [1, 2, 3]
        # Unit 2 loses most on B (30), then A (15); unit 3 ties A and D at 30: input order.
        assert classes.reasons.tolist() == [[1, 2], [1, 0], [0, 3]]


class TestNormalisation:
    def test_constant_column_gives_no_risk_in_either_direction(self) -> None:
        for riskier in (True, False):
            spec = IndicatorSpec("A", "X", riskier=riskier, weight=1)
            np.testing.assert_array_equal(one(spec, [7, 7, 7]), [0, 0, 0])

    def test_constant_zscore_column_sits_at_the_mean(self) -> None:
        spec = IndicatorSpec("A", "X", riskier=True, weight=1, normalisation="zscore")
        np.testing.assert_allclose(one(spec, [4, 4, 4]), [0.5, 0.5, 0.5])

    def test_zscore_is_clipped_and_flipped_for_safer(self) -> None:
        values = [0.0] * 9 + [100.0]  # the outlier's z is 3: clipped at 2 → risk 1
        spec = IndicatorSpec("A", "X", riskier=True, weight=1, normalisation="zscore")
        risk = one(spec, values, clip=2.0)
        assert risk[-1] == pytest.approx(1.0)
        assert risk[0] == pytest.approx((-1 / 3 + 2) / 4)
        safer = one(
            IndicatorSpec("A", "X", riskier=False, weight=1, normalisation="zscore"),
            values,
            clip=2.0,
        )
        np.testing.assert_allclose(safer, 1 - risk)

    def test_fixed_thresholds_for_a_safer_indicator(self) -> None:
        spec = IndicatorSpec(
            "A", "X", riskier=False, weight=1, normalisation="fixed", good=98, bad=70
        )
        np.testing.assert_allclose(one(spec, [99, 98, 84, 70, 50]), [0, 0, 0.5, 1, 1])

    def test_missing_value_takes_the_mean_risk(self) -> None:
        spec = IndicatorSpec("A", "X", riskier=True, weight=1)
        np.testing.assert_allclose(one(spec, [0, NAN, 10, 5]), [0, 0.5, 1, 0.5])

    def test_column_nobody_reported_gives_no_risk(self) -> None:
        spec = IndicatorSpec("A", "X", riskier=True, weight=1)
        np.testing.assert_array_equal(one(spec, [NAN, NAN]), [0, 0])

    def test_missing_values_are_counted_per_unit(self) -> None:
        values = HAND_VALUES.copy()
        values[0, 1] = values[0, 3] = NAN
        assert evaluate(values, hand_formula()).missing.tolist() == [2, 0, 0]


class TestFormulaBuild:
    def test_weights_are_shares_within_and_across_dimensions(self) -> None:
        formula = Formula.build(
            [
                IndicatorSpec("A", "X", True, 2),
                IndicatorSpec("B", "X", True, 6),
                IndicatorSpec("C", "Y", True, 1),
            ],
            {"X": 3, "Y": 1},
        )
        np.testing.assert_allclose(formula.effective, [0.75 * 0.25, 0.75 * 0.75, 0.25])
        assert formula.effective.sum() == pytest.approx(1.0)

    def test_fixed_normalisation_needs_distinct_thresholds(self) -> None:
        with pytest.raises(ValueError, match="good and bad"):
            Formula.build([IndicatorSpec("A", "X", True, 1, "fixed", good=5, bad=5)], {"X": 1})

    def test_a_dimension_without_weight_is_refused(self) -> None:
        with pytest.raises(ValueError, match="positive indicator weight"):
            Formula.build([IndicatorSpec("A", "X", True, 0)], {"X": 1})


class TestNegativeList:
    def index_of(self, scores: list[float]) -> object:
        from fengqiao.safety.engine import Evaluation

        n = len(scores)
        return Evaluation(
            index=np.array(scores),
            dimension_scores=np.zeros((n, 1)),
            risk=np.zeros((n, 1)),
            points=np.zeros((n, 1)),
            missing=np.zeros(n, dtype=np.int64),
        )

    def test_bottom_n_per_district_and_every_red_unit(self) -> None:
        # District 0: 90, 75, 65; district 1: 85, 55, 50.
        evaluation = self.index_of([90, 75, 65, 85, 55, 50])
        groups = np.array([0, 0, 0, 1, 1, 1])
        classes = classify(evaluation, groups, Thresholds(negative_bottom_n=1, **BANDS))  # type: ignore[arg-type]
        assert [COLOURS[c] for c in classes.colour] == [
            "blue",
            "yellow",
            "orange",
            "blue",
            "red",
            "red",
        ]
        assert classes.group_rank.tolist() == [1, 2, 3, 1, 2, 3]
        assert classes.group_size.tolist() == [3] * 6
        assert classes.rank.tolist() == [1, 3, 4, 2, 5, 6]
        assert classes.negative.tolist() == [False, False, True, False, True, True]

    def test_red_units_can_be_left_to_the_bottom_n_rule(self) -> None:
        evaluation = self.index_of([90, 75, 65, 85, 55, 50])
        groups = np.array([0, 0, 0, 1, 1, 1])
        limits = Thresholds(negative_bottom_n=2, negative_include_red=False, **BANDS)
        classes = classify(evaluation, groups, limits)  # type: ignore[arg-type]
        assert classes.negative.tolist() == [False, True, True, False, True, True]
        none = classify(
            evaluation, groups, Thresholds(negative_bottom_n=0, negative_include_red=False)
        )  # type: ignore[arg-type]
        assert not none.negative.any()

    def test_a_district_of_blue_units_has_nobody_on_the_list(self) -> None:
        evaluation = self.index_of([95, 90, 85])
        classes = classify(
            evaluation, np.zeros(3, dtype=np.int64), Thresholds(negative_bottom_n=2, **BANDS)
        )  # type: ignore[arg-type]
        assert not classes.negative.any()

    def test_colour_thresholds_are_configurable(self) -> None:
        evaluation = self.index_of([50, 40, 30, 20])
        limits = Thresholds(red_below=25, orange_below=35, yellow_below=45, negative_bottom_n=0)
        classes = classify(evaluation, np.zeros(4, dtype=np.int64), limits)  # type: ignore[arg-type]
        assert [COLOURS[c] for c in classes.colour] == ["blue", "yellow", "orange", "red"]
