from __future__ import annotations

from pathlib import Path

import pytest

from fengqiao.core.errors import ValidationFailed
from fengqiao.taxonomy.importer import ImportIssue, TaxonomyImportError
from fengqiao.taxonomy.models import Category, CategoryKind
from fengqiao.taxonomy.services import taxonomy_import
from fengqiao.taxonomy.tests.conftest import category_snapshot

HEADER = (
    "code,kind,parent_code,name_zh,name_en,responsible,"
    "acceptance_minutes,resolution_days,default_risk,keywords,sort_order\n"
)


def write(directory: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = directory / name
    path.write_text(text, encoding=encoding)
    return path


def problems(excinfo: pytest.ExceptionInfo[TaxonomyImportError]) -> list[ImportIssue]:
    return excinfo.value.issues


@pytest.mark.django_db
class TestTaxonomyImport:
    def test_csv_creates_majors_and_minors_with_inherited_values(self, data_dir):
        result = taxonomy_import(path=data_dir / "good.csv")

        assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
        major = Category.objects.get(code="T01")
        inheriting = Category.objects.get(code="T01.01")
        overriding = Category.objects.get(code="T01.02")
        assert inheriting.parent == major
        assert inheriting.responsible == major.responsible
        assert (inheriting.acceptance_minutes, inheriting.resolution_days) == (15, 30)
        assert inheriting.keywords == ["欠薪", "讨薪", "工资", "包工头"]
        assert overriding.responsible == {"township": "police", "district": "police"}
        assert (overriding.acceptance_minutes, overriding.resolution_days) == (5, 7)
        assert overriding.default_risk == "red"

    def test_missing_major_values_take_the_model_defaults(self, data_dir):
        taxonomy_import(path=data_dir / "good.csv")

        major = Category.objects.get(code="T02")
        minor = Category.objects.get(code="T02.01")
        assert (major.acceptance_minutes, major.resolution_days, major.default_risk) == (
            15,
            30,
            "green",
        )
        assert (minor.resolution_days, minor.default_risk) == (30, "orange")

    def test_sort_order_follows_the_file(self, data_dir):
        taxonomy_import(path=data_dir / "good.csv")

        ordered = list(Category.objects.order_by("sort_order").values_list("code", flat=True))
        assert ordered == ["T01", "T01.01", "T01.02", "T02", "T02.01"]

    def test_yaml_gives_the_same_categories_as_the_equivalent_csv(self, data_dir):
        taxonomy_import(path=data_dir / "good.csv")
        from_csv = category_snapshot()
        Category.objects.filter(kind=CategoryKind.MINOR).delete()
        Category.objects.all().delete()

        result = taxonomy_import(path=data_dir / "good.yaml")

        assert result.created == 5
        ignored = {"id", "parent_id", "created_at", "updated_at"}
        assert [
            {k: v for k, v in row.items() if k not in ignored} for row in category_snapshot()
        ] == [{k: v for k, v in row.items() if k not in ignored} for row in from_csv]

    def test_reimporting_the_same_file_changes_nothing(self, data_dir):
        taxonomy_import(path=data_dir / "good.yaml")
        before = category_snapshot()

        result = taxonomy_import(path=data_dir / "good.yaml")

        assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
        assert category_snapshot() == before

    def test_extend_updates_listed_categories_and_keeps_the_rest(self, defaults, tmp_path):
        path = write(
            tmp_path,
            "patch.csv",
            HEADER
            + "M02.04,minor,M02,噪音扰民纠纷,Noise,,,3,,噪音;广场舞,\n"
            + "M02.99,minor,M02,新的邻里小类,New neighbour minor,,,,,,\n",
        )
        total = Category.objects.count()

        result = taxonomy_import(path=path)

        assert (result.created, result.updated, result.deactivated) == (1, 1, 0)
        assert Category.objects.get(code="M02.04").resolution_days == 3
        new = Category.objects.get(code="M02.99")
        assert new.parent == Category.objects.get(code="M02")
        assert new.resolution_days == Category.objects.get(code="M02").resolution_days
        assert Category.objects.filter(is_active=True).count() == total + 1

    def test_replace_deactivates_unlisted_categories_without_deleting_them(
        self, defaults, data_dir
    ):
        total = Category.objects.count()

        result = taxonomy_import(path=data_dir / "good.csv", mode="replace")

        assert result.deactivated == total
        assert Category.objects.count() == total + 5
        active = set(Category.objects.filter(is_active=True).values_list("code", flat=True))
        assert active == {"T01", "T01.01", "T01.02", "T02", "T02.01"}

    def test_replace_reactivates_listed_categories(self, data_dir):
        taxonomy_import(path=data_dir / "good.csv")
        Category.objects.filter(code="T01.01").update(is_active=False)

        result = taxonomy_import(path=data_dir / "good.csv", mode="replace")

        assert (result.updated, result.deactivated) == (1, 0)
        assert Category.objects.get(code="T01.01").is_active

    def test_dry_run_reports_the_counts_and_writes_nothing(self, defaults, data_dir):
        before = category_snapshot()

        result = taxonomy_import(path=data_dir / "good.csv", mode="replace", dry_run=True)

        assert (result.created, result.deactivated) == (5, len(before))
        assert category_snapshot() == before

    def test_bad_csv_row_is_reported_on_its_line_and_nothing_is_written(self, defaults, data_dir):
        before = category_snapshot()

        with pytest.raises(TaxonomyImportError) as excinfo:
            taxonomy_import(path=data_dir / "bad_line4.csv")

        assert problems(excinfo) == [
            ImportIssue(4, "responsible", "unknown department type 'polce'; did you mean 'police'?")
        ]
        assert category_snapshot() == before

    def test_bad_yaml_entry_is_reported_on_the_lines_of_its_fields(self, defaults, data_dir):
        before = category_snapshot()

        with pytest.raises(TaxonomyImportError) as excinfo:
            taxonomy_import(path=data_dir / "bad.yaml", mode="replace")

        assert [(issue.line, issue.field) for issue in problems(excinfo)] == [
            (12, "resolution_days"),
            (15, "responsible"),
        ]
        assert "must be at least 1" in problems(excinfo)[0].message
        assert "unknown level 'town'" in problems(excinfo)[1].message
        assert category_snapshot() == before

    def test_the_error_is_a_validation_failure_listing_every_problem(self, data_dir):
        with pytest.raises(ValidationFailed) as excinfo:
            taxonomy_import(path=data_dir / "bad.yaml")

        assert excinfo.value.status_code == 422
        assert len(excinfo.value.as_dict()["issues"]) == 2

    @pytest.mark.parametrize(
        ("rows", "expected"),
        [
            pytest.param(
                "T01,major,,名称,Name,,,,,,\n",
                (1, "colour", "unknown column"),
                id="unknown-column",
            ),
            pytest.param("", (1, "name_zh", "required column is missing"), id="missing-column"),
            pytest.param(
                "T01,major,,,Name,,,,,,\n", (2, "name_zh", "is required"), id="missing-field"
            ),
            pytest.param(
                "t01,major,,名称,,,,,,,\n", (2, "code", "not a valid code"), id="bad-code"
            ),
            pytest.param(
                "T01,major,,名称,,,,,,,\nT01,major,,名称,,,,,,,\n",
                (3, "code", "duplicate code T01 (first on line 2)"),
                id="duplicate-code",
            ),
            pytest.param(
                "T01.01,minor,X99,名称,,,,,,,\n",
                (2, "parent_code", "X99 is neither in the file nor in the database"),
                id="unknown-parent",
            ),
            pytest.param(
                "T01,major,,名称,,,,,,,\nT01.01,minor,T01,名称,,,,,,,\nT01.02,minor,T01.01,名称,,,,,,,\n",
                (4, "parent_code", "T01.01 is a minor category"),
                id="minor-parent",
            ),
            pytest.param(
                "T01,major,T02,名称,,,,,,,\nT02,major,,名称,,,,,,,\n",
                (2, "parent_code", "a major category cannot have a parent"),
                id="major-with-parent",
            ),
            pytest.param(
                "T01.01,minor,,名称,,,,,,,\n",
                (2, "parent_code", "a minor category needs parent_code"),
                id="minor-without-parent",
            ),
            pytest.param(
                "T01,medium,,名称,,,,,,,\n", (2, "kind", "unknown value 'medium'"), id="bad-kind"
            ),
            pytest.param(
                "T01,major,,名称,,town=justice,,,,,\n",
                (2, "responsible", "unknown level 'town'"),
                id="unknown-level",
            ),
            pytest.param(
                "T01,major,,名称,,grid,,,,,\n",
                (2, "responsible", "'grid' is not level=department_type"),
                id="responsible-without-department",
            ),
            pytest.param(
                "T01,major,,名称,,,0,,,,\n",
                (2, "acceptance_minutes", "must be at least 1, got 0"),
                id="zero-deadline",
            ),
            pytest.param(
                "T01,major,,名称,,,,-3,,,\n",
                (2, "resolution_days", "must be at least 1, got -3"),
                id="negative-deadline",
            ),
            pytest.param(
                "T01,major,,名称,,,1.5,,,,\n",
                (2, "acceptance_minutes", "must be a whole number"),
                id="fractional-deadline",
            ),
            pytest.param(
                "T01,major,,名称,,,,,purple,,\n",
                (2, "default_risk", "unknown value 'purple'"),
                id="unknown-risk",
            ),
            pytest.param(
                "T01,major,,名称,,,,,,,,extra\n",
                (2, "row", "12 cells but the header has 11"),
                id="too-many-cells",
            ),
        ],
    )
    def test_bad_csv_is_rejected_with_line_field_and_reason(self, tmp_path, rows, expected):
        header = HEADER
        if expected[1] == "colour":
            header = HEADER.replace("default_risk", "colour")
        if expected[1] == "name_zh" and "column" in expected[2]:
            header = HEADER.replace("name_zh,", "")

        with pytest.raises(TaxonomyImportError) as excinfo:
            taxonomy_import(path=write(tmp_path, "bad.csv", header + rows))

        line, field, message = expected
        assert any(
            issue.line == line and issue.field == field and message in issue.message
            for issue in problems(excinfo)
        ), problems(excinfo)
        assert not Category.objects.exists()

    def test_every_problem_in_a_file_is_reported_at_once(self, tmp_path):
        path = write(
            tmp_path,
            "many.csv",
            HEADER
            + "t01,major,,名称,,,,,,,\nT02,major,,名称,,,0,,,,\nT02.01,minor,X9,名称,,,,,,,\n",
        )

        with pytest.raises(TaxonomyImportError) as excinfo:
            taxonomy_import(path=path)

        assert [(issue.line, issue.field) for issue in problems(excinfo)] == [
            (2, "code"),
            (3, "acceptance_minutes"),
            (4, "parent_code"),
        ]

    def test_csv_lines_are_physical_lines_when_a_cell_spans_several(self, tmp_path):
        path = write(
            tmp_path,
            "multiline.csv",
            HEADER + 'T01,major,,名称,"Two\nline name",,,,,,\n\nT01.01,minor,T01,名称,,,,,pink,,\n',
        )

        with pytest.raises(TaxonomyImportError) as excinfo:
            taxonomy_import(path=path)

        assert [(issue.line, issue.field) for issue in problems(excinfo)] == [(5, "default_risk")]

    def test_minor_may_hang_under_a_major_already_in_the_database(self, defaults, tmp_path):
        path = write(
            tmp_path, "minor.csv", HEADER + "M10.99,小类,M10,平台用工纠纷,,,,,橙色,骑手|外卖,\n"
        )

        result = taxonomy_import(path=path)

        minor = Category.objects.get(code="M10.99")
        assert result.created == 1
        assert minor.parent == Category.objects.get(code="M10")
        assert minor.default_risk == "orange"
        assert minor.keywords == ["骑手", "外卖"]

    def test_replace_refuses_a_minor_whose_major_it_would_deactivate(self, defaults, tmp_path):
        path = write(tmp_path, "minor.csv", HEADER + "M10.99,minor,M10,平台用工纠纷,,,,,,,\n")

        with pytest.raises(TaxonomyImportError) as excinfo:
            taxonomy_import(path=path, mode="replace")

        assert problems(excinfo) == [
            ImportIssue(
                2, "parent_code", "M10 is not in the file, so replacing would deactivate it"
            )
        ]

    def test_a_major_with_minors_cannot_become_a_minor(self, defaults, tmp_path):
        path = write(tmp_path, "demote.csv", HEADER + "M02,minor,M01,邻里纠纷,,,,,,,\n")

        with pytest.raises(TaxonomyImportError) as excinfo:
            taxonomy_import(path=path)

        assert [(issue.line, issue.field) for issue in problems(excinfo)] == [(2, "kind")]

    def test_yaml_syntax_error_points_at_its_line(self, tmp_path):
        path = write(
            tmp_path,
            "broken.yaml",
            "version: 1\ncategories:\n  - code: T01\n    name_zh: [unclosed\n",
        )

        with pytest.raises(TaxonomyImportError) as excinfo:
            taxonomy_import(path=path)

        (issue,) = problems(excinfo)
        assert issue.field == "file"
        assert issue.message.startswith("not valid YAML")
        assert issue.line >= 4

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            pytest.param(
                "categories:\n  - code: T01\n    name_zh: 名称\n    colour: red\n",
                (4, "colour", "unknown field"),
                id="unknown-field",
            ),
            pytest.param(
                "categories:\n  - code: T01\n    name_zh: 名称\n    code: T02\n",
                (4, "code", "given twice"),
                id="duplicate-key",
            ),
            pytest.param(
                "categories:\n  - code: T01\n    name_zh: 名称\n    minors:\n"
                "      - code: T02\n        kind: major\n        name_zh: 名称\n",
                (6, "kind", "must be minor categories"),
                id="major-nested-in-minors",
            ),
            pytest.param(
                "categories:\n  - code: T01\n    name_zh: 名称\n    keywords: [好, [坏]]\n",
                (4, "keywords", "single values"),
                id="nested-keyword-list",
            ),
            pytest.param(
                "categories:\n  - code: T01\n    name_zh: 名称\n    keywords: [甲, 乙、丙]\n",
                (4, "keywords", "contains a separator"),
                id="separator-in-keyword",
            ),
            pytest.param(
                "version: 2\ncategories: []\n", (1, "version", "only version 1"), id="version"
            ),
            pytest.param("- code: T01\n", (1, "file", "expected a mapping"), id="top-level-list"),
        ],
    )
    def test_bad_yaml_is_rejected_with_line_field_and_reason(self, tmp_path, text, expected):
        with pytest.raises(TaxonomyImportError) as excinfo:
            taxonomy_import(path=write(tmp_path, "bad.yaml", text))

        line, field, message = expected
        assert any(
            issue.line == line and issue.field == field and message in issue.message
            for issue in problems(excinfo)
        ), problems(excinfo)

    def test_yaml_codes_are_read_as_written_not_as_numbers(self, tmp_path):
        path = write(tmp_path, "numeric.yaml", "categories:\n  - code: 0110\n    name_zh: 名称\n")

        taxonomy_import(path=path)

        assert Category.objects.get().code == "0110"

    def test_gb18030_csv_from_excel_is_read(self, tmp_path):
        path = write(
            tmp_path,
            "excel.csv",
            HEADER + "T01,大类,,婚姻家庭纠纷,,,,,红色,离婚、彩礼,\n",
            "gb18030",
        )

        taxonomy_import(path=path)

        category = Category.objects.get()
        assert (category.name_zh, category.default_risk) == ("婚姻家庭纠纷", "red")
        assert category.keywords == ["离婚", "彩礼"]

    def test_a_file_without_categories_is_refused_rather_than_deactivating_everything(
        self, defaults, tmp_path
    ):
        with pytest.raises(TaxonomyImportError) as excinfo:
            taxonomy_import(path=write(tmp_path, "empty.csv", HEADER), mode="replace")

        assert problems(excinfo) == [ImportIssue(1, "file", "the file lists no categories")]
        assert not Category.objects.filter(is_active=False).exists()

    def test_other_file_types_are_refused(self, tmp_path):
        with pytest.raises(ValidationFailed, match="unsupported file type"):
            taxonomy_import(path=write(tmp_path, "taxonomy.xlsx", ""))
