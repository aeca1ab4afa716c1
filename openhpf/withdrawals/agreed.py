"""约定提取 / 逐月代扣: agreements to offset a housing loan's installment from the member's account every month,
and the monthly run that pays them.

- `agreement_sign` (the counter, `accounts.change`): the agreement is stored 待复核 (the commercial repayment
  account SM4-encrypted with a blind index) and its command `withdrawals.agreement_sign` goes to a checker
 (approvals.approve, never the maker); approval makes it 生效 and enters the repayment account in
  settlement's payee registry. `agreement_stop` does the same for a stop (`withdrawals.agreement_stop`).
- The monthly run (`agreed_run`, the day-end step `agreed`): every agreement in force that month and not yet
  paid for it gets one item (unique per agreement and month: a rerun, or the next day's run, never pays it
  twice). Set-based SQL decides each item — skipped with its reason (account not normal or sealed, fully
  frozen, nothing available, an HPF loan while no loans app applies offsets) or held: the amount (the
  installment, or the fixed amount; at most what is available) is held on the account at once. The run is
  committed then (a crash after it resumes at the payment). Then all commercial items go in ONE bank batch
  (BDC103, settlement biz type 02, ledger biz type 11): the holds are released and the debits posted
  set-based (Dr 201 / Cr 21903, split by `withdrawal.order`). The batch waits for one checker under the four
  eyes rule (`settlement.instruction_release`); the bank's items then settle it (Dr 21903 / Cr 101 for those
  paid; failed items back to the member at the original value date). HPF items go to the loans app's offset
  (`register_hpf_offset`) instead of the bank."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from openhpf.accounts.calculations import CARRIED_FIRST
from openhpf.accounts.models import Member, MemberAccount
from openhpf.accounts.published import MEMBER_ACCOUNT
from openhpf.accounts.services import withdrawal_order
from openhpf.approvals.registry import Fact, Summary, register, register_renderer
from openhpf.approvals.services import command_approve, command_submit
from openhpf.core import db as sql
from openhpf.core.actors import Actor, actor_label, staff_user_of
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import BizType, FreezeKind, MemberAccountStatus, SettlementBizType
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_name
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.core.paging import PAGE_SIZE, Page, mapped, paginate
from openhpf.ledger.chart import MEMBER_CONTROL
from openhpf.ledger.published import SUB_ACCOUNT
from openhpf.ledger.services import subaccounts_hold_from
from openhpf.settlement import services as settlement
from openhpf.settlement.four_eyes import payee_register
from openhpf.settlement.models import Instruction, InstructionItem, Payee
from openhpf.settlement.selectors import fund_account_for_payments

from .loanlink import member_hpf_loans
from .models import AgreedItem, AgreedRun, Agreement

SOURCE = "withdrawal.agreed"
SIGN_COMMAND = "withdrawals.agreement_sign"
STOP_COMMAND = "withdrawals.agreement_stop"
G = Agreement.Status
IS = AgreedItem.State
R = AgreedRun.Status


# ---------------------------------------------------------------- the HPF loans hook


@dataclass(frozen=True)
class HpfOffset:
    """What the loans app gets to apply one month's offset to an HPF loan's installment."""

    agreement_id: int
    contract_no: str
    sub_account_id: int
    amount: int
    month: date


HpfOffsetFn = Callable[[HpfOffset, Actor, date], Any]
_HPF_OFFSET: list[HpfOffsetFn] = []


def register_hpf_offset(fn: HpfOffsetFn) -> None:
    """The loans app registers, from its `ready()`, the function that takes `amount` from the member's account
    (Dr 201, its own posting) and applies it to the installment of `contract_no`. Until it does, HPF-loan
    agreements are skipped with a reason in the run's report."""
    _HPF_OFFSET[:] = [fn]


def unregister_hpf_offset() -> None:
    _HPF_OFFSET.clear()


# ---------------------------------------------------------------- signing and stopping (maker-checker)


def _bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.WITHDRAWAL_AGREEMENT_INVALID, detail=detail, field=field)


def _month(d: date) -> date:
    return d.replace(day=1)


