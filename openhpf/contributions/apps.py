from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "openhpf.contributions"
    label = "contributions"
    verbose_name = "归集与结息"
