"""``fengqiao import cases``: checking every row first, then bulk import, safely repeatable."""

from __future__ import annotations

import csv
import re
import threading
from datetime import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from fengqiao.cases.handling.models import Assignment
from fengqiao.cases.import_rows import COLUMNS, FileProblem
from fengqiao.cases.import_write import FrameWriter
from fengqiao.cases.importer import RoutingCache, cases_import
from fengqiao.cases.models import Case, Party, Report, TimelineEvent
from fengqiao.cases.routing.engine import (
    LEVEL_KEY,
    RoutingInput,
    lineage,
    nearest_department,
    route,
)
from fengqiao.cases.selectors import case_queryset
from fengqiao.cases.services import case_register
from fengqiao.orgs.models import OrgUnit
from fengqiao.taxonomy.models import Category, Channel
from fengqiao.testing.cases import A1_POINT, VALID_ID, case_in

A1_GRID = "500118001001001"  # 红旗社区第1网格 of 胜利路街道 in the test region
A2_VILLAGE = "500118002001"  # 萱花社区 of 中山路街道
B1_GRID = "500112001001001"  # 工农社区第1网格 of 龙塔街道


def row(**fields: Any) -> dict[str, Any]:
    base = {
        "external_id": "H-0001",
        "channel": "12345",
        "category": "M02.04",
        "title": "楼上装修噪音扰民",
        "description": "楼上住户连续两周夜间装修。",
        "unit_code": A1_GRID,
        "status": "closed",
        "registered_at": "2025-03-01 09:00",
        "accepted_at": "2025-03-01 09:10",
        "resolved_at": "2025-03-04 16:00",
        "closed_at": "2025-03-05 10:00",
        "applicant_name": "王芳",
        "applicant_phone": "13800138000",
        "applicant_id_number": VALID_ID,
        "respondent_name": "李强",
        "respondent_phone": "13911112222",
        "outcome": "经调解双方达成一致",
    }
    return {**base, **fields}


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def good_rows() -> list[dict[str, Any]]:
    return [
        row(),
        row(
            external_id="H-0002",
            channel="110",
            category="M06.03",
            unit_code="",
            lat=A1_POINT["lat"],
            lng=A1_POINT["lng"],
            status="resolved",
            closed_at="",
            amount="3,500",
        ),
        row(
            external_id="H-0003",
            category="M10.01",
            unit_code=A2_VILLAGE,
            people_involved="45",
            amount="210000",
            status="open",
            registered_at=f"{timezone.localdate():%Y-%m-%d} 00:01",
            accepted_at="",
            resolved_at="",
            closed_at="",
            respondent_name="重庆某某建筑劳务有限公司",
            respondent_phone="",
        ),
    ]


