"""The importer's column checks give exactly what the row checker gives, row for row.

The fast path only accepts forms it reads the same way as ``RowChecker``; everything else must
reach ``RowChecker`` and come out with the same values and the same messages.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fengqiao.cases.import_columns import ColumnChecker
from fengqiao.cases.import_rows import COLUMNS, ImportRow, Lookups, RowChecker
from fengqiao.testing.cases import A1_POINT, VALID_ID

A1_GRID = "500118001001001"
A2_VILLAGE = "500118002001"
HEADER = list(COLUMNS)

# Per column: plain valid forms, forms only the row checker reads, and wrong ones.
CHOICES: dict[str, list[str]] = {
    "external_id": ["H-1", "H-2", "H-3", " H-4", ""],
    "channel": ["12345", "110", "window", "窗口", "pager", ""],
    "category": ["M02.04", "M10.01", "M06.03", "M99", ""],
    "title": ["噪音", "", "x" * 201],
    "description": ["楼上装修。夜间噪音", "欠薪！请求处理", " 前后有空格 ", ""],
    "unit_code": [A1_GRID, A2_VILLAGE, "500199001001001", "5001", ""],
    "lat": [str(A1_POINT["lat"]), "28.5", "1e1", "", "abc"],
    "lng": [str(A1_POINT["lng"]), "104.5", ""],
    "address": ["第1栋", ""],
    "people_involved": ["1", "45", "0", "007", "+5", "", "x"],
    "amount": ["", "3500", "3500.5", "3,500", "1200元", "-5", "NaN", "0.123"],
    "risk_colour": ["", "red", "橙色", "Green", "purple"],
    "status": ["closed", "resolved", "open", "已办结", "withdrawn", "Closed", "done", ""],
    "registered_at": ["2025-03-01 09:00", "2025-03-01 09:00:00", "2025-03-01T09:00:05",
                      "2025-03-01", "2025/3/1 9:00", "2025年3月1日 09:00", "2025-13-01", ""],
    "accepted_at": ["", "2025-03-01 09:10", "2025-02-28 09:00", "2025-3-1 09:10"],
    "resolved_at": ["", "2025-03-04 16:00", "2099-01-01 10:00"],
    "closed_at": ["", "2025-03-05 10:00", "2025-03-05"],
    "applicant_name": ["王芳", "", "某某有限公司"],
    "applicant_phone": ["13800138000", "023-12345678", "+8613800138000", "138 0013 8000",
                        "12345", ""],
    "applicant_id_number": [VALID_ID, VALID_ID.lower(), "110105194912310021",
                            "110105194902300028", "", "990105194912310021"],
    "respondent_name": ["李强", "", "重庆某某建筑劳务有限公司"],
    "respondent_phone": ["13911112222", "", "0231234"],
    "outcome": ["经调解双方达成一致", ""],
}  # fmt: skip

PLAIN = {name: values[0] for name, values in CHOICES.items()} | {
    "resolved_at": "2025-03-04 16:00",
    "closed_at": "2025-03-05 10:00",
}
rows_strategy = st.lists(
    st.fixed_dictionaries({name: st.sampled_from(values) for name, values in CHOICES.items()}),
    min_size=1,
    max_size=12,
)


def _chunk(rows: list[dict[str, str]]) -> list[tuple[int, list[Any]]]:
    return [(line, [row[name] for name in HEADER]) for line, row in enumerate(rows, start=2)]


def _as_rows(frame: Any) -> list[ImportRow]:
    rows = []
    for values in frame.iter_rows(named=True):
        cents = values.pop("amount_cents")
        rows.append(ImportRow(amount=Decimal(cents) / 100, **values))
    return rows


@pytest.mark.django_db
class TestSameAsTheRowChecker:
    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(rows=rows_strategy)
    def test_same_rows_and_same_problems(self, world, rows):
        lookups = Lookups()
        by_row = RowChecker(HEADER, 1, lookups)
        by_column = ColumnChecker(RowChecker(HEADER, 1, lookups))

        expected, expected_issues = by_row.check_chunk(_chunk(rows))
        frame, issues = by_column.check_chunk(_chunk(rows))

        assert sorted(issues) == sorted(expected_issues)
        assert _as_rows(frame) == expected

    def test_plain_rows_never_reach_the_row_checker(self, world, monkeypatch):
        rows = [PLAIN | {"external_id": f"P-{n}"} for n in range(50)]
        checker = ColumnChecker(RowChecker(HEADER, 1, Lookups()))
        calls = []
        monkeypatch.setattr(checker.rows, "_check", lambda *args: calls.append(args))

        frame, issues = checker.check_chunk(_chunk(rows))

        assert (frame.height, issues, calls) == (50, [], [])

    def test_duplicates_are_found_across_chunks_whichever_path_a_row_took(self, world):
        plain = PLAIN
        checker = ColumnChecker(RowChecker(HEADER, 1, Lookups()))

        first, _ = checker.check_chunk([(2, [plain[name] for name in HEADER])])
        loose = plain | {"registered_at": "2025/3/1 9:00"}  # read by the row checker only
        second, issues = checker.check_chunk([(3, [loose[name] for name in HEADER])])

        assert (first.height, second.height) == (1, 0)
        assert [(i.line, i.message) for i in issues] == [(3, "duplicate of line 2")]
