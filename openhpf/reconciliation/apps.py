from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "openhpf.reconciliation"
    label = "reconciliation"
    verbose_name = "日终对账"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers day-end invariant 4 with hpf verify)
