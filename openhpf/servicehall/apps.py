from django.apps import AppConfig


class ServicehallConfig(AppConfig):
    name = "openhpf.servicehall"
    label = "servicehall"
    verbose_name = "网上营业厅"
