from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "openhpf.ledger"
    label = "ledger"
    verbose_name = "会计核算"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the ledger invariants with hpf verify)
