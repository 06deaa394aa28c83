from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.reports import views

app_name = "reports"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("unit/<int:unit_id>/", views.unit, name="unit"),
    path("request/", views.request_report, name="request"),
    path("<int:report_id>/row/", views.row, name="row"),
    path("<int:report_id>/download/", views.download, name="download"),
]
