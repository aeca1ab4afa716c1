"""Write-off (贷款核销) through maker-checker, and the recoveries after it (核销后收回).

The write-off is the approvals command `loans.write_off`: the maker (loans.operate) submits an overdue loan and the
reason; the checker approves and, in the approving transaction:
- the principal not yet overdue (outstanding − overdue principal) first moves to 122 逾期贷款 (Dr 122 / Cr 121),
  then the whole principal outstanding is written off against the reserve: Dr 301 贷款风险准备 / Cr 122, one
  balanced entry; refused when 301's balance is smaller than the principal (the reserve is funded from the
  增值收益 distribution, Dr 32101 / Cr 301, never by an expense);
- `LoanWriteOff` (已核销) records the principal, the entry, the maker's command; the loan becomes 已核销 with
  `written_off` = that principal and nothing outstanding (so `hpf verify`'s 121 + 122 control holds), its open
  dues WRITTEN_OFF (`paid_on` = the write-off date); the unpaid interest stays on the loan (`overdue_interest`)
  as the off-balance claim; the collection case closes.

A recovery (`recovery_record`) is money received later on a written-off loan: `payment_apply` allocates over
open dues, which a written-off loan no longer has, so this is its own small posting: Dr the 专户 (its bank
reference) / Cr 301 (the reserve restored), recorded as a `LoanPayment` with source RECOVERY (its allocation
columns stay zero: nothing of the loan's schedule is paid), `LoanWriteOff.recovered` grows; at most the
principal written off less what was recovered. A reference is applied once (a replay returns the payment)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from openhpf.approvals.registry import Fact, Posting, Summary, applying, money, register, register_renderer
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.services import Line, entry_post

from .collection import CLOSE_WRITTEN_OFF, case_close_for
from .locking import loan_for_write
from .models import Loan, LoanDue, LoanPayment, LoanWriteOff
from .payments import LOANS_GL, OVERDUE_GL

COMMAND = "loans.write_off"
PERMISSION = "loans.operate"
RESERVE_GL = "301"


def _bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.LOAN_WRITE_OFF_INVALID, detail=detail, field=field)


def reserve_balance(center: Any) -> int:
    """301 贷款风险准备's balance (a credit balance, as a positive fen amount)."""
    return -gl_balance(center=center, code_prefix=RESERVE_GL)


def _check(loan: Loan) -> None:
    if loan.status != Loan.Status.ACTIVE:
        raise DomainError(ErrorCode.LOAN_NOT_ACTIVE, number=loan.number, status=loan.get_status_display())
    if loan.overdue_since is None or loan.outstanding <= 0:
        raise _bad(f"贷款 {loan.number} 没有逾期，不能核销", "loan")
    reserve = reserve_balance(loan.center_id)
    if reserve < loan.outstanding:
        raise _bad(f"贷款风险准备（301）余额 {format_fen(reserve)} 元不足以核销贷款 {loan.number} 的本金 "
                   f"{format_fen(loan.outstanding)} 元", "loan")


def _validate(params: dict[str, Any], actor: Actor, center: Any, business_date: date) -> dict[str, Any]:
    number = str(params.get("loan", "")).strip()
    loan = Loan.objects.filter(center=center, number=number).first()
    if loan is None:
        raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=number or "—", field="loan")
    _check(loan)
    reason = str(params.get("reason", "")).strip()
    if not reason:
        raise _bad("请填写核销理由（如法院终结执行裁定、借款人死亡且无遗产等）", "reason")
    return {"loan": loan.number, "center": center.pk, "reason": reason[:300], "principal": loan.outstanding,
            "overdue_principal": loan.overdue_principal}


def write_off_apply(*, loan_pk: int, reason: str, actor: Actor, business_date: date, maker: str = "",
                    command_id: int | None = None) -> LoanWriteOff:
    """The approved write-off (see the module docstring); runs in the approving transaction."""
    ln = loan_for_write(pk=loan_pk)
    _check(ln)
    total, current = ln.outstanding, ln.outstanding - ln.overdue_principal
    lines = [Line(OVERDUE_GL, debit=current, memo="未到期本金转逾期"), Line(LOANS_GL, credit=current)] if current else []
    lines += [Line(RESERVE_GL, debit=total, memo="核销"), Line(OVERDUE_GL, credit=total)]
    entry = entry_post(center=ln.center, business_date=business_date, lines=lines, source="loans", actor=actor,
                       description=f"贷款核销 {ln.number}")
    dues = LoanDue.objects.filter(loan=ln, state=LoanDue.State.OPEN).update(
        state=LoanDue.State.WRITTEN_OFF, paid_on=business_date)
    ln.status, ln.written_off, ln.outstanding, ln.overdue_principal = Loan.Status.WRITTEN_OFF, total, 0, 0
    ln.save(update_fields=["status", "written_off", "outstanding", "overdue_principal", "updated_at"])
    wo = LoanWriteOff.objects.create(center_id=ln.center_id, loan=ln, principal=total, reason=reason[:300],
                                     state=LoanWriteOff.State.DONE, command_id=command_id, entry=entry,
                                     done_on=business_date, created_by=maker or actor_label(actor))
    case_close_for(loan=ln, on=business_date, reason=CLOSE_WRITTEN_OFF)
    audit_log(actor=actor, action=AuditEvent.LOANS_WRITE_OFF, obj=wo, center=ln.center_id,
              business_date=business_date,
              after={"loan": ln.number, "principal": total, "moved_to_overdue": current, "dues": dues,
                     "unpaid_interest": ln.overdue_interest, "voucher": entry.voucher_no, "reason": reason,
                     "maker": maker})
    return wo


