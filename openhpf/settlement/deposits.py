"""Fund management: time and notice deposits of surplus funds (BDC114–121) through the settlement gateway.

Booking (住房公积金会计核算办法: 住房公积金存款 holds current, time and notice deposits): a deposit moves money
from the 专户's current account to a 101 sub-account of its own per bank and kind (Dr 101yy / Cr 101xx when the
bank confirms BDC114/117); a withdrawal brings principal and interest back (Dr 101xx principal + interest /
Cr 101yy principal / Cr 40101 interest, BDC115/120). Interest is income when the bank pays it. The instruction
machinery (reservation, unknown outcome → BDC110, outage → retry) is the gateway's; the hooks here only say how
the bank's answer is booked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db import transaction

from openhpf.access.selectors import check_permission
from openhpf.audit.services import actor_label, audit_log
from openhpf.core.actors import Actor, money_actor_check
from openhpf.core.audit_events import AuditEvent
from openhpf.core.bdc import ANSWER, exchange
from openhpf.core.codes import SettlementBizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen, mul_half_up
from openhpf.ledger.models import GLAccount
from openhpf.ledger.services import Line, entry_post, gl_subaccount_open

from . import four_eyes
from .models import BankAccount, Deposit, Instruction
from .services import (
    FAILURE_HOOKS,
    SUCCESS_HOOKS,
    _account_for_payment,
    _channel,
    _next_seq,
    _positive,
    bank_account_available,
    next_source_ref,
    payment_submit,
    source_attempts,
    source_ref_base,
)

INTEREST_INCOME = "40101"
DEMAND_RATE = "0.35"  # 活期 rate a bank pays for early withdrawal; sent with the withdrawal


def _rate(value: Any) -> str:
    try:
        r = Decimal(str(value))
    except InvalidOperation:
        raise DomainError(ErrorCode.RATE_INVALID, "利率格式错误（年利率，百分数，如 1.75）", field="rate") from None
    if not Decimal("0") < r < Decimal("20"):
        raise DomainError(ErrorCode.RATE_RANGE, "年利率应在 0 至 20（%）之间", field="rate")
    return format(r.normalize(), "f")


def _deposit_gl(center: Center, bank: BankAccount, kind: str, actor: Any, business_date: date) -> GLAccount:
    """The 101 sub-account holding this bank's deposits of this kind (opened on first use)."""
    name = f"{bank.bank_name}{Deposit.Kind(kind).label}"
    gl = GLAccount.objects.filter(center=center, parent__code="101", name=name).first()
    if gl is not None:
        return gl
    return gl_subaccount_open(center=center, parent_code="101", name=name, bank_name=bank.bank_name, actor=actor,
                              business_date=business_date)


def deposit_open(*, center: Center, bank_account: BankAccount, kind: str, amount: int, rate: Any, actor: Actor,
                 business_date: date, term_months: int | None = None, notice_days: int | None = None) -> Deposit:
    """定期存入 (BDC114) / 通知存款存入 (BDC117): an instruction reserving the amount on the 专户; send it with
    instruction_send (or let day-end send it). At or above the maker-checker threshold it is held for a checker."""
    money_actor_check(actor, role="maker")
    check_permission(actor, "finance.manage", center=center)
    _positive(amount)
    rate_s = _rate(rate)
    if kind == Deposit.Kind.TIME:
        if term_months not in (3, 6, 12, 24, 36, 60):
            raise DomainError(ErrorCode.TERM_INVALID, "定期存款期限应为 3、6、12、24、36 或 60 个月", field="term_months")
        code, body_extra = "BDC114", {"term_months": term_months}
    elif kind == Deposit.Kind.NOTICE:
        if notice_days not in (1, 7):
            raise DomainError(ErrorCode.NOTICE_DAYS, "通知存款应为 1 天或 7 天通知", field="notice_days")
        code, body_extra = "BDC117", {"notice_days": notice_days}
    else:
        raise DomainError(ErrorCode.DEPOSIT_KIND, "存款种类应为定期或通知", field="kind")
    with transaction.atomic():
        acct = _account_for_payment(bank_account, center)
        if acct.kind != BankAccount.Kind.FUND:
            raise DomainError(ErrorCode.DEPOSIT_ACCOUNT, "定期与通知存款从住房公积金存款专户存入", field="bank_account")
        avail = bank_account_available(acct)
        if avail < amount:
            raise DomainError(ErrorCode.BANK_INSUFFICIENT, f"专户 {acct.account_no} 可用余额 {format_fen(avail)} 元不足",
                              field="amount")
        gl = _deposit_gl(center, acct, kind, actor, business_date)
        summary = f"{Deposit.Kind(kind).label}存入"
        # the money stays the center's (its own 专户 at the bank): only the amount can call for a checker
        held = four_eyes.hold_reasons(center=center, amount=amount, payees=[(acct.account_no, acct.account_name, amount)],
                                      source="deposit.open", source_ref="", business_date=business_date)
        ins = Instruction.objects.create(
            state=Instruction.State.HELD if held else Instruction.State.CREATED, center=center, seq=_next_seq(center, business_date), code=code, biz_type=SettlementBizType.TIME_DEPOSIT_IN,
            direction="out", bank_account=acct, amount=amount, counter_account=acct.account_no,
            counter_name=summary, summary=summary, book_account=gl.code, reserved=amount, source="deposit.open",
            business_date=business_date, created_by=actor_label(actor)[0],
            body={"account": acct.account_no, "amount": amount, "rate": rate_s, "summary": summary, **body_extra})
        dep = Deposit.objects.create(
            center=center, bank_account=acct, gl_account=gl, kind=kind, principal=amount, original_principal=amount,
            rate=rate_s, term_months=term_months, notice_days=notice_days, start_date=business_date,
            open_instruction=ins, created_by=actor_label(actor)[0])
        ins.source_ref = str(dep.pk)
        ins.save(update_fields=["source_ref"])
        audit_log(actor=actor, action=AuditEvent.SETTLEMENT_DEPOSIT_OPEN, obj=dep, center=center, business_date=business_date,
                  after={"kind": kind, "amount": amount, "rate": rate_s, "seq": ins.seq})
        if held:
            four_eyes.hold(ins, hold=held, actor=actor)
        return dep


