from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fengqiao.demo"
    label = "demo"
    verbose_name = "Demo"
