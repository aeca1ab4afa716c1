from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "openhpf.settlement"
    label = "settlement"
    verbose_name = "银行结算"
