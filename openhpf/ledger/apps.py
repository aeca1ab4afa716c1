from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "openhpf.ledger"
    label = "ledger"
    verbose_name = "会计核算"

    def ready(self) -> None:
        from openhpf.audit.services import register_seal_source
        from openhpf.core.audit_events import AuditEvent
        from openhpf.core.services import on_center_created

        from . import (
            checks,  # noqa: F401  (registers the ledger invariants with hpf verify)
            published,
        )
        from .digests import SOURCE, digest_collect
        from .services import chart_seed

        on_center_created(lambda center: chart_seed(center=center))  # a new center gets the chart of accounts
        published.register()  # the views other apps read it through (core.db)
        # the audit sealer folds each new entry's SM3 digest into the chain (ledger.digests)
        register_seal_source(SOURCE, event=AuditEvent.LEDGER_DIGEST_SEAL, collect=digest_collect)
