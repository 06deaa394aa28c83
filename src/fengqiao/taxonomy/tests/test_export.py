from __future__ import annotations

import pytest
import yaml

from fengqiao.taxonomy.models import Category
from fengqiao.taxonomy.services import taxonomy_export, taxonomy_import
from fengqiao.taxonomy.tests.conftest import category_snapshot


@pytest.mark.django_db
class TestTaxonomyExport:
    @pytest.mark.parametrize("file_format", ["yaml", "csv"])
    def test_export_then_replace_import_changes_nothing(self, defaults, tmp_path, file_format):
        Category.objects.filter(code="M02.04").update(resolution_days=3, sort_order=999)
        Category.objects.filter(code="M03").update(is_active=False)
        before = category_snapshot()
        path = tmp_path / f"taxonomy.{file_format}"
        path.write_text(taxonomy_export(file_format=file_format), encoding="utf-8")

        result = taxonomy_import(path=path, mode="replace")

        assert (result.created, result.updated, result.deactivated) == (0, 0, 0)
        assert result.unchanged == Category.objects.filter(is_active=True).count()
        assert category_snapshot() == before

    def test_yaml_leaves_out_what_a_minor_inherits(self, defaults):
        document = yaml.safe_load(taxonomy_export(file_format="yaml"))

        family = document["categories"][0]
        divorce, violence = family["minors"][0], family["minors"][8]
        assert family["code"] == "M01"
        assert {"responsible", "resolution_days", "default_risk"} <= set(family)
        assert set(divorce) == {"code", "name_zh", "name_en", "keywords"}
        assert violence["default_risk"] == "red"

    def test_inactive_categories_are_left_out(self, defaults):
        Category.objects.filter(code="M01.02").update(is_active=False)

        exported = taxonomy_export(file_format="csv")

        assert "M01.01," in exported
        assert "M01.02," not in exported

    def test_minors_of_an_inactive_major_are_written_with_their_parent_code(self, defaults):
        Category.objects.filter(code="M18").update(is_active=False)

        document = yaml.safe_load(taxonomy_export(file_format="yaml"))

        loose = [entry for entry in document["categories"] if entry.get("kind") == "minor"]
        assert {entry["parent_code"] for entry in loose} == {"M18"}
        assert len(loose) == Category.objects.filter(parent__code="M18").count()

    def test_export_reads_the_taxonomy_in_one_query(self, defaults, django_assert_num_queries):
        with django_assert_num_queries(1):
            taxonomy_export(file_format="yaml")

    def test_csv_spells_out_every_value(self, defaults):
        lines = taxonomy_export(file_format="csv").splitlines()

        assert lines[0].startswith("code,kind,parent_code,name_zh")
        divorce = next(line for line in lines if line.startswith("M01.01,"))
        assert "grid=community;village=mediation_committee;township=justice" in divorce
        assert ",15,30,green,离婚、闹离婚" in divorce
