"""``fengqiao token USERNAME``: issue an API token for an integration and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.accounts.auth import api_token_issue
from fengqiao.accounts.models import User


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (send it as 'Authorization: Bearer <token>')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="what the token is for")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        _token, secret = api_token_issue(user=user, name=name)
        self.stdout.write(secret)
