"""The annual statement (年度对账单): a member's interest year as a PDF archived as a document with its SM3.
(The transaction history and the employer's remittance history are reads, in contributions/selectors.py.)

The PDF embeds a CJK font (fonts-wqy-zenhei by default): settings.HPF_CJK_FONT or the environment variable of
the same name; a missing font is a clear error, never a PDF with blank boxes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import F, Q

from openhpf.access.selectors import check_permission, user_clearance
from openhpf.accounts.models import MemberAccount
from openhpf.core.actors import Actor
from openhpf.core.calendar import interest_year
from openhpf.core.codes import BizType, RetentionClass
from openhpf.core.masking import mask
from openhpf.documents.models import DocType, Document
from openhpf.documents.pdf import Col, printed_pdf, yuan
from openhpf.documents.services import document_store
from openhpf.ledger.models import SubAccount, SubLedgerRow

from ..selectors import Movement, movement_of

# ---------------------------------------------------------------- the annual statement


@dataclass
class AnnualStatement:
    account_no: str
    name: str
    employer_name: str
    year_start: date
    year_end: date
    opening: int
    closing: int
    interest: int
    jishu: int
    credits: int
    debits: int
    movements: list[Movement] = field(default_factory=list)


def _days_to(vd: date, ye: date) -> int:
    return max((ye - vd).days + 1, 0)


def annual_statement(*, account: MemberAccount, year: int, user: Actor) -> AnnualStatement:
    """The statement of interest year `year` (7/1/year … 6/30/year+1): opening balance, each movement, the
    interest settled, the closing balance and the year's 积数 (fen·days: the opening balance for every day plus
    each movement from its value date to 6/30; the interest credited on 6/30 earns nothing that year). For the
    year still open the 积数 is the ledger's projection to 6/30 (including any 积数 brought over at cut-over)."""
    check_permission(user, "accounts.view", center=account.center_id)
    ys, ye = interest_year(date(year, 7, 1))
    a = MemberAccount.objects.select_related("member", "employer").get(pk=account.pk)
    # a row belongs to the year of its business date; a settlement posted late (after 7/1) to the year it settled
    late = Q(biz_type=BizType.INTEREST, business_date__gt=F("value_date"))
    mine = SubLedgerRow.objects.filter(sub_account_id=a.pk)
    before = mine.filter((Q(business_date__lt=ys) & ~late) | (late & Q(value_date__lt=ys))).order_by("-id").first()
    opening = before.balance_after if before else 0
    rows = list(mine.filter((Q(business_date__gte=ys, business_date__lte=ye) & ~late)
                            | (late & Q(value_date__gte=ys, value_date__lte=ye))).order_by("id"))
    money = rows
    interest = sum(r.amount for r in rows if r.biz_type == BizType.INTEREST)
    closing = rows[-1].balance_after if rows else opening
    sub = SubAccount.objects.get(pk=a.pk)
    if sub.year_start == ys:
        jishu = sub.jishu_current + sub.jishu_carried
    else:
        ndays = (ye - ys).days + 1
        jishu = opening * ndays + sum(r.amount * _days_to(r.value_date, ye) for r in rows
                                      if r.biz_type != BizType.INTEREST)
    clearance = user_clearance(user, center=a.center_id)
    return AnnualStatement(
        account_no=a.account_no, name=mask("name", a.member.name, clearance=clearance),
        employer_name=a.employer.name, year_start=ys, year_end=ye, opening=opening, closing=closing,
        interest=interest, jishu=jishu,
        credits=sum(r.amount for r in rows if r.amount > 0 and r.biz_type != BizType.INTEREST),
        debits=-sum(r.amount for r in rows if r.amount < 0), movements=[movement_of(r) for r in money],
    )


def statement_pdf(st: AnnualStatement, *, center_name: str, printed_on: date) -> bytes:
    """Render the statement (A4, Chinese, the CJK font embedded as a subset)."""
    pdf = printed_pdf(center_name=center_name, title="住房公积金个人账户年度对账单",
                      subtitle=f"{st.year_start.year}—{st.year_end.year} 结息年度　个人账号 {st.account_no}",
                      printed_on=printed_on)
    pdf.heading(size=16)
    pdf.facts([
        ("个人账号", st.account_no), ("姓名", st.name), ("单位", st.employer_name),
        ("计息期间", f"{st.year_start:%Y-%m-%d} 至 {st.year_end:%Y-%m-%d}"),
        ("期初余额（元）", yuan(st.opening)), ("本年利息（元）", yuan(st.interest)),
        ("期末余额（元）", yuan(st.closing)), ("本年积数（元·天）", yuan(st.jishu)),
        ("本年增加（元）", yuan(st.credits)), ("本年减少（元）", yuan(st.debits)),
    ], label_share=0.32, size=10)
    pdf.ln(4)
    cols = (Col("业务日期", 25), Col("起息日", 25), Col("业务类型", 30), Col("发生额（元）", 35, "R"),
            Col("余额（元）", 35, "R"), Col("业务流水", 40))
    rows = [("期初余额", "", "", "", yuan(st.opening), "")]
    rows += [(f"{mv.business_date:%Y-%m-%d}", f"{mv.value_date:%Y-%m-%d}", mv.biz_label, yuan(mv.amount),
              yuan(mv.balance_after), mv.reference[:20]) for mv in st.movements]
    pdf.data_table(cols, rows, totals=[("期末余额", "", "", "", yuan(st.closing), "")], size=9, h=7)
    pdf.ln(3)
    pdf.paragraph("说明：积数为每日日终余额之和（分·天折算为元·天）；利息 = 积数 × 年利率 ÷ 360，于6月30日结息记入上年结转。"
                  "本对账单由系统生成，SM3 摘要登记于业务档案。")
    return pdf.to_bytes()


def annual_statement_generate(*, account: MemberAccount, year: int, actor: Actor, business_date: date) -> Document:
    """Generate the annual statement PDF and archive it (doc type 生成报表, SM3 recorded, linked to the account)."""
    check_permission(actor, "accounts.view", center=account.center_id)
    check_permission(actor, "documents.upload", center=account.center_id)  # the statement is archived as a document
    st = annual_statement(account=account, year=year, user=actor)
    a = MemberAccount.objects.select_related("center").get(pk=account.pk)
    content = statement_pdf(st, center_name=a.center.name, printed_on=business_date)
    with transaction.atomic():
        return document_store(center=a.center, content=content, original_name=f"对账单_{a.account_no}_{year}.pdf",
                              doc_type=DocType.GENERATED_REPORT, retention=RetentionClass.SHORT_10Y, actor=actor,
                              business_date=business_date, obj=a, content_type="application/pdf")


def statements_of(account: MemberAccount) -> list[Document]:
    return list(Document.objects.filter(Q(object_type="accounts.memberaccount", object_id=str(account.pk)),
                                        doc_type=DocType.GENERATED_REPORT).order_by("-pk"))

