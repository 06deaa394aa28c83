from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from fengqiao.cases import exports
from fengqiao.cases.models import Case, PersonalDataAccess
from fengqiao.cases.services import case_register
from fengqiao.testing.cases import VALID_ID, case_in

MASKED_ID = "110***********002X"
MASKED_PHONE = "138****8000"
FULL_PHONE = "13800138000"


@pytest.fixture
def case(world) -> Case:
    return case_register(actor=world.user("a1_clerk"), data=case_in(title="胜利路噪音纠纷")).case


@pytest.fixture
def login(world, client: Client):
    def as_user(key: str) -> Client:
        client.force_login(world.user(key))
        return client

    return as_user


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def by_header(rows: list[list]) -> list[dict]:
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


class TestCsv:
    def test_masked_as_on_screen(self, login, case):
        response = login("a1_clerk").get("/cases/export.csv", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        (row,) = by_header(csv_rows(response))
        assert row["Number"] == case.number
        assert row["Title"] == "胜利路噪音纠纷"
        assert row["Category code"] == "M02.04"
        assert row["Party ID numbers"].splitlines() == [MASKED_ID, "—"]
        assert row["Party phones"].splitlines() == [MASKED_PHONE, "139****2222"]
        assert row["Party names"].splitlines() == ["王芳", "李强"]
        assert row["Overdue"] == "no"
        assert row["Registered"]

    def test_full_values_never_appear(self, login, case):
        raw = b"".join(login("a1_clerk").get("/cases/export.csv").streaming_content)
        text = raw.decode("utf-8-sig")
        assert VALID_ID not in text
        assert FULL_PHONE not in text
        assert "13911112222" not in text
        assert PersonalDataAccess.objects.count() == 0

    def test_unmask_for_a_clerk_logs_each_party(self, login, case):
        response = login("a1_clerk").get("/cases/export.csv?unmask=1", HTTP_ACCEPT_LANGUAGE="en")
        (row,) = by_header(csv_rows(response))
        assert row["Party ID numbers"].splitlines()[0] == VALID_ID
        assert row["Party phones"].splitlines() == [FULL_PHONE, "13911112222"]
        logged = PersonalDataAccess.objects.filter(purpose="export")
        assert logged.count() == 2
        assert set(logged.values_list("case_id", flat=True)) == {case.pk}
        assert {a.user.username for a in logged} == {"a1_clerk"}

    def test_unmask_is_403_for_a_leader(self, login, case):
        response = login("a_leader").get("/cases/export.csv?unmask=1")
        assert response.status_code == 403
        assert PersonalDataAccess.objects.count() == 0

    def test_filters_apply(self, world, login, case):
        case_register(actor=world.user("a1_clerk"), data=case_in(title="另一件事"))
        text = b"".join(login("a1_clerk").get("/cases/export.csv?q=噪音").streaming_content).decode(
            "utf-8-sig"
        )
        assert "胜利路噪音纠纷" in text
        assert "另一件事" not in text

    def test_invalid_filter_is_400_with_the_error(self, login, case):
        response = login("a1_clerk").get("/cases/export.csv?created_from=soon")
        assert response.status_code == 400
        assert "alert-error" in response.content.decode()

    def test_formula_is_written_as_text(self, world, login):
        case_register(actor=world.user("a1_clerk"), data=case_in(title="=HYPERLINK(1)"))
        (row,) = by_header(
            csv_rows(login("a1_clerk").get("/cases/export.csv", HTTP_ACCEPT_LANGUAGE="en"))
        )
        assert row["Title"] == "'=HYPERLINK(1)"

    def test_chunks_log_every_party(self, world, login, case, monkeypatch):
        monkeypatch.setattr(exports, "EXPORT_CHUNK", 1)
        case_register(actor=world.user("a1_clerk"), data=case_in(title="第二件"))
        rows = csv_rows(login("a1_clerk").get("/cases/export.csv?unmask=1"))
        assert len(rows) == 3
        assert PersonalDataAccess.objects.filter(purpose="export").count() == 4


class TestXlsx:
    def test_masked_as_on_screen(self, login, case):
        response = login("a1_clerk").get("/cases/export.xlsx", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "spreadsheetml" in response["Content-Type"]
        (row,) = by_header(xlsx_rows(response))
        assert row["Number"] == case.number
        assert row["Party ID numbers"].splitlines() == [MASKED_ID, "—"]
        assert row["Party phones"].splitlines()[0] == MASKED_PHONE
        assert row["People involved"] == 1
        assert row["Registered"] is not None
        everything = "\n".join(str(v) for v in row.values())
        assert VALID_ID not in everything
        assert FULL_PHONE not in everything

    def test_unmask_for_a_clerk_logs_each_party(self, login, case):
        response = login("a1_clerk").get("/cases/export.xlsx?unmask=1", HTTP_ACCEPT_LANGUAGE="en")
        (row,) = by_header(xlsx_rows(response))
        assert row["Party ID numbers"].splitlines()[0] == VALID_ID
        assert PersonalDataAccess.objects.filter(purpose="export").count() == 2

    def test_unmask_is_403_for_a_leader(self, login, case):
        assert login("a_leader").get("/cases/export.xlsx?unmask=1").status_code == 403
        assert PersonalDataAccess.objects.count() == 0

    def test_too_many_rows_is_a_clear_message(self, login, case, monkeypatch):
        monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 0)
        response = login("a1_clerk").get("/cases/export.xlsx", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert "CSV" in response.content.decode()

    def test_formula_stays_text(self, world, login):
        case_register(actor=world.user("a1_clerk"), data=case_in(title="=1+1"))
        response = login("a1_clerk").get("/cases/export.xlsx", HTTP_ACCEPT_LANGUAGE="en")
        (row,) = by_header(xlsx_rows(response))
        assert row["Title"] == "=1+1"
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet["B2"].data_type == "s"

    def test_anonymous_is_sent_to_login(self, client):
        assert client.get("/cases/export.xlsx").status_code == 302
