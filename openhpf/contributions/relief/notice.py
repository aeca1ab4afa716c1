"""催缴通知书: the arrears notice to one employer for a month of the 催缴清单, printed as a PDF (documents.pdf).

It says what the list says for that employer (arrears.arrears_list, the same SQL): the months owed (from the
first month any of its accounts owes up to the month), the accounts owing, the amount in 元 and in words, the
legal basis (《住房公积金管理条例》第三十八条: the center orders payment within a time limit, and may apply to a
people's court for enforcement after it) and the deadline. The deadline is the staff member's choice on the
notice page; it defaults to the effective-dated policy value `contribution.arrears.notice_days` (calendar days
after the business date; 30 unless the center changed it), which the page shows. No person is named in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from openhpf.accounts.models import Employer
from openhpf.core.actors import Actor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.policy import policy_value
from openhpf.documents.pdf import amount_in_words, printed_pdf, yuan

from ..months import ym_add, ym_parse
from .arrears import EmployerArrears, arrears_list

NOTICE_DAYS_KEY = "contribution.arrears.notice_days"  # the default time limit (责令限期缴存), in calendar days
LEGAL_BASIS = ("《住房公积金管理条例》第三十八条：违反本条例的规定，单位逾期不缴或者少缴住房公积金的，由住房公积金管理中心"
               "责令限期缴存；逾期仍不缴存的，可以申请人民法院强制执行。")


@dataclass(frozen=True)
class ArrearsNotice:
    center_name: str
    employer_no: str
    employer_name: str
    month: str  # YYYYMM: the month of the 催缴清单
    on: date  # the business date the arrears were found on
    first_month: str  # YYYYMM: the first month owed
    months: int
    members: int
    amount: int  # fen
    paid_up_to: str
    deadline: date
    number: str

    @property
    def period(self) -> str:
        first, last = _label(self.first_month), _label(self.month)
        return first if first == last else f"{first} 至 {last}"

    @property
    def amount_words(self) -> str:
        return "人民币" + amount_in_words(self.amount)

    @property
    def paid_up_to_label(self) -> str:
        return _label(self.paid_up_to) if self.paid_up_to else "尚未缴存"


def _label(m: str) -> str:
    return f"{m[:4]}年{int(m[4:])}月"


def notice_days(center: Center) -> int:
    """The time limit a notice made on the business date gives by default (the policy value in force that day)."""
    return int(policy_value(NOTICE_DAYS_KEY, on=center.business_date, center=center))


def default_deadline(center: Center) -> date:
    return center.business_date + timedelta(days=notice_days(center))


def arrears_notice(*, center: Center, employer: Employer, month: str, user: Actor,
                   deadline: date | None = None) -> ArrearsNotice | None:
    """The notice to `employer` for `month` (YYYY-MM or YYYYMM), or None when it owes nothing for that month."""
    m = ym_parse(month)
    deadline = deadline or default_deadline(center)
    if deadline <= center.business_date:
        raise DomainError(ErrorCode.DATE_RANGE, f"缴存期限应晚于业务日期 {center.business_date:%Y-%m-%d}", field="deadline")
    report = arrears_list(center=center, month=m, user=user, with_members=False, employer=employer)
    found: EmployerArrears | None = next((e for e in report.employers if e.account_no == employer.account_no), None)
    if found is None:
        return None
    return ArrearsNotice(
        center_name=center.name, employer_no=found.account_no, employer_name=found.name, month=m, on=report.on,
        first_month=ym_add(m, -(found.months - 1)), months=found.months, members=found.members, amount=found.amount,
        paid_up_to=found.paid_up_to, deadline=deadline,
        number=f"催缴〔{report.on.year}〕{found.account_no}-{m}号")


def notice_body(n: ArrearsNotice) -> list[str]:
    """The notice's paragraphs, as the PDF and the print page show them."""
    return [
        f"{n.employer_name}（单位账号 {n.employer_no}）：",
        f"经核查，截至 {n.on:%Y年%m月%d日}，你单位住房公积金缴至{n.paid_up_to_label}，{n.period}共 {n.months} 个月"
        f"未按规定足额缴存，涉及职工 {n.members} 人，欠缴金额合计 {yuan(n.amount)} 元（{n.amount_words}）。",
        f"根据《住房公积金管理条例》第三十八条的规定，现责令你单位于 {n.deadline:%Y年%m月%d日} 前将欠缴的住房公积金足额"
        "缴存至职工住房公积金账户。逾期仍不缴存的，本中心将依法申请人民法院强制执行。",
        "如对欠缴金额有异议，请于收到本通知书之日起携单位缴存登记资料到本中心核对。",
    ]


def notice_pdf(n: ArrearsNotice, *, printed_on: date, preparer: str) -> bytes:
    pdf = printed_pdf(center_name=n.center_name, title="住房公积金催缴通知书", subtitle=n.number, printed_on=printed_on)
    pdf.heading(size=16)
    pdf.ln(2)
    body = notice_body(n)
    pdf.paragraph(body[0], size=11, h=7)
    for text in body[1:2]:
        pdf.paragraph("　　" + text, size=11, h=7)
    pdf.ln(2)
    pdf.facts([
        ("单位名称", n.employer_name), ("单位账号", n.employer_no), ("缴至年月", n.paid_up_to_label),
        ("欠缴期间", n.period), ("欠缴月数", f"{n.months} 个月"), ("欠缴人数", f"{n.members} 人"),
        ("欠缴金额（元）", yuan(n.amount)), ("金额大写", n.amount_words), ("缴存期限", f"{n.deadline:%Y-%m-%d}"),
    ], per_row=1, label_share=0.25, size=10)
    pdf.ln(2)
    for text in body[2:]:
        pdf.paragraph("　　" + text, size=11, h=7)
    pdf.ln(1)
    pdf.paragraph("法律依据：" + LEGAL_BASIS, size=9)
    pdf.ln(6)
    pdf.pair("", f"{n.center_name}（盖章）", size=11, h=7)
    pdf.pair("", f"{n.on:%Y年%m月%d日}", size=11, h=7)
    pdf.signoff(("经办人", "单位签收", "签收日期"), names={"经办人": preparer})
    return pdf.to_bytes()
