"""贷款发放: the engine's `execute` of an approved loan application, through the settlement gateway.

- Execute (`applications.application_execute`, by a staff member holding `settlement.operate`): the contract
  signed and sealed, the collateral condition of the property's kind (`collateral.disbursement_condition`), the
  center's 住房公积金存款专户; then BDC101 (`payment_submit`, settlement biz type 04 划拨委贷基金, book account
  121 委托贷款, source `loan`, the application number as reference) to the seller's or developer's account that
  the contract registered in the payee registry, sent after commit. The application stays 办理中.
- The bank paid (settlement's success hook, whichever way the answer comes: the answer, BDC110, a notice):
  Dr 121 委托贷款 / Cr 101 专户 with the bank reference; the `Loan` becomes 还款中 with its outstanding principal
  and its schedule stored (`LoanInstallment`); the application is 办结.
- The bank refused: the disbursement is 放款失败, the application 办理失败 (it may be executed again).
- An unknown outcome (lost answer) leaves everything as it is until BDC110 (`instruction_resolve`, day-end)
  settles it once through the same hooks: the settlement gateway makes the payment exactly once.
- Four eyes: a loan payment counts as checked when its application was passed by a reviewer and it pays exactly
  the contract's principal to the payee recorded on the application."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from openhpf.applications.models import Application, ReviewDecision, State
from openhpf.applications.services import application_execution_done
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import SettlementBizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.ledger.services import Line, entry_post
from openhpf.settlement import services as settlement
from openhpf.settlement.four_eyes import register_application_source
from openhpf.settlement.models import Instruction
from openhpf.settlement.selectors import fund_account_for_payments

from .calculations import iter_schedule
from .collateral import disbursement_condition
from .contract import missing_signers
from .models import Disbursement, Loan, LoanContract, LoanInstallment, LoanScheduleVersion

SOURCE = "loan"
LOANS_GL = "121"
D = Disbursement.State


def execute(app: Application, actor: Actor, business_date: date) -> dict[str, Any]:
    contract = LoanContract.objects.select_related("loan").filter(application=app).first()
    if contract is None:
        raise DomainError(ErrorCode.LOAN_CONTRACT_MISSING, number=app.number)
    if contract.status != LoanContract.Status.SIGNED:
        from_names = [s.name for s in missing_signers(contract)]
        raise DomainError(ErrorCode.LOAN_CONTRACT_UNSIGNED, contract_no=contract.contract_no,
                          missing="、".join(from_names) or "中心电子印章")
    blocking = disbursement_condition(app, business_date)
    if blocking:
        raise DomainError(ErrorCode.LOAN_COLLATERAL_CONDITION, detail="；".join(blocking))
    bank = fund_account_for_payments(app.center_id)
    if bank is None:
        raise DomainError(ErrorCode.LOAN_NO_FUND_ACCOUNT, field="bank_account")
    prop = app.payload["property"]
    d = Disbursement.objects.select_for_update().filter(application=app).first()
    if d is None:
        d = Disbursement(center_id=app.center_id, application=app, loan=contract.loan)
    d.amount, d.payee_account, d.payee_name = contract.principal, prop["payee_account"], prop["payee_name"]
    d.payee_kind = "seller" if prop["kind"] == "second_hand" else "developer"
    d.down_payment_application = app.payload.get("down_payment_application") or ""
    ins = settlement.payment_submit(
        center=app.center, bank_account=bank, amount=contract.principal, payee_account=d.payee_account,
        payee_name=d.payee_name, biz_type=SettlementBizType.LOAN_FUND, book_account=LOANS_GL,
        summary=f"个人住房公积金贷款发放 {contract.contract_no}", actor=actor, business_date=business_date,
        source=SOURCE, source_ref=app.number)
    d.instruction_seq, d.state, d.message = ins.seq, D.SENT, ""
    d.save()
    audit_log(actor=actor, action=AuditEvent.LOANS_DISBURSE_SEND, obj=d, center=app.center_id,
              business_date=business_date,
              after={"application": app.number, "contract_no": contract.contract_no, "amount": d.amount,
                     "seq": ins.seq, "payee_account": d.payee_account, "payee_name": d.payee_name})
    if ins.state == Instruction.State.CREATED:
        pk = ins.pk
        transaction.on_commit(lambda: _send(pk, actor, business_date), robust=True)
    return {"pending": True, "instruction": ins.seq, "amount": d.amount, "contract_no": contract.contract_no,
            "held": ins.state == Instruction.State.HELD}


def _send(pk: int, actor: Actor, business_date: date) -> None:
    settlement.instruction_send(instruction=Instruction.objects.get(pk=pk), actor=actor, business_date=business_date)


def _disbursement_of(ins: Instruction) -> Disbursement:
    number = settlement.source_ref_base(ins.source_ref)
    return Disbursement.objects.select_for_update().select_related("application", "loan").get(
        application__number=number, center_id=ins.center_id)


def on_paid(ins: Instruction, answer: dict[str, Any], actor: Actor, business_date: date) -> Any:
    """Dr 121 / Cr 专户 with the bank reference; the loan active with its schedule; the application 办结."""
    d = _disbursement_of(ins)
    entry = entry_post(
        center=ins.center, business_date=business_date, source="settlement", actor=actor,
        lines=[Line(LOANS_GL, debit=ins.amount), Line(ins.bank_account.gl_account.code, credit=ins.amount,
                                                      bank_ref=ins.seq)],
        description=f"{SettlementBizType(ins.biz_type).label} 贷款发放 {d.loan.contract_no} {ins.seq}")
    loan = Loan.objects.select_for_update().get(pk=d.loan_id)
    LoanInstallment.objects.filter(loan=loan).delete()
    rows = list(iter_schedule(loan.principal, loan.annual_rate, loan.months, loan.method, loan.first_due))
    LoanInstallment.objects.bulk_create([
        LoanInstallment(loan=loan, period=i.period, due_date=i.due_date, principal=i.principal,
                        interest=i.interest, balance=i.balance) for i in rows])
    LoanScheduleVersion.objects.get_or_create(
        loan=loan, version=1, defaults={
            "reason": LoanScheduleVersion.Reason.DISBURSED, "effective_on": business_date, "from_period": 1,
            "balance": loan.principal, "annual_rate": loan.annual_rate, "months": loan.months,
            "payment": rows[0].principal + rows[0].interest if rows else 0, "created_by": actor_label(actor)})
    loan.status, loan.disbursed_on, loan.outstanding = Loan.Status.ACTIVE, business_date, loan.principal
    loan.save(update_fields=["status", "disbursed_on", "outstanding", "updated_at"])
    bank_seq = str(answer.get("bank_seq", "") or ins.bank_seq or "")
    d.state, d.bank_seq, d.paid_on, d.entry, d.message = D.PAID, bank_seq[:40], business_date, entry, "放款成功"
    d.save(update_fields=["state", "bank_seq", "paid_on", "entry", "message", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.LOANS_DISBURSE_PAID, obj=d, center=d.center_id,
              business_date=business_date,
              after={"application": d.application.number, "loan": loan.number, "amount": ins.amount, "seq": ins.seq,
                     "bank_seq": bank_seq, "voucher": entry.voucher_no})
    application_execution_done(application=d.application, ok=True, actor=actor, business_date=business_date,
                               result={"loan": loan.number, "paid": ins.amount, "bank_seq": bank_seq,
                                       "voucher": entry.voucher_no},
                               reason=f"贷款已发放 {ins.seq}")
    return entry


def on_failed(ins: Instruction, actor: Actor, business_date: date) -> None:
    d = _disbursement_of(ins)
    d.state, d.message = D.FAILED, "银行支付失败"
    d.save(update_fields=["state", "message", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.LOANS_DISBURSE_FAILED, obj=d, center=d.center_id,
              business_date=business_date, after={"application": d.application.number, "seq": ins.seq})
    application_execution_done(application=d.application, ok=False, actor=actor, business_date=business_date,
                               result={"failed": ins.seq}, reason=f"银行支付失败（{ins.seq}），可重新发放")


def application_checked(*, center: Any, source_ref: str, payees: list[tuple[str, str, int]]) -> bool:
    """Four eyes: passed by a reviewer, paying exactly the contract's principal to the recorded payee."""
    app = Application.objects.filter(center=center, number=settlement.source_ref_base(source_ref)).first()
    if app is None or app.state != State.EXECUTING or len(payees) != 1:
        return False
    if not ReviewDecision.objects.filter(application=app, decision=ReviewDecision.Decision.PASS).exists():
        return False
    contract = LoanContract.objects.filter(application=app, status=LoanContract.Status.SIGNED).first()
    prop = (app.payload or {}).get("property") or {}
    return contract is not None and payees[0] == (prop.get("payee_account"), prop.get("payee_name"),
                                                  contract.principal)


def register_hooks() -> None:
    settlement.SUCCESS_HOOKS[SOURCE] = on_paid
    settlement.FAILURE_HOOKS[SOURCE] = on_failed
    register_application_source(SOURCE, application_checked)
