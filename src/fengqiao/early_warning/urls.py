from __future__ import annotations

from django.urls import URLPattern

app_name = "early_warning"

urlpatterns: list[URLPattern] = []
