from django.apps import AppConfig


class LoansConfig(AppConfig):
    """个人住房公积金贷款: products and policy as effective-dated data, the exact calculator, the loan application on
    the engine, contract and collateral, disbursement through the settlement gateway, the loan and its schedule.
    Above withdrawals: it offers the member's loans to withdrawals through `withdrawals.loanlink`; nothing below
    imports it."""

    name = "openhpf.loans"
    label = "loans"
    verbose_name = "个人住房贷款"

    def ready(self) -> None:
        from .products import register_commands as register_product_commands

        register_product_commands()  # loans.product_change through maker-checker
