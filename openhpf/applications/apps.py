from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "openhpf.applications"
    label = "applications"
    verbose_name = "办件"

    def ready(self) -> None:
        from .rules import register_commands

        register_commands()  # applications.rule_set_change through maker-checker (approvals)
