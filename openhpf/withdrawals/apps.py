from django.apps import AppConfig


class WithdrawalsConfig(AppConfig):
    """提取: members' bank cards (结算卡), the withdrawal reasons as catalogue items on the application engine, their
    rules and amounts, payout through the settlement gateway, 约定提取, 司法扣划. Above finance: it registers its
    expected outflows and reports with finance's registries; nothing below imports it."""

    name = "openhpf.withdrawals"
    label = "withdrawals"
    verbose_name = "提取"

    def ready(self) -> None:
        from openhpf.finance.liquidity import register_outflow_source

        from . import agreed, batch, dayend
        from .closing import register_closing
        from .config import register_commands
        from .court import register_court
        from .handlers import register_handlers
        from .payout import register_hooks
        from .selectors import register_reads
        from .views import register as register_panels

        register_commands()  # withdrawals.reason_change through maker-checker
        register_handlers()  # the reasons built so far, on the application engine
        register_closing()  # 04, 05, 08 (heirs by share; no heir → 增值收益), 09, 99 and the local reasons
        register_hooks()  # settlement's success/failure hooks and the four-eyes application source
        register_court()  # 司法扣划: its maker-checker command, settlement's hooks, the four-eyes source
        register_reads()  # the review screen's 提取 section, the 提取情况表 in finance's statements
        register_panels()  # the member page's 结算银行卡 panel (accounts.panels)
        agreed.register_commands()  # 约定提取 sign / stop through maker-checker
        agreed.register_hooks()  # the run's batch result (settlement.BATCH_HOOKS)
        batch.register_hooks()  # batch payout and 退汇 (settlement.BATCH_HOOKS, RETURN_HOOKS)
        dayend.register()  # the 约定提取 run as a day-end step
        register_outflow_source("withdrawals.held", batch.held_outflows)  # approved, not yet paid
        register_outflow_source("withdrawals.agreed", agreed.agreed_outflows)  # 约定提取 schedules
