"""The score's arithmetic on hand-made examples, and the configuration's validation."""

from __future__ import annotations

import pytest

from fengqiao.labour.config import DEFAULT_PATH, ConfigError, parse_config, scoring_config
from fengqiao.labour.scoring import explanation, score_of


def points(scored, code):  # type: ignore[no-untyped-def]
    return next(c for c in scored.contributions if c.indicator == code)


class TestScoreOf:
    def test_enterprise_by_hand(self) -> None:
        config = scoring_config()
        scored = score_of(
            config,
            "enterprise",
            {
                "wage_delay_days": 45,  # 45/90 = 0.5 × 30 = 15.0
                "wage_delay_workers": 40,  # 40/100 = 0.4 × 15 = 6.0
                "social_insurance_months": 3,  # 3/6 = 0.5 × 20 = 10.0
                "complaints_12m": 2,  # 2/3 × 25 = 16.67
            },  # utility arrears not reported: 0
        )
        assert points(scored, "wage_delay_days").points == 15.0
        assert points(scored, "wage_delay_days").normalised == 0.5
        assert points(scored, "wage_delay_workers").points == 6.0
        assert points(scored, "social_insurance_months").points == 10.0
        assert points(scored, "complaints_12m").points == 16.67
        utility = points(scored, "utility_arrears_months")
        assert (utility.value, utility.points) == (None, 0.0)
        assert scored.score == 47.7  # 15 + 6 + 10 + 16.667
        assert scored.colour == "orange"
        # Project-only indicators are no part of an enterprise's score.
        assert {c.indicator for c in scored.contributions} == {
            "wage_delay_days",
            "wage_delay_workers",
            "social_insurance_months",
            "utility_arrears_months",
            "complaints_12m",
        }

    def test_project_values_above_the_cap_count_fully(self) -> None:
        scored = score_of(
            scoring_config(),
            "project",
            {
                "wage_delay_days": 120,  # capped: 1 × 25
                "wage_delay_workers": 160,  # capped: 1 × 15
                "progress_overdue_amount": 2_100_000,  # capped: 1 × 15
                "progress_overdue_days": 45,  # 0.5 × 10 = 5
                "complaints_12m": 1,  # 1/3 × 20 = 6.67
            },
        )
        assert [c.points for c in scored.contributions] == [25.0, 15.0, 0.0, 0.0, 15.0, 5.0, 6.67]
        assert scored.score == 66.7
        assert scored.colour == "red"

    def test_nothing_reported_is_green_zero(self) -> None:
        scored = score_of(scoring_config(), "enterprise", {})
        assert (scored.score, scored.colour) == (0.0, "green")
        assert explanation([c.as_json() for c in scored.contributions]) != ""

    def test_lower_direction_reverses_the_scale(self) -> None:
        text = DEFAULT_PATH.read_text(encoding="utf-8").replace(
            "  utility_arrears_months:\n    direction: higher",
            "  utility_arrears_months:\n    direction: lower",
        )
        config = parse_config(text)
        scored = score_of(config, "enterprise", {"utility_arrears_months": 1.5})
        # 1 − 1.5/6 = 0.75 × 10 = 7.5
        assert points(scored, "utility_arrears_months").points == 7.5


class TestExplanation:
    def test_names_the_largest_contributions_first(self) -> None:
        scored = score_of(
            scoring_config(),
            "enterprise",
            {"wage_delay_days": 45, "social_insurance_months": 3, "utility_arrears_months": 1},
        )
        text = explanation([c.as_json() for c in scored.contributions], limit=2)
        assert text.index("45") < text.index("3")
        assert "+15.0" in text
        assert "+10.0" in text
        assert text.endswith("…")  # the third (utility, +1.7) is left out


class TestConfig:
    def test_default_weights_add_up(self) -> None:
        config = scoring_config()
        for kind in ("enterprise", "project"):
            assert sum(r.weights[kind] for r in config.rules_for(kind)) == 100

    @pytest.mark.parametrize(
        ("old", "new", "message"),
        [
            ("weight: {enterprise: 30, project: 25}", "weight: {enterprise: 31, project: 25}",
             "add up to 101"),
            ("floor: 0, cap: 90}", "floor: 90, cap: 90}", "cap must be above floor"),
            ("  wage_delay_days:", "  wage_delay_hours:", "unknown indicator"),
            ("red: 60", "red: 30", "orange < red"),
            ("weight: {project: 15}", "weight: {project: 5, enterprise: 10}", "does not apply"),
        ],
    )  # fmt: skip
    def test_bad_files_are_refused(self, old: str, new: str, message: str) -> None:
        text = DEFAULT_PATH.read_text(encoding="utf-8")
        assert old in text
        with pytest.raises(ConfigError, match=message):
            parse_config(text.replace(old, new, 1))
