from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "openhpf.applications"
    label = "applications"
    verbose_name = "办件"

    def ready(self) -> None:
        from .rules import register_commands
        from .todo import register as register_todos

        register_commands()  # applications.rule_set_change through maker-checker (approvals)
        register_todos()  # the work queue's 待办 (core.todo)
