"""Importing industry data: every row checked first, problems by line, nothing half-written."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from fengqiao.core.errors import PermissionDenied
from fengqiao.labour.importer import ImportRejected, csv_rows
from fengqiao.labour.models import Employer, IndicatorValue
from fengqiao.labour.services import indicators_import
from fengqiao.labour.tests.conftest import (
    A1_POINT,
    B1_POINT,
    FIRM_A1,
    FIRM_B1,
    PROJECT_A1,
    employer_row,
    import_rows,
    make_csv,
    month,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """These tests read the English source messages; the deployment language is Chinese."""
    with translation.override("en"):
        yield


def refresh_tasks() -> list[Any]:
    return list(DBTaskResult.objects.filter(task_path__endswith="labour_refresh"))


class TestIndicatorsImport:
    def test_registers_employers_and_values_and_queues_a_rescore(self, region: Any) -> None:
        summary = import_rows(
            [
                employer_row(FIRM_A1, A1_POINT, wage_delay_days=30, period=month(-1)),
                employer_row(FIRM_A1, A1_POINT, wage_delay_days=45, social_insurance_months=2),
            ]
        )
        assert (summary.employers_created, summary.values_created) == (1, 3)
        employer = Employer.objects.get()
        assert employer.unit == region.unit("A1a-g1")
        assert employer.unit_path == region.unit("A1a-g1").path
        [task] = refresh_tasks()
        assert task.args_kwargs["kwargs"]["period_isos"] == [
            month(-1).isoformat(),
            month(0).isoformat(),
        ]

    def test_rerun_changes_nothing(self, region: Any) -> None:
        rows = [employer_row(FIRM_A1, A1_POINT, wage_delay_days=45)]
        import_rows(rows)
        again = import_rows(rows)
        assert (again.employers_created, again.employers_updated) == (0, 0)
        assert (again.values_created, again.values_updated, again.values_unchanged) == (0, 0, 1)
        assert IndicatorValue.objects.count() == 1
        assert len(refresh_tasks()) == 1  # nothing changed: no second re-score

    def test_changed_value_is_updated_not_duplicated(self, region: Any) -> None:
        import_rows([employer_row(FIRM_A1, A1_POINT, wage_delay_days=45)])
        summary = import_rows(
            [{"code": FIRM_A1, "period": f"{month(0):%Y-%m}", "wage_delay_days": 60}]
        )
        assert summary.values_updated == 1
        assert IndicatorValue.objects.get().value == 60

    def test_gb18030_file_with_chinese_headers(self, region: Any) -> None:
        text = (
            "统一社会信用代码,月份,类型,名称,经度,纬度,工资拖欠天数\n"
            f"{FIRM_A1},{month(0):%Y年%m月},企业,重庆胜利建材有限公司,105.005,29.005,45\n"
        )
        summary = indicators_import(actor=None, rows=csv_rows(text.encode("gb18030")))
        assert summary.values_created == 1
        assert Employer.objects.get().name == "重庆胜利建材有限公司"

    def test_every_bad_row_is_reported_and_nothing_written(self, region: Any) -> None:
        rows = [
            employer_row(FIRM_A1, A1_POINT, wage_delay_days=45),  # line 2: fine
            employer_row(FIRM_A1[:-1] + "0", A1_POINT),  # line 3: wrong check character
            employer_row(FIRM_B1, (100.0, 20.0)),  # line 4: in no grid
            employer_row(PROJECT_A1, A1_POINT, kind="project", wage_delay_days=-3),  # line 5
            employer_row(FIRM_B1, B1_POINT, progress_overdue_days=10, period="2099-01"),  # line 6
            {"code": "91500118MA5U0000X9", "period": "2025-01"},  # line 7: unknown, no details
        ]
        with pytest.raises(ImportRejected) as caught:
            import_rows(rows)
        found = {(i.where, i.field) for i in caught.value.issues}
        assert found >= {
            (3, "code"),
            (4, "lng"),
            (5, "wage_delay_days"),
            (6, "period"),
            (7, "code"),
        }
        assert not any(i.where == 2 for i in caught.value.issues)
        assert Employer.objects.count() == 0
        assert IndicatorValue.objects.count() == 0
        assert refresh_tasks() == []

    def test_project_indicator_on_an_enterprise_is_refused(self, region: Any) -> None:
        with pytest.raises(ImportRejected) as caught:
            import_rows([employer_row(FIRM_A1, A1_POINT, progress_overdue_amount=1000)])
        assert [(i.where, i.field) for i in caught.value.issues] == [(2, "progress_overdue_amount")]

    def test_same_value_twice_in_a_file_is_refused(self, region: Any) -> None:
        row = employer_row(FIRM_A1, A1_POINT, wage_delay_days=45)
        with pytest.raises(ImportRejected) as caught:
            import_rows([row, {**row, "wage_delay_days": 50}])
        assert [(i.where, i.field) for i in caught.value.issues] == [(3, "wage_delay_days")]
        assert "line 2" in caught.value.issues[0].message

    def test_unknown_column_is_refused_before_any_row(self, region: Any) -> None:
        with pytest.raises(ImportRejected) as caught:
            csv_rows(b"code,period,wage_delay\n1,2025-01,3\n")
        assert [(i.where, i.field) for i in caught.value.issues] == [(1, "wage_delay")]


class TestImportScope:
    def test_analyst_imports_only_into_their_area(self, region: Any) -> None:
        analyst = region.users["a_analyst"]  # district A
        with pytest.raises(ImportRejected) as caught:
            import_rows([employer_row(FIRM_B1, B1_POINT)], actor=analyst)
        assert [(i.where, i.field) for i in caught.value.issues] == [(2, "lng")]
        assert import_rows([employer_row(FIRM_A1, A1_POINT)], actor=analyst).employers_created == 1

    def test_employer_of_another_district_cannot_be_fed(self, region: Any) -> None:
        import_rows([employer_row(FIRM_B1, B1_POINT)])
        with pytest.raises(ImportRejected) as caught:
            import_rows(
                [{"code": FIRM_B1, "period": f"{month(0):%Y-%m}", "wage_delay_days": 9}],
                actor=region.users["a_analyst"],
            )
        assert [(i.where, i.field) for i in caught.value.issues] == [(2, "code")]

    @pytest.mark.parametrize("username", ["a1_clerk", "a_leader", "a1a_grid"])
    def test_other_roles_may_not_import(self, region: Any, username: str) -> None:
        with pytest.raises(PermissionDenied):
            import_rows([employer_row(FIRM_A1, A1_POINT)], actor=region.users[username])


class TestCommand:
    def test_errors_are_printed_file_line_field(self, region: Any, tmp_path: Path) -> None:
        path = tmp_path / "labour.csv"
        path.write_bytes(
            make_csv([employer_row(FIRM_A1, A1_POINT), employer_row(FIRM_A1[:-1] + "0", A1_POINT)])
        )
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("labour_import", str(path), stderr=err)
        assert f"{path}:3: code: " in err.getvalue()
        assert Employer.objects.count() == 0

    def test_good_file_prints_its_summary(self, region: Any, tmp_path: Path) -> None:
        path = tmp_path / "labour.csv"
        path.write_bytes(make_csv([employer_row(FIRM_A1, A1_POINT, wage_delay_days=4)]))
        out = io.StringIO()
        call_command("labour_import", str(path), stdout=out)
        assert f"{path}: 1 rows" in out.getvalue()
