"""个人明细 printed: a member account's statement of movements for a date range (the opening balance, each detail
row with its 所属年月, 摘要 and running balance, the totals in and out, the closing balance), as a print page and
as a PDF (documents.pdf) that carries a watermark of who printed it and when.

Reading it is a personal read like the page: names and ID numbers masked by the viewer's clearance, and each
print or download writes the audit row 个人明细打印 (accounts.member_account.print) with the range and the rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import BizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.personal import PersonalRead, personal_read
from openhpf.documents.pdf import Col, printed_pdf, yuan
from openhpf.ledger.models import SubLedgerRow

from .models import MemberAccount
from .selectors import HistoryRow, MemberAccountDetail, _account_detail, history_month

MAX_ROWS = 5000  # one print; a longer range is refused with its count (a statement that long is split by years)


@dataclass
class AccountStatement:
    detail: MemberAccountDetail
    date_from: date | None
    date_to: date | None
    opening: int
    closing: int
    credits: int  # Σ of the positive movements
    debits: int  # Σ of the negative movements, as a positive amount
    rows: list[HistoryRow] = field(default_factory=list)

    @property
    def period(self) -> str:
        lo = f"{self.date_from:%Y-%m-%d}" if self.date_from else "开户"
        hi = f"{self.date_to:%Y-%m-%d}" if self.date_to else "今"
        return f"{lo} 至 {hi}"


@personal_read(AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_PRINT, portal=True, obj=lambda kw: kw["account"])
def account_statement(*, account: MemberAccount, actor: Actor, read: PersonalRead, date_from: date | None = None,
                      date_to: date | None = None, purpose: str = "print") -> AccountStatement:
    """The statement of `account` for business dates date_from..date_to (either open), oldest row first."""
    if date_from and date_to and date_from > date_to:
        raise DomainError(ErrorCode.DATE_RANGE, "起始日期不能晚于截止日期", field="date_from")
    d = _account_detail(account, read)
    mine = SubLedgerRow.objects.filter(sub_account_id=account.pk)
    qs = mine
    if date_from:
        qs = qs.filter(business_date__gte=date_from)
        before = mine.filter(business_date__lt=date_from).order_by("-id").values_list("balance_after", flat=True)
        opening = next(iter(before[:1]), 0)
    else:
        opening = 0
    if date_to:
        qs = qs.filter(business_date__lte=date_to)
    n = qs.count()
    if n > MAX_ROWS:
        raise DomainError(ErrorCode.PRINT_TOO_MANY_ROWS, field="date_from", rows=n, max_rows=MAX_ROWS)
    rows = [HistoryRow(id=r.pk, business_date=r.business_date, value_date=r.value_date, biz_type=r.biz_type,
                       biz_label=BizType(r.biz_type).label, amount=r.amount, amount_current=r.amount_current,
                       amount_carried=r.amount_carried, balance_after=r.balance_after, reference=r.reference,
                       voucher_no=r.entry.voucher_no if r.entry else "", month=history_month(r.reference),
                       summary=r.entry.description if r.entry else "")
            for r in qs.select_related("entry").order_by("id")]
    closing = rows[-1].balance_after if rows else opening
    read.note(purpose=purpose, rows=len(rows), clearance=read.clearance,
              **{k: v.isoformat() for k, v in (("date_from", date_from), ("date_to", date_to)) if v})
    return AccountStatement(detail=d, date_from=date_from, date_to=date_to, opening=opening, closing=closing,
                            credits=sum(r.amount for r in rows if r.amount > 0),
                            debits=-sum(r.amount for r in rows if r.amount < 0), rows=rows)


def month_label(m: str) -> str:
    return f"{m[:4]}-{m[4:]}" if len(m) == 6 else ""


def flow_of(account_no: str, r: HistoryRow) -> str:
    """流水 of a row: its voucher; for an event row what happened."""
    if r.voucher_no:
        return r.voucher_no
    return r.biz_label if not r.reference or r.reference == account_no else r.reference


def statement_pdf(st: AccountStatement, *, center_name: str, printed_on: date, printed_by: str) -> bytes:
    d = st.detail
    stamp = timezone.localtime()
    pdf = printed_pdf(center_name=center_name, title="住房公积金个人明细", printed_on=printed_on,
                      subtitle=f"个人账号 {d.account_no}　期间 {st.period}　单位：元",
                      watermark=f"{printed_by} {stamp:%Y-%m-%d %H:%M} 打印")
    pdf.heading()
    pdf.facts([("个人账号", d.account_no), ("姓名", d.name), ("证件号码", d.id_number), ("账户状态", d.status_label),
               ("单位账号", d.employer_no), ("单位名称", d.employer_name), ("期初余额（元）", yuan(st.opening)),
               ("期末余额（元）", yuan(st.closing)), ("本期增加（元）", yuan(st.credits)),
               ("本期减少（元）", yuan(st.debits))], label_share=0.32)
    pdf.ln(3)
    cols = (Col("日期", 1.1), Col("所属年月", 0.9), Col("业务类型", 1.1), Col("摘要", 2.2),
            Col("发生额（元）", 1.3, "R"), Col("余额（元）", 1.3, "R"), Col("流水", 1.6))
    body = [(f"{r.business_date:%Y-%m-%d}", month_label(r.month), r.biz_label, r.summary, yuan(r.amount),
             yuan(r.balance_after), flow_of(d.account_no, r)) for r in st.rows]
    pdf.data_table(cols, [("", "", "期初余额", "", "", yuan(st.opening), ""), *body],
                   totals=[("", "", "本期合计", f"增加 {yuan(st.credits)}，减少 {yuan(st.debits)}", "", "", ""),
                           ("", "", "期末余额", "", "", yuan(st.closing), "")])
    pdf.ln(2)
    pdf.paragraph(f"共 {len(st.rows)} 笔。本明细由 {printed_by} 于 {stamp:%Y-%m-%d %H:%M} 打印，个人信息按权限脱敏显示，"
                  "仅供业务办理使用。", size=8)
    pdf.signoff(("经办人", "复核人", "经办机构（盖章）"), names={"经办人": printed_by})
    return pdf.to_bytes()
