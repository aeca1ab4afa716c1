from django.apps import AppConfig


class IamConfig(AppConfig):
    name = "openhpf.iam"
    label = "iam"
    verbose_name = "身份与权限"
