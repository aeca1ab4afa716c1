from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openhpf.core"
    label = "core"
    verbose_name = "核心"
