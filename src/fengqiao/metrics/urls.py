from __future__ import annotations

from django.urls import path

from fengqiao.metrics import views

app_name = "metrics"

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("unit/<int:unit_id>/", views.cockpit, name="cockpit_unit"),
    path("unit/<int:unit_id>/panel/<str:panel>/", views.panel, name="panel"),
    path("unit/<int:unit_id>/map.geojson", views.map_geojson, name="map"),
    path("unit/<int:unit_id>/export.<str:fmt>", views.export, name="export"),
]
