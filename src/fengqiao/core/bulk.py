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

import io
import json
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import DateField, DateTimeField, DecimalField, JSONField, Model
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


def insert_frame(model: type[Model], frame: pl.DataFrame, *, now: datetime) -> None:
    """Insert the rows of a Polars frame whose columns are named after the model's fields.

    Fields the frame does not name get their default (``auto_now`` ones ``now``), the same for
    every row, prepared once. On PostgreSQL the frame is written as CSV straight into ``COPY``
    (no Python object per row at all); elsewhere the rows go through ``executemany``.
    """
    if frame.is_empty():
        return
    fields = [
        f for f in model._meta.concrete_fields if f.attname in frame.columns or not f.primary_key
    ]
    constants = {}
    for field in fields:
        if field.attname in frame.columns:
            continue
        if isinstance(field, DateField) and (
            getattr(field, "auto_now", False) or field.auto_now_add
        ):
            value: Any = now
        elif field.has_default() or field.null or field.empty_strings_allowed:
            value = field.get_default()
        else:
            raise ValueError(
                f"{model.__name__}.{field.name} has no default: the frame must give it"
            )
        constants[field.attname] = value
    attnames = [f.attname for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        full = frame.with_columns(
            pl.lit(_csv_constant(value), dtype=pl.String).alias(name)
            for name, value in constants.items()
        ).select(attnames)
        buffer = io.BytesIO()
        full.write_csv(
            buffer,
            include_header=False,
            null_value="\\N",
            datetime_format="%Y-%m-%d %H:%M:%S%.6f%:z",
        )
        statement = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            copy.write(buffer.getbuffer())
        return
    # Elsewhere: each value as the field prepares it, constants once.
    by_name = {f.attname: f for f in fields}
    prepared = {
        name: by_name[name].get_db_prep_save(value, connection) for name, value in constants.items()
    }
    adapters = {
        f.attname: _adapter(f)
        for f in fields
        if f.attname in frame.columns and isinstance(f, DateTimeField | DecimalField | JSONField)
    }
    given = frame.columns
    order = [given.index(name) if name in given else None for name in attnames]
    rows = []
    for row in frame.iter_rows():
        values = []
        for name, position in zip(attnames, order, strict=True):
            if position is None:
                values.append(prepared[name])
                continue
            value, adapt = row[position], adapters.get(name)
            values.append(adapt(value) if adapt is not None and value is not None else value)
        rows.append(values)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608 - our names


def _adapter(field: Any) -> Any:
    """How a frame's value of ``field`` is handed to the driver (JSON arrives as text)."""
    if isinstance(field, JSONField):
        return lambda value: field.get_db_prep_save(
            json.loads(value) if isinstance(value, str) else value, connection
        )
    return lambda value: field.get_db_prep_save(value, connection)


def _csv_constant(value: Any) -> str | None:
    """A default as PostgreSQL reads it from CSV text."""
    if value is None:
        return None
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
