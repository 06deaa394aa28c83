from __future__ import annotations

from django.urls import path

from fengqiao.hotspots import views

app_name = "hotspots"

urlpatterns = [
    path("", views.hotspot_list, name="list"),
    path("map.geojson", views.grid_map, name="map"),
    path("runs/", views.run_start, name="run_start"),
    path("runs/<int:run_id>/status/", views.run_status, name="run_status"),
]
