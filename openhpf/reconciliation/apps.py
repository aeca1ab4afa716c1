from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "openhpf.reconciliation"
    label = "reconciliation"
    verbose_name = "日终对账"
