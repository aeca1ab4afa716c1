from django.apps import AppConfig


class WithdrawalsConfig(AppConfig):
    """提取: members' bank cards (结算卡), the withdrawal reasons as catalogue items on the application engine, their
    rules and amounts, payout through the settlement gateway, 约定提取, 司法扣划. Above finance: it registers its
    expected outflows and reports with finance's registries; nothing below imports it."""

    name = "openhpf.withdrawals"
    label = "withdrawals"
    verbose_name = "提取"
