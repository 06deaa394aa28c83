from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.labour import views

app_name = "labour"

urlpatterns: list[URLPattern] = [
    path("", views.labour_list, name="list"),
    path("import/", views.import_page, name="import"),
    path("recompute/", views.recompute, name="recompute"),
    path("<int:employer_id>/", views.employer_detail, name="detail"),
]
