"""Restructuring (贷款重组) of an overdue loan through maker-checker: the approvals command `loans.restructure`.

The maker (loans.operate) submits the loan, the new remaining term in months, the new annual rate (the rate in
force on the loan when left out) and the reason; the checker approves and the change applies:

- the whole principal outstanding, overdue principal included, is re-aged into a new schedule from the next
  period not yet fallen due (`reschedule(reason=RESTRUCTURE)`, stored as a schedule version);
- the overdue principal goes back from 122 逾期贷款 to 121 委托贷款 (Dr 121 / Cr 122, one balanced entry);
- every open due is closed as 已重组 (`LoanDue.State.RESTRUCTURED`, `paid_on` = the restructuring date);
- the unpaid interest of those dues and the penalty run to the restructuring date (罚息, as `penalty_estimate`
  computes it) are not forgiven and not capitalised: they are added to the interest of the first installment of
  the new schedule (利随本清 of the arrears), so they are income only when paid (cash basis, as every interest of
  a loan) and the penalty then books with the interest on 40103;
- the class stays at least 次级 (common practice for a restructured loan: it is not upgraded before an
  observation period of `OBSERVATION_MONTHS` months of regular payments): a manual class (override) of 次级, or the
  worse class it had, until the end of that period, recorded as a class change;
- the loan's collection case records the restructuring and closes.
Audited (loans.restructure) in the approving transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Max

from openhpf.approvals.registry import Fact, Posting, Summary, applying, money, register, register_renderer
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import LoanClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.ledger.services import Line, entry_post

from .calculations import add_months
from .collection import CLOSE_RESTRUCTURED, case_close_for, live_case_of
from .locking import loan_for_write
from .models import CollectionAction, Loan, LoanClassChange, LoanDue, LoanInstallment, LoanScheduleVersion
from .payments import LOANS_GL, OVERDUE_GL, open_dues, penalty_estimate, penalty_ratio
from .reschedule import reschedule

COMMAND = "loans.restructure"
PERMISSION = "loans.operate"
OBSERVATION_MONTHS = 6
MAX_MONTHS = 360


def _bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.LOAN_RESTRUCTURE_INVALID, detail=detail, field=field)


def _loan_of(number: str, center_id: int) -> Loan:
    loan = Loan.objects.filter(center_id=center_id, number=number).first()
    if loan is None:
        raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=number or "—", field="loan")
    return loan


def _validate(params: dict[str, Any], actor: Actor, center: Any, business_date: date) -> dict[str, Any]:
    loan = _loan_of(str(params.get("loan", "")).strip(), center.pk)
    if loan.status != Loan.Status.ACTIVE:
        raise DomainError(ErrorCode.LOAN_NOT_ACTIVE, number=loan.number, status=loan.get_status_display())
    if loan.overdue_since is None:
        raise _bad(f"贷款 {loan.number} 没有逾期，不需要重组", "loan")
    try:
        months = int(params.get("months", 0))
    except (TypeError, ValueError):
        months = 0
    if not 1 <= months <= MAX_MONTHS:
        raise _bad(f"新的剩余期限应为 1 至 {MAX_MONTHS} 个月", "months")
    raw = str(params.get("annual_rate") or loan.annual_rate)
    try:
        rate = Decimal(raw)
    except InvalidOperation:
        raise _bad(f"年利率（%）格式不正确：{raw}", "annual_rate") from None
    if not Decimal("0") < rate <= Decimal("20"):
        raise _bad("年利率（%）应大于 0 且不超过 20", "annual_rate")
    reason = str(params.get("reason", "")).strip()
    if not reason:
        raise _bad("请填写重组原因", "reason")
    return {"loan": loan.number, "center": center.pk, "months": months, "annual_rate": str(rate),
            "reason": reason[:200], "outstanding": loan.outstanding, "overdue_principal": loan.overdue_principal}


def restructure_apply(*, loan_pk: int, months: int, annual_rate: Decimal, reason: str, actor: Actor,
                      business_date: date, maker: str = "") -> dict[str, Any]:
    """The approved restructuring (see the module docstring); runs in the approving transaction."""
    ln = loan_for_write(pk=loan_pk)
    if ln.overdue_since is None:
        raise _bad(f"贷款 {ln.number} 已没有逾期，不再需要重组", "loan")
    dues = open_dues(ln)
    ratio = penalty_ratio(center=ln.center_id, on=business_date)
    arrears_interest = sum(d.unpaid_interest for d in dues)
    arrears_penalty = sum(penalty_estimate(d, ln.annual_rate, business_date, ratio) for d in dues)
    back = ln.overdue_principal
    entry = None
    if back:
        entry = entry_post(center=ln.center, business_date=business_date, source="loans", actor=actor,
                           lines=[Line(LOANS_GL, debit=back), Line(OVERDUE_GL, credit=back)],
                           description=f"贷款重组 {ln.number}：逾期本金转回委托贷款")
    LoanDue.objects.filter(pk__in=[d.pk for d in dues]).update(state=LoanDue.State.RESTRUCTURED, paid_on=business_date)
    last = LoanDue.objects.filter(loan=ln).aggregate(p=Max("period"))["p"] or 0
    first_due = add_months(ln.first_due, last)
    k = last
    while first_due <= business_date:
        k += 1
        first_due = add_months(ln.first_due, k)
    balance = ln.outstanding
    v = reschedule_for(ln, from_period=last + 1, balance=balance, rate=annual_rate, first_due=first_due,
                       months=months, actor=actor, business_date=business_date)
    if arrears_interest + arrears_penalty:
        first = LoanInstallment.objects.get(loan=ln, period=last + 1)
        first.interest += arrears_interest + arrears_penalty
        first.save(update_fields=["interest"])
    was = ln.risk_class
    keep = max(was, LoanClass.SUBSTANDARD.value)
    ln.overdue_principal, ln.overdue_interest, ln.overdue_since = 0, 0, None
    ln.risk_class, ln.class_override = keep, keep
    ln.class_override_until = add_months(business_date, OBSERVATION_MONTHS)
    ln.save(update_fields=["overdue_principal", "overdue_interest", "overdue_since", "risk_class", "class_override",
                           "class_override_until", "updated_at"])
    LoanClassChange.objects.create(loan=ln, on=business_date, from_class=was, to_class=keep, manual=True,
                                   reason=f"贷款重组：{reason}"[:200], until=ln.class_override_until,
                                   created_by=actor_label(actor))
    case = live_case_of(ln)
    if case is not None:
        CollectionAction.objects.create(
            case=case, kind=CollectionAction.Kind.RESTRUCTURE, on=business_date, created_by=actor_label(actor),
            note=f"贷款重组（经复核）：余额 {format_fen(balance)} 元，{months} 个月，年利率 {annual_rate}%；{reason}"[:500])
        case_close_for(loan=ln, on=business_date, reason=CLOSE_RESTRUCTURED)
    result = {"loan": ln.number, "version": v.version, "from_period": last + 1, "first_due": first_due.isoformat(),
              "balance": balance, "months": months, "annual_rate": str(annual_rate), "overdue_principal_back": back,
              "arrears_interest": arrears_interest, "arrears_penalty": arrears_penalty, "risk_class": keep,
              "class_until": ln.class_override_until.isoformat(), "dues_closed": len(dues),
              "voucher": entry.voucher_no if entry is not None else ""}
    audit_log(actor=actor, action=AuditEvent.LOANS_RESTRUCTURE, obj=ln, center=ln.center_id,
              business_date=business_date, before={"risk_class": was, "overdue_principal": back},
              after={**result, "reason": reason, "maker": maker})
    return result


def reschedule_for(ln: Loan, *, from_period: int, balance: int, rate: Decimal, first_due: date, months: int,
                   actor: Actor, business_date: date) -> LoanScheduleVersion:
    return reschedule(loan=ln, from_period=from_period, balance=balance, annual_rate=rate, first_due=first_due,
                      months=months, reason=LoanScheduleVersion.Reason.RESTRUCTURE, effective_on=business_date,
                      actor=actor)


def _apply(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    cmd = applying()
    loan = _loan_of(params["loan"], params["center"])
    return restructure_apply(loan_pk=loan.pk, months=int(params["months"]), annual_rate=Decimal(params["annual_rate"]),
                             reason=params["reason"], actor=actor, business_date=business_date,
                             maker=actor_label(cmd.maker) if cmd is not None else "")


def _describe(params: dict[str, Any]) -> str:
    return (f"贷款 {params.get('loan')} 重组：余额 {money(params.get('outstanding'))}（含逾期本金 "
            f"{money(params.get('overdue_principal'))}）按 {params.get('months')} 个月、年利率 {params.get('annual_rate')}% "
            "重新安排还款计划")


def _render(command: Any, viewer: Any) -> Summary:
    p = command.params
    return Summary(
        headline=_describe(p),
        facts=[Fact("贷款账号", p.get("loan", "")), Fact("新的剩余期限", f"{p.get('months')} 个月"),
               Fact("年利率", f"{p.get('annual_rate')}%"), Fact("重组原因", p.get("reason", "")),
               Fact("五级分类", "重组后至少为次级，观察期 6 个月")],
        postings=[Posting("借", LOANS_GL, "委托贷款", money(p.get("overdue_principal"))),
                  Posting("贷", OVERDUE_GL, "逾期贷款", money(p.get("overdue_principal")))])


def register_commands() -> None:
    register(COMMAND, apply=_apply, permission=PERMISSION, describe=_describe, validate=_validate, label="贷款重组")
    register_renderer(COMMAND, _render)
