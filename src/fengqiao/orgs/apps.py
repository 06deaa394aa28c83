from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "fengqiao.orgs"
    label = "orgs"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from fengqiao.orgs import signals  # noqa: F401  (registers geometry cache invalidation)
