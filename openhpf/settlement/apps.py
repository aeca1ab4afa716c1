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
        from .todo import register as register_todo

        register_todo()  # its 待办 queue on the home page (core.todo)
        register_commands()  # release of held instructions, payees, channel changes (maker-checker)
        published.register()  # the views other apps read it through (core.db)