def agreement_sign(
    *, account: MemberAccount, loan_kind: str, contract_no: str, installment: int, amount_rule: str,
    start_month: date, actor: Actor, business_date: date, fixed_amount: int = 0, end_month: date | None = None,
    spouse: Member | None = None, bank_code: str = "", bank_name: str = "", repay_account: str = "",
    repay_name: str = "",
) -> Agreement:
    """Record an agreement 待复核 and submit its sign command. Every problem is a clear error, nothing written."""
    contract_no = (contract_no or "").strip()
    if loan_kind not in G.__members__.values() and loan_kind not in Agreement.LoanKind.values:
        raise _bad("贷款类型应为住房公积金贷款或商业性住房贷款", "loan_kind")
    if not contract_no:
        raise _bad("请填写借款合同号", "contract_no")
    if amount_rule not in Agreement.AmountRule.values:
        raise _bad("约定金额规则应为按月还款额或固定金额", "amount_rule")
    if end_month is not None and _month(end_month) < _month(start_month):
        raise _bad("终止月份不能早于起始月份", "end_month")
    if _month(start_month) < _month(business_date):
        raise _bad("起始月份不能早于本月", "start_month")
    if account.status not in (MemberAccountStatus.NORMAL, MemberAccountStatus.SEALED):
        raise _bad(f"个人账户状态为「{MemberAccountStatus(account.status).label}」，不能签订约定提取", "account")
    if loan_kind == Agreement.LoanKind.HPF:
        loan = next((ln for ln in member_hpf_loans(account.member_id, business_date)
                     if ln.contract_no == contract_no), None)
        if loan is None:
            raise DomainError(ErrorCode.WITHDRAWAL_AGREEMENT_LOAN, contract_no=contract_no, field="contract_no")
        installment = loan.next_installment or installment
        bank_code = bank_name = repay_account = repay_name = ""
    else:
        repay_account = "".join((repay_account or "").split())
        if not repay_account.isdigit() or not 6 <= len(repay_account) <= 40:
            raise _bad("还款账号应为 6 至 40 位数字", "repay_account")
        if not (bank_code or "").strip() or not (bank_name or "").strip():
            raise _bad("请填写贷款银行", "bank_name")
        repay_name = (repay_name or "").strip()
        if repay_name not in {account.member.name, spouse.name if spouse is not None else account.member.name}:
            raise _bad("还款账户户名应为借款人（职工本人或配偶）", "repay_name")
    if not isinstance(installment, int) or installment <= 0:
        raise _bad("月还款额应为大于零的整数（分）", "installment")
    if amount_rule == Agreement.AmountRule.FIXED and not (0 < fixed_amount <= installment):
        raise DomainError(ErrorCode.WITHDRAWAL_AGREEMENT_AMOUNT, amount=format_fen(fixed_amount),
                          installment=format_fen(installment), field="fixed_amount")
    open_states = [G.PENDING, G.ACTIVE, G.STOPPING]
    if Agreement.objects.filter(center_id=account.center_id, contract_no=contract_no, status__in=open_states).exists() \
            or Agreement.objects.filter(account=account, status__in=open_states).exists():
        raise DomainError(ErrorCode.WITHDRAWAL_AGREEMENT_EXISTS, contract_no=contract_no, field="contract_no")
    with transaction.atomic():
        ag = Agreement.objects.create(
            center_id=account.center_id, member_id=account.member_id, account=account, spouse=spouse,
            loan_kind=loan_kind, contract_no=contract_no[:60], bank_code=bank_code.strip()[:12],
            bank_name=bank_name.strip()[:60], repay_account=repay_account, repay_last4=repay_account[-4:],
            repay_name=repay_name[:60], installment=installment, amount_rule=amount_rule,
            fixed_amount=fixed_amount if amount_rule == Agreement.AmountRule.FIXED else 0,
            start_month=_month(start_month), end_month=_month(end_month) if end_month else None,
            made_by=actor_label(actor)[0])
        cmd = command_submit(name=SIGN_COMMAND, actor=actor, center=account.center, business_date=business_date,
                             params={"agreement": ag.pk})
        ag.command_id = cmd.pk
        ag.save(update_fields=["command_id"])
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_AGREEMENT_SUBMIT, obj=ag, center=ag.center_id,
                  business_date=business_date,
                  after={"action": "sign", "contract_no": ag.contract_no, "loan_kind": loan_kind,
                         "monthly": ag.monthly_amount, "payee_account": ag.masked_account, "command": cmd.pk})
    return ag