@pytest.mark.django_db
class TestGoodFile:
    def test_csv_rows_become_cases_with_report_parties_and_one_event(self, world, tmp_path):
        result = cases_import(path=write_csv(tmp_path / "old.csv", good_rows()))

        assert (result.imported, result.skipped, result.rejected) == (3, 0, 0)
        closed = Case.objects.get(reports__external_id="H-0001")
        assert re.fullmatch(r"500118-2025-\d{7}", closed.number)
        assert closed.status == "closed"
        assert closed.territory.code == A1_GRID
        assert closed.lead_department == world.departments["A1-community"]
        assert timezone.localtime(closed.created_at) == datetime(
            2025, 3, 1, 9, 0, tzinfo=timezone.get_current_timezone()
        )
        assert closed.closed_at > closed.resolved_at > closed.accepted_at > closed.created_at
        assert not closed.overdue  # resolved in 3 days of 7
        parties = {p.role: p for p in closed.parties.all()}
        assert (parties["applicant"].id_number, parties["respondent"].phone) == (
            VALID_ID,
            "13911112222",
        )
        assert list(TimelineEvent.objects.filter(case=closed).values_list("kind", "to_status")) == [
            ("created", "closed")
        ]
        assert "经调解双方达成一致" in closed.events.get().message
        located = Case.objects.get(reports__external_id="H-0002")
        assert located.territory == world.region.unit("A1a-g1")
        assert located.amount == Decimal("3500.00")

    def test_closed_cases_get_no_timers_and_open_ones_their_assignments_and_timers(
        self, world, tmp_path
    ):
        cases_import(path=write_csv(tmp_path / "old.csv", good_rows()))

        open_case = Case.objects.get(reports__external_id="H-0003")
        assert open_case.status == "registered"
        assert open_case.lead_unit == world.region.unit("A2")
        teams = dict(open_case.assignments.values_list("department__name", "role"))
        assert teams == {"永川区人力社保局": "lead", "永川区住建委": "co", "永川区总工会": "co"}
        assert Party.objects.get(case=open_case, role="respondent").kind == "organisation"
        timers = [t.args_kwargs["args"] for t in DBTaskResult.objects.all()]
        assert {(args[0], args[1]) for args in timers} == {
            (open_case.pk, "accept"),
            (open_case.pk, "resolve"),
        }
        assert not Assignment.objects.exclude(case=open_case).exists()

    @pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
    def test_excel_and_older_chinese_encodings_are_read(self, world, tmp_path, encoding):
        path = write_csv(tmp_path / "old.csv", good_rows(), encoding=encoding)

        assert cases_import(path=path).imported == 3
        assert Case.objects.get(reports__external_id="H-0001").title == "楼上装修噪音扰民"

    def test_xlsx_with_date_cells_and_numeric_phones(self, world, tmp_path):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["外部编号", "渠道", "类别", "描述", "区划代码", "状态", "登记时间",
                      "受理时间", "化解时间", "办结时间", "申请人", "申请人电话"])  # fmt: skip
        sheet.append(["X-1", "visit", "M02.08", "邻里口角", B1_GRID, "closed",
                      datetime(2025, 5, 6, 8, 30), datetime(2025, 5, 6, 8, 40),  # noqa: DTZ001
                      datetime(2025, 5, 7, 9), datetime(2025, 5, 8, 9), "赵敏", 13711112222])  # noqa: DTZ001 # fmt: skip
        sheet.append(["X-2", "visit", "M99", "未知类别", B1_GRID, "closed"])
        workbook.save(tmp_path / "old.xlsx")

        result = cases_import(path=tmp_path / "old.xlsx")

        assert result.imported == 1
        case = Case.objects.get()
        assert (case.title, case.reports.get().reporter_phone) == ("邻里口角", "13711112222")
        assert case.number.startswith("500112-2025-")
        assert {(i.line, i.column) for i in result.issues} >= {(3, "category")}

    def test_numbers_continue_after_cases_registered_one_by_one(self, world, tmp_path):
        earlier = case_register(actor=world.user("a1_clerk"), data=case_in()).case
        rows = [row(external_id=f"N-{n}") for n in range(5)]

        cases_import(path=write_csv(tmp_path / "old.csv", rows), batch_size=2)

        imported = Case.objects.exclude(pk=earlier.pk)
        assert min(case.pk for case in imported) > earlier.pk
        assert len({case.number for case in Case.objects.all()}) == 6
        assert all(case.number.endswith(f"{case.pk:07d}") for case in imported)


@pytest.mark.django_db
class TestRouting:
    def test_cached_decisions_explain_each_case_exactly_as_the_engine(self, world, tmp_path):
        rows = [
            row(external_id="R-1"),
            row(external_id="R-2", unit_code="500118001001002", category="M02.08"),
            row(external_id="R-3", unit_code=B1_GRID, channel="110"),
            row(external_id="R-4", category="M10.01", people_involved="160", amount="2100000"),
            row(external_id="R-5", category="M10.01", people_involved="31"),
            row(external_id="R-6", category="M01.09", risk_colour="red"),
            row(external_id="R-7", unit_code=A2_VILLAGE, category="M08.01"),
            row(external_id="R-8", risk_colour="red", unit_code=B1_GRID),
        ]
        result = cases_import(path=write_csv(tmp_path / "old.csv", rows))

        assert result.imported == len(rows)
        for case in Case.objects.select_related("category__parent", "channel", "territory"):
            decision = route(
                RoutingInput(
                    category=case.category,
                    channel=case.channel,
                    territory=case.territory,
                    risk_colour=case.risk_colour,
                    people_involved=case.people_involved,
                    amount=case.amount,
                )
            )
            assert case.routing_explanation == decision.explanation
            assert (case.lead_unit, case.lead_department) == (
                decision.lead_unit,
                decision.lead_department,
            )
            assert case.restricted == decision.restricted
        assert result.routing_computed < len(rows)

    def test_escalation_finds_the_department_lifecycle_would(self, world):
        cache = RoutingCache()
        for code, grid in (("M02.04", "A1a-g1"), ("M10.01", "A1a-g2"), ("M01.09", "B1a-g1")):
            category = Category.objects.get(code=code)
            unit = world.region.unit(grid)
            while unit.parent_id is not None:
                parent, department = cache.escalation(unit, category)
                kind = category.responsible.get(LEVEL_KEY[parent.level], "")
                assert department == nearest_department(lineage(parent), kind)
                unit = parent


