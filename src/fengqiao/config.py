"""Typed settings read from ``FENGQIAO_*`` environment variables, validated at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ENVIRONMENTS = ("production", "development", "test")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; raised before Django starts serving."""


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _days(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of days (1 or more), got {raw!r}")
    return int(raw)


def _seconds(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number of seconds (0 or more), got {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Config:
    environment: str
    home: Path
    database_url: str
    secret_key: str = field(repr=False)
    debug: bool
    allowed_hosts: list[str]
    https: bool
    csrf_trusted_origins: list[str]
    log_level: str
    # Raw sensor signals older than this are dropped (whole partitions on PostgreSQL).
    signal_retention_days: int = 400
    # How long a server process trusts an API token it verified (0: check every request).
    api_token_cache_seconds: int = 5

    @property
    def var_dir(self) -> Path:
        return self.home / "var"


def _secret_key(environment: str, var_dir: Path) -> str:
    configured = os.environ.get("FENGQIAO_SECRET_KEY", "")
    if configured:
        if environment == "production" and len(configured) < 32:
            raise ConfigError("FENGQIAO_SECRET_KEY must be at least 32 characters in production")
        return configured
    # A key generated once into var/ keeps sessions valid across restarts without asking
    # a township installer to invent one.
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def load() -> Config:
    environment = os.environ.get("FENGQIAO_ENV", "production")
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"FENGQIAO_ENV must be one of {', '.join(ENVIRONMENTS)}")
    home = Path(os.environ.get("FENGQIAO_HOME", os.getcwd())).resolve()
    var_dir = home / "var"
    database_url = os.environ.get(
        "FENGQIAO_DATABASE_URL", f"sqlite:///{var_dir / 'fengqiao.sqlite3'}"
    )
    if not database_url.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise ConfigError("FENGQIAO_DATABASE_URL must be an sqlite:// or postgresql:// URL")
    debug = _flag("FENGQIAO_DEBUG", False)
    hosts = _list("FENGQIAO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    if environment == "test":
        hosts = [*hosts, "testserver"]
    return Config(
        environment=environment,
        home=home,
        database_url=database_url,
        secret_key=_secret_key(environment, var_dir),
        debug=debug,
        allowed_hosts=hosts,
        https=_flag("FENGQIAO_HTTPS", False),
        csrf_trusted_origins=_list("FENGQIAO_CSRF_TRUSTED_ORIGINS", ""),
        log_level=os.environ.get("FENGQIAO_LOG_LEVEL", "INFO").upper(),
        signal_retention_days=_days("FENGQIAO_SIGNAL_RETENTION_DAYS", 400),
        api_token_cache_seconds=_seconds("FENGQIAO_API_TOKEN_CACHE_SECONDS", 5),
    )
