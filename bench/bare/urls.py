from __future__ import annotations

from django.urls import path

from bare.views import intake

urlpatterns = [path("intake", intake)]
