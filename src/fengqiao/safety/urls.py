from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.safety import views

app_name = "safety"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("units/<int:unit_id>/", views.unit, name="unit"),
    path("units/<int:unit_id>/letter.pdf", views.letter, name="letter"),
    path("negative/", views.negative, name="negative"),
    path("config/", views.config, name="config"),
    path("import/", views.import_values, name="import"),
    path("compute/", views.compute, name="compute"),
]
