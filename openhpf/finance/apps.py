from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "openhpf.finance"
    label = "finance"
    verbose_name = "资金与财务"

    def ready(self) -> None:
        # 增值收益分配 goes through maker-checker
        from .services import register_commands

        register_commands()
        from .dayend import register as register_dayend

        register_dayend()
        # settlement's payments that wait count as expected outflows of the liquidity forecast
        from openhpf.settlement.selectors import pending_outflows

        from .liquidity import register_outflow_source

        register_outflow_source("settlement", pending_outflows)
