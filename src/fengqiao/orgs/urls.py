from django.urls import path

from fengqiao.orgs import views

app_name = "orgs"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:unit_id>/", views.unit_detail, name="unit"),
    path("<int:unit_id>/children/", views.children, name="children"),
    path("<int:unit_id>/find-grid/", views.find_grid, name="find_grid"),
]
