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
        from openhpf.applications.registry import ReviewSection, register_review_section
        from openhpf.finance.cockpit import register_figures
        from openhpf.finance.liquidity import register_outflow_source
        from openhpf.ledger.checks import register_loan_outstanding
        from openhpf.withdrawals.loanlink import register_loan_source

        from . import collect, dayend, reports, restructure, todo, writeoff
        from .cob import register as register_cob
        from .disburse import register_hooks
        from .products import register_commands as register_product_commands
        from .registration import register_handler
        from .reprice import register as register_reprice
        from .risk import supervision_figures
        from .selectors import member_loans, outstanding_by_center, review_rows
        from .watch import register_todo as register_collateral_todo

        register_product_commands()  # loans.product_change through maker-checker
        register_handler()  # HPF-P-LOAN on the application engine
        register_hooks()  # settlement's success/failure hooks and the four-eyes application source
        collect.register_hooks()  # 银行代扣 (63) and 强制冲还 (65) day-end steps, item hooks, 约定提取 offset
        register_outflow_source("loans.disbursements", collect.pending_disbursements)  # approved, not yet sent
        register_loan_source(member_loans)  # withdrawals see the member's active loans
        register_loan_outstanding(outstanding_by_center)  # hpf verify: 121 + 122 = the loans' principal
        register_review_section(ReviewSection("loans.review", "贷款审查", rows=review_rows, order=30))
        register_reprice()  # day-end step 61: the 1 January repricing
        register_collateral_todo()  # 待办: collateral warnings waiting for disposal
        register_cob()  # the close of business: day-end steps 62, 64, 66–69 and the job kind of `hpf loan cob`
        restructure.register_commands()  # loans.restructure through maker-checker
        writeoff.register_commands()  # loans.write_off through maker-checker
        dayend.register()  # 71 loan_cases: collection cases opened and closed
        todo.register()  # 待办: 逾期催收
        reports.register_reports()  # 贷款发放和余额变动情况表, 贷款情况表 with finance's statements
        register_figures("loans", supervision_figures)  # the cockpit's overdue buckets and ‰ overdue rate