def agreement_stop(*, agreement: Agreement, reason: str, actor: Actor, business_date: date) -> Agreement:
    if not (reason or "").strip():
        raise _bad("请填写终止原因", "reason")
    with transaction.atomic():
        ag = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if ag.status != G.ACTIVE:
            raise DomainError(ErrorCode.WITHDRAWAL_AGREEMENT_STATE, status=G(ag.status).label, action="终止",
                              field="agreement")
        cmd = command_submit(name=STOP_COMMAND, actor=actor, center=ag.center, business_date=business_date,
                             params={"agreement": ag.pk, "reason": reason.strip()[:200]})
        ag.status, ag.command_id = G.STOPPING, cmd.pk
        ag.save(update_fields=["status", "command_id"])
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_AGREEMENT_SUBMIT, obj=ag, center=ag.center_id,
                  business_date=business_date, after={"action": "stop", "reason": reason, "command": cmd.pk})
    return ag


def _agreement_of(params: dict[str, Any], want: str) -> Agreement:
    ag = Agreement.objects.select_for_update().select_related("center").filter(pk=int(params.get("agreement") or 0)).first()
    if ag is None or ag.status != want:
        raise DomainError(ErrorCode.WITHDRAWAL_AGREEMENT_STATE, status=G(ag.status).label if ag else "不存在",
                          action="复核", field="agreement")
    return ag


