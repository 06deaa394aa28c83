"""Employers of the small test region and helpers to import their data."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.labour.complaints import add_months
from fengqiao.labour.creditcode import credit_check_char
from fengqiao.labour.importer import csv_rows
from fengqiao.labour.services import ImportSummary, indicators_import

A1_POINT = (105.005, 29.005)  # grid A1a-g1, 胜利路街道
A2_POINT = (105.105, 29.005)  # grid A2a-g1, 中山路街道
B1_POINT = (105.505, 29.005)  # grid B1a-g1, 龙塔街道


def credit(body: str) -> str:
    """A valid credit code from its first 17 characters."""
    return body + credit_check_char(body)


FIRM_A1 = credit("91500118MA5U00001")
FIRM_A2 = credit("91500118MA5U00002")
FIRM_B1 = credit("91500112MA5U00003")
PROJECT_A1 = "2024-500118-47-01-000160"


def this_month() -> date:
    today = timezone.localdate()
    return date(today.year, today.month, 1)


def month(offset: int) -> date:
    return add_months(this_month(), offset)


def make_csv(rows: list[dict[str, Any]], *, encoding: str = "utf-8") -> bytes:
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _month_text(value: date | str) -> str:
    return value if isinstance(value, str) else f"{value:%Y-%m}"


def employer_row(
    code: str,
    point: tuple[float, float],
    *,
    kind: str = "enterprise",
    name: str = "",
    **values: Any,
) -> dict[str, Any]:
    return {
        "code": code,
        "period": _month_text(values.pop("period", this_month())),
        "kind": kind,
        "name": name or f"企业{code[-4:]}",
        "lng": point[0],
        "lat": point[1],
        "workers": values.pop("workers", 50),
        **values,
    }


def import_rows(rows: list[dict[str, Any]], actor: Any = None) -> ImportSummary:
    return indicators_import(actor=actor, rows=csv_rows(make_csv(rows)))


@pytest.fixture
def employers(world: Any) -> dict[str, Any]:
    """Three enterprises (A1, A2, B1) and a construction project in A1, with this month's data."""
    from fengqiao.labour.models import Employer

    import_rows(
        [
            employer_row(FIRM_A1, A1_POINT, name="重庆胜利建材有限公司", wage_delay_days=45),
            employer_row(FIRM_A2, A2_POINT, name="重庆中山服装有限公司", social_insurance_months=2),
            employer_row(FIRM_B1, B1_POINT, name="重庆龙塔物流有限公司", utility_arrears_months=1),
            employer_row(
                PROJECT_A1,
                A1_POINT,
                kind="project",
                name="胜利路安置房建设项目",
                workers=160,
                contractor="重庆某建工集团有限公司",
                wage_delay_days=90,
                wage_delay_workers=160,
                progress_overdue_amount=2100000,
                progress_overdue_days=60,
            ),
        ]
    )
    return {e.code: e for e in Employer.objects.all()}
