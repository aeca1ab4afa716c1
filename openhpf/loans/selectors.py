"""Reads of the loans app: the member's loans for withdrawals, the portfolio (paged, filtered), one loan with its
schedule, and the loan officer's review section on the engine's review screen.

Personal-data reads (the portfolio and a loan: the borrower's name) are scoped to the reader's center, masked
by the reader's clearance, and audited (`loans.loan.list`, `loans.loan.view`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet, Sum

from openhpf.applications.models import Application
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import RepaymentMethod
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask, mask_name
from openhpf.core.money import format_fen
from openhpf.core.paging import Page
from openhpf.core.personal import PersonalRead, personal_read
from openhpf.withdrawals.loanlink import MemberLoan

from .collateral import collateral_of, disbursement_condition
from .contract import contract_of, contract_rows, missing_signers
from .handlers import ITEM_CODE, describe
from .models import Disbursement, HomeOrder, Loan, LoanInstallment, LoanParty, ReserveReport

VIEW = "loans.view"


# ---------------------------------------------------------------- withdrawals' link (loanlink)


def member_loans(member_id: int, on: date) -> list[MemberLoan]:
    """The member's active HPF loans (as borrower, spouse or co-borrower) on `on`: outstanding principal, this
    year's installments, the next one. Overdue comes with servicing (next issue): False for now."""
    out = []
    for party in (LoanParty.objects.filter(member_id=member_id, loan__status=Loan.Status.ACTIVE)
                  .select_related("loan", "loan__application").order_by("loan_id")):
        loan = party.loan
        rows = LoanInstallment.objects.filter(loan=loan)
        year = rows.filter(due_date__year=on.year).aggregate(p=Sum("principal"), i=Sum("interest"))
        nxt = rows.filter(due_date__gte=on).order_by("period").first()
        prop = ((loan.application.payload if loan.application else {}) or {}).get("property") or {}
        out.append(MemberLoan(
            contract_no=loan.contract_no, outstanding_principal=loan.outstanding,
            installments_this_year=int(year["p"] or 0) + int(year["i"] or 0),
            next_installment=nxt.payment if nxt else 0, next_due=nxt.due_date if nxt else None, overdue=False,
            overdue_amount=0, property_key=prop.get("contract_no") or "", role=party.role,
            principal=loan.principal))
    return out


def outstanding_by_center() -> dict[int, int]:
    """The principal outstanding of every disbursed loan by center (fen), for the ledger's 121 + 122 control check
    (a loan approved but not yet paid out is not on 121)."""
    return {c: int(t or 0) for c, t in Loan.objects.filter(status=Loan.Status.ACTIVE).values_list("center_id")
            .annotate(t=Sum("outstanding"))}


def reserve_report(*, center: Any, on: date | None = None) -> ReserveReport | None:
    """The COB's reserve report (贷款风险准备测算: required by class against the 301 balance, the shortfall as a risk
    indicator) of `on`, or the latest one; None before the first COB. Amounts only, no personal data."""
    qs = ReserveReport.objects.filter(center=center)
    if on is not None:
        qs = qs.filter(on=on)
    return qs.order_by("-on").first()


# ---------------------------------------------------------------- the portfolio


@dataclass(frozen=True)
class LoanFilter:
    status: str = ""
    product: str = ""
    branch: str = ""  # 网点代码 of the borrower's account
    disbursed_from: date | None = None
    disbursed_to: date | None = None


def _query(center: Any, f: LoanFilter) -> QuerySet[Loan]:
    qs = Loan.objects.filter(center=center)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.product:
        qs = qs.filter(product_code__startswith=f.product)
    if f.branch:
        qs = qs.filter(borrower__accounts__branch__code=f.branch).distinct()
    if f.disbursed_from:
        qs = qs.filter(disbursed_on__gte=f.disbursed_from)
    if f.disbursed_to:
        qs = qs.filter(disbursed_on__lte=f.disbursed_to)
    return qs


PRODUCT_LABELS = {"first.le5": "首套 · 5年及以下", "first.gt5": "首套 · 5年以上", "second.le5": "二套 · 5年及以下",
                  "second.gt5": "二套 · 5年以上"}


def _row(loan: Loan, clearance: int) -> dict[str, Any]:
    return {"number": loan.number, "contract_no": loan.contract_no,
            "borrower": mask("name", loan.borrower.name, clearance=clearance),
            "product": loan.product_code, "product_label": PRODUCT_LABELS.get(loan.product_code, loan.product_code),
            "principal": loan.principal, "annual_rate": str(loan.annual_rate), "months": loan.months,
            "method": loan.method, "method_label": RepaymentMethod(loan.method).label, "status": loan.status,
            "status_label": loan.get_status_display(), "disbursed_on": loan.disbursed_on,
            "outstanding": loan.outstanding, "application": loan.application.number if loan.application else ""}


