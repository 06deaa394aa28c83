from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.service_circle import views

app_name = "service_circle"

urlpatterns: list[URLPattern] = [
    path("", views.nearest, name="nearest"),
    path("coverage/", views.coverage, name="coverage"),
]
