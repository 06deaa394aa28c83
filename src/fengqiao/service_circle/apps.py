from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceCircleConfig(AppConfig):
    name = "fengqiao.service_circle"
    label = "service_circle"
    verbose_name = _("15-minute service circle")
