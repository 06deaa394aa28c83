"""The reports pages: lists scoped by jurisdiction, the request button, the polling row and the
download."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.reports.models import GeneratedReport, ReportDownload, ReportStatus
from fengqiao.reports.services import report_generate, report_request
from fengqiao.reports.tests.conftest import History

Login = Callable[[str], Client]


def made(history: History, unit: str, who: str = "a_leader") -> GeneratedReport:
    (report,) = report_request(
        actor=history.user(who),
        unit_id=history.unit(unit).pk,
        kind="weekly",
        period_start=history.week.start,
        formats=["pdf"],
    )
    done = report_generate(report_id=report.pk)
    assert done is not None
    return done


@pytest.fixture
def a1_and_b1(history: History) -> tuple[GeneratedReport, GeneratedReport]:
    return made(history, "A1"), made(history, "B1", who="city_admin")


class TestIndex:
    def test_lists_only_reports_inside_the_jurisdiction(
        self, login: Login, a1_and_b1: tuple[GeneratedReport, GeneratedReport]
    ) -> None:
        a1, b1 = a1_and_b1
        page = login("a1_clerk").get(reverse("reports:index"))
        assert page.status_code == 200
        body = page.content.decode()
        assert f'id="report-{a1.pk}"' in body
        assert f'id="report-{b1.pk}"' not in body
        assert reverse("reports:download", args=[a1.pk]) in body

    def test_the_city_sees_both(
        self, login: Login, a1_and_b1: tuple[GeneratedReport, GeneratedReport]
    ) -> None:
        body = login("city_admin").get(reverse("reports:index")).content.decode()
        assert all(f'id="report-{r.pk}"' in body for r in a1_and_b1)

    def test_other_roles_are_refused(self, login: Login, history: History) -> None:
        assert login("a1_mediator").get(reverse("reports:index")).status_code == 403

    def test_the_menu_shows_reports_to_report_roles_only(
        self, login: Login, history: History
    ) -> None:
        link = f'href="{reverse("reports:index")}"'
        assert link in login("a_leader").get(reverse("home")).content.decode()
        assert link not in login("a1a_grid").get(reverse("home")).content.decode()


class TestUnitPage:
    def test_shows_the_units_reports(
        self, login: Login, history: History, a1_and_b1: tuple[GeneratedReport, GeneratedReport]
    ) -> None:
        a1, _b1 = a1_and_b1
        page = login("a_leader").get(reverse("reports:unit", args=[history.unit("A1").pk]))
        assert page.status_code == 200
        assert f'id="report-{a1.pk}"' in page.content.decode()
        assert "胜利路街道" in page.content.decode()

    @pytest.mark.parametrize(("who", "unit"), [("a2_clerk", "A1"), ("b1_clerk", "A1")])
    def test_a_unit_outside_is_not_found(
        self, login: Login, history: History, who: str, unit: str
    ) -> None:
        url = reverse("reports:unit", args=[history.unit(unit).pk])
        assert login(who).get(url).status_code == 404

    def test_the_kind_and_day_come_from_the_link(self, login: Login, history: History) -> None:
        url = reverse("reports:unit", args=[history.unit("A").pk])
        page = login("a_leader").get(url, {"kind": "monthly", "day": "2026-03-05"})
        body = page.content.decode()
        assert 'value="monthly" selected' in body
        assert 'value="2026-03-05"' in body


class TestRequest:
    def test_the_button_queues_the_report_and_the_row_polls(
        self, login: Login, history: History
    ) -> None:
        client = login("a1_clerk")
        unit = history.unit("A1")
        response = client.post(
            reverse("reports:request"),
            {"unit": unit.pk, "kind": "weekly", "day": history.week.end, "formats": ["pdf"]},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:unit", args=[unit.pk])
        report = GeneratedReport.objects.get()
        assert report.period_start == history.week.start  # any day of the week will do
        row = client.get(reverse("reports:row", args=[report.pk]))
        assert 'hx-trigger="every 2s"' in row.content.decode()
        report_generate(report_id=report.pk)
        row = client.get(reverse("reports:row", args=[report.pk])).content.decode()
        assert "hx-trigger" not in row
        assert reverse("reports:download", args=[report.pk]) in row

    def test_bad_input_shows_the_form_again(self, login: Login, history: History) -> None:
        response = login("a1_clerk").post(
            reverse("reports:request"),
            {"unit": history.unit("A1").pk, "kind": "weekly", "day": "not a day"},
        )
        assert response.status_code == 422
        assert 'class="field-error"' in response.content.decode()
        assert GeneratedReport.objects.count() == 0

    def test_a_unit_outside_is_not_a_choice(self, login: Login, history: History) -> None:
        response = login("b1_clerk").post(
            reverse("reports:request"),
            {
                "unit": history.unit("A1").pk,
                "kind": "weekly",
                "day": history.week.start,
                "formats": ["pdf"],
            },
        )
        assert response.status_code == 422
        assert GeneratedReport.objects.count() == 0

    def test_other_roles_are_refused(self, login: Login, history: History) -> None:
        response = login("a1_mediator").post(
            reverse("reports:request"),
            {"unit": history.unit("A1").pk, "kind": "weekly", "day": history.week.start},
        )
        assert response.status_code == 403


class TestDownload:
    def test_the_file_is_served_and_the_download_recorded(
        self, login: Login, history: History, a1_and_b1: tuple[GeneratedReport, GeneratedReport]
    ) -> None:
        a1, _b1 = a1_and_b1
        response = login("a_leader").get(reverse("reports:download", args=[a1.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert response.content.startswith(b"%PDF")
        assert ReportDownload.objects.get().user == history.user("a_leader")

    @pytest.mark.parametrize("who", ["a2_clerk", "b1_clerk"])
    def test_outside_the_jurisdiction_is_not_found(
        self,
        login: Login,
        history: History,
        a1_and_b1: tuple[GeneratedReport, GeneratedReport],
        who: str,
    ) -> None:
        a1, _b1 = a1_and_b1
        client = login(who)
        assert client.get(reverse("reports:download", args=[a1.pk])).status_code == 404
        assert client.get(reverse("reports:row", args=[a1.pk])).status_code == 404
        assert ReportDownload.objects.count() == 0

    def test_a_failed_report_has_no_download(self, login: Login, history: History) -> None:
        (report,) = report_request(
            actor=history.user("a1_clerk"),
            unit_id=history.unit("A1").pk,
            kind="weekly",
            period_start=history.week.start,
            formats=["xlsx"],
        )
        GeneratedReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED)
        response = login("a1_clerk").get(reverse("reports:download", args=[report.pk]))
        assert response.status_code == 404
