from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "openhpf.finance"
    label = "finance"
    verbose_name = "资金与财务"