def _apply(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    cmd = applying()
    loan = Loan.objects.filter(center_id=params["center"], number=params["loan"]).first()
    if loan is None:
        raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=params["loan"], field="loan")
    wo = write_off_apply(loan_pk=loan.pk, reason=params["reason"], actor=actor, business_date=business_date,
                         maker=actor_label(cmd.maker) if cmd is not None else "",
                         command_id=cmd.pk if cmd is not None else None)
    return {"loan": loan.number, "write_off": wo.pk, "principal": wo.principal,
            "voucher": wo.entry.voucher_no if wo.entry else ""}


def _describe(params: dict[str, Any]) -> str:
    return f"核销贷款 {params.get('loan')} 的本金 {money(params.get('principal'))}（借记贷款风险准备）"


def _render(command: Any, viewer: Any) -> Summary:
    p = command.params
    total, overdue = p.get("principal"), p.get("overdue_principal")
    postings = []
    if isinstance(total, int) and isinstance(overdue, int) and total > overdue:
        postings += [Posting("借", OVERDUE_GL, "逾期贷款", money(total - overdue), "未到期本金转逾期"),
                     Posting("贷", LOANS_GL, "委托贷款", money(total - overdue))]
    postings += [Posting("借", RESERVE_GL, "贷款风险准备", money(total)), Posting("贷", OVERDUE_GL, "逾期贷款", money(total))]
    return Summary(headline=_describe(p),
                   facts=[Fact("贷款账号", p.get("loan", "")), Fact("核销本金", money(total)),
                          Fact("其中逾期本金", money(overdue)), Fact("核销理由", p.get("reason", ""))],
                   postings=postings)


def register_commands() -> None:
    register(COMMAND, apply=_apply, permission=PERMISSION, describe=_describe, validate=_validate,
             amount=lambda p: p.get("principal"), label="贷款核销")
    register_renderer(COMMAND, _render)


# ---------------------------------------------------------------- recoveries


def _bad_recovery(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.LOAN_RECOVERY_INVALID, detail=detail, field=field)


def recovery_record(*, center: Any, loan: str, amount: int, reference: str, account: str, bank_ref: str,
                    actor: Actor, business_date: date) -> LoanPayment:
    """Money received on a written-off loan: Dr `account` (a 专户 of 101, with the bank reference) / Cr 301."""
    if amount <= 0:
        raise _bad_recovery("收回金额须大于零", "amount")
    if not reference:
        raise _bad_recovery("缺少收回流水号", "reference")
    if not account.startswith("101"):
        raise _bad_recovery(f"收款科目应为住房公积金存款专户（101 下的专户）：{account}", "account")
    with transaction.atomic():
        found = Loan.objects.filter(center=center, number=loan).first()
        if found is None:
            raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=loan, field="loan")
        seen = LoanPayment.objects.filter(reference=reference).first()
        if seen is not None:
            if seen.loan_id != found.pk or seen.amount != amount:
                raise DomainError(ErrorCode.LOAN_PAYMENT_CONFLICT, reference=reference)
            return seen
        ln = loan_for_write(pk=found.pk, active=False)
        if ln.status != Loan.Status.WRITTEN_OFF:
            raise _bad_recovery(f"贷款 {ln.number} 未核销（当前状态：{ln.get_status_display()}），还款请按正常还款办理",
                                "loan")
        wo = LoanWriteOff.objects.select_for_update().filter(loan=ln, state=LoanWriteOff.State.DONE).first()
        if wo is None:
            raise _bad_recovery(f"贷款 {ln.number} 没有核销记录", "loan")
        left = wo.principal - wo.recovered
        if amount > left:
            raise _bad_recovery(f"收回金额 {format_fen(amount)} 元超过尚未收回的核销本金 {format_fen(left)} 元", "amount")
        entry = entry_post(center=ln.center, business_date=business_date, source="loans", actor=actor,
                           lines=[Line(account, debit=amount, bank_ref=bank_ref),
                                  Line(RESERVE_GL, credit=amount, memo="核销贷款收回")],
                           description=f"核销贷款收回 {ln.number} {reference}")
        pay = LoanPayment.objects.create(
            center_id=ln.center_id, loan=ln, reference=reference, source=LoanPayment.Source.RECOVERY,
            business_date=business_date, amount=amount, bank_ref=bank_ref[:40], entry=entry,
            created_by=actor_label(actor))
        wo.recovered += amount
        wo.save(update_fields=["recovered"])
        audit_log(actor=actor, action=AuditEvent.LOANS_RECOVERY, obj=wo, center=ln.center_id,
                  business_date=business_date,
                  after={"loan": ln.number, "reference": reference, "amount": amount, "recovered": wo.recovered,
                         "voucher": entry.voucher_no})
    return pay
