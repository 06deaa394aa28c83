"""Reading and checking taxonomy files (CSV or YAML); the writing is in ``services``.

A file is checked completely before anything is written and every problem carries the line it
comes from, so an administrator fixes a spreadsheet in one pass instead of one error per try.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml
from django.core.exceptions import ValidationError
from django.db.models import Field

from fengqiao.core.errors import ValidationFailed
from fengqiao.orgs.models import DepartmentType, Level
from fengqiao.taxonomy.models import Category, CategoryKind, RiskColour

# Keys of Category.responsible, lowest level first: the order in which a case escalates.
RESPONSIBLE_LEVELS: tuple[str, ...] = tuple(
    level.name.lower() for level in sorted(Level, reverse=True)
)
CSV_COLUMNS: tuple[str, ...] = (
    "code", "kind", "parent_code", "name_zh", "name_en", "responsible",
    "acceptance_minutes", "resolution_days", "default_risk", "keywords", "sort_order",
)  # fmt: skip
REQUIRED_CSV_COLUMNS: tuple[str, ...] = ("code", "kind", "name_zh")
KEYWORD_SEPARATORS = re.compile(r"[;；、|｜]")
_RESPONSIBLE_SEPARATORS = re.compile(r"[;；]")
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")
_DB_INT_MAX = 2**31 - 1
_KEYWORD_MAX_LENGTH = 50
_NULL_TAG = "tag:yaml.org,2002:null"

# Spreadsheets are often filled in by Chinese-speaking staff; accept the Chinese words too.
_KINDS = {
    "major": CategoryKind.MAJOR,
    "minor": CategoryKind.MINOR,
    "大类": CategoryKind.MAJOR,
    "小类": CategoryKind.MINOR,
}
_RISKS = {
    "red": RiskColour.RED, "orange": RiskColour.ORANGE, "green": RiskColour.GREEN,
    "红": RiskColour.RED, "红色": RiskColour.RED, "橙": RiskColour.ORANGE,
    "橙色": RiskColour.ORANGE, "绿": RiskColour.GREEN, "绿色": RiskColour.GREEN,
}  # fmt: skip


def _model_field(name: str) -> Field[Any, Any]:
    model_field = Category._meta.get_field(name)
    if not isinstance(model_field, Field):
        raise TypeError(f"Category.{name} is not a concrete field")
    return model_field


class ImportIssue(NamedTuple):
    line: int
    field: str
    message: str


class TaxonomyImportError(ValidationFailed):
    """The file has problems; nothing was written."""

    def __init__(self, issues: Iterable[ImportIssue]) -> None:
        self.issues = sorted(issues)
        super().__init__(
            f"{len(self.issues)} problem(s) in the taxonomy file; nothing was imported",
            issues=[issue._asdict() for issue in self.issues],
        )


def level_problem(level: str) -> str | None:
    if level in RESPONSIBLE_LEVELS:
        return None
    return f"unknown level {level!r}; levels are {', '.join(RESPONSIBLE_LEVELS)}"


def department_type_problem(value: str) -> str | None:
    if value in DepartmentType.values:
        return None
    close = difflib.get_close_matches(value, DepartmentType.values, n=1)
    hint = f"did you mean {close[0]!r}?" if close else "see fengqiao.orgs.models.DepartmentType"
    return f"unknown department type {value!r}; {hint}"


def keyword_problem(keyword: str) -> str | None:
    if not keyword.strip():
        return "empty keyword"
    if KEYWORD_SEPARATORS.search(keyword):
        # A CSV export joins keywords with these characters; one inside a keyword would split it.
        return f"keyword {keyword!r} contains a separator (; 、 |)"
    if len(keyword) > _KEYWORD_MAX_LENGTH:
        return f"keyword {keyword!r} is longer than {_KEYWORD_MAX_LENGTH} characters"
    return None


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    line: int
    key: str
    value: str


@dataclass(frozen=True)
class _Field:
    line: int
    shape: Literal["scalar", "list", "mapping"]
    text: str | None = None
    items: tuple[_Item, ...] = ()


@dataclass
class _Entry:
    """One category as written in the file, before any check."""

    line: int
    fields: dict[str, _Field]
    default_kind: str | None = None
    # YAML minors take their parent from the major they are nested in.
    nested: bool = False
    enclosing_code: str | None = None
    minors_line: int | None = None

    def line_of(self, name: str) -> int:
        found = self.fields.get(name)
        return found.line if found else self.line

    def given(self, name: str) -> bool:
        found = self.fields.get(name)
        return found is not None and (found.shape != "scalar" or found.text is not None)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Chinese Windows saves "CSV" in the GBK family.
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("the file is neither UTF-8 nor GB18030 text", field="path") from exc


def _read_csv(text: str, issues: list[ImportIssue]) -> list[_Entry]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 1
    entries: list[_Entry] = []
    end_of_previous = 0
    for row in reader:
        line, end_of_previous = end_of_previous + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header, header_line = [cell.strip().lower() for cell in row], line
            if not _check_header(header, header_line, issues):
                return []
            continue
        if len(row) > len(header):
            issues.append(
                ImportIssue(line, "row", f"{len(row)} cells but the header has {len(header)}")
            )
            continue
        fields = {
            name: _Field(line, "scalar", cell.strip() or None)
            for name, cell in zip(header, row, strict=False)
            if name in CSV_COLUMNS
        }
        entries.append(_Entry(line=line, fields=fields))
    if header is None:
        issues.append(ImportIssue(header_line, "file", "the file is empty"))
    return entries


def _check_header(header: list[str], line: int, issues: list[ImportIssue]) -> bool:
    """Report header problems; False when rows cannot be read at all."""
    for name, count in Counter(header).items():
        if name not in CSV_COLUMNS:
            issues.append(
                ImportIssue(
                    line, name or "(blank)", f"unknown column; columns are {', '.join(CSV_COLUMNS)}"
                )
            )
        elif count > 1:
            issues.append(ImportIssue(line, name, "column appears more than once"))
    missing = [name for name in REQUIRED_CSV_COLUMNS if name not in header]
    for name in missing:
        issues.append(ImportIssue(line, name, "required column is missing"))
    return not missing


def _node_line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _report(issues: list[ImportIssue], node: yaml.Node, name: str, message: str) -> None:
    issues.append(ImportIssue(_node_line(node), name, message))


def _mapping_pairs(
    node: yaml.MappingNode, issues: list[ImportIssue]
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    pairs: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            _report(issues, key_node, "field", "field names must be plain words")
        elif key_node.value in pairs:
            _report(issues, key_node, key_node.value, "given twice in this entry")
        else:
            pairs[key_node.value] = (key_node, value_node)
    return pairs


def _read_yaml(text: str, issues: list[ImportIssue]) -> list[_Entry]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark else 1
        issues.append(ImportIssue(line, "file", f"not valid YAML: {exc.problem or exc}"))
        return []
    except yaml.YAMLError as exc:
        issues.append(ImportIssue(1, "file", f"not valid YAML: {exc}"))
        return []
    if not isinstance(root, yaml.MappingNode):
        line = _node_line(root) if root is not None else 1
        issues.append(ImportIssue(line, "file", "expected a mapping with a 'categories' list"))
        return []
    top = _mapping_pairs(root, issues)
    for key, (key_node, value_node) in top.items():
        if key not in ("version", "categories"):
            _report(issues, key_node, key, "unknown key; expected version and categories")
        elif key == "version" and getattr(value_node, "value", None) != "1":
            _report(issues, key_node, key, "only version 1 is supported")
    if "categories" not in top:
        _report(issues, root, "categories", "required key is missing")
        return []
    key_node, categories = top["categories"]
    if not isinstance(categories, yaml.SequenceNode):
        _report(issues, key_node, "categories", "must be a list of categories")
        return []
    entries: list[_Entry] = []
    for node in categories.value:
        _read_yaml_entry(node, entries, issues, nested=False, enclosing_code=None)
    return entries


def _read_yaml_entry(
    node: yaml.Node,
    entries: list[_Entry],
    issues: list[ImportIssue],
    *,
    nested: bool,
    enclosing_code: str | None,
) -> None:
    if not isinstance(node, yaml.MappingNode):
        _report(issues, node, "category", "each category must be a mapping of field: value")
        return
    fields: dict[str, _Field] = {}
    minors: tuple[yaml.Node, yaml.Node] | None = None
    for key, (key_node, value_node) in _mapping_pairs(node, issues).items():
        if key == "minors" and not nested:
            minors = (key_node, value_node)
        elif key in CSV_COLUMNS:
            fields[key] = _yaml_field(key, key_node, value_node, issues)
        else:
            hint = "minors cannot be nested in minors" if key == "minors" else "unknown field"
            _report(issues, key_node, key, hint)
    entry = _Entry(
        line=_node_line(node),
        fields=fields,
        default_kind=CategoryKind.MINOR if nested else CategoryKind.MAJOR,
        nested=nested,
        enclosing_code=enclosing_code,
        minors_line=_node_line(minors[0]) if minors else None,
    )
    entries.append(entry)
    if minors is None:
        return
    if not isinstance(minors[1], yaml.SequenceNode):
        _report(issues, minors[0], "minors", "must be a list of categories")
        return
    code = fields["code"].text if "code" in fields else None
    for child in minors[1].value:
        _read_yaml_entry(child, entries, issues, nested=True, enclosing_code=code)


def _scalar_text(node: yaml.ScalarNode) -> str | None:
    # Raw text, not the resolved value: a code like 0110 must not turn into the octal number 72.
    if node.tag == _NULL_TAG:
        return None
    return str(node.value).strip() or None


def _yaml_field(
    name: str, key_node: yaml.Node, node: yaml.Node, issues: list[ImportIssue]
) -> _Field:
    line = _node_line(key_node)
    if isinstance(node, yaml.ScalarNode):
        return _Field(line, "scalar", _scalar_text(node))
    items: list[_Item] = []
    pairs: Iterable[tuple[yaml.Node | None, yaml.Node]] = (
        node.value if isinstance(node, yaml.MappingNode) else ((None, item) for item in node.value)
    )
    for item_key, item_value in pairs:
        if not isinstance(item_value, yaml.ScalarNode) or not (
            item_key is None or isinstance(item_key, yaml.ScalarNode)
        ):
            _report(issues, item_value, name, "entries must be single values")
            continue
        key = str(item_key.value).strip() if item_key is not None else ""
        items.append(_Item(_node_line(item_value), key, _scalar_text(item_value) or ""))
    return _Field(
        line, "mapping" if isinstance(node, yaml.MappingNode) else "list", items=tuple(items)
    )


# --- checking one entry -------------------------------------------------------------------


@dataclass
class CategorySpec:
    """One checked category from a file; None means "not given" (default or inherited)."""

    line: int
    lines: dict[str, int]
    code: str
    kind: str
    parent_code: str | None
    name_zh: str
    name_en: str
    responsible: dict[str, str] | None
    acceptance_minutes: int | None
    resolution_days: int | None
    default_risk: str | None
    keywords: list[str]
    sort_order: int | None

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)


class _EntryChecker:
    def __init__(self, entry: _Entry, issues: list[ImportIssue]) -> None:
        self.entry = entry
        self.issues = issues
        self.failed = False

    def problem(self, name: str, message: str, line: int | None = None) -> None:
        self.failed = True
        self.issues.append(ImportIssue(line or self.entry.line_of(name), name, message))

    def text(
        self, name: str, *, required: bool = False, max_length: int | None = None
    ) -> str | None:
        found = self.entry.fields.get(name)
        if found is not None and found.shape != "scalar":
            self.problem(name, "must be a single value, not a list or mapping")
            return None
        text = found.text if found else None
        if text is None and required:
            self.problem(name, "is required")
        if text is not None and max_length is not None and len(text) > max_length:
            self.problem(name, f"is longer than {max_length} characters")
        return text

    def code(self, name: str, text: str | None) -> None:
        if text is None:
            return
        code_field = _model_field("code")
        if code_field.max_length and len(text) > code_field.max_length:
            self.problem(name, f"{text!r} is longer than {code_field.max_length} characters")
            return
        try:
            for validator in code_field.validators:
                validator(text)
        except ValidationError:
            self.problem(
                name, f"{text!r} is not a valid code (upper-case letters, digits, '.' and '-')"
            )

    def choice(self, name: str, choices: Mapping[str, str], expected: str) -> str | None:
        text = self.text(name)
        if text is None:
            return None
        value = choices.get(text.lower())
        if value is None:
            self.problem(name, f"unknown value {text!r}; use {expected}")
        return value

    def whole_number(self, name: str, *, minimum: int) -> int | None:
        text = self.text(name)
        if text is None:
            return None
        if not _WHOLE_NUMBER.fullmatch(text):
            self.problem(name, f"must be a whole number, got {text!r}")
            return None
        value = int(text)
        if not minimum <= value <= _DB_INT_MAX:
            self.problem(
                name,
                f"must be at least {minimum}, got {value}" if value < minimum else "is too large",
            )
            return None
        return value

    def responsible(self) -> dict[str, str] | None:
        found = self.entry.fields.get("responsible")
        if found is None or (found.shape == "scalar" and found.text is None):
            return None
        if found.shape == "list":
            self.problem("responsible", "must map levels to department types")
            return None
        items = list(found.items)
        for part in _RESPONSIBLE_SEPARATORS.split(found.text or ""):
            if not part.strip():
                continue
            level, sep, department = part.partition("=")
            if not sep:
                self.problem("responsible", f"{part.strip()!r} is not level=department_type")
            items.append(_Item(found.line, level.strip(), department.strip()))
        result: dict[str, str] = {}
        for item in items:
            message = level_problem(item.key) or department_type_problem(item.value)
            if item.key in result:
                message = f"level {item.key} is given twice"
            if message:
                self.problem("responsible", message, item.line)
            else:
                result[item.key] = item.value
        return result

    def keywords(self) -> list[str]:
        found = self.entry.fields.get("keywords")
        if found is None:
            return []
        if found.shape == "mapping":
            self.problem("keywords", "must be a list of words")
            return []
        # Split text may end with a separator or hold doubled ones; only list items can be empty.
        split = [part for part in KEYWORD_SEPARATORS.split(found.text or "") if part.strip()]
        items = [*found.items, *(_Item(found.line, "", part) for part in split)]
        result: list[str] = []
        for item in items:
            keyword = item.value.strip()
            message = keyword_problem(keyword)
            if message:
                self.problem("keywords", message, item.line)
            elif keyword not in result:
                result.append(keyword)
        return result


def _check_entry(entry: _Entry, issues: list[ImportIssue]) -> CategorySpec | None:
    check = _EntryChecker(entry, issues)
    code = check.text("code", required=True)
    check.code("code", code)
    kind = (
        check.choice("kind", _KINDS, "major or minor")
        if entry.given("kind")
        else check.text("kind", required=entry.default_kind is None) or entry.default_kind
    )
    parent_code = check.text("parent_code")
    check.code("parent_code", parent_code)
    if entry.nested:
        if kind == CategoryKind.MAJOR:
            check.problem("kind", "categories under 'minors' must be minor categories")
        if parent_code is not None and parent_code != entry.enclosing_code:
            check.problem(
                "parent_code", f"contradicts the major {entry.enclosing_code} it is nested in"
            )
        parent_code = entry.enclosing_code
        if parent_code is None:
            # The enclosing major has no code; that problem is already reported on its line.
            check.failed = True
    if kind == CategoryKind.MAJOR and parent_code is not None and not entry.nested:
        check.problem("parent_code", "a major category cannot have a parent")
    if kind == CategoryKind.MINOR and parent_code is None and not entry.nested:
        check.problem("parent_code", "a minor category needs parent_code")
    if entry.minors_line is not None and kind != CategoryKind.MAJOR:
        check.problem("minors", "only a major category can have minors", entry.minors_line)
    spec = CategorySpec(
        line=entry.line,
        lines={name: found.line for name, found in entry.fields.items()},
        code=code or "",
        kind=kind or "",
        parent_code=parent_code,
        name_zh=check.text("name_zh", required=True, max_length=_model_field("name_zh").max_length)
        or "",
        name_en=check.text("name_en", max_length=_model_field("name_en").max_length) or "",
        responsible=check.responsible(),
        acceptance_minutes=check.whole_number("acceptance_minutes", minimum=1),
        resolution_days=check.whole_number("resolution_days", minimum=1),
        default_risk=check.choice("default_risk", _RISKS, "red, orange or green"),
        keywords=check.keywords(),
        sort_order=check.whole_number("sort_order", minimum=0),
    )
    return None if check.failed else spec


# --- the whole file -----------------------------------------------------------------------


@dataclass
class ParsedTaxonomy:
    specs: list[CategorySpec]
    issues: list[ImportIssue]
    # Every code written in the file, valid or not: a minor whose parent row has a problem of
    # its own should not also be told that its parent is missing.
    codes: set[str] = field(default_factory=set)


def parse_taxonomy_file(path: Path) -> ParsedTaxonomy:
    """Read and check each entry of a .csv or .yaml file on its own; touches no database."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise ValidationFailed(
            f"unsupported file type {suffix or '(none)'}; use .csv, .yaml or .yml", field="path"
        )
    text = _decode(path.read_bytes())
    issues: list[ImportIssue] = []
    entries = _read_csv(text, issues) if suffix == ".csv" else _read_yaml(text, issues)
    if not entries and not issues:
        # With --replace an empty file would deactivate the whole taxonomy; never what is meant.
        issues.append(ImportIssue(1, "file", "the file lists no categories"))
    parsed = ParsedTaxonomy(specs=[], issues=issues)
    for entry in entries:
        spec = _check_entry(entry, issues)
        if spec is not None:
            parsed.specs.append(spec)
        code = entry.fields["code"].text if "code" in entry.fields else None
        if code:
            parsed.codes.add(code)
    return parsed
