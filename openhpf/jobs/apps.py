from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "openhpf.jobs"
    label = "jobs"
    verbose_name = "批处理作业"

    def ready(self) -> None:
        # the day-end registers how a job of its kind is resumed (续跑) from the job list
        from . import dayend  # noqa: F401
