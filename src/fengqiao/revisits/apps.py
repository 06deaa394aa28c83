from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RevisitsConfig(AppConfig):
    name = "fengqiao.revisits"
    label = "revisits"
    verbose_name = _("Four-level revisits")
