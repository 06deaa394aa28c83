"""Insert many model instances at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

``bulk_create`` prepares every value of every row through the field machinery and sends one
large parameterised INSERT; for the hundreds of thousands of rows of a historical import that
preparation is most of the run. ``COPY FROM STDIN`` takes the attribute values as they are
(psycopg's dumpers type them), which is several times faster and what PostgreSQL is built for.

The rows must be complete as ``bulk_create`` would save them: defaults are applied when the
instances are built, ``auto_now``/``auto_now_add`` fields are filled here. Instances without a
primary key get none back (callers that need ids reserve them first, as the importer does).
No signals are sent, as with ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from django.db import connection
from django.db.models import DateField, DateTimeField, JSONField, Model
from django.utils import timezone
from psycopg.types.json import Jsonb


def bulk_insert(model: type[Model], rows: Sequence[Model]) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows)
        return
    with_pk = rows[0].pk is not None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    now = timezone.now()
    stamped = [
        f
        for f in fields
        if isinstance(f, DateField) and (getattr(f, "auto_now", False) or f.auto_now_add)
    ]
    for field in stamped:
        value = now if isinstance(field, DateTimeField) else now.date()
        for row in rows:
            if field.auto_now or getattr(row, field.attname) is None:
                setattr(row, field.attname, value)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    attnames = [f.attname for f in fields]
    json_fields = {i for i, f in enumerate(fields) if isinstance(f, JSONField)}
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            values = [getattr(row, name) for name in attnames]
            for i, value in enumerate(values):
                if isinstance(value, Enum):
                    values[i] = value.value
                elif i in json_fields and value is not None:
                    values[i] = Jsonb(value)
            copy.write_row(values)
