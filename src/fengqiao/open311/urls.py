from __future__ import annotations

from django.urls import re_path

from fengqiao.open311 import views

app_name = "open311"

urlpatterns = [
    re_path(r"^services\.(?P<fmt>json|xml)$", views.service_list, name="services"),
    re_path(
        r"^services/(?P<service_code>[^/]+)\.(?P<fmt>json|xml)$",
        views.service_definition,
        name="service",
    ),
    re_path(r"^requests\.(?P<fmt>json|xml)$", views.requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+)\.(?P<fmt>json|xml)$",
        views.request_detail,
        name="request",
    ),
]
