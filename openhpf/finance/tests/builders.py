"""Builders of the finance tests: a ledger builder that posts real balanced entries through ledger.entry_post and
remembers what it posted, and a center's own policy row.

Loans: there is no loans app yet, and `hpf verify` (run after every test) requires 121 + 122 to equal the
loans' principal outstanding, i.e. zero; likewise 21903 在途 must equal the settlement app's unfinished batch
payments. `unwind_loans` reverses every entry the builder posted on 121/122 or 21903 (the `ledger` fixture calls
it when the test ends, before the invariants are checked); the figures under test are read while they stand."""

from __future__ import annotations

from datetime import date

from openhpf.conftest import business_day, finance_clerk
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.core.models import PolicyParameter
from openhpf.ledger.models import JournalEntry
from openhpf.ledger.services import Line, SubRow, entry_post, entry_reverse, subaccount_open


def set_policy(center, key: str, value, value_type: str, effective_from: date = date(1990, 1, 1)) -> None:
    """A center's own policy row (tests only; in production a checker approves core.policy_set)."""
    PolicyParameter.objects.create(center=center, key=key, value=value, value_type=value_type,
                                   effective_from=effective_from, approved_by="system:test", source="test")


class LedgerBuilder:
    """Posts the usual business entries (docs/domain.md "Accounting") and remembers every amount it posted, so a
    test can recompute any balance independently of the finance selectors."""

    def __init__(self, center):
        self.center = center
        self.subs: dict[date, object] = {}
        self.loan_entries: list[JournalEntry] = []
        self.posted: list[tuple[date, str, int, int]] = []  # (business date, account, debit, credit)

    def _sub(self, d: date):
        from openhpf.core.calendar import interest_year

        ys, _ = interest_year(d)
        if ys not in self.subs:
            self.subs[ys] = subaccount_open(center=self.center, account_no=f"{self.center.code}9{len(self.subs):09d}",
                                            business_date=d)
        return self.subs[ys]

    def post(self, d: date, lines: list[Line], biz_type: str = "", sub_rows=(), source: str = "test",
             description: str = "测试凭证") -> JournalEntry:
        with business_day(self.center, d):  # each entry on its own day of the center's history
            e = entry_post(center=self.center, business_date=d, lines=lines, source=source, description=description,
                           actor=SystemActor("test"), biz_type=biz_type, sub_rows=sub_rows)
        self.posted += [(d, ln.account, ln.debit, ln.credit) for ln in lines]
        return e

    def contribute(self, d: date, amount: int, biz_type: str = BizType.REMITTANCE) -> JournalEntry:
        sub = self._sub(d)
        return self.post(d, [Line("10101", debit=amount), Line("201", credit=amount)], biz_type,
                         [SubRow(sub.pk, amount_current=amount)], description="汇缴")

    def withdraw(self, d: date, amount: int, biz_type: str = BizType.PARTIAL_WITHDRAWAL) -> JournalEntry:
        sub = self._sub(d)
        return self.post(d, [Line("201", debit=amount), Line("10101", credit=amount)], biz_type,
                         [SubRow(sub.pk, amount_current=-amount)], description="提取")

    def income(self, d: date, amount: int, account: str = "40101") -> JournalEntry:
        return self.post(d, [Line("10101", debit=amount), Line(account, credit=amount)], description="利息收入")

    def expense(self, d: date, amount: int, account: str = "41101") -> JournalEntry:
        """41101 is accrued (Cr 211 应付利息); the fees are paid from the bank account."""
        credit = "211" if account == "41101" else "10101"
        return self.post(d, [Line(account, debit=amount), Line(credit, credit=amount)], description="业务支出")

    def withdraw_in_transit(self, d: date, amount: int) -> JournalEntry:
        """A batch payment sent to the bank and not yet confirmed: Dr 201 / Cr 21903 在途资金."""
        sub = self._sub(d)
        e = self.post(d, [Line("201", debit=amount), Line("21903", credit=amount)], BizType.PARTIAL_WITHDRAWAL,
                      [SubRow(sub.pk, amount_current=-amount)], description="批量提取（在途）")
        self.loan_entries.append(e)  # no settlement instruction behind it: unwound at the end like the loans
        return e

    def disburse(self, d: date, amount: int) -> JournalEntry:
        e = self.post(d, [Line("121", debit=amount), Line("10101", credit=amount)], description="贷款发放")
        self.loan_entries.append(e)
        return e

    def repay(self, d: date, principal: int, interest: int = 0) -> JournalEntry:
        lines = [Line("10101", debit=principal + interest), Line("121", credit=principal)]
        if interest:
            lines.append(Line("40103", credit=interest))
        e = self.post(d, lines, description="贷款还款")
        self.loan_entries.append(e)
        return e

    def overdue(self, d: date, amount: int) -> JournalEntry:
        e = self.post(d, [Line("122", debit=amount), Line("121", credit=amount)], description="转逾期")
        self.loan_entries.append(e)
        return e

    def balance(self, prefix: str, upto: date | None = None) -> int:
        """Debit − credit of the accounts under `prefix`, from what this builder posted (independent of SQL)."""
        return sum(d - c for on, acct, d, c in self.posted
                   if acct.startswith(prefix) and (upto is None or on <= upto))

    def unwind_loans(self) -> None:
        self.center.refresh_from_db()
        for e in reversed(self.loan_entries):
            entry_reverse(entry=e, business_date=self.center.business_date, actor=finance_clerk(),
                          reason="测试结束：无贷款模块")
        self.loan_entries.clear()
