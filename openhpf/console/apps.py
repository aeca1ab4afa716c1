from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "openhpf.console"
    label = "console"
    verbose_name = "业务控制台"
