from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "openhpf.contributions"
    label = "contributions"
    verbose_name = "归集与结息"

    def ready(self) -> None:
        # maker-checker commands of the relief services (缓缴/降比例审批)
        from .hardship import register_commands

        register_commands()
