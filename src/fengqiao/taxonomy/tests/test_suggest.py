from __future__ import annotations

import pytest
from django.utils import translation

from fengqiao.taxonomy.models import Category, CategoryKind
from fengqiao.taxonomy.suggest import suggest_categories

pytestmark = pytest.mark.usefixtures("defaults")


def codes(text: str, limit: int = 5) -> list[str]:
    return [s.code for s in suggest_categories(text, limit=limit)]


class TestSuggestions:
    def test_wage_arrears_suggests_unpaid_wages_first_with_the_words_that_matched(self):
        first = suggest_categories("包工头拖欠工资三个月")[0]
        assert first.code == "M10.01"
        assert {"包工头", "拖欠工资", "工资"} <= set(first.matched)
        assert first.major_code == "M10"
        assert first.default_risk == "orange"

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("楼上卫生间漏水到我家天花板", "M02.05"),
            ("外卖骑手被平台扣钱", "M10.10"),
            ("丈夫家暴，多次殴打妻子", "M01.09"),
            ("对方婚后反悔，要求退彩礼", "M01.02"),
        ],
    )
    def test_keywords_point_at_their_minor_category(self, text, code):
        assert codes(text)[0] == code

    def test_words_split_by_other_words_still_match_through_jieba(self):
        # 「拖欠工资」 never occurs verbatim; jieba finds 拖欠 and 工资 in the text.
        first = suggest_categories("他拖欠了我们的工资")[0]
        assert first.code == "M10.01"
        assert "拖欠工资" in first.matched

    def test_only_active_minor_categories_are_suggested(self):
        found = suggest_categories("婚姻家庭的事情，邻居吵架", limit=20)
        kinds = set(
            Category.objects.filter(code__in=[s.code for s in found]).values_list("kind", flat=True)
        )
        assert kinds == {CategoryKind.MINOR}

    def test_nothing_for_empty_or_unrelated_text(self):
        assert suggest_categories("") == []
        assert suggest_categories("   ") == []
        assert suggest_categories("今天天气晴朗") == []

    def test_limit_is_respected(self):
        assert len(suggest_categories("邻居", limit=2)) == 2
        assert suggest_categories("邻居", limit=0) == []

    def test_names_follow_the_active_language(self):
        with translation.override("en"):
            first = suggest_categories("包工头拖欠工资")[0]
            assert first.name == "Unpaid wages of migrant workers"
        with translation.override("zh-hans"):
            assert first.name == "拖欠农民工工资"


class TestIndexFollowsTheTaxonomy:
    def test_a_new_keyword_is_seen_without_a_restart(self):
        assert "M02.06" not in codes("小区里有人放养孔雀")
        category = Category.objects.get(code="M02.06")
        category.keywords = [*category.keywords, "孔雀"]
        category.save()
        assert codes("小区里有人放养孔雀")[0] == "M02.06"

    def test_a_deactivated_category_disappears(self):
        assert codes("包工头拖欠工资")[0] == "M10.01"
        category = Category.objects.get(code="M10.01")
        category.is_active = False
        category.save()
        assert "M10.01" not in codes("包工头拖欠工资", limit=20)

    def test_a_new_category_is_suggested(self):
        major = Category.objects.get(code="M02")
        Category.objects.create(
            code="M02.99",
            name_zh="电动车充电纠纷",
            name_en="E-bike charging disputes",
            kind=CategoryKind.MINOR,
            parent=major,
            keywords=["飞线充电", "电瓶车充电"],
        )
        assert codes("楼下有人飞线充电")[0] == "M02.99"
