"""The reports API: list, request, status and download, scoped like the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client

from fengqiao.reports.models import GeneratedReport, ReportDownload
from fengqiao.reports.services import report_generate
from fengqiao.reports.tests.conftest import History, post_json

Api = Callable[[str], Client]
URL = "/api/v1/reports"


def request_body(history: History, unit: str = "A1", **overrides: object) -> dict[str, object]:
    return {
        "unit_id": history.unit(unit).pk,
        "kind": "weekly",
        "period_start": history.week.start,
        **overrides,
    }


class TestRequestReports:
    def test_queues_both_formats_by_default(self, api: Api, history: History) -> None:
        response = post_json(api("a_analyst"), URL, request_body(history))
        assert response.status_code == 202, response.content
        body = response.json()
        assert [r["format"] for r in body] == ["pdf", "xlsx"]
        assert all(r["status"] == "queued" and r["download_url"] is None for r in body)
        assert body[0]["unit_name"] == "胜利路街道"

    def test_bad_input_is_422_with_the_field(self, api: Api, history: History) -> None:
        client = api("a_analyst")
        response = post_json(client, URL, request_body(history, kind="daily"))
        assert response.status_code == 422
        tuesday = history.week.start + timedelta(days=1)
        response = post_json(client, URL, request_body(history, period_start=tuesday))
        assert response.status_code == 422
        assert response.json()["field"] == "period_start"
        response = post_json(client, URL, request_body(history, formats=[]))
        assert response.status_code == 422
        assert GeneratedReport.objects.count() == 0

    def test_a_unit_outside_is_404(self, api: Api, history: History) -> None:
        response = post_json(api("b1_clerk"), URL, request_body(history))
        assert response.status_code == 404
        assert GeneratedReport.objects.count() == 0

    def test_other_roles_get_403(self, api: Api, history: History) -> None:
        response = post_json(api("a1_mediator"), URL, request_body(history))
        assert response.status_code == 403


class TestListAndDownload:
    def test_list_status_and_download_are_scoped(self, api: Api, history: History) -> None:
        (pdf, _xlsx) = post_json(api("a_analyst"), URL, request_body(history)).json()
        post_json(api("b1_clerk"), URL, request_body(history, unit="B1"))
        report_generate(report_id=pdf["id"])
        a1_clerk = api("a1_clerk")
        listed = a1_clerk.get(URL).json()
        assert {r["unit_name"] for r in listed} == {"胜利路街道"}
        status = a1_clerk.get(f"{URL}/{pdf['id']}").json()
        assert status["status"] == "done"
        assert len(status["checksum"]) == 64
        got = a1_clerk.get(status["download_url"])
        assert got.status_code == 200
        assert got.content.startswith(b"%PDF")
        assert ReportDownload.objects.get().via == "api"
        b1_clerk = api("b1_clerk")
        assert b1_clerk.get(f"{URL}/{pdf['id']}").status_code == 404
        assert b1_clerk.get(status["download_url"]).status_code == 404
        assert [r["unit_name"] for r in b1_clerk.get(URL).json()] == ["龙塔街道"] * 2
        assert ReportDownload.objects.count() == 1

    def test_list_of_a_unit_outside_is_404(self, api: Api, history: History) -> None:
        response = api("a2_clerk").get(URL, {"unit_id": history.unit("A1").pk})
        assert response.status_code == 404

    def test_other_roles_may_not_list(self, api: Api, history: History) -> None:
        assert api("a1a_grid").get(URL).status_code == 403
