from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.revisits import views
from fengqiao.web.http import not_found_as_404

app_name = "revisits"

urlpatterns: list[URLPattern] = [
    path("", views.queue, name="queue"),
    path("<int:revisit_id>/", views.revisit, name="revisit"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:plan_id>/", views.plan, name="plan"),
    path("draws/", views.draws, name="draws"),
    path("draws/<int:draw_id>/", views.draw, name="draw"),
    path("flags/", views.flags, name="flags"),
    path("flags/<int:case_id>/refer/", not_found_as_404(views.refer), name="refer"),
]
