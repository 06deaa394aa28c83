from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.risk import views

app_name = "risk"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("boards/<str:colour>/", views.board_page, name="board"),
    path("boards/<str:colour>/meetings/new/", views.meeting_record, name="meeting_record"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]