@pytest.mark.django_db
class TestBadFile:
    def bad_rows(self) -> list[dict[str, Any]]:
        return [
            row(external_id="B-1"),  # line 2: fine
            row(external_id="B-2", channel="pager", category="M99"),  # line 3
            row(external_id="B-3", registered_at="2025-13-01"),  # line 4
            row(external_id="B-4", accepted_at="2025-02-28 09:00"),  # line 5
            row(
                external_id="B-5", applicant_phone="12345", applicant_id_number="110105194912310021"
            ),
            row(external_id="B-1", description="同一编号\n跨两行的描述"),  # line 7, two lines
            row(external_id="B-7", unit_code="500199001001001"),  # line 9
            row(external_id="B-8", status="resolved"),  # line 10: resolved with closed_at
            row(external_id="B-9"),  # line 11: fine
        ]

    def test_every_problem_is_reported_with_its_line_and_only_valid_rows_import(
        self, world, tmp_path
    ):
        result = cases_import(path=write_csv(tmp_path / "bad.csv", self.bad_rows()))

        assert [(i.line, i.column) for i in result.issues] == [
            (3, "channel"),
            (3, "category"),
            (4, "registered_at"),
            (5, "accepted_at"),
            (6, "applicant_phone"),
            (6, "applicant_id_number"),
            (7, "external_id"),
            (9, "unit_code"),
            (10, "closed_at"),
        ]
        assert result.issues[6].message == "duplicate of line 2"
        assert (result.imported, result.rejected) == (2, 7)
        assert set(Report.objects.values_list("external_id", flat=True)) == {"B-1", "B-9"}

    @pytest.mark.parametrize(
        ("fields", "column", "message"),
        [
            ({"amount": "NaN"}, "amount", "between 0 and"),
            ({"amount": "-5"}, "amount", "between 0 and"),
            ({"people_involved": "0"}, "people_involved", "between 1 and"),
            ({"risk_colour": "purple"}, "risk_colour", "red, orange or green"),
            ({"status": "done"}, "status", "closed, resolved"),
            ({"unit_code": "", "lat": "29.005"}, "lng", "both lat and lng"),
            ({"unit_code": "", "lat": "28.5", "lng": "104.5"}, "lat", "on no grid"),
            ({"closed_at": "2099-01-01 10:00"}, "closed_at", "in the future"),
            ({"closed_at": ""}, "closed_at", "needs closed_at"),
            ({"applicant_name": ""}, "applicant_name", "needs a name"),
            ({"registered_at": "2025年3月1日 09:00"}, None, None),
        ],
    )
    def test_each_cell_is_checked(self, world, tmp_path, fields, column, message):
        result = cases_import(path=write_csv(tmp_path / "one.csv", [row(**fields)]), dry_run=True)

        found = [(i.column, i.message) for i in result.issues]
        if column is None:
            assert found == []
        else:
            assert len(found) == 1
            assert found[0][0] == column
            assert message in found[0][1]

    def test_dry_run_checks_but_writes_nothing(self, world, tmp_path):
        result = cases_import(path=write_csv(tmp_path / "bad.csv", self.bad_rows()), dry_run=True)

        assert (result.valid, result.rejected, result.imported) == (2, 7, 0)
        assert not Case.objects.exists()

    def test_a_file_without_required_columns_is_refused_whole(self, world, tmp_path):
        path = tmp_path / "bad.csv"
        path.write_text("external_id,category,colour\nA,M02.04,red\n", encoding="utf-8")

        with pytest.raises(FileProblem) as excinfo:
            cases_import(path=path)

        assert {(i.line, i.column) for i in excinfo.value.issues} >= {
            (1, "colour"),
            (1, "channel"),
            (1, "registered_at"),
        }
        assert not Case.objects.exists()


@pytest.mark.django_db
class TestRerun:
    def test_running_the_same_file_again_imports_nothing_new(self, world, tmp_path):
        path = write_csv(tmp_path / "old.csv", good_rows())
        cases_import(path=path)

        again = cases_import(path=path)

        assert (again.imported, again.skipped, again.rejected) == (0, 3, 0)
        assert Case.objects.count() == 3
        assert TimelineEvent.objects.count() == 3

    def test_the_same_external_id_in_another_channel_is_another_case(self, world, tmp_path):
        cases_import(path=write_csv(tmp_path / "a.csv", [row()]))

        result = cases_import(path=write_csv(tmp_path / "b.csv", [row(channel="visit")]))

        assert result.imported == 1
        assert Channel.objects.filter(reports__external_id="H-0001").count() == 2