def _apply_sign(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    ag = _agreement_of(params, G.PENDING)
    who = actor_label(actor)[0]
    if ag.loan_kind == Agreement.LoanKind.COMMERCIAL:  # the repayment account becomes a registered payee
        payee_register(center=ag.center, account_no=ag.repay_account, account_name=ag.repay_name,
                       kind=Payee.Kind.COUNTERPARTY, actor=actor, source=f"约定提取 {ag.contract_no}",
                       bank_name=ag.bank_name, approved_by=who)
    ag.status, ag.checked_by, ag.signed_on = G.ACTIVE, who, business_date
    ag.save(update_fields=["status", "checked_by", "signed_on"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_AGREEMENT_APPLY, obj=ag, center=ag.center_id,
              business_date=business_date, after={"action": "sign", "contract_no": ag.contract_no})
    return {"agreement": ag.pk, "status": ag.status}


def _apply_stop(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    ag = _agreement_of(params, G.STOPPING)
    ag.status, ag.stopped_on, ag.stop_reason = G.STOPPED, business_date, str(params.get("reason", ""))[:200]
    ag.checked_by = actor_label(actor)[0]
    ag.save(update_fields=["status", "stopped_on", "stop_reason", "checked_by"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_AGREEMENT_APPLY, obj=ag, center=ag.center_id,
              business_date=business_date, after={"action": "stop", "reason": ag.stop_reason})
    return {"agreement": ag.pk, "status": ag.status}


def _on_reject(command: Any, actor: Actor, business_date: date | None = None) -> None:
    ag = Agreement.objects.filter(pk=int((command.params or {}).get("agreement") or 0)).first()
    if ag is None:
        return
    if ag.status == G.PENDING:
        Agreement.objects.filter(pk=ag.pk).update(status=G.REJECTED)
    elif ag.status == G.STOPPING:
        Agreement.objects.filter(pk=ag.pk).update(status=G.ACTIVE)


def _describe(params: dict[str, Any]) -> str:
    ag = Agreement.objects.filter(pk=int(params.get("agreement") or 0)).first()
    what = "终止" if "reason" in params else "签订"
    return f"{what}约定提取协议 {ag.contract_no if ag else params.get('agreement')}"


def _render(command: Any, viewer: Any) -> Summary:
    ag = Agreement.objects.filter(pk=command.params.get("agreement")).select_related("account").first()
    facts = []
    if ag is not None:
        facts = [Fact("个人账号", ag.account.account_no), Fact("贷款类型", Agreement.LoanKind(ag.loan_kind).label),
                 Fact("借款合同号", ag.contract_no), Fact("月还款额", f"{format_fen(ag.installment)} 元"),
                 Fact("约定金额", f"{Agreement.AmountRule(ag.amount_rule).label} {format_fen(ag.monthly_amount)} 元"),
                 Fact("起止月份", f"{ag.start_month:%Y-%m} 至 {ag.end_month:%Y-%m}" if ag.end_month
                      else f"{ag.start_month:%Y-%m} 起")]
        if ag.loan_kind == Agreement.LoanKind.COMMERCIAL:
            facts.append(Fact("还款账户", f"{ag.bank_name} {ag.masked_account}"))
    if command.params.get("reason"):
        facts.append(Fact("终止原因", command.params["reason"]))
    return Summary(headline=_describe(command.params), facts=facts)


def register_commands() -> None:
    for name, apply, label in ((SIGN_COMMAND, _apply_sign, "约定提取协议签订"),
                               (STOP_COMMAND, _apply_stop, "约定提取协议终止")):
        register(name, apply=apply, permission="accounts.change", describe=_describe, label=label,
                 on_reject=_on_reject)
        register_renderer(name, _render)


# ---------------------------------------------------------------- the monthly run


def _items_sql(hpf_enabled: bool) -> str:
    """INSERT … SELECT of one item per agreement due this month and not yet paid for it, each decided at once."""
    avail = "(a.balance_current + a.balance_carried - a.frozen_amount - a.hold_amount)"
    want = "(CASE WHEN g.amount_rule = 'fixed' THEN g.fixed_amount ELSE g.installment END)"
    hpf_off = "1 = 0" if hpf_enabled else "g.loan_kind = 'hpf'"
    case = (f"CASE WHEN {hpf_off} THEN %s "
            "WHEN m.status NOT IN (%s, %s) THEN %s "
            "WHEN m.freeze_kind = %s THEN %s "
            f"WHEN {avail} <= 0 THEN %s ELSE '' END")
    return (
        "INSERT INTO withdrawals_agreeditem (run_id, agreement_id, month, sub_account_id, amount, taken_carried, "  # noqa: S608 — view names and SQL from code; values bound
        "item_no, state, reason) "
        f"SELECT %s, g.id, %s, m.sub_id, CASE WHEN {want} <= {avail} THEN {want} "
        f"WHEN {avail} > 0 THEN {avail} ELSE 0 END, 0, 0, "
        f"CASE WHEN ({case}) = '' THEN 'held' ELSE 'skipped' END, {case} "
        f"FROM withdrawals_agreement g JOIN {MEMBER_ACCOUNT} m ON m.sub_id = g.account_id "
        f"JOIN {SUB_ACCOUNT} a ON a.id = m.sub_id "
        "WHERE g.center_id = %s AND g.status IN ('active', 'stopping') AND g.start_month <= %s "
        "AND (g.end_month IS NULL OR g.end_month >= %s) "
        # NOT IN, not NOT EXISTS: the items already made are read once (a hashed subplan), never probed per row in
        # the table this statement is filling (PostgreSQL chose a nested loop over it: quadratic, minutes)
        "AND g.id NOT IN (SELECT i.agreement_id FROM withdrawals_agreeditem i WHERE i.month = %s)")


def _case_params() -> list[Any]:
    return ["公积金贷款冲还未启用（贷款子系统未登记冲还接口），本月未扣", MemberAccountStatus.NORMAL,
            MemberAccountStatus.SEALED, "账户状态不是正常或封存", FreezeKind.FULL, "账户已全部冻结",
            "账户可用余额不足"]


def _holds(run: AgreedRun, sign: int, state: str) -> Relation:
    return Relation("SELECT i.sub_account_id, SUM(i.amount) * %s AS delta FROM withdrawals_agreeditem i "
                    "WHERE i.run_id = %s AND i.state = %s GROUP BY i.sub_account_id", (sign, run.pk, state))


def _report(run: AgreedRun) -> dict[str, Any]:
    rows = sql.fetch("SELECT i.state, i.reason, COUNT(*), COALESCE(SUM(i.amount), 0) FROM withdrawals_agreeditem i "
                     "WHERE i.run_id = %s GROUP BY i.state, i.reason ORDER BY i.state, i.reason", [run.pk])
    return {"items": [{"state": str(st), "state_name": IS(st).label, "reason": str(rs or ""), "count": int(n),
                       "amount": int(amt)} for st, rs, n, amt in rows]}


def agreed_run(*, center: Center, actor: Actor, business_date: date,
               progress: Callable[[int, int], None] | None = None) -> AgreedRun:
    """The day's run of the center (idempotent per agreement and month; resumable: a run already held goes on
    to its payment, a run submitted is left to the bank and the checker)."""
    month = _month(business_date)
    run = AgreedRun.objects.filter(center=center, business_date=business_date).first()
    if run is None:
        with transaction.atomic():
            run = AgreedRun.objects.create(center=center, month=month, business_date=business_date)
            sql.analyze("withdrawals_agreement")  # PostgreSQL plans on fresh statistics
            n = sql.execute(_items_sql(bool(_HPF_OFFSET)),
                            [run.pk, month, *_case_params(), *_case_params(), center.pk, month, month, month])
            sql.analyze("withdrawals_agreeditem")  # the month's items were just added
            subaccounts_hold_from(source=_holds(run, 1, IS.HELD))
            counts = dict(AgreedItem.objects.filter(run=run).values_list("state").annotate(
                n=Count("id")).values_list("state", "n"))
            run.count, run.skipped = counts.get(IS.HELD, 0), counts.get(IS.SKIPPED, 0)
            run.total = int(sql.fetch("SELECT COALESCE(SUM(amount), 0) FROM withdrawals_agreeditem "
                                      "WHERE run_id = %s AND state = %s", [run.pk, IS.HELD])[0][0])
            run.status = R.HELD if run.count else R.EMPTY
            run.report = _report(run)
            run.save()
            audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_AGREED_RUN, obj=run, center=center,
                      business_date=business_date,
                      after={"phase": "hold", "items": n, "held": run.count, "skipped": run.skipped,
                             "total": run.total})
    if progress:
        progress(1, 2)
    if run.status == R.HELD:
        _submit(run, actor=actor, business_date=business_date)
    if progress:
        progress(2, 2)
    run.refresh_from_db()
    return run


def _submit(run: AgreedRun, *, actor: Actor, business_date: date) -> None:
    """Pay the held items: HPF loans through the loans app's offset, the rest in ONE BDC103 batch, held for a
    checker (four eyes). One transaction: the holds become the batch's debits or stay as they were."""
    with transaction.atomic():
        run = AgreedRun.objects.select_for_update().select_related("center").get(pk=run.pk)
        if run.status != R.HELD:
            return
        center = run.center
        hpf = list(AgreedItem.objects.filter(run=run, state=IS.HELD, agreement__loan_kind=Agreement.LoanKind.HPF)
                   .select_related("agreement").order_by("pk"))
        if hpf:
            subaccounts_hold_from(source=Relation(
                "SELECT i.sub_account_id, -SUM(i.amount) AS delta FROM withdrawals_agreeditem i WHERE i.run_id = %s "
                "AND i.state = %s AND i.agreement_id IN (SELECT g.id FROM withdrawals_agreement g WHERE g.loan_kind = %s) "
                "GROUP BY i.sub_account_id", (run.pk, IS.HELD, Agreement.LoanKind.HPF)))
            for it in hpf:
                _HPF_OFFSET[0](HpfOffset(agreement_id=it.agreement_id, contract_no=it.agreement.contract_no,
                                         sub_account_id=it.sub_account_id, amount=it.amount, month=run.month),
                               actor, business_date)
            AgreedItem.objects.filter(pk__in=[it.pk for it in hpf]).update(state=IS.OFFSET, reason="已冲还公积金贷款")
        carried_first = withdrawal_order(center=center, on=business_date) == CARRIED_FIRST
        take = ("CASE WHEN withdrawals_agreeditem.amount <= a.balance_carried THEN withdrawals_agreeditem.amount "
                "ELSE a.balance_carried END") if carried_first else (
               "CASE WHEN withdrawals_agreeditem.amount <= a.balance_current THEN 0 "
               "ELSE withdrawals_agreeditem.amount - a.balance_current END")
        sql.execute(f"UPDATE withdrawals_agreeditem SET taken_carried = (SELECT {take} FROM {SUB_ACCOUNT} a "  # noqa: S608 — view names and SQL from code; values bound
                    "WHERE a.id = withdrawals_agreeditem.sub_account_id) WHERE run_id = %s AND state = %s",
                    [run.pk, IS.HELD])
        subaccounts_hold_from(source=_holds(run, -1, IS.HELD))  # the holds become the batch's debits
        rows = list(AgreedItem.objects.filter(run=run, state=IS.HELD).order_by("pk").values_list(
            "sub_account_id", "amount", "taken_carried", "agreement__repay_account", "agreement__repay_name"))
        AgreedItem.objects.filter(run=run, state=IS.HELD).update(state=IS.SUBMITTED)
        if not rows:
            run.status, run.report = R.DONE, _report(run)
            run.save(update_fields=["status", "report", "updated_at"])
            return
        bank = fund_account_for_payments(center.pk)
        if bank is None:
            raise DomainError(ErrorCode.WITHDRAWAL_NO_FUND_ACCOUNT, field="bank_account")
        items = [{"counter_account": no, "counter_name": name, "amount": amt, "sub_account_id": sid,
                  "taken_carried": carried} for sid, amt, carried, no, name in rows]

        def member_rows(seq: str) -> Relation:
            return Relation(
                "SELECT i.id AS ord, i.sub_account_id, -(i.amount - i.taken_carried) AS amount_current, "  # noqa: S608 — SQL from code; values bound
                f"-i.taken_carried AS amount_carried, {sql.date_param()} AS value_date, %s AS reference "
                "FROM withdrawals_agreeditem i WHERE i.run_id = %s AND i.state = %s",
                (business_date, seq, run.pk, IS.SUBMITTED))

        ins = settlement.batch_payment_submit(
            center=center, bank_account=bank, items=items, biz_type=SettlementBizType.PARTIAL_WITHDRAWAL,
            book_account=MEMBER_CONTROL, summary=f"约定提取 {run.month:%Y年%m月}",
            actor=staff_user_of(actor) or actor,  # the person who started the day-end makes the batch
            business_date=business_date, source=SOURCE, source_ref=f"AGREED-{center.code}-{business_date:%Y%m%d}",
            ledger_biz_type=BizType.PARTIAL_WITHDRAWAL, member_rows=member_rows,
            require_check="约定提取批量付款须复核放行")
        run.status, run.instruction_seq, run.report = R.SUBMITTED, ins.seq, _report(run)
        run.save(update_fields=["status", "instruction_seq", "report", "updated_at"])
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_AGREED_RUN, obj=run, center=center,
                  business_date=business_date,
                  after={"phase": "submit", "seq": ins.seq, "count": len(items), "total": ins.amount,
                         "command": ins.release_command})


def on_batch_done(ins: Instruction, actor: Actor, business_date: date) -> None:
    """The bank finished the run's batch (or it was refused or cancelled): each item paid or failed (a failed
    item's money is already back on the member's account, at its original value date)."""
    run = AgreedRun.objects.select_for_update().filter(center_id=ins.center_id, instruction_seq=ins.seq).first()
    if run is None or run.status == R.DONE:
        return
    # each item of the run is the batch item paying its account (one item per account in a run): the failed ones
    # (usually few; each with the bank's own reason) read and written in chunks, then every other item paid in
    # one UPDATE
    reasons: dict[int, str] = {}
    for sub_id, result, message in InstructionItem.objects.filter(instruction=ins).exclude(
            state=Instruction.State.SUCCEEDED).exclude(sub_account_id=None).values_list(
            "sub_account_id", "result", "message"):
        reasons[int(sub_id or 0)] = f"银行支付失败 {result} {message}".strip()[:200]
    subs = list(reasons)
    failed = 0
    for i in range(0, len(subs), 1000):
        items = list(AgreedItem.objects.filter(run=run, state=IS.SUBMITTED, sub_account_id__in=subs[i:i + 1000]))
        for it in items:
            it.state, it.reason = IS.FAILED, reasons[it.sub_account_id]
        AgreedItem.objects.bulk_update(items, ["state", "reason"], batch_size=500)
        failed += len(items)
    paid = AgreedItem.objects.filter(run=run, state=IS.SUBMITTED).update(state=IS.PAID, reason="")
    run.paid, run.failed, run.status, run.report = paid, failed, R.DONE, _report(run)
    run.save(update_fields=["paid", "failed", "status", "report", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_AGREED_RUN, obj=run, center=run.center_id,
              business_date=business_date, after={"phase": "done", "seq": ins.seq, "paid": paid, "failed": failed})


def hpf_agreement_contracts(center: Any, month: date) -> set[str]:
    """The contract numbers of HPF loans a 约定提取 agreement repays in `month` (the loans' bank debit leaves them
    to the agreed run)."""
    m = _month(month)
    return set(Agreement.objects.filter(center=center, loan_kind=Agreement.LoanKind.HPF,
                                        status__in=[G.ACTIVE, G.STOPPING], start_month__lte=m)
               .filter(Q(end_month__isnull=True) | Q(end_month__gte=m)).values_list("contract_no", flat=True))


def agreed_outflows(center: Any, start: date, end: date) -> list[tuple[date, int, str]]:
    """Liquidity: this month's agreements not yet paid and the months ahead of every agreement in force,
    at their monthly amount, on the first day of each month in [start, end]."""
    out: list[tuple[date, int, str]] = []
    ags = list(Agreement.objects.filter(center=center, status__in=[G.ACTIVE, G.STOPPING])
               .values_list("pk", "start_month", "end_month", "amount_rule", "fixed_amount", "installment"))
    done = set(AgreedItem.objects.filter(agreement__center=center, month__gte=_month(start), month__lte=end)
               .exclude(state=IS.SKIPPED).values_list("agreement_id", "month"))
    m = _month(start)
    while m <= end:
        total = sum(fixed if rule == Agreement.AmountRule.FIXED else inst
                    for pk, first, last, rule, fixed, inst in ags
                    if first <= m and (last is None or last >= m) and (pk, m) not in done)
        if total:
            out.append((max(m, start), total, f"约定提取 {m:%Y-%m}"))
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def register_hooks() -> None:
    settlement.BATCH_HOOKS[SOURCE] = on_batch_done


# ---------------------------------------------------------------- reads and edges' helpers (console, API, CLI)


def agreement_read(*, center: Center, pk: int, actor: Actor) -> dict[str, Any]:
    """One agreement as a clerk sees it (masked); the read is audited."""
    ag = agreement_get(center=center, pk=pk)
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_AGREEMENT_READ, obj=ag, center=center,
              business_date=center.business_date, after={"agreement": ag.pk})
    return agreement_summary(ag)


def agreement_get(*, center: Center, pk: int) -> Agreement:
    ag = Agreement.objects.select_related("account", "member").filter(center=center, pk=pk).first()
    if ag is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"约定提取协议不存在：{pk}", field="agreement")
    return ag


def agreement_summary(ag: Agreement) -> dict[str, Any]:
    """What a list shows of an agreement: the member's name and the repayment account masked."""
    return {"id": ag.pk, "account_no": ag.account.account_no, "member_name": mask_name(ag.member.name),
            "loan_kind": ag.loan_kind, "loan_kind_label": Agreement.LoanKind(ag.loan_kind).label,
            "contract_no": ag.contract_no, "bank_name": ag.bank_name, "repay_account": ag.masked_account,
            "repay_name": mask_name(ag.repay_name) if ag.repay_name else "", "installment": ag.installment,
            "amount_rule": ag.amount_rule, "amount_rule_label": Agreement.AmountRule(ag.amount_rule).label,
            "monthly_amount": ag.monthly_amount, "start_month": ag.start_month, "end_month": ag.end_month,
            "status": ag.status, "status_label": G(ag.status).label, "signed_on": ag.signed_on,
            "stopped_on": ag.stopped_on, "stop_reason": ag.stop_reason, "command_id": ag.command_id,
            "made_by": ag.made_by, "checked_by": ag.checked_by}


def agreements_page(*, center: Center, actor: Actor, status: str = "", account_no: str = "", page: Any = 1,
                    page_size: int = PAGE_SIZE) -> Page[Any]:
    """The center's agreements, newest first, filtered by status and member account; rows as summaries (masked).
    A page holding any agreement is an audited read."""
    qs = Agreement.objects.filter(center=center).select_related("account", "member").order_by("-pk")
    if status:
        if status not in G.values:
            raise _bad("状态应为：" + "、".join(f"{v}（{label}）" for v, label in G.choices), "status")
        qs = qs.filter(status=status)
    if account_no:
        qs = qs.filter(account__account_no=account_no.strip())
    out = mapped(paginate(qs, page, page_size), agreement_summary)
    if out.items:
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_AGREEMENT_READ, center=center,
                  business_date=center.business_date,
                  after={"agreements": [r["id"] for r in out.items], "status": status, "account_no": account_no})
    return out


