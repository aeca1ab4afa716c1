from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openhpf.accounts"
    label = "accounts"
    verbose_name = "单位与个人账户"

    def ready(self) -> None:
        from openhpf.iam.services import register_member_lookup
        from openhpf.ledger.services import register_debit_guard

        from . import (
            checks,  # noqa: F401  (registers the employer 暂存 invariant with hpf verify)
            published,
        )
        from .selectors import member_by_login
        from .services import member_accounts_check_debits

        register_member_lookup(member_by_login)
        register_debit_guard(member_accounts_check_debits)  # a full freeze refuses every debit (ledger)
        published.register()  # the views other apps read it through (core.db)
        from .employer_counter import register as register_employer_actions

        register_employer_actions()  # the employer page's 「办理」 links (panels)
