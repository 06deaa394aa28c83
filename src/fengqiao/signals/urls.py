from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.signals import views

app_name = "signals"

urlpatterns: list[URLPattern] = [
    path("", views.signal_page, name="list"),
]
