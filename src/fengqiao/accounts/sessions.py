"""Database sessions, read with one fixed statement.

Every signed-in request reads its session. Django's database store builds that query through
the ORM each time, which cost about 0.25 ms more than the query itself on PostgreSQL
(``bench/cockpit.py``). This store runs the same query, written out once from the model's
table and column names; writing, expiry and everything else are Django's own.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


@cache
def _statement(alias: str) -> str:
    from django.contrib.sessions.models import Session

    quote = connections[alias].ops.quote_name
    column = {f.name: quote(f.column) for f in Session._meta.concrete_fields}
    return (
        f"SELECT {column['session_data']} FROM {quote(Session._meta.db_table)} "  # noqa: S608
        f"WHERE {column['session_key']} = %s AND {column['expire_date']} > %s"
    )


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is None:
            return None
        connection = connections[router.db_for_read(self.model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_statement(connection.alias), [key, now])
            row = cursor.fetchone()
        if row is None:
            # As Django's store does: an unknown or expired key is forgotten, so a new session
            # (with a new key) is created if this request writes one.
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])
