from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def untranslated(po: Path) -> list[str]:
    """msgids whose msgstr is empty (the header entry excepted)."""
    lines = po.read_text(encoding="utf-8").splitlines()
    missing = []
    entries = 0
    msgid = ""
    for number, line in enumerate(lines):
        if line.startswith("msgid "):
            entries += 1
            msgid = line[6:] if line != 'msgid ""' else lines[number + 1]
        empty = line in ('msgstr ""', 'msgstr[0] ""')
        continued = number + 1 < len(lines) and lines[number + 1].startswith('"')
        if empty and not continued and entries > 1:
            missing.append(msgid)
    return missing


class TestChineseCatalogue:
    po = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"

    def test_every_message_is_translated(self):
        assert untranslated(self.po) == []

    def test_nothing_is_fuzzy(self):
        assert "#, fuzzy" not in self.po.read_text(encoding="utf-8")

    def test_is_compiled(self):
        assert self.po.with_suffix(".mo").exists()

    @pytest.mark.parametrize(
        ("english", "chinese"),
        [("Home", "首页"), ("Grid worker", "网格员"), ("Rotating weekly", "按周轮驻")],
    )
    def test_is_used_for_zh_hans(self, english, chinese):
        with translation.override("zh-hans"):
            assert translation.gettext(english) == chinese

    def test_the_org_browser_has_its_own_word_for_organisation(self):
        with translation.override("zh-hans"):
            assert translation.pgettext("org browser", "Organisation") == "组织架构"
            # The plain word also names a party that is not a person.
            assert translation.gettext("Organisation") == "组织"