def run_get(*, center: Center, pk: int) -> AgreedRun:
    run = AgreedRun.objects.filter(center=center, pk=pk).first()
    if run is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"约定提取批次不存在：{pk}", field="run")
    return run


def run_summary(run: AgreedRun) -> dict[str, Any]:
    """A run with its batch: the instruction's state and, while it waits for a checker, its release command."""
    ins = (Instruction.objects.filter(center_id=run.center_id, seq=run.instruction_seq).first()
           if run.instruction_seq else None)
    return {"id": run.pk, "month": f"{run.month:%Y-%m}", "business_date": run.business_date, "status": run.status,
            "status_label": R(run.status).label, "count": run.count, "total": run.total, "skipped": run.skipped,
            "paid": run.paid, "failed": run.failed, "instruction_seq": run.instruction_seq,
            "instruction_state": ins.state if ins else "",
            "instruction_state_label": ins.get_state_display() if ins else "",
            "release_command": ins.release_command if ins and ins.state == Instruction.State.HELD else None,
            "report": run.report.get("items", [])}


def runs_page(*, center: Center, page: Any = 1, page_size: int = PAGE_SIZE) -> Page[Any]:
    return mapped(paginate(AgreedRun.objects.filter(center=center).order_by("-business_date", "-pk"), page,
                           page_size), run_summary)