def deposit_withdraw(*, deposit: Deposit, actor: Actor, business_date: date, amount: int | None = None,
                     demand_rate: str = DEMAND_RATE) -> Instruction:
    """定期支取 (BDC115, the whole deposit) / 通知存款支取 (BDC120, `amount` or all): an instruction; the bank's
    answer says the interest, booked as income."""
    money_actor_check(actor, role="maker")
    check_permission(actor, "finance.manage", center=deposit.center_id)
    with transaction.atomic():
        dep = Deposit.objects.select_for_update().select_related("bank_account", "center").get(pk=deposit.pk)
        if dep.status != Deposit.Status.OPEN or not dep.deposit_no:
            raise DomainError(ErrorCode.DEPOSIT_NOT_OPEN, "存款不在存续状态", field="deposit")
        withdrawals = source_attempts(center=dep.center_id, source="deposit.withdraw", source_ref=str(dep.pk))
        if any(not w.is_final for w in withdrawals):
            raise DomainError(ErrorCode.DEPOSIT_BUSY, "该存款已有未完成的支取", field="deposit")
        principal = dep.principal if amount is None or dep.kind == Deposit.Kind.TIME else _positive(amount)
        if principal > dep.principal:
            raise DomainError(ErrorCode.DEPOSIT_AMOUNT, f"支取金额超过存款余额 {format_fen(dep.principal)} 元", field="amount")
        code = "BDC115" if dep.kind == Deposit.Kind.TIME else "BDC120"
        body: dict[str, Any] = {"account": dep.bank_account.account_no, "deposit_no": dep.deposit_no,
                                "demand_rate": _rate(demand_rate)}
        if code == "BDC120":
            body["amount"] = principal
        ins = Instruction.objects.create(
            center=dep.center, seq=_next_seq(dep.center, business_date), code=code,
            biz_type=SettlementBizType.TIME_DEPOSIT_OUT, direction="in", bank_account=dep.bank_account, amount=principal,
            counter_account=dep.deposit_no, counter_name=f"{dep.get_kind_display()}支取",
            summary=f"{dep.get_kind_display()}支取", book_account=dep.gl_account.code, source="deposit.withdraw",
            # a notice deposit is withdrawn in parts, and again after a failed withdrawal: `<id>`, `<id>#2`…
            source_ref=next_source_ref(center=dep.center_id, source="deposit.withdraw", source_ref=str(dep.pk)),
            business_date=business_date, created_by=actor_label(actor)[0], body=body)
        audit_log(actor=actor, action=AuditEvent.SETTLEMENT_DEPOSIT_WITHDRAW, obj=dep, center=dep.center,
                  business_date=business_date, after={"seq": ins.seq, "principal": principal})
        return ins


