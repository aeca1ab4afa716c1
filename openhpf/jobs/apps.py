from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "openhpf.jobs"
    label = "jobs"
    verbose_name = "批处理作业"

    def ready(self) -> None:
        from . import dayend

        dayend.register()  # the day-end's seal step (the audit trail and the ledger digests)
        from .todo import register as register_todo

        register_todo()  # its 待办 queue on the home page (core.todo)
