from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "openhpf.settlement"
    label = "settlement"
    verbose_name = "银行结算"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the settlement invariants with hpf verify)
            deposits,  # noqa: F401  (books the banks' answers to deposit instructions)
            published,
        )
        from .commands import register_all as register_commands
        from .dayend import register as register_dayend

        register_dayend()
        register_commands()  # release of held instructions, payees, channel changes (maker-checker)
        published.register()  # the views other apps read it through (core.db)
