from __future__ import annotations

import json

import pytest

from fengqiao.taxonomy.admin import CategoryAdminForm
from fengqiao.taxonomy.models import Category


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "M01.99",
        "kind": "minor",
        "parent": Category.objects.get(code="M01").pk,
        "name_zh": "测试小类",
        "name_en": "Test minor",
        "responsible": json.dumps({"grid": "community", "township": "justice"}),
        "acceptance_minutes": 15,
        "resolution_days": 30,
        "default_risk": "green",
        "keywords": json.dumps(["测试", "样例"]),
        "sort_order": 199,
        "is_active": True,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestCategoryAdminForm:
    def test_accepts_a_valid_minor(self, defaults):
        form = CategoryAdminForm(data=form_data())

        assert form.is_valid(), form.errors
        assert form.save().parent.code == "M01"

    def test_rejects_an_unknown_level(self, defaults):
        form = CategoryAdminForm(data=form_data(responsible=json.dumps({"town": "justice"})))

        assert not form.is_valid()
        assert "unknown level 'town'" in " ".join(form.errors["responsible"])

    def test_rejects_an_unknown_department_type(self, defaults):
        form = CategoryAdminForm(data=form_data(responsible=json.dumps({"grid": "polce"})))

        assert not form.is_valid()
        assert "did you mean 'police'" in " ".join(form.errors["responsible"])

    def test_rejects_responsible_that_is_not_an_object(self, defaults):
        form = CategoryAdminForm(data=form_data(responsible=json.dumps(["community"])))

        assert not form.is_valid()
        assert "responsible" in form.errors

    def test_rejects_keywords_that_are_not_a_list_of_words(self, defaults):
        form = CategoryAdminForm(data=form_data(keywords=json.dumps(["欠薪", 3])))

        assert not form.is_valid()
        assert "keywords" in form.errors

    def test_rejects_a_keyword_holding_a_separator(self, defaults):
        form = CategoryAdminForm(data=form_data(keywords=json.dumps(["欠薪;讨薪"])))

        assert not form.is_valid()
        assert "separator" in " ".join(form.errors["keywords"])

    def test_minor_needs_a_major_parent(self, defaults):
        minor = Category.objects.get(code="M01.01")
        form = CategoryAdminForm(data=form_data(parent=minor.pk))

        assert not form.is_valid()
        assert "parent" in form.errors

    def test_major_cannot_have_a_parent(self, defaults):
        form = CategoryAdminForm(data=form_data(code="M99", kind="major"))

        assert not form.is_valid()
        assert "parent" in form.errors

    def test_major_with_minors_cannot_become_a_minor(self, defaults):
        family = Category.objects.get(code="M01")
        other = Category.objects.get(code="M02")
        form = CategoryAdminForm(instance=family, data=form_data(code="M01", parent=other.pk))

        assert not form.is_valid()
        assert "kind" in form.errors


@pytest.mark.django_db
class TestCategoryAdmin:
    def test_change_list_renders(self, defaults, admin_client):
        response = admin_client.get("/admin/taxonomy/category/?q=纠纷")

        assert response.status_code == 200

    def test_parent_autocomplete_offers_major_categories_only(self, defaults, admin_client):
        response = admin_client.get(
            "/admin/autocomplete/",
            {
                "app_label": "taxonomy",
                "model_name": "category",
                "field_name": "parent",
                "term": "M01",
            },
        )

        assert response.status_code == 200
        assert [result["text"] for result in response.json()["results"]] == ["婚姻家庭纠纷"]

    def test_categories_cannot_be_deleted(self, defaults, admin_client):
        category = Category.objects.get(code="M01.01")

        response = admin_client.post(
            f"/admin/taxonomy/category/{category.pk}/delete/", {"post": "yes"}
        )

        assert response.status_code == 403
        assert Category.objects.filter(pk=category.pk).exists()


@pytest.mark.django_db
class TestChannelAdmin:
    def test_change_list_renders(self, admin_client):
        response = admin_client.get("/admin/taxonomy/channel/")

        assert response.status_code == 200
