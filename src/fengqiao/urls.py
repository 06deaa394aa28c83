from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from fengqiao.api import api
from fengqiao.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("open311/v2/", include("fengqiao.open311.urls")),
    path("public/", include("fengqiao.public.urls")),
    path("cases/", include("fengqiao.cases.urls")),
    path("notifications/", include("fengqiao.notifications.urls")),
    path("risk/", include("fengqiao.risk.urls")),
    path("signals/", include("fengqiao.signals.urls")),
    path("warnings/", include("fengqiao.early_warning.urls")),
    path("hotspots/", include("fengqiao.hotspots.urls")),
    path("labour/", include("fengqiao.labour.urls")),
    path("safety/", include("fengqiao.safety.urls")),
    path("cockpit/", include("fengqiao.metrics.urls")),
    path("reports/", include("fengqiao.reports.urls")),
    path("service/", include("fengqiao.service_circle.urls")),
    path("revisits/", include("fengqiao.revisits.urls")),
    path("", include("fengqiao.web.urls")),
]
