from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "openhpf.settlement"
    label = "settlement"
    verbose_name = "银行结算"

    def ready(self) -> None:
        from openhpf.finance.liquidity import register_outflow_source

        from . import (
            checks,  # noqa: F401  (registers the settlement invariants with hpf verify)
            deposits,  # noqa: F401  (books the banks' answers to deposit instructions)
        )
        from .selectors import pending_outflows

        register_outflow_source("settlement", pending_outflows)
