"""Taxonomy changes: importing and exporting category files, loading the shipped defaults.

:mod:`fengqiao.taxonomy.importer` reads and checks a file on its own; this module compares it
with the database and writes the difference, or writes the database back out as a file.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

import yaml
from django.db import transaction
from django.utils import timezone

from fengqiao.core.errors import ValidationFailed
from fengqiao.taxonomy.importer import (
    CSV_COLUMNS,
    RESPONSIBLE_LEVELS,
    CategorySpec,
    ImportIssue,
    ParsedTaxonomy,
    TaxonomyImportError,
    parse_taxonomy_file,
)
from fengqiao.taxonomy.models import Category, CategoryKind, Channel

ImportMode = Literal["extend", "replace"]
ExportFormat = Literal["yaml", "csv"]
_T = TypeVar("_T")

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_TAXONOMY_PATH = DATA_DIR / "default_taxonomy.yaml"
DEFAULT_CHANNELS_PATH = DATA_DIR / "channels.yaml"
# Majors are numbered 100, 200, ... and their minors 101, 102, ... so one list ordered by
# sort_order shows each major followed by its own minors.
MAJOR_SORT_STEP = 100


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    # Existing rows a create-only load (the shipped defaults) left as the administrator set them.
    skipped: int = 0

    def summary(self) -> str:
        text = (
            f"created {self.created}, updated {self.updated}, "
            f"deactivated {self.deactivated}, unchanged {self.unchanged}"
        )
        return f"{text}, kept {self.skipped} existing" if self.skipped else text


@transaction.atomic(durable=True)
def taxonomy_import(
    *, path: Path, mode: ImportMode = "extend", dry_run: bool = False
) -> ImportResult:
    """Upsert the categories of a .csv or .yaml file by code, all or nothing.

    A minor without responsible, deadlines or risk takes its major's; a row without sort_order
    is placed by its position in the file (majors 100, 200, ...; minors parent + 1, + 2, ...).
    ``replace`` also deactivates every category the file does not list; categories are never
    deleted because cases keep referring to them. Raises :class:`TaxonomyImportError` with
    every problem found, before writing anything.
    """
    if mode not in ("extend", "replace"):
        raise ValidationFailed(f"unknown import mode {mode!r}", field="mode")
    plan = _plan_import(parse_taxonomy_file(path), mode=mode)
    if not dry_run:
        _apply_plan(plan)
    return plan.result


# Not durable: `fengqiao init` may load the defaults inside a transaction of its own.
@transaction.atomic
def load_default_taxonomy(*, overwrite: bool = False) -> ImportResult:
    """Create the shipped categories that are missing.

    Existing categories keep local edits unless ``overwrite`` is set, so running this again
    (every ``fengqiao init``) changes nothing.
    """
    plan = _plan_import(
        parse_taxonomy_file(DEFAULT_TAXONOMY_PATH), mode="extend", overwrite=overwrite
    )
    _apply_plan(plan)
    return plan.result


@transaction.atomic
def load_default_channels(*, overwrite: bool = False) -> ImportResult:
    """Create the shipped intake channels that are missing; like :func:`load_default_taxonomy`."""
    data = yaml.safe_load(DEFAULT_CHANNELS_PATH.read_text(encoding="utf-8"))
    existing = {channel.code: channel for channel in Channel.objects.all()}
    counts: Counter[str] = Counter()
    for position, raw in enumerate(data["channels"], start=1):
        code = str(raw["code"])
        values: dict[str, Any] = {
            "name_zh": raw["name_zh"],
            "name_en": raw["name_en"],
            "description": raw.get("description", ""),
            "is_proactive": bool(raw.get("is_proactive", False)),
            "sort_order": position,
            "is_active": True,
        }
        channel = existing.get(code)
        if channel is None:
            channel, outcome = Channel(code=code), "created"
        elif not overwrite:
            counts["skipped"] += 1
            continue
        elif all(getattr(channel, name) == value for name, value in values.items()):
            counts["unchanged"] += 1
            continue
        else:
            outcome = "updated"
        for name, value in values.items():
            setattr(channel, name, value)
        channel.full_clean()
        channel.save()
        counts[outcome] += 1
    return ImportResult(**counts)


class _Values(NamedTuple):
    """Everything an import sets on a category, fully resolved (nothing left to inherit)."""

    kind: str
    parent_code: str | None
    name_zh: str
    name_en: str
    responsible: dict[str, str]
    acceptance_minutes: int
    resolution_days: int
    default_risk: str
    keywords: list[str]
    sort_order: int
    is_active: bool

    @classmethod
    def of(cls, category: Category) -> _Values:
        return cls(
            kind=category.kind,
            parent_code=category.parent.code if category.parent else None,
            name_zh=category.name_zh,
            name_en=category.name_en,
            responsible=dict(category.responsible),
            acceptance_minutes=category.acceptance_minutes,
            resolution_days=category.resolution_days,
            default_risk=category.default_risk,
            keywords=list(category.keywords),
            sort_order=category.sort_order,
            is_active=category.is_active,
        )


def default_sort_order(*, position: int, parent_sort_order: int | None) -> int:
    """Sort order of the ``position``-th (1-based) major, or minor of one parent, in a file."""
    if parent_sort_order is None:
        return position * MAJOR_SORT_STEP
    return parent_sort_order + position


def _link_issues(
    parsed: ParsedTaxonomy, existing: dict[str, Category], mode: ImportMode
) -> list[ImportIssue]:
    issues: list[ImportIssue] = []
    by_code: dict[str, CategorySpec] = {}
    for spec in parsed.specs:
        if spec.code in by_code:
            first = by_code[spec.code].line
            issues.append(
                ImportIssue(
                    spec.line_of("code"),
                    "code",
                    f"duplicate code {spec.code} (first on line {first})",
                )
            )
        else:
            by_code[spec.code] = spec
    for spec in parsed.specs:
        if spec.kind != CategoryKind.MINOR or spec.parent_code is None:
            continue
        parent, line = spec.parent_code, spec.line_of("parent_code")
        message = None
        if parent in by_code:
            if by_code[parent].kind != CategoryKind.MAJOR:
                message = f"{parent} is a minor category; a parent must be a major category"
        elif parent in parsed.codes:
            continue
        elif parent not in existing:
            message = f"{parent} is neither in the file nor in the database"
        elif existing[parent].kind != CategoryKind.MAJOR:
            message = (
                f"{parent} is a minor category in the database; a parent must be a major category"
            )
        elif mode == "replace" and existing[parent].is_active:
            message = f"{parent} is not in the file, so replacing would deactivate it"
        if message:
            issues.append(ImportIssue(line, "parent_code", message))
    for spec in parsed.specs:
        current = existing.get(spec.code)
        if spec.kind != CategoryKind.MINOR or current is None or current.kind != CategoryKind.MAJOR:
            continue
        # Children that the file does not move elsewhere would end up under a minor category.
        stranded = sorted(
            code
            for code, category in existing.items()
            if category.parent_id == current.pk and code not in by_code
        )
        if stranded:
            issues.append(
                ImportIssue(
                    spec.line_of("kind"),
                    "kind",
                    f"{spec.code} cannot become a minor category while {', '.join(stranded[:5])} "
                    "sit under it",
                )
            )
    return issues


def _resolve(specs: list[CategorySpec], existing: dict[str, Category]) -> dict[str, _Values]:
    """Fill in defaults for majors and inherited values for minors; majors come first."""
    resolved: dict[str, _Values] = {}
    majors = [spec for spec in specs if spec.kind == CategoryKind.MAJOR]
    for position, spec in enumerate(majors, start=1):
        resolved[spec.code] = _Values(
            kind=CategoryKind.MAJOR,
            parent_code=None,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            responsible=spec.responsible if spec.responsible is not None else {},
            acceptance_minutes=_given(spec.acceptance_minutes, "acceptance_minutes"),
            resolution_days=_given(spec.resolution_days, "resolution_days"),
            default_risk=_given(spec.default_risk, "default_risk"),
            keywords=spec.keywords,
            sort_order=_given(
                spec.sort_order,
                "sort_order",
                default_sort_order(position=position, parent_sort_order=None),
            ),
            is_active=True,
        )
    positions: Counter[str] = Counter()
    for spec in specs:
        if spec.kind != CategoryKind.MINOR or spec.parent_code is None:
            continue
        parent = resolved.get(spec.parent_code) or _Values.of(existing[spec.parent_code])
        positions[spec.parent_code] += 1
        derived_sort = default_sort_order(
            position=positions[spec.parent_code], parent_sort_order=parent.sort_order
        )
        resolved[spec.code] = _Values(
            kind=CategoryKind.MINOR,
            parent_code=spec.parent_code,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            responsible=spec.responsible
            if spec.responsible is not None
            else dict(parent.responsible),
            acceptance_minutes=_given(
                spec.acceptance_minutes, "acceptance_minutes", parent.acceptance_minutes
            ),
            resolution_days=_given(spec.resolution_days, "resolution_days", parent.resolution_days),
            default_risk=_given(spec.default_risk, "default_risk", parent.default_risk),
            keywords=spec.keywords,
            sort_order=_given(spec.sort_order, "sort_order", derived_sort),
            is_active=True,
        )
    return resolved


def _given(value: _T | None, name: str, fallback: _T | None = None) -> _T:
    if value is not None:
        return value
    if fallback is not None:
        return fallback
    # A fresh instance carries the model's field defaults.
    default: _T = getattr(Category(), name)
    return default


@dataclass
class _ImportPlan:
    existing: dict[str, Category]
    # Creations and updates in write order: majors before minors so every parent exists first.
    writes: list[tuple[str, _Values]]
    deactivate: list[int]
    result: ImportResult


def _plan_import(
    parsed: ParsedTaxonomy, *, mode: ImportMode, overwrite: bool = True
) -> _ImportPlan:
    """Check the file against the database and work out the changes; raises if anything is wrong.

    With ``overwrite=False`` categories that already exist are left as they are.
    """
    existing = {category.code: category for category in Category.objects.select_related("parent")}
    issues = [*parsed.issues, *_link_issues(parsed, existing, mode)]
    if issues:
        raise TaxonomyImportError(issues)
    counts: Counter[str] = Counter()
    writes: list[tuple[str, _Values]] = []
    resolved = _resolve(parsed.specs, existing)
    for code, values in resolved.items():
        current = existing.get(code)
        if current is None:
            counts["created"] += 1
        elif not overwrite:
            counts["skipped"] += 1
            continue
        elif _Values.of(current) == values:
            counts["unchanged"] += 1
            continue
        else:
            counts["updated"] += 1
        writes.append((code, values))
    deactivate = [
        category.pk
        for code, category in existing.items()
        if mode == "replace" and category.is_active and code not in resolved
    ]
    result = ImportResult(deactivated=len(deactivate), **counts)
    return _ImportPlan(existing=existing, writes=writes, deactivate=deactivate, result=result)


def _apply_plan(plan: _ImportPlan) -> None:
    """Write a plan; the caller owns the transaction."""
    categories = dict(plan.existing)
    for code, values in plan.writes:
        category = categories.get(code) or Category(code=code)
        category.kind = values.kind
        category.parent = categories[values.parent_code] if values.parent_code else None
        category.name_zh = values.name_zh
        category.name_en = values.name_en
        category.responsible = values.responsible
        category.acceptance_minutes = values.acceptance_minutes
        category.resolution_days = values.resolution_days
        category.default_risk = values.default_risk
        category.keywords = values.keywords
        category.sort_order = values.sort_order
        category.is_active = values.is_active
        category.save()
        categories[code] = category
    if plan.deactivate:
        Category.objects.filter(pk__in=plan.deactivate).update(
            is_active=False, updated_at=timezone.now()
        )


# --- export -------------------------------------------------------------------------------


def taxonomy_export(*, file_format: ExportFormat = "yaml") -> str:
    """The active categories as a file that :func:`taxonomy_import` reads back unchanged.

    YAML nests minors under their major and leaves out what a minor inherits; CSV spells
    every value out, one row per category, for editing in a spreadsheet.
    """
    rows = _export_rows()
    if file_format == "csv":
        return _export_csv(rows)
    if file_format == "yaml":
        return _export_yaml(rows)
    raise ValidationFailed(f"unknown export format {file_format!r}", field="format")


class _ExportRow(NamedTuple):
    code: str
    values: _Values
    # Values a minor would inherit (None for a major) and the sort order it would get by
    # position: YAML leaves out whatever equals them.
    inherited: _Values | None
    derived_sort_order: int
    nested: bool


def _export_rows() -> list[_ExportRow]:
    """Majors in order, each followed by its minors; minors of inactive majors come last."""
    categories = list(
        Category.objects.filter(is_active=True)
        .select_related("parent")
        .order_by("sort_order", "code")
    )
    values = {category.code: _Values.of(category) for category in categories}
    parents = {
        category.code: _Values.of(category.parent) for category in categories if category.parent
    }
    children: defaultdict[str, list[str]] = defaultdict(list)
    for code, value in values.items():
        if value.parent_code is not None:
            children[value.parent_code].append(code)
    rows: list[_ExportRow] = []
    majors = [code for code, value in values.items() if value.kind == CategoryKind.MAJOR]
    for position, code in enumerate(majors, start=1):
        rows.append(
            _ExportRow(
                code,
                values[code],
                None,
                default_sort_order(position=position, parent_sort_order=None),
                False,
            )
        )
        rows.extend(_export_minors(children.pop(code, []), values, parents, nested=True))
    # Whatever is left hangs under a category that is not exported: write it with parent_code.
    for codes in children.values():
        rows.extend(_export_minors(codes, values, parents, nested=False))
    return rows


def _export_minors(
    codes: list[str], values: dict[str, _Values], parents: dict[str, _Values], *, nested: bool
) -> list[_ExportRow]:
    rows = []
    for position, code in enumerate(codes, start=1):
        parent = parents[code]
        derived = default_sort_order(position=position, parent_sort_order=parent.sort_order)
        rows.append(_ExportRow(code, values[code], parent, derived, nested))
    return rows


def _export_csv(rows: list[_ExportRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        value = row.values
        writer.writerow(
            [
                row.code,
                value.kind,
                value.parent_code or "",
                value.name_zh,
                value.name_en,
                ";".join(
                    f"{level}={department}"
                    for level, department in _ordered_levels(value.responsible)
                ),
                value.acceptance_minutes,
                value.resolution_days,
                value.default_risk,
                "、".join(value.keywords),
                value.sort_order,
            ]
        )
    return buffer.getvalue()


def _ordered_levels(responsible: dict[str, str]) -> list[tuple[str, str]]:
    rank = {level: index for index, level in enumerate(RESPONSIBLE_LEVELS)}
    return sorted(responsible.items(), key=lambda item: rank.get(item[0], len(rank)))


class _FlowList(list[str]):
    """Written on one line: keyword lists stay readable."""


class _FlowDict(dict[str, str]):
    """Written on one line: responsible departments stay readable."""


class _ExportDumper(yaml.SafeDumper):
    pass


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_flow_dict(dumper: yaml.SafeDumper, data: _FlowDict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


_ExportDumper.add_representer(_FlowList, _represent_flow_list)
_ExportDumper.add_representer(_FlowDict, _represent_flow_dict)
_INHERITED_FIELDS = ("responsible", "acceptance_minutes", "resolution_days", "default_risk")


def _yaml_entry(row: _ExportRow) -> dict[str, Any]:
    value = row.values
    entry: dict[str, Any] = {"code": row.code}
    if value.kind == CategoryKind.MINOR and not row.nested:
        entry.update(kind=value.kind, parent_code=value.parent_code)
    entry["name_zh"] = value.name_zh
    if value.name_en:
        entry["name_en"] = value.name_en
    for name in _INHERITED_FIELDS:
        given = getattr(value, name)
        if row.inherited is None or given != getattr(row.inherited, name):
            entry[name] = _FlowDict(_ordered_levels(given)) if name == "responsible" else given
    if row.inherited is None or value.keywords:
        entry["keywords"] = _FlowList(value.keywords)
    if value.sort_order != row.derived_sort_order:
        entry["sort_order"] = value.sort_order
    return entry


def _export_yaml(rows: list[_ExportRow]) -> str:
    categories: list[dict[str, Any]] = []
    for row in rows:
        entry = _yaml_entry(row)
        if row.nested:
            categories[-1].setdefault("minors", []).append(entry)
        else:
            categories.append(entry)
    document = {"version": 1, "categories": categories}
    header = "# Fengqiao dispute taxonomy; load with `fengqiao taxonomy import FILE`.\n"
    return header + yaml.dump(
        document, Dumper=_ExportDumper, allow_unicode=True, sort_keys=False, width=100
    )
