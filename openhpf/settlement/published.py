"""What other apps may read of the 专户 set-based: this view, by name, in their SQL (docs/architecture.md,
"SQL between apps")."""

from openhpf.core.db import publish_view

from .models import BankAccount

BANK_ACCOUNT = "settlement_v_bank_account"


def register() -> None:
    publish_view("settlement", BANK_ACCOUNT, BankAccount._meta.db_table,
                 ["id", "center_id", "bank_code", "bank_name", "account_no", "account_name", "kind", "gl_account_id",
                  "status", "opened_on", "reconcile_from"])
