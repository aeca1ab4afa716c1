from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "openhpf.finance"
    label = "finance"
    verbose_name = "资金与财务"

    def ready(self) -> None:
        # 增值收益分配 goes through maker-checker
        from .services import register_commands

        register_commands()
