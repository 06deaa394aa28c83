from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandlingConfig(AppConfig):
    name = "fengqiao.cases.handling"
    label = "handling"
    verbose_name = _("Joint handling and mediation")
