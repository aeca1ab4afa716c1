"""What other apps may read of the ledger set-based: these views, by name, in their SQL (docs/architecture.md,
"SQL between apps"). Everything else of the ledger is read through its selectors or written through its
services."""

from openhpf.core.db import publish_view

from .models import GLAccount, JournalEntry, JournalLine, SubAccount, SubLedgerRow

GL_ACCOUNT = "ledger_v_gl_account"
JOURNAL_ENTRY = "ledger_v_journal_entry"
JOURNAL_LINE = "ledger_v_journal_line"
SUB_ACCOUNT = "ledger_v_sub_account"
SUBLEDGER_ROW = "ledger_v_subledger_row"


def register() -> None:
    publish_view("ledger", GL_ACCOUNT, GLAccount._meta.db_table,
                 ["id", "center_id", "code", "name", "category", "normal_side", "parent_id", "is_leaf"])
    publish_view("ledger", JOURNAL_ENTRY, JournalEntry._meta.db_table,
                 ["id", "center_id", "period_id", "voucher_no", "business_date", "value_date", "source", "biz_type",
                  "total", "reversal_of_id"])
    publish_view("ledger", JOURNAL_LINE, JournalLine._meta.db_table,
                 ["id", "entry_id", "line_no", "account_id", "debit", "credit", "memo", "bank_ref"])
    publish_view("ledger", SUB_ACCOUNT, SubAccount._meta.db_table,
                 ["id", "center_id", "account_no", "balance_current", "balance_carried", "frozen_amount",
                  "hold_amount", "year_start", "jishu_current", "jishu_carried", "jishu_base_current",
                  "jishu_base_carried"])
    publish_view("ledger", SUBLEDGER_ROW, SubLedgerRow._meta.db_table,
                 ["id", "sub_account_id", "entry_id", "biz_type", "business_date", "value_date", "amount",
                  "amount_current", "amount_carried", "balance_after", "reference"])
