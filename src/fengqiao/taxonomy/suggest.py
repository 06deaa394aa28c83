"""Category suggestions at intake: which minor categories the words of a description point at.

Every active minor category contributes its own keywords (strong), the words of its Chinese
name (weak) and its major category's keywords (weak). A description matches a multi-character
term fully when the term occurs in it verbatim, and partly when most of the words jieba finds
inside the term occur in it (so 「拖欠了工资」 still finds 拖欠工资, a little less strongly).
Single-character terms only match a whole jieba word.

The index is built once per process and rebuilt when the categories change, noticed through a
cheap version token (count, highest id and latest update of all categories), so an edit in the
admin is seen by every web worker without a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import jieba
from django.db.models import Count, Max
from django.utils.translation import get_language

from fengqiao.taxonomy.models import Category, CategoryKind

# Words so common in category names that they say nothing about which category is meant.
NAME_STOPWORDS = frozenset(
    {"纠纷", "争议", "问题", "其他", "引发", "相关", "之间", "方面", "事件", "矛盾", "权益"}
)
KEYWORD_WEIGHT = 3.0
NAME_WEIGHT = 1.0
MAJOR_KEYWORD_WEIGHT = 1.0
# A term found only through jieba's words (not verbatim) counts for this share of its weight,
# times the share of its words found; fewer than two, or under half, of its words is no match.
TOKEN_MATCH_SHARE = 0.6
MIN_WORD_SHARE = 0.5
# Suggestions look at the start of a description; a long statement repeats itself later on.
MAX_TEXT_CHARS = 4000

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    category_id: int
    code: str
    name_zh: str
    name_en: str
    major_code: str
    major_name_zh: str
    major_name_en: str
    default_risk: str
    score: float
    matched: tuple[str, ...]

    @property
    def name(self) -> str:
        return _in_language(self.name_zh, self.name_en)

    @property
    def major_name(self) -> str:
        return _in_language(self.major_name_zh, self.major_name_en)


def _in_language(zh: str, en: str) -> str:
    language = get_language() or "zh-hans"
    return en if language.startswith("en") and en else zh


@dataclass(frozen=True)
class _Term:
    text: str
    weight: float
    # The dictionary words jieba finds inside the term (not the term itself).
    words: tuple[str, ...]


@dataclass
class _Entry:
    category_id: int
    code: str
    name_zh: str
    name_en: str
    major_code: str
    major_name_zh: str
    major_name_en: str
    default_risk: str
    sort_order: int
    terms: list[_Term] = field(default_factory=list)


@dataclass(frozen=True)
class _Index:
    token: tuple[int, int, str]
    entries: tuple[_Entry, ...]


_lock = threading.Lock()
_index: _Index | None = None
_tokenizer: jieba.Tokenizer | None = None


def _version_token() -> tuple[int, int, str]:
    row = Category.objects.aggregate(n=Count("id"), top=Max("id"), last=Max("updated_at"))
    last: datetime | None = row["last"]
    return row["n"], row["top"] or 0, last.isoformat() if last else ""


def _get_tokenizer() -> jieba.Tokenizer:
    """One jieba tokenizer per process, separate from jieba's global one (which we leave alone)."""
    global _tokenizer
    if _tokenizer is None:
        logging.getLogger("jieba").setLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        _tokenizer = tokenizer
    return _tokenizer


def _words(tokenizer: jieba.Tokenizer, text: str) -> list[str]:
    """Words in search mode: long words and the dictionary words inside them."""
    return [w for w in (t.strip() for t in tokenizer.cut_for_search(text)) if w]


def _inner_words(tokenizer: jieba.Tokenizer, term: str) -> tuple[str, ...]:
    if len(term) == 1:
        return (term,)
    return tuple(sorted(set(_words(tokenizer, term)) - {term}))


def _clean_keywords(values: Iterable[object]) -> list[str]:
    return [str(v).strip() for v in values if isinstance(v, str) and str(v).strip()]


