"""The ``fengqiao`` command: Fengqiao's own commands first, any Django command via ``manage``."""

from __future__ import annotations

import os
import sys

COMMANDS: dict[str, str] = {
    "init": "migrate and load the default taxonomy and channels (--demo: also the demo region)",
    "serve": "serve the web UI and API with gunicorn [--host --port --workers]",
    "worker": "run the background task worker",
    "demo": "init --demo, then serve and worker together; prints the URL and demo logins",
    "createuser": "create a user with a role and org units",
    "token": "print a new API token for a user (for integrations)",
    "taxonomy": "import/export the dispute taxonomy (taxonomy import FILE [--replace])",
    "import": "import historical cases from CSV or XLSX (import cases FILE [--dry-run]); "
    "import safety FILE: safety-index indicator values; "
    "import labour FILE: labour-dispute risk indicators; "
    "import risk-points FILE: the risk point register; "
    "import population FILE: populations of villages and grids",
    "signals": "signal intake: signals mqtt --url mqtt://HOST:1883 [--topic ...]; maintain; recover",
    "manage": "run any Django management command (fengqiao manage check ...)",
}

# ``fengqiao import KIND FILE``: cases are the ``import`` command's own; other kinds are imported
# by their domain's command, named here.
IMPORT_COMMANDS: dict[str, str] = {
    "safety": "safety_import",
    "labour": "labour_import",
    "risk-points": "import_risk_points",
    "population": "population_import",
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: fengqiao COMMAND [ARGS]", "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, text in COMMANDS.items()]
    lines += ["", "Run 'fengqiao COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return
    if args[0] in {"-V", "--version"}:
        from fengqiao import __version__

        print(__version__)
        return
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(f"fengqiao: unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        sys.exit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    from django.core.management import execute_from_command_line

    if command == "manage":
        execute_from_command_line(["fengqiao manage", *rest])
    elif command == "import" and rest and rest[0] in IMPORT_COMMANDS:
        execute_from_command_line(["fengqiao import", IMPORT_COMMANDS[rest[0]], *rest[1:]])
    else:
        execute_from_command_line(["fengqiao", command, *rest])
