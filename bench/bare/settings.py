"""Just enough Django for one JSON view that writes one row, on the bench's database."""

from __future__ import annotations

import os

import dj_database_url

SECRET_KEY = os.environ["FENGQIAO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["bare"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bare.urls"
# The same connection settings as fengqiao.settings, so only the work per request differs.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["FENGQIAO_DATABASE_URL"], conn_max_age=60, conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
