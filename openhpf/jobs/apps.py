from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "openhpf.jobs"
    label = "jobs"
    verbose_name = "批处理作业"
