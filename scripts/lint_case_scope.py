"""Project lint: no unscoped case query outside the modules allowed to make one.

Reads of cases must go through ``fengqiao.cases.selectors`` (which applies the acting user's
jurisdiction). A bare ``Case.objects`` elsewhere is how a page ends up listing another township's
disputes, so it fails ``make check``. Writers (services, timers, importers, demo data) and the
selectors themselves are allowed.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "fengqiao"
GUARDED = {"Case", "Party", "Report", "TimelineEvent"}
ALLOWED = {
    "cases/selectors.py",
    "cases/services.py",
    "cases/lifecycle.py",
    "cases/deadlines.py",
    "cases/importer.py",
    "cases/import_rows.py",
    # System-wide, read-only aggregates over all cases, each documented where it is written.
    "hotspots/counts.py",
    "safety/metrics.py",
    "metrics/aggregate.py",
}
ALLOWED_DIRS = ("cases/migrations/", "demo/", "testing/")


def violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager", "_base_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in GUARDED
        ):
            found.append(
                f"{path.relative_to(ROOT.parent.parent)}:{node.lineno}: unscoped {node.value.id}.{node.attr}"
                " — read through fengqiao.cases.selectors"
            )
    return found


def main() -> int:
    problems: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED or relative.startswith(ALLOWED_DIRS) or "/tests/" in f"/{relative}":
            continue
        problems += violations(path)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
