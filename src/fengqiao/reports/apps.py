from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ReportsConfig(AppConfig):
    name = "fengqiao.reports"
    label = "reports"
    verbose_name = pgettext_lazy("generated documents", "Reports")
