"""Settings for the test suite: SQLite in memory, or PostgreSQL when FENGQIAO_TEST_DB=pg."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("FENGQIAO_ENV", "test")
os.environ.setdefault(
    "FENGQIAO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789"
)
os.environ.setdefault("FENGQIAO_HOME", tempfile.mkdtemp(prefix="fengqiao-test-"))

from fengqiao.settings import *  # noqa: F403
from fengqiao.settings import DATABASES

if os.environ.get("FENGQIAO_TEST_DB") == "pg":
    import dj_database_url

    url = os.environ.get("FENGQIAO_TEST_PG", "")
    if not url:
        raise RuntimeError("FENGQIAO_TEST_DB=pg needs FENGQIAO_TEST_PG=postgresql://...")
    DATABASES["default"] = dj_database_url.parse(url)
else:
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}

# Hashing cost is irrelevant to what the tests check; argon2 stays the production default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The real durable backend: tests run enqueued tasks explicitly (or through the worker), which
# is how timers that fire late, twice or after a restart are exercised.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
FENGQIAO_NOTIFICATION_SENDER = "fengqiao.notifications.senders.MemorySender"
WHITENOISE_AUTOREFRESH = True
