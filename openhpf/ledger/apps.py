from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "openhpf.ledger"
    label = "ledger"
    verbose_name = "会计核算"

    def ready(self) -> None:
        from openhpf.core.services import on_center_created

        from . import (
            checks,  # noqa: F401  (registers the ledger invariants with hpf verify)
            published,
        )
        from .services import chart_seed

        on_center_created(lambda center: chart_seed(center=center))  # a new center gets the chart of accounts
        published.register()  # the views other apps read it through (core.db)
