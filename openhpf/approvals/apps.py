from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "openhpf.approvals"
    label = "approvals"
    verbose_name = "复核审批"

    def ready(self) -> None:
        from .commands import register_all

        register_all()
        from .todo import register as register_todo

        register_todo()
