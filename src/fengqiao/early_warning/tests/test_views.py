"""The pages: scoped lists and details, the actions on the detail page, maintenance."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from fengqiao.early_warning.models import RiskPoint, Warning
from fengqiao.early_warning.tests.test_services import raise_septic

pytestmark = pytest.mark.django_db


@pytest.fixture
def septic_warning(ew):
    return raise_septic(ew)


class TestWarningPages:
    def test_list_shows_the_township_its_warning(self, api, septic_warning):
        page = api("b1_clerk").get(reverse("early_warning:list")).content.decode()
        assert septic_warning.title in page

    def test_other_township_does_not_see_it(self, api, septic_warning):
        client = api("a1_clerk")
        assert (
            septic_warning.title not in client.get(reverse("early_warning:list")).content.decode()
        )
        assert (
            client.get(reverse("early_warning:detail", args=[septic_warning.pk])).status_code == 404
        )
        response = client.post(
            reverse("early_warning:act", args=[septic_warning.pk, "close"]),
            {"version": septic_warning.version, "feedback": "x"},
        )
        assert response.status_code == 404

    def test_filters(self, api, septic_warning):
        client = api("b1_clerk")
        url = reverse("early_warning:list")
        assert (
            septic_warning.title
            in client.get(url, {"colour": "orange", "status": "open"}).content.decode()
        )
        red = client.get(url, {"colour": "red"}, HTTP_HX_REQUEST="true").content.decode()
        assert septic_warning.title not in red
        htmx = client.get(url, {"rule": "septic.level"}, HTTP_HX_REQUEST="true").content.decode()
        assert "<html" not in htmx
        assert septic_warning.title not in htmx

    def test_grid_worker_has_a_verification_task(self, api, septic_warning):
        page = api("b1a_grid").get(reverse("early_warning:list")).content.decode()
        assert 'id="ew-tasks"' in page
        detail = api("b1a_grid").get(reverse("early_warning:detail", args=[septic_warning.pk]))
        assert (
            reverse("early_warning:act", args=[septic_warning.pk, "verify"])
            in detail.content.decode()
        )

    def test_clerk_is_not_offered_verification(self, api, septic_warning):
        page = (
            api("b1_clerk")
            .get(reverse("early_warning:detail", args=[septic_warning.pk]))
            .content.decode()
        )
        assert reverse("early_warning:act", args=[septic_warning.pk, "verify"]) not in page
        assert reverse("early_warning:act", args=[septic_warning.pk, "convert"]) in page

    def test_action_through_htmx_and_form_errors(self, api, septic_warning):
        client = api("b1a_grid")
        url = reverse("early_warning:act", args=[septic_warning.pk, "verify"])
        empty = client.post(
            url, {"version": septic_warning.version, "note": ""}, HTTP_HX_REQUEST="true"
        )
        assert empty.status_code == 422
        assert 'class="field-error"' in empty.content.decode()
        done = client.post(
            url, {"version": septic_warning.version, "note": "属实"}, HTTP_HX_REQUEST="true"
        )
        assert done.status_code == 200
        assert Warning.objects.get(pk=septic_warning.pk).status == "verified"
        stale = client.post(
            reverse("early_warning:act", args=[septic_warning.pk, "dismiss"]),
            {"version": septic_warning.version, "note": "x"},
        )
        assert "alert-error" in stale.content.decode()
        handle = api("b1_clerk").post(
            reverse("early_warning:act", args=[septic_warning.pk, "handle"]),
            {"version": septic_warning.version, "note": "x"},
            HTTP_HX_REQUEST="true",
        )
        assert handle.status_code == 422
        assert "alert-error" in handle.content.decode()
        assert Warning.objects.get(pk=septic_warning.pk).status == "verified"

    def test_convert_from_the_page(self, api, septic_warning):
        response = api("b1_clerk").post(
            reverse("early_warning:act", args=[septic_warning.pk, "convert"]),
            {"version": septic_warning.version, "note": "转为矛盾纠纷", "category": ""},
        )
        assert response.status_code == 302
        warning = Warning.objects.get(pk=septic_warning.pk)
        assert warning.status == "converted"
        assert warning.case_id is not None


class TestPointPages:
    def test_list_and_map_data_are_scoped(self, ew, api):
        page = api("a1_clerk").get(reverse("early_warning:points")).content.decode()
        assert ew.slope.name in page
        assert ew.septic.name not in page
        assert 'id="ew-points-data"' in page
        assert "红旗社区第1网格" in page

    def test_detail_elsewhere_is_404(self, ew, api):
        assert (
            api("a1_clerk").get(reverse("early_warning:point", args=[ew.septic.pk])).status_code
            == 404
        )
        response = api("a1_clerk").post(
            reverse("early_warning:maintenance", args=[ew.septic.pk]),
            {"version": 1, "done_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 404

    def test_detail_masks_the_owner_phone(self, ew, api):
        page = (
            api("b1_clerk")
            .get(reverse("early_warning:point", args=[ew.septic.pk]))
            .content.decode()
        )
        assert "139****5678" in page
        assert "13912345678" not in page

    def test_record_maintenance(self, ew, api):
        response = api("b1a_grid").post(
            reverse("early_warning:maintenance", args=[ew.septic.pk]),
            {
                "version": ew.septic.version,
                "done_on": timezone.localdate().isoformat(),
                "note": "清掏",
            },
        )
        assert response.status_code == 302
        assert RiskPoint.objects.get(pk=ew.septic.pk).last_maintained_on == timezone.localdate()

    def test_future_maintenance_is_a_form_error(self, ew, api):
        response = api("b1_clerk").post(
            reverse("early_warning:maintenance", args=[ew.septic.pk]),
            {"version": ew.septic.version, "done_on": "2999-01-01"},
        )
        assert response.status_code == 200
        assert "field-error" in response.content.decode()
        assert RiskPoint.objects.get(pk=ew.septic.pk).maintenances.count() == 0

    def test_overdue_filter(self, ew, api):
        page = (
            api("city_admin")
            .get(reverse("early_warning:points"), {"overdue": "on"})
            .content.decode()
        )
        assert ew.septic.name in page
        assert ew.slope.name not in page