@personal_read(AuditEvent.LOANS_LOAN_LIST, perm=VIEW)
def loan_page(*, actor: Actor, read: PersonalRead, center: Any, filters: LoanFilter, page: int = 1,
              page_size: int = 20) -> Page[dict[str, Any]]:
    """One page of the center's loans (newest first) with the true total; borrowers masked by clearance."""
    page_size = max(1, min(int(page_size or 20), 200))
    qs = _query(center, filters)
    total = qs.count()
    last = max(1, -(-total // page_size))
    page = max(1, min(int(page or 1), last))
    items = [_row(x, read.clearance) for x in qs.select_related("borrower", "application")
             .order_by("-id")[(page - 1) * page_size: page * page_size]]
    read.note(filters={k: str(v) for k, v in filters.__dict__.items() if v}, page=page, total=total,
              numbers=[i["number"] for i in items])
    return Page(items, total, page, page_size)


def loan_get(*, center: Any, number: str) -> Loan:
    loan = Loan.objects.filter(center=center).filter(Q(number=number) | Q(contract_no=number)).select_related(
        "borrower", "application").first()
    if loan is None:
        raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=number)
    return loan


@personal_read(AuditEvent.LOANS_LOAN_VIEW, perm=VIEW)
def loan_detail(*, actor: Actor, read: PersonalRead, center: Any, number: str) -> dict[str, Any]:
    """One loan: terms, parties (masked), contract, disbursement and the stored schedule, read-audited."""
    loan = loan_get(center=center, number=number)
    read.about(loan)
    read.note(number=loan.number)
    clearance = read.clearance
    schedule = [{"period": i.period, "due_date": i.due_date, "payment": i.payment, "principal": i.principal,
                 "interest": i.interest, "balance": i.balance}
                for i in LoanInstallment.objects.filter(loan=loan).order_by("period")]
    d = Disbursement.objects.filter(loan=loan).first()
    c = contract_of(loan.application) if loan.application else None
    return {**_row(loan, clearance), "first_due": loan.first_due, "maturity": loan.maturity,
            "risk_class": loan.risk_class, "home_order": c.home_order if c else "",
            "home_order_label": HomeOrder(c.home_order).label if c else "",
            "contract_status": c.get_status_display() if c else "",
            "disbursement": ({"amount": d.amount, "state": d.state, "state_label": d.get_state_display(),
                              "instruction_seq": d.instruction_seq, "bank_seq": d.bank_seq, "paid_on": d.paid_on,
                              "payee_name": mask_name(d.payee_name) if d.payee_kind == "seller" else d.payee_name,
                              "down_payment_application": d.down_payment_application} if d else None),
            "parties": [{"role": p.role, "role_label": p.get_role_display(),
                         "name": mask("name", p.member.name, clearance=clearance)}
                        for p in loan.parties.select_related("member").order_by("pk")],
            "schedule": schedule,
            "totals": {"principal": sum(r["principal"] for r in schedule),
                       "interest": sum(r["interest"] for r in schedule)}}


# ---------------------------------------------------------------- the loan officer's review section


def review_rows(application: Any, actor: Any) -> list[tuple[str, str]]:
    """贷款审查: the household's figures against every cap, the second-home determination, the contract, the
    schedule's figures, the collateral and what still stands in the way of paying."""
    if getattr(application, "item_code", "") != ITEM_CODE:
        return []
    return _review(actor=actor, application=application)


@personal_read(AuditEvent.LOANS_REVIEW_VIEW, perm="applications.view")
def _review(*, actor: Actor, read: PersonalRead, application: Application) -> list[tuple[str, str]]:
    app = application
    read.about(app)
    read.note(number=app.number)
    rows: list[tuple[str, str]] = []
    ev = app.evaluations.order_by("-id").first()
    if ev is not None:
        i = ev.inputs
        rows += [("连续缴存月数", f"{i.get('months_continuous')} 个月（须满 {i.get('min_months')} 个月）"),
                 ("贷款到期年龄", f"{i.get('end_age')} 周岁（上限 {i.get('max_end_age')} 周岁）")]
        for code, name in (("cap_highest", "最高贷款额度"), ("cap_balance", "账户余额倍数额度"),
                           ("cap_down_payment", "首付比例限额"), ("cap_capacity", "还款能力限额")):
            if i.get(code) is not None:
                rows.append((name, f"{format_fen(int(i[code]))} 元"))
        homes, second = i.get("homes"), i.get("second_home")
        rows.append(("住房套数认定", "暂无法认定（不动产登记未答复）" if second is None else
                     f"{'第二套住房' if second else '首套住房'}（登记住房 {homes if homes is not None else '—'} 套）"))
        if i.get("credit_overdue") is not None:
            rows.append(("征信", f"当前逾期 {format_fen(int(i['credit_overdue']))} 元，未结清住房贷款 "
                                 f"{i.get('credit_housing_loans')} 笔"))
    c = contract_of(app)
    if c is not None:
        sched = contract_rows(c)
        rows += [("借款合同", f"{c.contract_no}（{c.get_status_display()}）"),
                 ("利率", f"{c.annual_rate.normalize()}%（{HomeOrder(c.home_order).label}）"),
                 ("首期月供", f"{format_fen(sched[0].payment)} 元，共 {len(sched)} 期，利息合计 "
                              f"{format_fen(sum(r.interest for r in sched))} 元")]
        waiting = missing_signers(c)
        if waiting:
            rows.append(("待签署", "、".join(read.mask("name", s.name) for s in waiting)))
    col = collateral_of(app)
    if col is not None:
        rows += [("抵押物", f"{col.certificate_no}，评估价值 {format_fen(col.appraised_value)} 元，"
                            f"抵押率 {col.ltv * 100:.2f}%"),
                 ("抵押登记", col.get_registration_display() + (f"；阶段性担保：{col.guarantor} {col.guarantee_no}"
                                                              if col.guarantor else ""))]
    if c is not None:
        blocking = disbursement_condition(app, app.center.business_date)
        rows.append(("放款条件", "已具备" if not blocking else "；".join(blocking)))
    return rows


def application_rows(app: Application) -> list[tuple[str, str]]:
    return describe(app.payload)