def run_items_page(*, run: AgreedRun, state: str = "", page: Any = 1, page_size: int = PAGE_SIZE) -> Page[Any]:
    qs = AgreedItem.objects.filter(run=run).select_related("agreement").order_by("pk")
    if state:
        if state not in IS.values:
            raise _bad("明细状态应为：" + "、".join(f"{v}（{label}）" for v, label in IS.choices), "state")
        qs = qs.filter(state=state)
    return mapped(paginate(qs, page, page_size), lambda i: {
        "id": i.pk, "agreement": i.agreement_id, "contract_no": i.agreement.contract_no, "amount": i.amount,
        "state": i.state, "state_label": IS(i.state).label, "reason": i.reason})


def agreed_run_month(*, center: Center, month: str, actor: Actor, business_date: date) -> AgreedRun:
    """The monthly run started by hand for `month` (YYYY-MM), which must be the business date's month (the
    day-end step runs it every day; a run by hand the same day is the same run)."""
    current = f"{business_date:%Y-%m}"
    if (month or "").strip() != current:
        raise DomainError(ErrorCode.WITHDRAWAL_AGREED_MONTH, month=current, field="month")
    return agreed_run(center=center, actor=actor, business_date=business_date)


def agreed_release(*, run: AgreedRun, actor: Actor, business_date: date, reason: str = "") -> AgreedRun:
    """The checker releases the run's batch: the approval of its release command (approvals, four eyes: never
    the person who made the batch)."""
    ins = (Instruction.objects.filter(center_id=run.center_id, seq=run.instruction_seq).first()
           if run.instruction_seq else None)
    if ins is None or ins.state != Instruction.State.HELD or not ins.release_command:
        raise DomainError(ErrorCode.WITHDRAWAL_AGREED_RUN_STATE, status=R(run.status).label, action="复核放行",
                          field="run")
    command_approve(command=ins.release_command, actor=actor, business_date=business_date, reason=reason)
    run.refresh_from_db()
    return run
