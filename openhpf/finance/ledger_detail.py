"""明细账: the journal lines of one account of the chart (a parent takes the lines of every account under it) for a
range of business dates, with the opening balance, each line's running balance in the account's direction (方向:
借 for a debit-side account, 贷 for a credit-side one), the period's debits and credits and the closing balance.

The head (opening, totals, count) is three aggregates; the lines are read in chunks (`lines` is an iterator over
a server-side cursor), so the page shows the first lines and the .xlsx export streams a year of a busy account
without holding it in memory (documents.exports.write_xlsx, every cell a text)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.db.models import Count, Q, Sum

from openhpf.access.selectors import check_permission
from openhpf.core.actors import Actor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.documents.exports import xlsx_file
from openhpf.ledger.models import GLAccount, JournalLine

from .selectors import SIDE_TEXT

PERMISSION = "ledger.view"
CHUNK = 2000


@dataclass(frozen=True)
class LedgerLine:
    business_date: date
    voucher_no: str
    memo: str
    code: str  # the leaf account the line posts to
    debit: int
    credit: int
    balance: int  # after this line, signed in the account's direction


@dataclass(frozen=True)
class LedgerDetail:
    center: Center
    code: str
    name: str
    normal_side: str  # D | C
    date_from: date
    date_to: date
    opening: int
    debit: int
    credit: int
    count: int

    @property
    def side(self) -> str:
        return SIDE_TEXT[self.normal_side]

    @property
    def closing(self) -> int:
        return self.opening + self._signed(self.debit, self.credit)

    def _signed(self, debit: int, credit: int) -> int:
        return debit - credit if self.normal_side == "D" else credit - debit

    def _lines_qs(self):  # type: ignore[no-untyped-def]
        return JournalLine.objects.filter(entry__center=self.center, account__code__startswith=self.code,
                                          entry__business_date__gte=self.date_from,
                                          entry__business_date__lte=self.date_to)

    def lines(self, *, limit: int | None = None) -> Iterator[LedgerLine]:
        """The lines in order (business date, voucher, line), with the running balance; read in chunks."""
        qs = (self._lines_qs().order_by("entry__business_date", "entry_id", "line_no")
              .values_list("entry__business_date", "entry__voucher_no", "memo", "entry__description", "account__code",
                           "debit", "credit"))
        if limit is not None:
            qs = qs[:limit]
        balance = self.opening
        for on, voucher_no, memo, description, code, debit, credit in qs.iterator(chunk_size=CHUNK):
            balance += self._signed(debit, credit)
            yield LedgerLine(on, voucher_no, memo or description, code, debit, credit, balance)


def ledger_accounts(*, center: Center) -> list[tuple[str, str]]:
    """(code, name) of every account of the chart, for the picker."""
    return list(GLAccount.objects.filter(center=center).order_by("code").values_list("code", "name"))


def ledger_detail(*, center: Center, code: str, date_from: date, date_to: date, user: Actor) -> LedgerDetail:
    check_permission(user, PERMISSION, center=center)
    account = GLAccount.objects.filter(center=center, code=code).first()
    if account is None:
        raise DomainError(ErrorCode.GL_ACCOUNT_UNKNOWN, f"会计科目 {code} 不存在", field="account")
    if date_from > date_to:
        raise DomainError(ErrorCode.DATE_RANGE, "起始日期不能晚于截止日期", field="date_from")
    under = JournalLine.objects.filter(entry__center=center, account__code__startswith=code)
    before = Q(entry__business_date__lt=date_from)
    inside = Q(entry__business_date__gte=date_from, entry__business_date__lte=date_to)
    agg = under.aggregate(od=Sum("debit", filter=before, default=0), oc=Sum("credit", filter=before, default=0),
                          d=Sum("debit", filter=inside, default=0), c=Sum("credit", filter=inside, default=0),
                          n=Count("id", filter=inside))
    side = account.normal_side
    opening = agg["od"] - agg["oc"] if side == "D" else agg["oc"] - agg["od"]
    return LedgerDetail(center=center, code=account.code, name=account.name, normal_side=side, date_from=date_from,
                        date_to=date_to, opening=opening, debit=agg["d"], credit=agg["c"], count=agg["n"])


def ledger_xlsx(d: LedgerDetail, *, printed_on: date, preparer: str, watermark: str = "") -> IO[bytes]:
    """The 明细账 as an .xlsx in a temporary file (streamed to the browser): every cell a text, amounts in 元, the
    export's watermark line under the title."""
    def yuan(fen: int) -> str:
        return format_fen(fen, grouping=False)

    rows = ((f"{ln.business_date:%Y-%m-%d}", ln.voucher_no, ln.memo, ln.code, yuan(ln.debit) if ln.debit else "",
             yuan(ln.credit) if ln.credit else "", d.side, yuan(ln.balance)) for ln in d.lines())
    return xlsx_file(
        sheet="明细账",
        title=[f"{d.center.name} 明细账", f"科目：{d.code} {d.name}（{d.side}方）　期间：{d.date_from:%Y-%m-%d} 至 "
               f"{d.date_to:%Y-%m-%d}　单位：元", f"期初余额：{yuan(d.opening)}（{d.side}）"],
        header=("日期", "凭证号", "摘要", "科目", "借方", "贷方", "方向", "余额"),
        rows=rows, watermark=watermark,
        totals=[("", "", "本期合计", "", yuan(d.debit), yuan(d.credit), d.side, yuan(d.closing))],
        foot=[f"共 {d.count} 笔。", f"制表人：{preparer}", f"打印日期：{printed_on:%Y-%m-%d}"],
        widths=(12, 18, 36, 10, 16, 16, 6, 18))
