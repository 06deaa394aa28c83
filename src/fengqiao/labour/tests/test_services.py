"""Scoring from stored data (earlier complaints from the cases), warnings, register edits."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.cases.services import case_register
from fengqiao.core.errors import Conflict, NotFound
from fengqiao.early_warning.models import Warning
from fengqiao.labour.config import scoring_config
from fengqiao.labour.models import IndicatorValue, LabourScore
from fengqiao.labour.services import employer_update, labour_refresh, scores_compute
from fengqiao.labour.tests.conftest import (
    FIRM_A1,
    FIRM_A2,
    FIRM_B1,
    PROJECT_A1,
    import_rows,
    month,
)
from fengqiao.labour.warnings import RULE_CODE, warning_candidates
from fengqiao.testing.cases import case_in


def wage_complaint(
    world: Any, *, org_code: str = "", name: str = "", category: str = "M10.01"
) -> None:
    case_register(
        actor=world.user("a1_clerk"),
        data=case_in(
            title="工人反映被拖欠工资",
            description="二十余名工人反映三个月工资未发。",
            category=category,
            parties=[
                {"role": "applicant", "name": "王强", "phone": "13800138000"},
                {
                    "role": "respondent",
                    "kind": "organisation",
                    "name": name or "某公司",
                    "org_code": org_code,
                },
            ],
        ),
    )


def score_of(employers: dict[str, Any], code: str) -> LabourScore:
    return LabourScore.objects.get(employer=employers[code], period=month(0))


class TestScoresCompute:
    def test_scores_every_active_employer_with_its_contributions(
        self, employers: dict[str, Any]
    ) -> None:
        run = scores_compute(period=month(0))
        assert run.scored == 4
        firm = score_of(employers, FIRM_A1)
        assert firm.score == 15.0  # 45 days of 90 × 30
        assert firm.colour == "green"
        wage = next(c for c in firm.contributions if c["indicator"] == "wage_delay_days")
        assert wage == {
            "indicator": "wage_delay_days",
            "value": 45.0,
            "normalised": 0.5,
            "weight": 30.0,
            "points": 15.0,
        }
        project = score_of(employers, PROJECT_A1)
        # 90 days: 25; 160 workers: 15; 2.1 million overdue: 15; 60 of 90 days × 10: 6.67
        assert project.score == 61.7
        assert project.colour == "red"

    def test_earlier_complaints_are_counted_from_the_cases(
        self, world: Any, employers: dict[str, Any]
    ) -> None:
        wage_complaint(world, org_code=FIRM_A1)
        wage_complaint(world, name="重庆胜利建材有限公司")  # matched by name
        wage_complaint(world, org_code=FIRM_A1, category="M02.04")  # not a labour case
        wage_complaint(world, name="重庆某建工集团有限公司")  # the project's contractor
        scores_compute(period=month(0))
        counts = dict(
            IndicatorValue.objects.filter(indicator="complaints_12m", period=month(0)).values_list(
                "employer__code", "value"
            )
        )
        assert counts == {FIRM_A1: 2.0, FIRM_A2: 0.0, FIRM_B1: 0.0, PROJECT_A1: 1.0}
        # 15 (wages) + 2/3 × 25 (complaints) = 31.67
        assert score_of(employers, FIRM_A1).score == 31.7

    def test_complaints_before_the_window_do_not_count(
        self, world: Any, employers: dict[str, Any]
    ) -> None:
        wage_complaint(world, org_code=FIRM_A1)
        scores_compute(period=month(-13))
        value = IndicatorValue.objects.get(
            employer=employers[FIRM_A1], indicator="complaints_12m", period=month(-13)
        )
        assert value.value == 0

    def test_rescore_replaces_the_month_in_place(self, employers: dict[str, Any]) -> None:
        scores_compute(period=month(0))
        scores_compute(period=month(0))
        assert LabourScore.objects.filter(period=month(0)).count() == 4


class TestWarnings:
    def test_top_of_the_list_raised_once_and_updated_on_rescore(
        self, employers: dict[str, Any]
    ) -> None:
        first = labour_refresh(periods=[month(0)])
        # Red project (≥ 60), and the best of each district above the floor (35): none else.
        assert first.warnings == 1
        warning = Warning.objects.get(rule__code=RULE_CODE)
        assert warning.subject_key == str(employers[PROJECT_A1].pk)
        assert warning.colour == "red"
        assert warning.unit_id == employers[PROJECT_A1].unit_id
        assert "160" in warning.explanation
        assert "+25.0" in warning.explanation
        labour_refresh(periods=[month(0)])
        warning.refresh_from_db()
        assert Warning.objects.filter(rule__code=RULE_CODE).count() == 1
        assert warning.fire_count == 2

    def test_top_per_district_above_the_floor(self, world: Any, employers: dict[str, Any]) -> None:
        import_rows(
            [{"code": FIRM_B1, "period": f"{month(0):%Y-%m}", "wage_delay_days": 90,
              "social_insurance_months": 3}]
        )  # fmt: skip
        for _ in range(3):
            wage_complaint(world, org_code=FIRM_A2)
        scores_compute(period=month(0))
        chosen = {s.employer.code: s.score for s in warning_candidates(scoring_config(), month(0))}
        # B1 firm: 30 + 3/6 × 20 + 1/6 × 10 (utility, from the fixture) = 41.7: orange, but the
        # top of district B and above the floor of 35.
        # A2 firm: 2/6 × 20 + 3/3 × 25 = 31.7, under the floor although second in district A.
        assert chosen == {PROJECT_A1: 61.7, FIRM_B1: 41.7}

    def test_old_months_raise_no_warning(self, employers: dict[str, Any]) -> None:
        assert labour_refresh(periods=[month(-1)]).warnings == 0


class TestEmployerUpdate:
    def test_stale_version_is_a_conflict(self, world: Any, employers: dict[str, Any]) -> None:
        analyst = world.user("a_analyst")
        employer = employers[FIRM_A1]
        updated = employer_update(
            actor=analyst, employer_id=employer.pk, expected_version=1, changes={"workers": 80}
        )
        assert (updated.workers, updated.version) == (80, 2)
        with pytest.raises(Conflict):
            employer_update(
                actor=analyst, employer_id=employer.pk, expected_version=1, changes={"workers": 9}
            )

    def test_employer_outside_the_jurisdiction_is_not_found(
        self, world: Any, employers: dict[str, Any]
    ) -> None:
        with pytest.raises(NotFound):
            employer_update(
                actor=world.user("a_analyst"),
                employer_id=employers[FIRM_B1].pk,
                expected_version=1,
                changes={"workers": 9},
            )
