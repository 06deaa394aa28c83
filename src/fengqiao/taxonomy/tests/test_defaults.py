from __future__ import annotations

import pytest

from fengqiao.orgs.models import DepartmentType
from fengqiao.taxonomy.importer import RESPONSIBLE_LEVELS, parse_taxonomy_file
from fengqiao.taxonomy.models import Category, CategoryKind, Channel, RiskColour
from fengqiao.taxonomy.services import (
    DEFAULT_TAXONOMY_PATH,
    load_default_channels,
    load_default_taxonomy,
)


@pytest.mark.django_db
class TestLoadDefaultTaxonomy:
    def test_loads_18_majors_and_140_to_160_minors(self):
        result = load_default_taxonomy()

        majors = Category.objects.filter(kind=CategoryKind.MAJOR).count()
        minors = Category.objects.filter(kind=CategoryKind.MINOR).count()
        assert majors == 18
        assert 140 <= minors <= 160
        assert result.created == majors + minors

    def test_every_minor_hangs_under_a_major(self):
        load_default_taxonomy()

        minors = Category.objects.filter(kind=CategoryKind.MINOR).select_related("parent")
        assert all(minor.parent and minor.parent.kind == CategoryKind.MAJOR for minor in minors)
        assert not Category.objects.filter(kind=CategoryKind.MAJOR, parent__isnull=False).exists()

    def test_file_codes_are_unique(self):
        codes = [spec.code for spec in parse_taxonomy_file(DEFAULT_TAXONOMY_PATH).specs]

        assert len(codes) == len(set(codes))

    def test_responsible_names_known_levels_and_department_types(self):
        load_default_taxonomy()

        for category in Category.objects.all():
            assert category.responsible, category.code
            assert set(category.responsible) <= set(RESPONSIBLE_LEVELS), category.code
            assert set(category.responsible.values()) <= set(DepartmentType.values), category.code

    def test_minors_inherit_unspecified_values_from_their_major(self):
        load_default_taxonomy()

        family = Category.objects.get(code="M01")
        divorce = Category.objects.get(code="M01.01")
        violence = Category.objects.get(code="M01.09")
        assert divorce.responsible == family.responsible
        assert (divorce.acceptance_minutes, divorce.resolution_days) == (15, 30)
        assert divorce.default_risk == RiskColour.GREEN
        assert violence.default_risk == RiskColour.RED
        assert violence.acceptance_minutes < family.acceptance_minutes
        assert violence.responsible["township"] == DepartmentType.POLICE

    def test_every_minor_but_the_catch_all_has_keywords_for_intake(self):
        load_default_taxonomy()

        without = Category.objects.filter(kind=CategoryKind.MINOR, keywords=[])
        assert list(without.values_list("code", flat=True)) == ["M18.09"]

    def test_wage_arrears_are_found_by_their_usual_words(self):
        load_default_taxonomy()

        arrears = Category.objects.get(code="M10.01")
        assert {"欠薪", "讨薪", "包工头"} <= set(arrears.keywords)
        assert arrears.responsible["township"] == DepartmentType.HRSS

    def test_second_run_creates_and_changes_nothing(self):
        load_default_taxonomy()
        before = list(Category.objects.order_by("code").values())

        result = load_default_taxonomy()

        assert (result.created, result.updated, result.deactivated) == (0, 0, 0)
        assert list(Category.objects.order_by("code").values()) == before

    def test_keeps_local_edits_unless_told_to_overwrite(self):
        load_default_taxonomy()
        Category.objects.filter(code="M02.04").update(resolution_days=3)

        kept = load_default_taxonomy()
        resolution_after_plain_run = Category.objects.get(code="M02.04").resolution_days
        overwritten = load_default_taxonomy(overwrite=True)

        assert resolution_after_plain_run == 3
        assert kept.skipped == Category.objects.count()
        assert overwritten.updated == 1
        assert Category.objects.get(code="M02.04").resolution_days == 7


@pytest.mark.django_db
class TestLoadDefaultChannels:
    def test_loads_18_channels_with_proactive_ones_marked(self):
        result = load_default_channels()

        assert result.created == Channel.objects.count() == 18
        proactive = set(Channel.objects.filter(is_proactive=True).values_list("code", flat=True))
        assert proactive == {"grid-patrol", "sensor", "screening", "public-opinion"}
        assert {"110", "12345", "letter", "visit"} <= set(
            Channel.objects.values_list("code", flat=True)
        )

    def test_second_run_creates_and_changes_nothing(self):
        load_default_channels()
        before = list(Channel.objects.order_by("code").values())

        result = load_default_channels()

        assert (result.created, result.updated) == (0, 0)
        assert list(Channel.objects.order_by("code").values()) == before

    def test_overwrite_restores_shipped_names(self):
        load_default_channels()
        Channel.objects.filter(code="sensor").update(name_zh="改过的名字")

        result = load_default_channels(overwrite=True)

        assert (result.updated, result.unchanged) == (1, 17)
        assert Channel.objects.get(code="sensor").name_zh == "感知预警"
