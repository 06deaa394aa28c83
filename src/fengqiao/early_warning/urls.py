from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.early_warning import views

app_name = "early_warning"

urlpatterns: list[URLPattern] = [
    path("", views.warning_list, name="list"),
    path("<int:warning_id>/", views.warning_detail, name="detail"),
    path("<int:warning_id>/act/<str:action>/", views.warning_act, name="act"),
    path("points/", views.point_list, name="points"),
    path("points/<int:point_id>/", views.point_detail, name="point"),
    path("points/<int:point_id>/maintenance/", views.point_maintenance, name="maintenance"),
]
