"""The detectors on hand-made series (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from fengqiao.hotspots.detection import (
    EARS_C2,
    DetectionParams,
    benjamini_hochberg,
    detect,
)
from fengqiao.hotspots.services import explain

NB_PARAMS = DetectionParams()
DAYS = NB_PARAMS.history_days  # 7-day window + 12 weeks of baseline
MONDAY = 0


def poisson_history(rng: np.random.Generator, rates: np.ndarray, days: int = DAYS) -> np.ndarray:
    return rng.poisson(np.broadcast_to(rates[:, None], (len(rates), days))).astype(float)


class TestNegativeBinomial:
    def test_a_clear_outbreak_is_flagged_and_explained(self, settings) -> None:
        settings.LANGUAGE_CODE = "en"
        rng = np.random.default_rng(1)
        counts = poisson_history(rng, np.full(40, 1.0))
        counts[7, -7:] += [2, 3, 3, 4, 3, 3, 2]
        result = detect(counts, first_weekday=MONDAY, params=NB_PARAMS)
        assert np.flatnonzero(result.flagged).tolist() == [7]
        assert result.window[7] == 7
        observed, expected = int(result.observed[7]), float(result.expected[7])
        assert observed == int(counts[7, -7:].sum())
        assert 5.0 < expected < 9.0  # about one case a day
        assert result.q is not None
        assert result.q[7] <= 0.05
        assert explain(observed=observed, days=7, expected=expected) == (
            f"{observed} cases in 7 days, {expected:.1f} expected"
        )
        assert explain(observed=23, days=7, expected=6.06) == "23 cases in 7 days, 6.1 expected"
        assert explain(observed=3, days=2, expected=0.0417) == "3 cases in 2 days, 0.042 expected"

    def test_flat_noise_is_not_flagged(self) -> None:
        rng = np.random.default_rng(2)
        rates = rng.uniform(0.05, 6.0, 600)
        result = detect(poisson_history(rng, rates), first_weekday=MONDAY, params=NB_PARAMS)
        assert result.flagged.sum() == 0
        # The expectation follows each series' own level.
        window_rate = result.expected / result.window
        assert np.corrcoef(window_rate, rates)[0, 1] > 0.95

    def test_a_weekday_pattern_alone_is_not_flagged(self) -> None:
        # Four times as many cases on Saturdays and Sundays; the window ends on a Sunday, so its
        # last two days (the short window) are the busiest of the week.
        rng = np.random.default_rng(3)
        weekday = (MONDAY + np.arange(DAYS)) % 7
        profile = np.where(weekday >= 5, 4.0, 1.0)
        counts = rng.poisson(np.outer(np.full(300, 0.8), profile)).astype(float)
        assert weekday[-1] == 6
        result = detect(counts, first_weekday=MONDAY, params=NB_PARAMS)
        assert result.flagged.sum() == 0
        # A weekend-only window is expected to be busy: two weekend days' worth.
        weekend_only = DetectionParams(window_days=2, short_window_days=0)
        weekend = detect(counts[:, -86:], first_weekday=(MONDAY + 5) % 7, params=weekend_only)
        assert weekend.flagged.sum() == 0
        weekend_mean = counts[:, weekday >= 5].mean()
        assert float(np.mean(weekend.expected / 2)) == pytest.approx(weekend_mean, rel=0.1)

    def test_a_trend_alone_is_not_flagged(self) -> None:
        rng = np.random.default_rng(4)
        growth = np.exp(np.linspace(0.0, 0.9, DAYS))  # +146 % over 13 weeks
        counts = rng.poisson(np.outer(np.full(300, 1.5), growth)).astype(float)
        result = detect(counts, first_weekday=MONDAY, params=NB_PARAMS)
        assert result.flagged.sum() == 0
        # The expectation follows the rise into the window instead of using the baseline average.
        weekly = result.expected[result.window == 7] / 7
        assert float(weekly.mean()) == pytest.approx(counts[:, -7:].mean(), rel=0.05)
        assert float(weekly.mean()) > 1.3 * counts[:, :84].mean()

    def test_the_fdr_correction_flags_less_than_raw_p_values_on_null_data(self) -> None:
        rng = np.random.default_rng(5)
        counts = poisson_history(rng, rng.uniform(0.5, 4.0, 2000))
        result = detect(counts, first_weekday=MONDAY, params=NB_PARAMS)
        assert result.p is not None
        raw = int(((result.p < 0.05) & (result.observed >= NB_PARAMS.min_count)).sum())
        assert raw > 20
        assert int(result.flagged.sum()) < raw / 10

    def test_a_few_cases_where_none_are_usual_need_the_minimum_count(self) -> None:
        counts = np.zeros((30, DAYS))
        counts[0, -2:] = [1, 1]
        counts[1, -3:] = [1, 1, 1]
        result = detect(counts, first_weekday=MONDAY, params=NB_PARAMS)
        assert result.flagged.tolist()[:2] == [False, True]


class TestEarsC2:
    PARAMS = DetectionParams(method=EARS_C2)

    def test_a_spike_fires_and_steady_series_do_not(self) -> None:
        steady = np.tile([3.0, 4.0, 3.0, 5.0, 4.0, 3.0, 4.0], (5, 3))[:, : self.PARAMS.history_days]
        steady[0, -2] = 15
        result = detect(steady, first_weekday=MONDAY, params=self.PARAMS)
        assert result.flagged.tolist() == [True, False, False, False, False]
        assert result.p is None
        assert result.score[0] > 3
        assert result.expected[1] == pytest.approx(steady[1, :7].mean() * 7, rel=0.2)

    def test_one_case_after_an_empty_week_fires_on_sparse_series(self) -> None:
        # The classic detector's weakness on sparse series: a lone case is "5 sd above zero".
        counts = np.zeros((1, self.PARAMS.history_days))
        counts[0, -3:] = [1, 1, 1]
        result = detect(counts, first_weekday=MONDAY, params=self.PARAMS)
        assert result.flagged.tolist() == [True]


class TestHelpers:
    def test_benjamini_hochberg_adjusts_and_keeps_order(self) -> None:
        q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.2]))
        assert q.tolist() == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2])

    def test_bad_parameters_and_short_histories_are_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown method"):
            DetectionParams(method="magic")
        with pytest.raises(ValueError, match="needs 91 days"):
            detect(np.zeros((2, 30)), first_weekday=MONDAY, params=NB_PARAMS)