def _build(token: tuple[int, int, str]) -> _Index:
    tokenizer = _get_tokenizer()
    minors = (
        Category.objects.filter(kind=CategoryKind.MINOR, is_active=True)
        .select_related("parent")
        .order_by("sort_order", "code")
    )
    rows = list(minors)
    # Keywords become words of the tokenizer's dictionary, so a description splits around them.
    for category in rows:
        for keyword in _clean_keywords(category.keywords):
            if len(keyword) > 1:
                tokenizer.add_word(keyword)
    entries: list[_Entry] = []
    for category in rows:
        parent = category.parent
        entry = _Entry(
            category_id=category.pk,
            code=category.code,
            name_zh=category.name_zh,
            name_en=category.name_en,
            major_code=parent.code if parent else "",
            major_name_zh=parent.name_zh if parent else "",
            major_name_en=parent.name_en if parent else "",
            default_risk=category.default_risk,
            sort_order=category.sort_order,
        )
        seen: set[str] = set()

        def add(text: str, weight: float, entry: _Entry = entry, seen: set[str] = seen) -> None:
            if text in seen:
                return
            seen.add(text)
            entry.terms.append(_Term(text, weight, _inner_words(tokenizer, text)))

        for keyword in _clean_keywords(category.keywords):
            add(keyword, KEYWORD_WEIGHT)
        for word in tokenizer.lcut(category.name_zh):
            if len(word) > 1 and word not in NAME_STOPWORDS:
                add(word, NAME_WEIGHT)
        for keyword in _clean_keywords(parent.keywords if parent else []):
            add(keyword, MAJOR_KEYWORD_WEIGHT)
        entries.append(entry)
    _log.debug("category suggestion index built: %d categories", len(entries))
    return _Index(token, tuple(entries))


def _current_index() -> _Index:
    global _index
    token = _version_token()
    current = _index
    if current is not None and current.token == token:
        return current
    with _lock:
        if _index is None or _index.token != token:
            _index = _build(token)
        return _index


def invalidate() -> None:
    global _index
    with _lock:
        _index = None


def _term_score(term: _Term, text: str, words: set[str]) -> float:
    """How strongly one term matches; longer terms are more specific and count a little more."""
    specificity = 1 + 0.2 * max(len(term.text) - 2, 0)
    if len(term.text) == 1:
        return term.weight if term.text in words else 0.0
    if term.text in text:
        return term.weight * specificity
    if len(term.words) < 2:
        return 0.0  # one inner word alone is too loose a match
    hits = sum(1 for w in term.words if w in words)
    share = hits / len(term.words)
    if hits < 2 or share < MIN_WORD_SHARE:
        return 0.0
    return term.weight * specificity * TOKEN_MATCH_SHARE * share


def suggest_categories(text: str, limit: int = 5) -> list[Suggestion]:
    """Active minor categories whose keywords (or name words) occur in ``text``, best first."""
    compact = "".join(text[:MAX_TEXT_CHARS].split())
    if not compact or limit < 1:
        return []
    index = _current_index()
    words = set(_words(_get_tokenizer(), compact))
    ranked: list[tuple[float, int, Suggestion]] = []
    for entry in index.entries:
        score = 0.0
        matched: list[str] = []
        for term in entry.terms:
            points = _term_score(term, compact, words)
            if points > 0:
                score += points
                matched.append(term.text)
        if score <= 0:
            continue
        ranked.append(
            (
                score,
                entry.sort_order,
                Suggestion(
                    category_id=entry.category_id,
                    code=entry.code,
                    name_zh=entry.name_zh,
                    name_en=entry.name_en,
                    major_code=entry.major_code,
                    major_name_zh=entry.major_name_zh,
                    major_name_en=entry.major_name_en,
                    default_risk=entry.default_risk,
                    score=round(score, 2),
                    matched=tuple(matched),
                ),
            )
        )
    ranked.sort(key=lambda item: (-item[0], item[1], item[2].code))
    return [suggestion for _score, _order, suggestion in ranked[:limit]]