@pytest.mark.django_db
class TestJurisdiction:
    def test_imported_cases_are_seen_only_within_jurisdiction(self, world, tmp_path):
        rows = [row(), row(external_id="H-B", unit_code=B1_GRID)]
        cases_import(path=write_csv(tmp_path / "old.csv", rows))
        in_a1 = Case.objects.get(reports__external_id="H-0001")
        in_b1 = Case.objects.get(reports__external_id="H-B")

        assert set(case_queryset(world.user("a1_clerk"))) == {in_a1}
        assert set(case_queryset(world.user("b1_clerk"))) == {in_b1}
        assert not case_queryset(world.user("a2_clerk")).exists()
        assert set(case_queryset(world.user("city_admin"))) == {in_a1, in_b1}


def run_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
class TestCommand:
    def test_a_clean_file_prints_the_counts_and_succeeds(self, world, tmp_path):
        path = write_csv(tmp_path / "old.csv", good_rows())

        out, err = run_command("cases", str(path))

        assert f"{path}: 3 imported, 0 skipped as already present, 0 rejected" in out
        assert err == ""

    def test_rejected_rows_print_file_line_column_and_exit_1(self, world, tmp_path):
        path = write_csv(tmp_path / "bad.csv", TestBadFile().bad_rows())
        out, err = StringIO(), StringIO()

        with pytest.raises(CommandError) as excinfo:
            call_command("import", "cases", str(path), stdout=out, stderr=err)

        assert excinfo.value.returncode == 1
        assert "the valid rows were imported" in str(excinfo.value)
        assert f"{path}:3: channel: unknown channel 'pager'" in err.getvalue()
        assert f"{path}:7: external_id: duplicate of line 2" in err.getvalue()
        assert "2 imported, 0 skipped as already present, 7 rejected" in out.getvalue()

    def test_dry_run_says_so(self, world, tmp_path):
        path = write_csv(tmp_path / "old.csv", good_rows())

        out, _ = run_command("cases", str(path), "--dry-run")

        assert "3 rows checked: 3 valid, 0 rejected (dry run: nothing was written)" in out
        assert not Case.objects.exists()

    def test_an_unusable_file_is_reported_and_nothing_imported(self, world, tmp_path):
        path = tmp_path / "cases.json"
        path.write_text("{}", encoding="utf-8")

        with pytest.raises(CommandError, match="nothing was imported"):
            run_command("cases", str(path))

    def test_units_outside_the_tree_are_unknown(self, world, tmp_path):
        OrgUnit.objects.filter(code=A1_GRID).update(is_active=False)
        path = write_csv(tmp_path / "old.csv", [row()])

        with pytest.raises(CommandError):
            run_command("cases", str(path))
        assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
class TestStoredBesideTheRouting:
    """On PostgreSQL, outside a transaction, one thread routes while another stores."""

    @pytest.fixture(autouse=True)
    def _postgresql_only(self):
        if connection.vendor != "postgresql":
            pytest.skip("SQLite has one writer: batches are stored one after the other")

    def test_every_batch_is_stored_by_the_writer_thread(self, world, tmp_path, monkeypatch):
        threads = []
        store = FrameWriter.store

        def spy(writer, routed):
            threads.append(threading.current_thread().name)
            return store(writer, routed)

        monkeypatch.setattr(FrameWriter, "store", spy)
        rows = [*good_rows(), *(row(external_id=f"P-{n}") for n in range(7))]

        result = cases_import(path=write_csv(tmp_path / "many.csv", rows), batch_size=3)

        assert (result.imported, result.skipped) == (10, 0)
        assert threads == ["fengqiao-import-writer"] * 4
        assert Case.objects.count() == Report.objects.count() == 10
        open_case = Case.objects.get(reports__external_id="H-0003")
        assert Assignment.objects.filter(case=open_case).exists()
        assert DBTaskResult.objects.filter(args_kwargs__args__0=open_case.pk).count() == 4

    def test_a_failing_batch_stops_the_import_and_earlier_batches_stay(
        self, world, tmp_path, monkeypatch
    ):
        store, calls = FrameWriter.store, []

        def fail_second(writer, routed):
            calls.append(routed)
            if len(calls) == 2:
                raise RuntimeError("disk full")
            return store(writer, routed)

        monkeypatch.setattr(FrameWriter, "store", fail_second)
        rows = [row(external_id=f"F-{n}") for n in range(9)]

        with pytest.raises(RuntimeError, match="disk full"):
            cases_import(path=write_csv(tmp_path / "fails.csv", rows), batch_size=3)

        assert sorted(Report.objects.values_list("external_id", flat=True)) == ["F-0", "F-1", "F-2"]
