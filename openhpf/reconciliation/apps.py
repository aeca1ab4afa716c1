from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "openhpf.reconciliation"
    label = "reconciliation"
    verbose_name = "日终对账"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers day-end invariant 4 with hpf verify)
        from .dayend import register as register_dayend
        from .todo import register as register_todo

        register_todo()  # its 待办 queue on the home page (core.todo)
        register_dayend()
        # statements the settlement gateway fetches (BDC113) go into the statement store
        from openhpf.settlement.services import register_statement_sink

        from .services import statement_load

        register_statement_sink(statement_load)