def deposit_notify_check(*, deposit: Deposit, amount: int, withdraw_date: date, business_date: date) -> Deposit:
    """The rules of a 支取通知 (BDC118), checked before the bank is asked, nothing written: an open notice deposit
    with its number and no notice outstanding (the bank keeps one until a withdrawal), an amount within the
    principal, a withdrawal date at least the deposit's notice days (1 or 7) after the business date. Returns the
    deposit as stored."""
    dep = Deposit.objects.select_related("bank_account", "center").get(pk=deposit.pk)
    if dep.kind != Deposit.Kind.NOTICE or dep.status != Deposit.Status.OPEN or not dep.deposit_no:
        raise DomainError(ErrorCode.DEPOSIT_NOT_NOTICE, "只有存续的通知存款可以通知支取", field="deposit")
    if dep.notice_amount is not None:  # the bank keeps one notice until a withdrawal
        noticed = dep.notice_date.isoformat() if dep.notice_date else "—"
        raise DomainError(ErrorCode.DEPOSIT_NOTICED, withdraw_date=noticed, amount=format_fen(dep.notice_amount),
                          field="deposit")
    _positive(amount)
    if amount > dep.principal:
        raise DomainError(ErrorCode.DEPOSIT_AMOUNT, f"通知支取金额超过存款余额 {format_fen(dep.principal)} 元",
                          field="amount")
    days = dep.notice_days or 1
    earliest = date.fromordinal(business_date.toordinal() + days)
    if withdraw_date < earliest:
        raise DomainError(ErrorCode.DEPOSIT_NOTICE_DATE, earliest=earliest.isoformat(), days=days,
                          field="withdraw_date")
    return dep


def deposit_notify(*, deposit: Deposit, amount: int, withdraw_date: date, actor: Actor, business_date: date) -> Deposit:
    """通知存款支取通知 (BDC118): tell the bank in advance (1 or 7 days) so the withdrawal earns the notice rate."""
    money_actor_check(actor, role="maker")
    check_permission(actor, "finance.manage", center=deposit.center_id)
    dep = deposit_notify_check(deposit=deposit, amount=amount, withdraw_date=withdraw_date,
                               business_date=business_date)
    ch = _channel(dep.bank_account)
    out = exchange(ch.url, {"code": "BDC118", "seq": _next_seq(dep.center, business_date), "center": dep.center.code,
                            "date": business_date.isoformat(), "body": {"deposit_no": dep.deposit_no, "amount": amount,
                                                                        "withdraw_date": withdraw_date.isoformat()}},
                   timeout=ch.timeout_seconds)
    if out.kind != ANSWER or out.answer is None:
        raise DomainError(ErrorCode.BANK_UNAVAILABLE, f"支取通知未送达：{out.error}（可重新通知）", field="deposit")
    if str(out.answer.get("result")) != "0000":
        raise DomainError(ErrorCode.BANK_REFUSED, f"银行拒绝支取通知：{out.answer.get('message')}", field="deposit")
    with transaction.atomic():
        Deposit.objects.filter(pk=dep.pk).update(notice_amount=amount, notice_date=withdraw_date)
        audit_log(actor=actor, action=AuditEvent.SETTLEMENT_DEPOSIT_NOTIFY, obj=dep, center=dep.center,
                  business_date=business_date, after={"amount": amount, "withdraw_date": withdraw_date})
    dep.refresh_from_db()
    return dep


def deposits_sync(*, bank_account: BankAccount, actor: Actor, business_date: date) -> int:
    """存款账户查询 (BDC121): fill in deposit numbers a lost answer did not bring (deposit confirmed by BDC110)."""
    check_permission(actor, "settlement.view", center=bank_account.center_id)
    missing = list(Deposit.objects.filter(bank_account=bank_account, status=Deposit.Status.OPEN, deposit_no=""))
    if not missing:
        return 0
    ch = _channel(bank_account)
    out = exchange(ch.url, {"code": "BDC121", "seq": _next_seq(bank_account.center, business_date),
                            "center": bank_account.center.code, "date": business_date.isoformat(),
                            "body": {"account": bank_account.account_no}}, timeout=ch.timeout_seconds)
    if out.kind != ANSWER or out.answer is None:
        return 0
    known = set(Deposit.objects.filter(bank_account=bank_account).exclude(deposit_no="")
                .values_list("deposit_no", flat=True))
    found = 0
    for d in (out.answer.get("body") or {}).get("deposits") or []:
        if d.get("deposit_no") in known:
            continue
        for dep in missing:
            if (not dep.deposit_no and d.get("kind") == dep.kind and d.get("original_principal") == dep.original_principal
                    and d.get("start_date") == dep.start_date.isoformat()):
                dep.deposit_no = d["deposit_no"]
                dep.maturity_date = date.fromisoformat(d["maturity_date"]) if d.get("maturity_date") else None
                dep.save(update_fields=["deposit_no", "maturity_date"])
                found += 1
                break
    return found


# ---------------------------------------------------------------- how the bank's answers are booked


def _deposit_id(ins: Instruction) -> int:
    return int(source_ref_base(ins.source_ref))


