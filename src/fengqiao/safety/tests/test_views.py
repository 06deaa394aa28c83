"""The index pages: scoped by jurisdiction, analysts' actions refused to others."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils.html import escape
from django.utils.translation import gettext
from pypdf import PdfReader

from fengqiao.safety.models import IndexSettings
from fengqiao.safety.tests.conftest import JAN
from fengqiao.testing.region import PASSWORD, SmallRegion


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


class TestIndexPage:
    def test_table_lists_units_in_scope_only(self, computed: SmallRegion) -> None:
        page = client_for("a1_clerk").get("/safety/", {"period": JAN}).content.decode()
        assert "胜利路街道" in page
        assert "中山路街道" not in page
        assert "龙塔街道" not in page.split('id="index-table"')[1]

    def test_village_level_and_counts(self, computed: SmallRegion) -> None:
        response = client_for("a_leader").get("/safety/", {"period": JAN, "level": 4})
        page = response.content.decode()
        assert "红旗社区" in page
        assert "萱花社区" in page
        assert 'data-colour-count="red">2<' in page
        assert "工农社区" not in page

    def test_empty_jurisdiction(self, computed: SmallRegion) -> None:
        page = client_for("a1a_grid").get("/safety/").content.decode()
        assert gettext("No index has been computed yet in your jurisdiction.") in page

    def test_analysts_may_compute(self, computed: SmallRegion) -> None:
        assert client_for("a1_clerk").post("/safety/compute/", {"period": JAN}).status_code == 403
        response = client_for("a_analyst").post("/safety/compute/", {"period": JAN})
        assert response.status_code == 302
        assert response["Location"].endswith(f"?period={JAN}")


class TestUnitPage:
    def test_history_contributions_and_letter_link(self, computed: SmallRegion) -> None:
        a1 = computed.unit("A1").pk
        page = client_for("a1_clerk").get(f"/safety/units/{a1}/", {"period": JAN}).content.decode()
        assert "万人110警情数" in page
        assert f"/safety/units/{a1}/letter.pdf?period={JAN}" in page
        assert '"periods": ["2025-01", "2025-02"]' in page

    @pytest.mark.parametrize("username", ["a2_clerk", "b1_clerk"])
    def test_other_townships_get_404(self, computed: SmallRegion, username: str) -> None:
        a1 = computed.unit("A1").pk
        client = client_for(username)
        assert client.get(f"/safety/units/{a1}/").status_code == 404
        assert client.get(f"/safety/units/{a1}/letter.pdf", {"period": JAN}).status_code == 404

    def test_letter_pdf_has_the_unit_and_its_figures(self, computed: SmallRegion) -> None:
        a1 = computed.unit("A1").pk
        response = client_for("a_leader").get(f"/safety/units/{a1}/letter.pdf", {"period": JAN})
        assert response["Content-Type"] == "application/pdf"
        assert (
            'filename="safety-letter-500118001000-2025-01.pdf"' in response["Content-Disposition"]
        )
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        assert "胜利路街道" in text
        assert "永川区" in text
        assert "2.98" in text  # the index
        assert "万人110警情数" in text  # the main risk factor
        assert "58.33" in text  # its points


class TestNegativePage:
    def test_scoped_list_with_reasons(self, computed: SmallRegion) -> None:
        page = client_for("a_leader").get("/safety/negative/", {"period": JAN}).content.decode()
        assert "胜利路街道" in page
        assert "萱花社区" in page
        assert "万人110警情数" in page
        other = client_for("b1_clerk").get("/safety/negative/", {"period": JAN}).content.decode()
        assert "胜利路街道" not in other


class TestConfigPage:
    def test_read_only_for_non_analysts(self, computed: SmallRegion) -> None:
        client = client_for("a1_clerk")
        page = client.get("/safety/config/").content.decode()
        assert "D2.01" in page
        assert 'id="settings-form"' not in page
        assert client.post("/safety/config/", {"red_below": 1}).status_code == 403

    def test_analyst_edits_thresholds_with_version_check(self, computed: SmallRegion) -> None:
        client = client_for("a_analyst")
        assert 'id="settings-form"' in client.get("/safety/config/").content.decode()
        form = {
            "red_below": 50,
            "orange_below": 65,
            "yellow_below": 80,
            "zscore_clip": 3,
            "negative_include_red": "on",
            "negative_bottom_n": 2,
            "reason_count": 3,
            "version": 1,
        }
        assert client.post("/safety/config/", form).status_code == 302
        settings = IndexSettings.objects.get()
        assert (settings.red_below, settings.negative_bottom_n, settings.version) == (50, 2, 2)
        stale = client.post("/safety/config/", {**form, "red_below": 40})
        assert "changed meanwhile" in stale.content.decode()
        assert IndexSettings.objects.get().red_below == 50
        bad = client.post("/safety/config/", {**form, "version": 2, "red_below": 90})
        assert escape(gettext("Thresholds must rise: 0 ≤ red ≤ orange ≤ yellow ≤ 100.")) in (
            bad.content.decode()
        )
