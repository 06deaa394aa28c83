"""Scratch PostgreSQL databases for the benchmarks: created fresh, loaded, dropped afterwards.

The server is taken from ``FENGQIAO_BENCH_PG`` (default: the local trust-auth server). Each
bench gets a database of its own, named after the bench and the process, and drops it even when
the bench fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

SERVER = os.environ.get("FENGQIAO_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
SRC = Path(__file__).resolve().parents[1] / "src"


def _admin() -> psycopg.Connection:
    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


@contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """A new, empty database; yields its URL and drops it on the way out."""
    database = f"fengqiao_bench_{name}_{os.getpid()}"
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    try:
        yield f"{SERVER}/{database}"
    finally:
        with _admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )


def fengqiao_env(database_url: str, home: str | None = None) -> dict[str, str]:
    """Environment for ``python -m fengqiao`` against ``database_url``."""
    env = dict(os.environ)
    env.update(
        FENGQIAO_DATABASE_URL=database_url,
        FENGQIAO_HOME=home or tempfile.mkdtemp(prefix="fengqiao-bench-"),
        FENGQIAO_SECRET_KEY="bench-only-secret-key-0123456789-0123456789",  # noqa: S106 - scratch
        FENGQIAO_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH", "")])),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def fengqiao(
    *args: str, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fengqiao", *args],
        env=env,
        check=check,
        capture_output=True,
        text=True,
    )


def init_demo(env: dict[str, str]) -> None:
    """Migrate and load the demo region (and its demo cases) into the scratch database."""
    fengqiao("init", "--demo", "--no-static", env=env)