def _opened(ins: Instruction, answer: dict[str, Any], actor: Actor, business_date: date) -> Any:
    gl = ins.bank_account.gl_account.code
    entry = entry_post(center=ins.center, business_date=business_date, source="settlement", actor=actor,
                       lines=[Line(ins.book_account, debit=ins.amount), Line(gl, credit=ins.amount, bank_ref=ins.seq)],
                       description=f"{ins.summary} {ins.seq}")
    body = answer.get("body") or {}
    changes: dict[str, Any] = {"status": Deposit.Status.OPEN}
    if body.get("deposit_no"):
        changes["deposit_no"] = str(body["deposit_no"])[:40]
    if body.get("maturity_date"):
        changes["maturity_date"] = date.fromisoformat(body["maturity_date"])
    Deposit.objects.filter(pk=_deposit_id(ins)).update(**changes)
    return entry


def _withdrawn(ins: Instruction, answer: dict[str, Any], actor: Actor, business_date: date) -> Any:
    """Principal back to the 专户 and the bank's interest as income. The bank's figure is the money: the answer's
    body (or the amount that BDC110 / the notice reports) gives it."""
    dep = Deposit.objects.select_for_update().get(pk=_deposit_id(ins))
    body = answer.get("body") or {}
    received = body.get("principal", 0) + body.get("interest", 0) if "interest" in body else answer.get("amount")
    if not isinstance(received, int) or received < ins.amount:
        raise DomainError(ErrorCode.DEPOSIT_ANSWER, f"存款支取 {ins.seq} 的银行应答缺少到账金额", field="amount")
    interest = received - ins.amount
    gl = ins.bank_account.gl_account.code
    lines = [Line(gl, debit=received, bank_ref=ins.seq), Line(ins.book_account, credit=ins.amount)]
    if interest:
        lines.append(Line(INTEREST_INCOME, credit=interest))
    entry = entry_post(center=ins.center, business_date=business_date, source="settlement", actor=actor, lines=lines,
                       description=f"{ins.summary} {dep.deposit_no} 本金 {format_fen(ins.amount)} 元 利息 {format_fen(interest)} 元")
    dep.principal -= ins.amount
    dep.interest_received += interest
    dep.status = Deposit.Status.CLOSED if dep.principal == 0 else Deposit.Status.OPEN
    dep.notice_amount, dep.notice_date = None, None
    dep.save(update_fields=["principal", "interest_received", "status", "notice_amount", "notice_date"])
    return entry


def _open_failed(ins: Instruction, actor: Actor, business_date: date) -> None:
    Deposit.objects.filter(pk=_deposit_id(ins), status=Deposit.Status.PENDING).update(status=Deposit.Status.FAILED)


def expected_interest(principal: int, rate: str, days: int) -> int:
    """principal × rate% × days / 360, HALF_UP to the fen (the banks' convention; used to check answers)."""
    return mul_half_up(principal * days, Fraction(Decimal(rate)) / 36000)


SUCCESS_HOOKS["deposit.open"] = _opened
SUCCESS_HOOKS["deposit.withdraw"] = _withdrawn
FAILURE_HOOKS["deposit.open"] = _open_failed


def value_added_transfer(*, center: Center, amount: int, actor: Actor, business_date: date,
                         from_account: BankAccount | None = None, to_account: BankAccount | None = None) -> Instruction:
    """划转增值收益: move the year's 增值收益 from a 住房公积金存款专户 to the 增值收益存款专户 (Dr 102xx / Cr 101xx
    when the bank confirms; both lines carry the instruction's reference for reconciliation). Returns the
    instruction, to send with instruction_send (or at day-end)."""
    money_actor_check(actor, role="maker")
    check_permission(actor, "finance.manage", center=center)
    src = from_account or BankAccount.objects.filter(center=center, kind=BankAccount.Kind.FUND,
                                                     status=BankAccount.Status.ACTIVE).order_by("gl_account__code").first()
    dst = to_account or BankAccount.objects.filter(center=center, kind=BankAccount.Kind.VALUE_ADDED,
                                                   status=BankAccount.Status.ACTIVE).order_by("gl_account__code").first()
    if src is None or src.kind != BankAccount.Kind.FUND:
        raise DomainError(ErrorCode.NO_FUND_ACCOUNT, "没有可用的住房公积金存款专户", field="from_account")
    if dst is None or dst.kind != BankAccount.Kind.VALUE_ADDED:
        raise DomainError(ErrorCode.NO_VALUE_ADDED_ACCOUNT, "没有增值收益存款专户，请先开立", field="to_account")
    return payment_submit(center=center, bank_account=src, amount=amount, payee_account=dst.account_no,
                          payee_name=dst.account_name, biz_type=SettlementBizType.OTHER,
                          book_account=dst.gl_account.code, summary="划转增值收益", actor=actor,
                          business_date=business_date, source="value_added.transfer")
