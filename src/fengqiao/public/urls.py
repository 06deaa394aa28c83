from __future__ import annotations

from django.urls import path

from fengqiao.public import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submit/received/", views.submitted, name="submitted"),
    path("status/", views.status, name="status"),
    path("grids.geojson", views.grids, name="grids"),
]
