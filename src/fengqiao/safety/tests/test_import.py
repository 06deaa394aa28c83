"""Importing indicator values: CSV by line (command line and page), the API, all or nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fengqiao.core.errors import PermissionDenied
from fengqiao.safety import importer
from fengqiao.safety.models import IndicatorValue, ValueSource
from fengqiao.safety.services import ValuesRejected, values_import
from fengqiao.safety.tests.conftest import CALLS, JAN, SECURITY
from fengqiao.testing.region import PASSWORD, SmallRegion

A1 = "500118001000"
A1A = "500118001001"
B1 = "500112001000"


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


class TestCsv:
    def test_good_file_in_chinese_headers_and_gb18030(
        self, region: SmallRegion, config: None
    ) -> None:
        text = (
            f'区划代码,期间,指标,数值\n{A1},{JAN},{CALLS},46.5\n{A1A},2025-Q1,{SECURITY},"93.2"\n'
        )
        result = importer.import_csv(
            actor=None, data=text.encode("gb18030"), source=ValueSource.CSV
        )
        assert (result.created, result.updated, result.periods) == (2, 0, ("2025-01", "2025-Q1"))
        assert IndicatorValue.objects.get(unit__code=A1, indicator__code=CALLS).value == 46.5

    def test_reimport_replaces_values(self, region: SmallRegion, config: None) -> None:
        data = f"unit_code,period,indicator,value\n{A1},{JAN},{CALLS},10\n".encode()
        importer.import_csv(actor=None, data=data, source=ValueSource.CSV)
        again = importer.import_csv(
            actor=None, data=data.replace(b",10", b",12"), source=ValueSource.CSV
        )
        assert (again.created, again.updated) == (0, 1)
        assert IndicatorValue.objects.get().value == 12

    def test_every_bad_line_is_named_and_nothing_is_written(
        self, region: SmallRegion, config: None
    ) -> None:
        text = (
            "\ufeffunit_code,period,indicator,value\n"
            f"{A1},{JAN},{CALLS},10\n"  # line 2: fine
            f"999999999999,{JAN},{CALLS},10\n"  # 3: unknown unit
            f"{A1},2025-13,{CALLS},10\n"  # 4: bad period
            f"{A1},{JAN},D1.01,10\n"  # 5: computed indicator
            f"{A1},{JAN},{SECURITY},101\n"  # 6: percentage over 100
            f"{A1},{JAN},{CALLS},abc\n"  # 7: not a number
            f"{A1},{JAN},{CALLS},11\n"  # 8: repeats line 2
            f"{A1}a-g1,{JAN},{CALLS},1\n"  # 9: not a township or village code
            f"{A1},2999-01,{CALLS},1\n"  # 10: future
        )
        with pytest.raises(importer.FileRejected) as rejected:
            importer.import_csv(actor=None, data=text.encode(), source=ValueSource.CSV)
        found = [(i.line, i.field) for i in rejected.value.issues]
        assert found == [
            (3, "unit_code"),
            (4, "period"),
            (5, "indicator"),
            (6, "value"),
            (7, "value"),
            (8, "indicator"),
            (9, "unit_code"),
            (10, "period"),
        ]
        assert "computed" in rejected.value.issues[2].message
        assert IndicatorValue.objects.count() == 0

    def test_header_problems(self, region: SmallRegion, config: None) -> None:
        with pytest.raises(importer.FileRejected) as rejected:
            importer.import_csv(
                actor=None, data=b"unit,period,indicator\n1,2,3\n", source=ValueSource.CSV
            )
        assert [(i.line, i.field, i.message) for i in rejected.value.issues] == [
            (1, "unit", "unknown column"),
            (1, "unit_code", "missing column"),
            (1, "value", "missing column"),
        ]


class TestCommand:
    def test_file_line_field_message_and_nothing_written(
        self, region: SmallRegion, config: None, tmp_path: Path
    ) -> None:
        path = tmp_path / "values.csv"
        path.write_text(
            f"unit_code,period,indicator,value\n{A1},{JAN},{CALLS},10\n{A1},{JAN},NOPE,1\n"
        )
        err = StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("safety_import", str(path), stderr=err)
        assert err.getvalue().strip() == f"{path}:3: indicator: no active indicator 'NOPE'"
        assert IndicatorValue.objects.count() == 0

    def test_imports_and_reports(self, region: SmallRegion, config: None, tmp_path: Path) -> None:
        path = tmp_path / "values.csv"
        path.write_text(f"unit_code,period,indicator,value\n{A1},{JAN},{CALLS},10\n")
        out = StringIO()
        call_command("safety_import", str(path), stdout=out)
        assert "imported 1 values (1 new, 0 replaced) for 2025-01" in out.getvalue()
        assert IndicatorValue.objects.get().source == ValueSource.CSV

    def test_cli_routes_import_safety(
        self, region: SmallRegion, config: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import django.core.management

        from fengqiao import cli

        # The real entry point closes the database connections when it ends, which would end
        # the test's transaction on PostgreSQL: run what it would run through call_command.
        argvs: list[list[str]] = []
        monkeypatch.setattr(django.core.management, "execute_from_command_line", argvs.append)
        path = tmp_path / "values.csv"
        path.write_text(f"unit_code,period,indicator,value\n{A1},{JAN},{CALLS},10\n")
        cli.main(["import", "safety", str(path), "--dry-run"])
        assert argvs == [["fengqiao import", "safety_import", str(path), "--dry-run"]]
        out = StringIO()
        call_command(*argvs[0][1:], stdout=out)
        assert "would import 1 values" in out.getvalue()
        assert IndicatorValue.objects.count() == 0


class TestService:
    def test_analyst_only_and_within_jurisdiction(self, region: SmallRegion, config: None) -> None:
        row = {"unit_code": B1, "period": JAN, "indicator": CALLS, "value": 3}
        with pytest.raises(PermissionDenied):
            values_import(actor=region.users["a1_clerk"], rows=[row])
        with pytest.raises(ValuesRejected) as rejected:
            values_import(actor=region.users["a_analyst"], rows=[row])  # district A's analyst
        assert rejected.value.issues[0].field == "unit_code"
        result = values_import(actor=region.users["a_analyst"], rows=[{**row, "unit_code": A1}])
        assert result.created == 1
        assert IndicatorValue.objects.get().imported_by == region.users["a_analyst"]


class TestApi:
    def test_422_names_index_and_field(self, region: SmallRegion, config: None) -> None:
        response = client_for("a_analyst").post(
            "/api/v1/safety/values",
            {
                "values": [
                    {"unit_code": A1, "period": JAN, "indicator": CALLS, "value": 5},
                    {"unit_code": A1, "period": JAN, "indicator": SECURITY, "value": -1},
                ]
            },
            content_type="application/json",
        )
        assert response.status_code == 422
        body = response.json()
        assert body["errors"] == [{"index": 1, "field": "value", "message": "must not be negative"}]
        assert IndicatorValue.objects.count() == 0

    def test_import_and_permission(self, region: SmallRegion, config: None) -> None:
        payload = {"values": [{"unit_code": A1, "period": JAN, "indicator": CALLS, "value": 5}]}
        denied = client_for("a1_clerk").post(
            "/api/v1/safety/values", payload, content_type="application/json"
        )
        assert denied.status_code == 403
        response = client_for("a_analyst").post(
            "/api/v1/safety/values", payload, content_type="application/json"
        )
        assert response.status_code == 200
        assert response.json() == {"created": 1, "updated": 0, "periods": [JAN], "dry_run": False}
        assert IndicatorValue.objects.get().source == ValueSource.API


class TestPage:
    def test_upload_shows_lines_and_writes_nothing(self, region: SmallRegion, config: None) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = f"unit_code,period,indicator,value\n{A1},{JAN},{CALLS},x\n".encode()
        response = client_for("a_analyst").post(
            "/safety/import/", {"file": SimpleUploadedFile("v.csv", data, "text/csv")}
        )
        assert response.status_code == 422
        assert "2: value: a number is required" in response.content.decode()
        assert IndicatorValue.objects.count() == 0

    def test_upload_imports(self, region: SmallRegion, config: None) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = f"unit_code,period,indicator,value\n{A1},{JAN},{CALLS},7\n".encode()
        response = client_for("a_analyst").post(
            "/safety/import/", {"file": SimpleUploadedFile("v.csv", data, "text/csv")}
        )
        assert response.status_code == 302
        assert IndicatorValue.objects.get().value == 7

    def test_not_for_clerks(self, region: SmallRegion, config: None) -> None:
        assert client_for("a1_clerk").get("/safety/import/").status_code == 403
