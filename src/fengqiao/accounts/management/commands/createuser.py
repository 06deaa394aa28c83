"""``fengqiao createuser``: create a user with a role, org units and an optional department."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.accounts.models import Role
from fengqiao.accounts.services import user_create
from fengqiao.core.errors import DomainError
from fengqiao.orgs.models import Department, OrgUnit


class Command(BaseCommand):
    help = "Create a user: fengqiao createuser NAME --role ROLE --unit CODE [--unit CODE] [--department ID]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--unit", action="append", default=[], help="org unit code (repeatable)"
        )
        parser.add_argument("--department", type=int, help="department id")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--password", help="read from a prompt when omitted")
        parser.add_argument("--superuser", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        codes: list[str] = options["unit"]
        units = list(OrgUnit.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {u.code for u in units})
        if missing:
            raise CommandError(f"unknown org unit code(s): {', '.join(missing)}")
        department = None
        if options["department"] is not None:
            department = Department.objects.filter(pk=options["department"]).first()
            if department is None:
                raise CommandError(f"unknown department id {options['department']}")
        password = options["password"]
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("passwords do not match")
        try:
            user = user_create(
                username=options["username"],
                password=password,
                role=options["role"],
                units=units,
                department=department,
                display_name=options["display_name"],
                is_superuser=options["superuser"],
                is_staff=True if options["superuser"] else None,
            )
        except DomainError as exc:
            field = f"{exc.field}: " if exc.field else ""
            raise CommandError(f"{field}{exc.message}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"created {user.username} ({user.get_role_display()})")
        )
