from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "openhpf.contributions"
    label = "contributions"
    verbose_name = "归集与结息"

    def ready(self) -> None:
        # maker-checker commands of the relief services (缓缴/降比例审批)
        from .relief.hardship import register_commands
        from .remittance.fileimport import register_job_kind

        register_commands()
        register_job_kind()
        # 退缴 (refund of a wrong payment) goes through maker-checker
        from .remittance.services import register_commands as register_remittance_commands

        register_remittance_commands()
        from .dayend import register as register_dayend

        register_dayend()
        # money reaching a 专户 without an instruction is recorded as a receipt (到账登记)
        from openhpf.settlement.services import register_receipt_handler

        from .remittance.services import receipt_record

        register_receipt_handler(receipt_record)
        # an incoming line of a statement fetched from the bank confirms the hand-typed receipt it matches
        from openhpf.reconciliation.services import register_statement_listener

        from .remittance.bankmatch import receipts_confirm_from_statement

        register_statement_listener("contributions.receipt_bank_match", receipts_confirm_from_statement)
        # the cut-over posts the opening accrued interest payable (期初应付利息)
        from openhpf.accounts.cutover import register_cutover_opening

        from .interest.opening import cutover_opening

        register_cutover_opening("accrued_interest", cutover_opening)
        # the employer page's remittance history, 暂存 movements and 暂存分配 (accounts.panels)
        from .remittance.employer_views import register as register_employer_panels

        register_employer_panels()
        # its 待办 queues on the home page (core.todo)
        from .todo import register as register_todo

        register_todo()
