"""Writes of bank settlement: entrusted bank accounts (专户), settlement instructions through the gateway,
inbound notices (docs/domain.md "Bank settlement")."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from openhpf.access.selectors import check_permission
from openhpf.accounts.services import member_debit_split, withdrawal_order
from openhpf.approvals.services import command_submit
from openhpf.audit.services import actor_label, audit_log
from openhpf.core import db as sql
from openhpf.core.actors import Actor, SystemActor, money_actor_check
from openhpf.core.audit_events import AuditEvent
from openhpf.core.bdc import ANSWER, OUTAGE, UNKNOWN, Outcome, exchange
from openhpf.core.calendar import interest_year
from openhpf.core.codes import BizType, SettlementBizType
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, PermissionDenied, ValidationReport
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value
from openhpf.ledger.chart import DEFAULT_BANK, IN_TRANSIT, MEMBER_CONTROL
from openhpf.ledger.models import GLAccount, SubAccount
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.services import (
    Line,
    SubRow,
    batch_apply_from,
    batch_create,
    entry_post,
    gl_subaccount_open,
    subaccount_set_reserves,
)
from openhpf.security.crypto import sm3_hex

from . import four_eyes
from .models import (
    BankAccount,
    BankChannel,
    Instruction,
    Notice,
    SeqCounter,
)

# Lock order of every payment path (docs/settlement.md "Lock order"); two transactions that take rows in the same
# order never wait on each other in a cycle:
#   1. the instruction (only the paths that answer one: the bank's answer, BDC110, a notice, a release, a cancel)
#   2. the application and then its payout rows (the source's hook: withdrawals, court deductions)
#   3. the member account, then its ledger sub-account (holds)
#   4. the paying 专户 (`BankAccount`; `bank_account_lock` for a caller that posts before it pays, as a closing
#      withdrawal credits its interest first)
#   5. the accounting period (the voucher sequence, inside `entry_post`) and the day's sequence counter, which
#      the holder of the 专户 takes in either order (one holder at a time)
# Each lock takes its own row only (`of=LOCK_SELF`): a row joined for reading (the instruction's 专户, GL account
# or center) is not locked with it, or the bank's answer to one payment would hold the 专户 that the execution of
# another takes after the member's sub-account — the deadlock of two withdrawals of one member at once.
LOCK_SELF = ("self",)


def bank_account_open(
    *, center: Center, bank_code: str, bank_name: str, account_no: str, account_name: str, actor: Actor,
    business_date: date, kind: str = BankAccount.Kind.FUND,
) -> BankAccount:
    """开立专户: the bank account and its ledger sub-account (101xx, or 102xx for 增值收益存款, numbered by
    ledger.gl_subaccount_open). The center's first fund account takes over the default 10101 (where the cut-over
    and earlier receipts already sit)."""
    check_permission(actor, "settlement.operate", center=center)
    bank_code, bank_name, account_no = bank_code.strip(), bank_name.strip(), account_no.strip()
    account_name = account_name.strip() or center.name
    if not bank_code:
        raise DomainError(ErrorCode.BANK_CODE_REQUIRED, "请填写银行代码", field="bank_code")
    if not bank_name:
        raise DomainError(ErrorCode.BANK_NAME_REQUIRED, "请填写开户银行", field="bank_name")
    if not account_no.isdigit() or not 8 <= len(account_no) <= 40:
        raise DomainError(ErrorCode.BANK_ACCOUNT_NO, "银行账号应为 8 至 40 位数字", field="account_no")
    if kind not in BankAccount.Kind.values:
        raise DomainError(ErrorCode.BANK_ACCOUNT_KIND, "专户类别应为 101 或 102", field="kind")
    with transaction.atomic():
        if BankAccount.objects.filter(account_no=account_no).exists() or GLAccount.objects.filter(
                center=center, bank_account_no=account_no).exists():
            raise DomainError(ErrorCode.BANK_ACCOUNT_EXISTS, f"银行账号 {account_no} 已登记", field="account_no")
        GLAccount.objects.select_for_update().get(center=center, code=kind)  # one opening at a time per parent
        default = GLAccount.objects.filter(center=center, code=DEFAULT_BANK).first()
        if (kind == BankAccount.Kind.FUND and default is not None and not default.bank_account_no
                and not BankAccount.objects.filter(gl_account=default).exists()):
            gl = default
            gl.name, gl.bank_name, gl.bank_account_no = f"{bank_name}专户", bank_name, account_no
            gl.save(update_fields=["name", "bank_name", "bank_account_no"])
        else:
            gl = gl_subaccount_open(center=center, parent_code=kind, name=f"{bank_name}专户", bank_name=bank_name,
                                    bank_account_no=account_no, actor=actor, business_date=business_date)
        acct = BankAccount.objects.create(
            center=center, bank_code=bank_code, bank_name=bank_name, account_no=account_no,
            account_name=account_name, kind=kind, gl_account=gl, opened_on=business_date,
            reconcile_from=business_date, created_by=actor_label(actor)[0])
        audit_log(actor=actor, action=AuditEvent.SETTLEMENT_BANK_ACCOUNT_OPEN, obj=acct, center=center,
                  business_date=business_date,
                  after={"bank": bank_name, "account_no": account_no, "kind": kind, "gl": gl.code})
        return acct


# ---------------------------------------------------------------- the gateway: instructions

ITEM_BOOKED = "items"  # book_account of a batch collection its source books item by item (ITEM_*_HOOKS)
SPLIT_CODE = "BDC106"  # 本息分解: the interest of collected loan debits moved from the 101 to the 102 专户
RECEIPT = "receipt"  # book_account of a collection whose money is a contribution receipt (matching, 暂存)
PAYMENT_CODES = {"BDC101": "out", "BDC103": "out", "BDC102": "in", "BDC104": "in", "BDC105": "in"}
RETRY_AFTER = timedelta(seconds=30)
BATCH_MAX = 100_000
S = Instruction.State


def _op(actor: Actor, center: Any) -> None:
    check_permission(actor, "settlement.operate", center=center)


def _positive(amount: Any, field_name: str = "amount") -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise DomainError(ErrorCode.AMOUNT_POSITIVE, "金额必须为大于零的整数（分）", field=field_name)
    return amount


def _next_seq(center: Center, business_date: date) -> str:
    """流水号: center code (6) + business date (8) + counter (8), unique for ever."""
    with transaction.atomic():
        counter, _ = SeqCounter.objects.select_for_update().get_or_create(center=center, day=business_date)
        counter.last += 1
        counter.save(update_fields=["last"])
        return f"{center.code}{business_date:%Y%m%d}{counter.last:08d}"


# ---------------------------------------------------------------- source references (来源业务编号)
# (center, source, source_ref) is unique when source_ref is set. A source that submits again under its reference
# finds its earlier instruction; after a definitive failure the next attempt takes `<ref>#2`, `<ref>#3`…

ATTEMPT_SEP = "#"
SOURCE_REF_MAX = 120  # room left in the column for the attempt suffix


def source_ref_base(ref: str) -> str:
    """The reference without its attempt suffix: `12#3` → `12`."""
    return ref.split(ATTEMPT_SEP, 1)[0]


def _attempt_no(ref: str, base: str) -> int | None:
    if ref == base:
        return 1
    tail = ref[len(base) + 1:]
    return int(tail) if ref.startswith(base + ATTEMPT_SEP) and tail.isdigit() else None


def source_attempts(*, center: Center | int, source: str, source_ref: str) -> list[Instruction]:
    """The instructions made under one source reference, in attempt order (`<ref>`, `<ref>#2`, …)."""
    if not source_ref:
        return []
    rows = Instruction.objects.filter(center=center, source=source).filter(
        Q(source_ref=source_ref) | Q(source_ref__startswith=source_ref + ATTEMPT_SEP))
    numbered = [(n, i) for i in rows if (n := _attempt_no(i.source_ref, source_ref)) is not None]
    return [i for _n, i in sorted(numbered, key=lambda t: t[0])]


def next_source_ref(*, center: Center | int, source: str, source_ref: str) -> str:
    """`source_ref` itself when no instruction has it yet, else the next attempt `<ref>#n`."""
    made = source_attempts(center=center, source=source, source_ref=source_ref)
    return _after(made, source_ref) if made else source_ref


def _after(made: list[Instruction], base: str) -> str:
    return f"{base}{ATTEMPT_SEP}{max(_attempt_no(i.source_ref, base) or 1 for i in made) + 1}"


def _source(source: str, source_ref: str) -> tuple[str, str]:
    source_ref = source_ref.strip()
    if len(source_ref) > SOURCE_REF_MAX or ATTEMPT_SEP in source_ref:
        raise DomainError(ErrorCode.SOURCE_REF, f"来源业务编号不能超过 {SOURCE_REF_MAX} 个字符，且不能包含 #", field="source_ref")
    return source[:60], source_ref


def _resubmitted(*, center: Center, source: str, source_ref: str,
                 same: Callable[[Instruction], bool]) -> tuple[Instruction | None, str]:
    """(the instruction already made under this reference, unless it failed definitively; the reference of a new
    instruction). The earlier one is returned only for the same request (a retry); another request under the
    reference is refused."""
    made = source_attempts(center=center, source=source, source_ref=source_ref)
    if not made:
        return None, source_ref
    last = made[-1]
    if last.state in (S.FAILED, S.CANCELLED):
        return None, _after(made, source_ref)
    if not same(last):
        raise DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, f"来源业务编号 {source_ref} 已用于内容不同的结算指令",
                          field="source_ref")
    return last, last.source_ref


def channel_params(*, bank_code: Any, url: Any, timeout_seconds: Any, notify_token: Any = "") -> dict[str, Any]:
    """A channel change, checked: the URL on the allow-list, the timeout, the push token kept only as SM3."""
    bank_code = str(bank_code or "").strip()
    if not bank_code or len(bank_code) > 12:
        raise DomainError(ErrorCode.BANK_CODE_REQUIRED, "请填写银行代码（不超过 12 个字符）", field="bank_code")
    url = four_eyes.channel_url_check(url)
    if isinstance(timeout_seconds, bool) or not isinstance(timeout_seconds, int) or not 1 <= timeout_seconds <= 120:
        raise DomainError(ErrorCode.CHANNEL_TIMEOUT, "超时应在 1 至 120 秒之间", field="timeout_seconds")
    token_hash = ""
    if notify_token:
        if len(str(notify_token)) < 24:
            raise DomainError(ErrorCode.NOTIFY_TOKEN_SHORT, "推送令牌至少 24 个字符", field="notify_token")
        token_hash = sm3_hex(str(notify_token).encode())
    return {"bank_code": bank_code, "url": url, "timeout_seconds": timeout_seconds, "notify_token_hash": token_hash}


def _channel_write(*, center: Center, params: dict[str, Any], actor: Actor, action: AuditEvent,
                   approved_by: str = "") -> BankChannel:
    with transaction.atomic():
        before = BankChannel.objects.select_for_update().filter(center=center, bank_code=params["bank_code"]).first()
        defaults: dict[str, Any] = {"url": params["url"], "timeout_seconds": params["timeout_seconds"], "active": True}
        if params.get("notify_token_hash"):
            defaults["notify_token_hash"] = params["notify_token_hash"]
        ch, _ = BankChannel.objects.update_or_create(center=center, bank_code=params["bank_code"], defaults=defaults)
        audit_log(actor=actor, action=action, obj=ch, center=center, business_date=center.business_date,
                  before={"url": before.url, "timeout_seconds": before.timeout_seconds} if before else None,
                  after={"bank_code": ch.bank_code, "url": ch.url, "timeout_seconds": ch.timeout_seconds,
                         "notify_token_changed": bool(params.get("notify_token_hash")), "approved_by": approved_by})
        return ch


def bank_channel_request(*, center: Center, bank_code: str, url: str, actor: Actor, timeout_seconds: int = 10,
                         notify_token: str = "", idempotency_key: str | None = None) -> Any:
    """Ask for a channel change (URL, timeout, push token): a settlement.channel_set command for a checker.
    Nothing changes until a checker with approvals.approve who is not the maker approves it. Returns the
    PendingCommand."""
    _op(actor, center)
    params = channel_params(bank_code=bank_code, url=url, timeout_seconds=timeout_seconds, notify_token=notify_token)
    return command_submit(name=four_eyes.CHANNEL_COMMAND, params=params, actor=actor, center=center,
                          business_date=center.business_date, idempotency_key=idempotency_key)


def payee_request(*, center: Center, account_no: str, account_name: str, actor: Actor, bank_name: str = "",
                  kind: str = "counterparty", idempotency_key: str | None = None) -> Any:
    """Ask to add a payee (the center's own account elsewhere, or a counterparty): a settlement.payee_add command
    for a checker. Returns the PendingCommand."""
    _op(actor, center)
    return command_submit(name=four_eyes.PAYEE_COMMAND, actor=actor, center=center, business_date=center.business_date,
                          params={"account_no": account_no, "account_name": account_name, "bank_name": bank_name,
                                  "kind": kind}, idempotency_key=idempotency_key)


def bank_channel_link_local(*, center: Center, bank_code: str, url: str, actor: Actor, timeout_seconds: int = 10,
                            notify_token: str = "") -> BankChannel:
    """Point a channel at a bank simulator on this machine without a checker (`hpf bank-sim-link`, tests).
    Refused under production settings and for any host but 127.0.0.1 / localhost: there every change is a
    settlement.channel_set command. `notify_token`: the secret the bank presents when it pushes notices."""
    _op(actor, center)
    refused = DomainError(ErrorCode.CHANNEL_LOCAL_LINK, "只有开发与测试环境可以不经复核直接连接本机的银行模拟器；"
                          "银行接口变更须经复核", field="url")
    if not four_eyes.local_link_allowed("http://127.0.0.1/"):  # production settings: never
        raise refused
    params = channel_params(bank_code=bank_code, url=url, timeout_seconds=timeout_seconds, notify_token=notify_token)
    if not four_eyes.local_link_allowed(params["url"]):
        raise refused
    return _channel_write(center=center, params=params, actor=actor, action=AuditEvent.SETTLEMENT_CHANNEL_LOCAL_LINK)


def bank_channel_apply(*, center: Center, params: dict[str, Any], actor: Actor, approved_by: str) -> BankChannel:
    """The approved settlement.channel_set command: checked again (the allow-list may have changed), written,
    audited with its checker."""
    checked = channel_params(bank_code=params.get("bank_code"), url=params.get("url"),
                              timeout_seconds=params.get("timeout_seconds"))
    checked["notify_token_hash"] = str(params.get("notify_token_hash") or "")
    return _channel_write(center=center, params=checked, actor=actor, action=AuditEvent.SETTLEMENT_CHANNEL_SET,
                          approved_by=approved_by)


def _channel(bank_account: BankAccount) -> BankChannel:
    ch = BankChannel.objects.filter(center_id=bank_account.center_id, bank_code=bank_account.bank_code,
                                    active=True).first()
    if ch is None:
        raise DomainError(ErrorCode.NO_CHANNEL, f"银行 {bank_account.bank_code} 未配置接口地址", field="bank_account")
    return ch


def bank_account_reserved(bank_account: BankAccount) -> int:
    """Money promised by payments not yet confirmed (single payments hold it here; batches have moved it to
    in-transit clearing already and count here too until the bank confirms)."""
    return int(Instruction.objects.filter(bank_account=bank_account, direction="out")
               .exclude(state__in=Instruction.FINAL_STATES).aggregate(t=Sum("reserved"))["t"] or 0)


def bank_account_available(bank_account: BankAccount) -> int:
    """Book balance of the 专户 less what payments in flight have reserved: what may still be paid out."""
    return gl_balance(center=bank_account.center_id, code_prefix=bank_account.gl_account.code) - \
        bank_account_reserved(bank_account)


def bank_account_lock(bank_account: BankAccount) -> BankAccount:
    """The 专户's row locked, alone (step 4 of the lock order): taken before a posting that precedes a payment."""
    return BankAccount.objects.select_for_update(of=LOCK_SELF).select_related("gl_account").get(pk=bank_account.pk)


def _account_for_payment(bank_account: BankAccount, center: Center) -> BankAccount:
    acct = bank_account_lock(bank_account)
    if acct.center_id != center.pk:
        raise DomainError(ErrorCode.BANK_ACCOUNT_UNKNOWN, "专户不属于本中心", field="bank_account")
    if acct.status != BankAccount.Status.ACTIVE:
        raise DomainError(ErrorCode.BANK_ACCOUNT_CLOSED, f"专户 {acct.account_no} 已销户", field="bank_account")
    return acct


def _book(center: Center, code: str) -> GLAccount:
    gl = GLAccount.objects.filter(center=center, code=code).first()
    if gl is None or not gl.is_leaf:
        raise DomainError(ErrorCode.BOOK_ACCOUNT, f"对方科目 {code} 不存在或不是末级科目", field="book_account")
    return gl


def payment_submit(
    *, center: Center, bank_account: BankAccount, amount: int, payee_account: str, payee_name: str,
    biz_type: str, book_account: str, summary: str, actor: Actor, business_date: date,
    sub_account_id: int | None = None, source: str = "", source_ref: str = "",
) -> Instruction:
    """单笔付款 (BDC101): reserve the amount on the paying 专户 (and on the member's account when it pays from
    201) now; post Dr book / Cr 专户 when the bank confirms; release on failure. With a `source_ref`, the same
    payment submitted again returns the instruction already made (see `_resubmitted`)."""
    money_actor_check(actor, role="maker")
    _op(actor, center)
    _positive(amount)
    source, source_ref = _source(source, source_ref)
    payee_account, payee_name = payee_account.strip(), payee_name.strip()
    if not payee_account or not payee_name:
        raise DomainError(ErrorCode.PAYEE_REQUIRED, "请填写收款账号和户名", field="payee_account")
    if biz_type not in SettlementBizType.values:
        raise DomainError(ErrorCode.BIZ_TYPE, f"结算业务类型 {biz_type} 无效", field="biz_type")
    with transaction.atomic():
        acct = _account_for_payment(bank_account, center)
        earlier, source_ref = _resubmitted(center=center, source=source, source_ref=source_ref, same=lambda i: (
            i.code, i.bank_account_id, i.amount, i.counter_account, i.book_account, i.biz_type, i.sub_account_id)
            == ("BDC101", acct.pk, amount, payee_account[:40], book_account, biz_type, sub_account_id))
        if earlier is not None:
            return earlier
        _book(center, book_account)
        if book_account == MEMBER_CONTROL:
            if sub_account_id is None:
                raise DomainError(ErrorCode.SUB_ACCOUNT_REQUIRED, "从住房公积金科目付款须指定个人账户", field="sub_account")
            subaccount_set_reserves(sub_account=SubAccount(pk=sub_account_id), hold_delta=amount)
        avail = bank_account_available(acct)
        if avail < amount:
            raise DomainError(ErrorCode.BANK_INSUFFICIENT, f"专户 {acct.account_no} 可用余额 {format_fen(avail)} 元不足 "
                              f"{format_fen(amount)} 元（含在途预留）", field="amount")
        held = four_eyes.hold_reasons(center=center, amount=amount, payees=[(payee_account, payee_name, amount)],
                                      source=source, source_ref=source_ref, business_date=business_date)
        ins = Instruction.objects.create(
            state=S.HELD if held else S.CREATED,
            center=center, seq=_next_seq(center, business_date), code="BDC101", biz_type=biz_type, direction="out",
            bank_account=acct, amount=amount, counter_account=payee_account[:40], counter_name=payee_name[:120],
            summary=summary[:120], book_account=book_account, sub_account_id=sub_account_id, reserved=amount,
            source=source, source_ref=source_ref, business_date=business_date,
            created_by=actor_label(actor)[0],
            body={"account": acct.account_no, "payee_account": payee_account, "payee_name": payee_name,
                  "amount": amount, "biz_type": biz_type, "summary": summary[:120]})
        audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_CREATE, obj=ins, center=center,
                  business_date=business_date,
                  after={"seq": ins.seq, "code": ins.code, "amount": amount, "bank_account": acct.account_no})
        if held:
            four_eyes.hold(ins, hold=held, actor=actor)
        return ins


def collection_submit(
    *, center: Center, bank_account: BankAccount, amount: int, payer_account: str, payer_name: str,
    biz_type: str, actor: Actor, business_date: date, book_account: str = RECEIPT, summary: str = "",
    loan_account: str = "", source: str = "", source_ref: str = "",
) -> Instruction:
    """单笔收款 (BDC102; BDC105 贷款扣款 with `loan_account`). With book_account RECEIPT the money becomes a
    contribution receipt (matched to a remittance or held in 暂存) when the bank confirms; otherwise it posts
    Dr 专户 / Cr book_account. With a `source_ref`, the same collection submitted again returns the instruction
    already made (see `_resubmitted`)."""
    money_actor_check(actor, role="maker")
    _op(actor, center)
    _positive(amount)
    source, source_ref = _source(source, source_ref)
    if not payer_account.strip():
        raise DomainError(ErrorCode.PAYER_REQUIRED, "请填写付款账号", field="payer_account")
    if biz_type not in SettlementBizType.values:
        raise DomainError(ErrorCode.BIZ_TYPE, f"结算业务类型 {biz_type} 无效", field="biz_type")
    with transaction.atomic():
        acct = _account_for_payment(bank_account, center)
        code = "BDC105" if loan_account else "BDC102"
        earlier, source_ref = _resubmitted(center=center, source=source, source_ref=source_ref, same=lambda i: (
            i.code, i.bank_account_id, i.amount, i.counter_account, i.book_account, i.biz_type)
            == (code, acct.pk, amount, payer_account.strip()[:40], book_account, biz_type))
        if earlier is not None:
            return earlier
        if book_account != RECEIPT:
            _book(center, book_account)
        body = {"account": acct.account_no, "payer_account": payer_account.strip(), "payer_name": payer_name.strip(),
                "amount": amount, "biz_type": biz_type, "summary": summary[:120]}
        if loan_account:
            body["loan_account"] = loan_account
        ins = Instruction.objects.create(
            center=center, seq=_next_seq(center, business_date), code=code, biz_type=biz_type, direction="in",
            bank_account=acct, amount=amount, counter_account=payer_account.strip()[:40],
            counter_name=payer_name.strip()[:120], summary=summary[:120], book_account=book_account,
            source=source, source_ref=source_ref, business_date=business_date,
            created_by=actor_label(actor)[0], body=body)
        audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_CREATE, obj=ins, center=center,
                  business_date=business_date, after={"seq": ins.seq, "code": code, "amount": amount})
        return ins


def _batch_items_check(items: Sequence[dict[str, Any]], *, biz_type: str, book_account: str) -> None:
    """The batch's size and business type, then every item at once (a ValidationReport of all bad items)."""
    if not items:
        raise DomainError(ErrorCode.BATCH_EMPTY, "批量付款没有明细", field="items")
    if len(items) > BATCH_MAX:
        raise DomainError(ErrorCode.BATCH_TOO_LARGE, f"一批最多 {BATCH_MAX} 笔", field="items")
    if biz_type not in SettlementBizType.values:
        raise DomainError(ErrorCode.BIZ_TYPE, f"结算业务类型 {biz_type} 无效", field="biz_type")
    errors = []
    for i, it in enumerate(items, 1):
        amt = it.get("amount")
        if not isinstance(amt, int) or isinstance(amt, bool) or amt <= 0:
            errors.append(DomainError(ErrorCode.AMOUNT_POSITIVE, "金额必须为大于零的整数（分）", field="amount", row=i))
        if not str(it.get("counter_account", "")).strip() or not str(it.get("counter_name", "")).strip():
            errors.append(DomainError(ErrorCode.PAYEE_REQUIRED, "请填写收款账号和户名", field="counter_account", row=i))
        if book_account == MEMBER_CONTROL and not it.get("sub_account_id"):
            errors.append(DomainError(ErrorCode.SUB_ACCOUNT_REQUIRED, "从住房公积金科目付款须指定个人账户", field="sub_account_id",
                                      row=i))
    if errors:
        raise ValidationReport(errors)


def _batch_member_rows(items: Sequence[dict[str, Any]], *, business_date: date, reference: str) -> list[SubRow]:
    """Paying from 201: each item's member debit (locked accounts, split by each center's withdrawal order)."""
    subs = {s.pk: s for s in SubAccount.objects.select_for_update().filter(
        pk__in=[it["sub_account_id"] for it in items])}
    orders: dict[int, str] = {}  # the withdrawal order of each center, read once
    sub_rows = []
    for i, it in enumerate(items, 1):
        sub = subs.get(it["sub_account_id"])
        if sub is None:
            raise DomainError(ErrorCode.SUB_ACCOUNT_UNKNOWN, "个人账户不存在", field="sub_account_id", row=i)
        if sub.center_id not in orders:
            orders[sub.center_id] = withdrawal_order(center=sub.center_id, on=business_date)
        sub_rows.append(member_debit_split(sub_account=sub, amount=int(it["amount"]), on=business_date,
                                           reference=reference, order=orders[sub.center_id]))
    return sub_rows


def batch_payment_submit(
    *, center: Center, bank_account: BankAccount, items: Sequence[dict[str, Any]], biz_type: str,
    book_account: str, summary: str, actor: Actor, business_date: date, source: str = "", source_ref: str = "",
    ledger_biz_type: str = "", member_rows: Callable[[str], Relation] | None = None, require_check: str = "",
) -> Instruction:
    """批量付款 (BDC103): the total leaves its book account into in-transit clearing at once (Dr book / Cr 21903,
    member rows when it pays from 201); the bank's result posts the succeeded total Dr 21903 / Cr 专户 and
    returns failed items Dr 21903 / Cr book (member rows at the value date they left). Items: counter_account,
    counter_name, amount[, sub_account_id].
    With a `source_ref`, the same batch submitted again returns the instruction already made.

    ledger_biz_type: the member rows' business type (11 部分提取, 12 销户提取; default 11).
    member_rows: for a large batch from 201, `member_rows(seq)` returns a SELECT of the member debits (ord,
    sub_account_id, amount_current, amount_carried, value_date, reference) already split by the caller (each
    item then carries its `taken_carried`); they are posted set-based through the ledger's bulk apply.
    require_check: a reason the batch waits for a checker whatever its amount and payees (e.g. 约定提取)."""
    money_actor_check(actor, role="maker")
    _op(actor, center)
    source, source_ref = _source(source, source_ref)
    _batch_items_check(items, biz_type=biz_type, book_account=book_account)
    total = sum(int(it["amount"]) for it in items)
    with transaction.atomic():
        acct = _account_for_payment(bank_account, center)
        earlier, source_ref = _resubmitted(center=center, source=source, source_ref=source_ref, same=lambda i: (
            i.code, i.bank_account_id, i.amount, i.count, i.book_account, i.biz_type)
            == ("BDC103", acct.pk, total, len(items), book_account, biz_type))
        if earlier is not None:
            return earlier
        _book(center, book_account)
        avail = bank_account_available(acct)
        if avail < total:
            raise DomainError(ErrorCode.BANK_INSUFFICIENT, f"专户 {acct.account_no} 可用余额 {format_fen(avail)} 元不足 "
                              f"{format_fen(total)} 元（含在途预留）", field="items")
        held = four_eyes.hold_reasons(
            center=center, amount=total, source=source, source_ref=source_ref, business_date=business_date,
            payees=[(str(it["counter_account"]).strip(), str(it["counter_name"]).strip(), int(it["amount"]))
                    for it in items])
        if require_check and not held:
            held = four_eyes.Hold([require_check])
        seq = _next_seq(center, business_date)
        member_biz = ledger_biz_type or BizType.PARTIAL_WITHDRAWAL
        if member_rows is not None and book_account == MEMBER_CONTROL:  # set-based: the ledger's bulk apply
            pb = batch_create(center=center, key=f"settlement:{center.pk}:{seq}", biz_type=member_biz,
                              business_date=business_date, counter_account=IN_TRANSIT, actor=actor,
                              description=f"批量付款 {seq} 转入在途 {len(items)} 笔")
            entry = batch_apply_from(batch=pb, actor=actor, source=member_rows(seq), unique_accounts=True).entry
            sub_rows: list[SubRow] = []
            carried = [int(it.get("taken_carried") or 0) for it in items]
        else:
            sub_rows = (_batch_member_rows(items, business_date=business_date, reference=seq)
                        if book_account == MEMBER_CONTROL else [])
            entry = entry_post(center=center, business_date=business_date, source="settlement",
                               lines=[Line(book_account, debit=total), Line(IN_TRANSIT, credit=total)],
                               sub_rows=sub_rows, biz_type=member_biz if sub_rows else "", actor=actor,
                               description=f"批量付款 {seq} 转入在途 {len(items)} 笔")
            carried = [-r.amount_carried for r in sub_rows] or [0] * len(items)
        ins = Instruction.objects.create(
            state=S.HELD if held else S.CREATED,
            center=center, seq=seq, code="BDC103", biz_type=biz_type, direction="out", bank_account=acct,
            amount=total, count=len(items), summary=summary[:120], book_account=book_account, reserved=total,
            source=source, source_ref=source_ref, business_date=business_date, entry=entry,
            created_by=actor_label(actor)[0],
            body={"account": acct.account_no, "biz_type": biz_type, "summary": summary[:120], "count": len(items),
                  "total": total})
        sql.bulk_insert(  # one stream (COPY / executemany): a batch may hold 100,000 items
            "settlement_instructionitem",
            ["instruction_id", "item", "counter_account", "counter_name", "amount", "sub_account_id", "taken_carried",
             "state", "result", "message", "bank_seq"],
            ((ins.pk, i, str(it["counter_account"]).strip()[:40], str(it["counter_name"]).strip()[:120],
              int(it["amount"]), it.get("sub_account_id"), carried[i - 1], S.CREATED, "", "", "")
             for i, it in enumerate(items, 1)))
        audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_CREATE, obj=ins, center=center,
                  business_date=business_date, after={"seq": seq, "code": "BDC103", "count": len(items), "total": total})
        if held:
            four_eyes.hold(ins, hold=held, actor=actor)
        return ins


def batch_collection_submit(
    *, center: Center, bank_account: BankAccount, items: Sequence[dict[str, Any]], biz_type: str, summary: str,
    actor: Actor, business_date: date, source: str, source_ref: str = "", split_account: BankAccount | None = None,
) -> Instruction:
    """批量收款 (BDC104) booked item by item by its source: with settlement biz type 05 贷款扣款 it is the batch loan
    debit of many borrowers' cards into the 专户. Nothing is posted now (no money has moved); when the bank's item
    results arrive (the answer, BDC107/108 after a lost one) each succeeded item goes to the source's
    `ITEM_SUCCESS_HOOKS[source]`, each failed one to `ITEM_FAILURE_HOOKS[source]`, in one transaction with the
    instruction's final state, exactly once. Items: counter_account, counter_name, amount[, split_interest].

    split_account: the 增值收益 专户 (102) the bank moves each collected item's `split_interest` to (BDC106 本息分解,
    sent by the gateway once the batch is final, for the succeeded items)."""
    money_actor_check(actor, role="maker")
    _op(actor, center)
    source, source_ref = _source(source, source_ref)
    if source not in ITEM_SUCCESS_HOOKS:
        raise DomainError(ErrorCode.BIZ_TYPE, f"来源业务 {source} 未登记逐笔入账接口，不能批量收款", field="source")
    _batch_items_check(items, biz_type=biz_type, book_account=ITEM_BOOKED)
    bad = [i for i, it in enumerate(items, 1) if not 0 <= int(it.get("split_interest") or 0) <= int(it["amount"])]
    if bad:
        raise DomainError(ErrorCode.AMOUNT_POSITIVE, f"第 {bad[0]} 笔本息分解利息应在 0 与扣款金额之间",
                          field="split_interest", row=bad[0])
    total = sum(int(it["amount"]) for it in items)
    with transaction.atomic():
        acct = _account_for_payment(bank_account, center)
        split = None
        if split_account is not None:
            split = BankAccount.objects.filter(pk=split_account.pk, center=center, kind=BankAccount.Kind.VALUE_ADDED,
                                               status=BankAccount.Status.ACTIVE).first()
            if split is None:
                raise DomainError(ErrorCode.BANK_ACCOUNT_KIND, "本息分解的利息须转入本中心的增值收益存款专户（102）",
                                  field="split_account")
        earlier, source_ref = _resubmitted(center=center, source=source, source_ref=source_ref, same=lambda i: (
            i.code, i.bank_account_id, i.amount, i.count, i.biz_type)
            == ("BDC104", acct.pk, total, len(items), biz_type))
        if earlier is not None:
            return earlier
        seq = _next_seq(center, business_date)
        ins = Instruction.objects.create(
            center=center, seq=seq, code="BDC104", biz_type=biz_type, direction="in", bank_account=acct,
            amount=total, count=len(items), summary=summary[:120], book_account=ITEM_BOOKED, source=source,
            source_ref=source_ref, business_date=business_date, split_account=split,
            created_by=actor_label(actor)[0],
            body={"account": acct.account_no, "biz_type": biz_type, "summary": summary[:120], "count": len(items),
                  "total": total})
        sql.bulk_insert(
            "settlement_instructionitem",
            ["instruction_id", "item", "counter_account", "counter_name", "amount", "sub_account_id", "taken_carried",
             "split_interest", "state", "result", "message", "bank_seq"],
            ((ins.pk, i, str(it["counter_account"]).strip()[:40], str(it["counter_name"]).strip()[:120],
              int(it["amount"]), None, 0, int(it.get("split_interest") or 0), S.CREATED, "", "", "")
             for i, it in enumerate(items, 1)))
        audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_CREATE, obj=ins, center=center,
                  business_date=business_date,
                  after={"seq": seq, "code": "BDC104", "biz_type": biz_type, "count": len(items), "total": total,
                         "split_account": split.account_no if split else ""})
        return ins


def _message(ins: Instruction, business_date: date, code: str | None = None, body: dict[str, Any] | None = None,
             seq: str | None = None) -> dict[str, Any]:
    b = dict(ins.body) if body is None else body
    if body is None and ins.is_batch:
        b["items"] = [{"item": str(n), "counter_account": no, "counter_name": name, "amount": amt}
                      for n, no, name, amt in ins.items.order_by("item").values_list(
                          "item", "counter_account", "counter_name", "amount").iterator(chunk_size=10000)]
    return {"code": code or ins.code, "seq": seq or ins.seq, "center": ins.center.code,
            "date": business_date.isoformat(), "body": b}


def _query(ins: Instruction, code: str, business_date: date, body: dict[str, Any]) -> Outcome:
    """A query message (its own sequence number; queries move no money and may be repeated)."""
    ch = _channel(ins.bank_account)
    seq = _next_seq(ins.center, business_date)
    return exchange(ch.url, _message(ins, business_date, code=code, body=body, seq=seq), timeout=ch.timeout_seconds)


def _record(ins: Instruction, **changes: Any) -> None:
    for k, v in changes.items():
        setattr(ins, k, v)
    ins.save(update_fields=[*changes.keys(), "updated_at"])


def instruction_send(*, instruction: Instruction, actor: Actor, business_date: date) -> Instruction:
    """Send a created instruction (again only after an outage, with the same sequence number). Entry point:
    the network call happens outside any transaction; the outcome is recorded under a row lock."""
    ins = Instruction.objects.select_related("center", "bank_account").get(pk=instruction.pk)
    _op(actor, ins.center)
    if ins.state != S.CREATED:
        return ins
    ch = _channel(ins.bank_account)
    with transaction.atomic():
        locked = Instruction.objects.select_for_update().get(pk=ins.pk)
        if locked.state != S.CREATED:
            return locked
        _record(locked, state=S.SENT, attempts=locked.attempts + 1)
    out = exchange(ch.url, _message(ins, business_date), timeout=ch.timeout_seconds)
    return _apply_outcome(ins.pk, out, actor=actor, business_date=business_date, via="answer")


def _apply_outcome(pk: int, out: Outcome, *, actor: Actor, business_date: date, via: str) -> Instruction:
    with transaction.atomic():
        ins = Instruction.objects.select_for_update(of=LOCK_SELF).select_related("center", "bank_account__gl_account").get(pk=pk)
        if ins.is_final:
            return ins
        if out.kind == OUTAGE:
            _record(ins, state=S.CREATED, message=out.error[:200], next_attempt_at=timezone.now() + RETRY_AFTER)
            audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_OUTAGE, obj=ins, center=ins.center,
                      business_date=business_date, after={"seq": ins.seq, "error": out.error})
            return ins
        if out.kind == UNKNOWN or out.answer is None:
            _record(ins, state=S.UNKNOWN, message=out.error[:200])
            audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_UNKNOWN, obj=ins, center=ins.center,
                      business_date=business_date, after={"seq": ins.seq, "error": out.error})
            return ins
        a = out.answer
        state, result = a.get("state", ""), str(a.get("result", ""))
        if result == "0000" or state == "S":
            if ins.is_batch:
                _record(ins, state=S.PROCESSING, result=result, message=str(a.get("message", ""))[:200])
                return ins
            _settle_success(ins, bank_seq=str(a.get("bank_seq", "")), actor=actor, business_date=business_date,
                            via=via, result=result, message=str(a.get("message", "")), answer=a)
        elif result == "2001" or state == "P":
            _record(ins, state=S.PROCESSING, result=result, message=str(a.get("message", ""))[:200])
        elif state == "F" or (result and result not in ("0000", "2001")):
            if result == "9009":  # our own sequence number collided with different content: never ours to settle
                _record(ins, state=S.UNKNOWN, result=result, message=str(a.get("message", ""))[:200])
            else:
                _settle_failure(ins, result=result, message=str(a.get("message", "")), actor=actor,
                                business_date=business_date, via=via)
        else:
            _record(ins, state=S.UNKNOWN, message="银行应答无状态")
        return ins


# source → fn(instruction, answer, actor, business_date) -> JournalEntry | None: instructions whose booking
# depends on what the bank answered (deposits: the deposit number, the interest paid) post through their hook.
# Upper apps plug in here (registered in their AppConfig.ready), so settlement imports none of them:
# money that reached a 专户 without an instruction becomes a receipt of the contributions app (到账登记), and the
# statements the gateway fetches go into the reconciliation app's store.
_RECEIPT_HANDLER: list[Callable[..., Any]] = []
_STATEMENT_SINK: list[Callable[..., Any]] = []


def register_receipt_handler(handler: Callable[..., Any]) -> None:
    """`handler(center=, amount=, value_date=, bank_ref=, actor=, business_date=, payer_account=, payer_name=,
    bank_account=)` records money that arrived and returns the receipt (with a pk)."""
    _RECEIPT_HANDLER[:] = [handler]


def register_statement_sink(sink: Callable[..., Any]) -> None:
    """`sink(bank_account=, stmt_date=, opening_balance=, closing_balance=, lines=, actor=, business_date=,
    source=)` stores one day's statement and returns it."""
    _STATEMENT_SINK[:] = [sink]


def _receipt_record(**kwargs: Any) -> Any:
    if not _RECEIPT_HANDLER:
        raise DomainError(ErrorCode.RECEIPT_HANDLER_MISSING, "未启用到账登记：无法登记银行到账", field="bank_account")
    return _RECEIPT_HANDLER[0](**kwargs)


def _statement_sink() -> Callable[..., Any]:
    if not _STATEMENT_SINK:
        raise DomainError(ErrorCode.STATEMENT_STORE_MISSING, "未启用日终对账：无法保存银行对账单", field="bank_account")
    return _STATEMENT_SINK[0]


SUCCESS_HOOKS: dict[str, Callable[[Instruction, dict[str, Any], Any, date], Any]] = {}
FAILURE_HOOKS: dict[str, Callable[[Instruction, Any, date], None]] = {}
# source → fn(instruction, actor, business_date): a batch of that source is final (its items carry their state:
# succeeded, or failed with their money already back in the book account); runs under the instruction's lock
BATCH_HOOKS: dict[str, Callable[[Instruction, Any, date], None]] = {}
# source → fn(instruction, item, actor, business_date, split_seq): one item of a batch collection booked by its
# source (batch_collection_submit) succeeded / failed; run under the instruction's lock with its final state, so
# each item is booked exactly once. `split_seq`: the BDC106 that moves the succeeded items' interest to the 102
# 专户 ("" without a split). An exception rolls the whole result back (it is asked again later).
ITEM_SUCCESS_HOOKS: dict[str, Callable[..., Any]] = {}
ITEM_FAILURE_HOOKS: dict[str, Callable[..., Any]] = {}
# source → fn(instruction, notice, actor, business_date) -> bool: money of a paid instruction came back (退汇: the
# payee's bank returned it, an inbound notice whose ref is the instruction's seq); True when the source booked it
RETURN_HOOKS: dict[str, Callable[[Instruction, Notice, Any, date], bool]] = {}


# source → fn(instruction): takes the source's own rows (its application, payout, member account) in the lock
# order above, before settlement touches the member's sub-account for a single instruction's answer
LOCK_HOOKS: dict[str, Callable[[Instruction], None]] = {}


def _lock_source(ins: Instruction) -> None:
    hook = LOCK_HOOKS.get(ins.source)
    if hook is not None and not ins.is_batch:
        hook(ins)


def _settle_success(ins: Instruction, *, bank_seq: str, actor: Actor, business_date: date, via: str,
                    result: str = "0000", message: str = "", answer: dict[str, Any] | None = None) -> None:
    """The bank confirmed a single instruction: post it and release its reservation (caller holds the lock).
    `answer`: what the bank said (the instruction's answer, or the BDC110 body, or the notice)."""
    _lock_source(ins)
    center, gl = ins.center, ins.bank_account.gl_account.code
    entry = None
    hook = SUCCESS_HOOKS.get(ins.source)
    if ins.code == SPLIT_CODE:
        pass  # the collected items were booked Dr 101 principal / Dr 102 interest already: the bank now agrees
    elif hook is not None:
        # the bank's reference travels with whatever answered (a notice gives it beside its own fields)
        said = answer or {}
        entry = hook(ins, {**said, "bank_seq": said.get("bank_seq") or bank_seq}, actor, business_date)
    elif ins.direction == "out":
        sub_rows = []
        if ins.book_account == MEMBER_CONTROL and ins.sub_account_id:
            sub = subaccount_set_reserves(sub_account=SubAccount(pk=ins.sub_account_id), hold_delta=-ins.amount)
            sub_rows = [member_debit_split(sub_account=sub, amount=ins.amount, on=business_date, reference=ins.seq)]
        # a transfer to another 专户 of the center (e.g. to the 增值收益 account) is a bank line on both sides
        own = BankAccount.objects.filter(center=center, gl_account__code=ins.book_account).exists()
        entry = entry_post(center=center, business_date=business_date, source="settlement",
                           lines=[Line(ins.book_account, debit=ins.amount, bank_ref=ins.seq if own else ""),
                                  Line(gl, credit=ins.amount, bank_ref=ins.seq)],
                           sub_rows=sub_rows, biz_type=BizType.PARTIAL_WITHDRAWAL if sub_rows else "", actor=actor,
                           description=f"{SettlementBizType(ins.biz_type).label} 付款 {ins.counter_name} {ins.seq}",
                           settles_hold=bool(sub_rows))  # the bank has paid: the hold passed the guards when placed
    elif ins.book_account == RECEIPT:
        rc = _receipt_record(center=center, amount=ins.amount, value_date=business_date, bank_ref=ins.seq,
                            actor=actor, business_date=business_date, payer_account=ins.counter_account,
                            payer_name=ins.counter_name, bank_account=gl)
        ins.source_ref = ins.source_ref or f"receipt:{rc.pk}"
    else:
        entry = entry_post(center=center, business_date=business_date, source="settlement",
                           lines=[Line(gl, debit=ins.amount, bank_ref=ins.seq), Line(ins.book_account, credit=ins.amount)],
                           actor=actor, description=f"{SettlementBizType(ins.biz_type).label} 收款 {ins.counter_name} {ins.seq}")
    _record(ins, state=S.SUCCEEDED, result=result, message=(message or "交易成功")[:200], bank_seq=bank_seq[:40],
            resolved_by=via, reserved=0, succeeded_amount=ins.amount, settled_date=business_date,
            entry=entry or ins.entry, source_ref=ins.source_ref)
    audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_SUCCEEDED, obj=ins, center=center,
              business_date=business_date, after={"seq": ins.seq, "bank_seq": bank_seq, "via": via, "amount": ins.amount})


def _settle_failure(ins: Instruction, *, result: str, message: str, actor: Actor, business_date: date, via: str,
                    state: str = S.FAILED, action: AuditEvent = AuditEvent.SETTLEMENT_INSTRUCTION_FAILED) -> None:
    _lock_source(ins)
    if ins.direction == "out" and ins.book_account == MEMBER_CONTROL and ins.sub_account_id and not ins.is_batch:
        subaccount_set_reserves(sub_account=SubAccount(pk=ins.sub_account_id), hold_delta=-ins.amount)
    if ins.is_batch and ins.direction == "out":
        ins.items.update(state=S.FAILED, result=result[:8], message=(message or "交易失败")[:200])
        _batch_return(ins, ins.amount, actor=actor, business_date=business_date)
    if ins.code == SPLIT_CODE:
        _split_failed(ins, actor=actor, business_date=business_date)
    elif ins.is_batch and ins.book_account == ITEM_BOOKED:
        ins.items.update(state=S.FAILED, result=result[:8], message=(message or "交易失败")[:200])
        _items_booked(ins, actor=actor, business_date=business_date)
    elif ins.source in FAILURE_HOOKS:
        FAILURE_HOOKS[ins.source](ins, actor, business_date)
    _record(ins, state=state, result=result[:8], message=(message or "交易失败")[:200], resolved_by=via, reserved=0,
            failed_amount=ins.amount)
    if ins.is_batch and ins.source in BATCH_HOOKS:
        BATCH_HOOKS[ins.source](ins, actor, business_date)
    audit_log(actor=actor, action=action, obj=ins, center=ins.center,
              business_date=business_date, after={"seq": ins.seq, "result": result, "message": message, "via": via})


# failed items of a batch paid from 201 above this count go back through the ledger's bulk apply (set-based)
BATCH_RETURN_BULK = 200


def _batch_return(ins: Instruction, amount: int, *, actor: Actor, business_date: date) -> None:
    """Failed batch items (already marked failed): their money goes back from in-transit clearing to where it
    came from; paid from 201, each member at the value date it left (within the current interest year: a
    settled year stays settled). Many items go back set-based, through the ledger's bulk apply."""
    if amount <= 0:
        return
    failed = ins.items.filter(state=S.FAILED, sub_account_id__isnull=False)
    n_failed = ins.items.filter(state=S.FAILED).count()
    description = f"批量付款 {ins.seq} 失败 {n_failed} 笔退回"
    vd = max(ins.business_date, interest_year(business_date)[0])
    if ins.book_account == MEMBER_CONTROL and failed.count() > BATCH_RETURN_BULK:
        pb = batch_create(center=ins.center, key=f"settlement:{ins.center_id}:{ins.seq}:return",
                          biz_type=BizType.OTHER, business_date=business_date, counter_account=IN_TRANSIT,
                          actor=actor, description=description)
        batch_apply_from(batch=pb, actor=actor, unique_accounts=None, source=Relation(
            "SELECT i.item AS ord, i.sub_account_id, i.amount - i.taken_carried AS amount_current, "  # noqa: S608 — SQL from code; values bound
            f"i.taken_carried AS amount_carried, {sql.date_param()} AS value_date, %s AS reference "
            "FROM settlement_instructionitem i WHERE i.instruction_id = %s AND i.state = %s "
            "AND i.sub_account_id IS NOT NULL", (vd, ins.seq, ins.pk, S.FAILED)))
        return
    sub_rows = []
    if ins.book_account == MEMBER_CONTROL:
        sub_rows = [SubRow(i.sub_account_id, amount_current=i.amount - i.taken_carried,  # type: ignore[arg-type]
                           amount_carried=i.taken_carried, value_date=vd, reference=ins.seq)
                    for i in failed.order_by("item")]
    entry_post(center=ins.center, business_date=business_date, source="settlement",
               lines=[Line(IN_TRANSIT, debit=amount), Line(ins.book_account, credit=amount)], sub_rows=sub_rows,
               biz_type=BizType.OTHER if sub_rows else "", actor=actor, description=description)


def _split_submit(ins: Instruction, *, actor: Actor, business_date: date) -> Instruction | None:
    """BDC106 本息分解 of a finished batch loan debit: for its succeeded items, principal stays in the 101 专户 and
    the interest (with penalty) goes to the 102 专户. One instruction per batch (source_ref `<seq>:split`), sent
    after commit (or by the day-end's instructions step); a lost answer is resolved by BDC110 like any other."""
    rows = list(ins.items.filter(state=S.SUCCEEDED).order_by("item").values_list("item", "amount", "split_interest"))
    interest = sum(int(r[2]) for r in rows)
    if ins.split_account_id is None or interest <= 0:
        return None
    split = BankAccount.objects.select_related("gl_account").get(pk=ins.split_account_id)
    ref = f"{ins.seq}:split"
    made = Instruction.objects.filter(center_id=ins.center_id, source=ins.source, source_ref=ref).first()
    if made is not None:
        return made
    principal = sum(int(r[1]) - int(r[2]) for r in rows)
    body = {"orig_seq": ins.seq, "principal": principal, "interest": interest, "interest_account": split.account_no,
            "items": [{"item": str(n), "principal": int(a) - int(i), "interest": int(i)} for n, a, i in rows]}
    sp = Instruction.objects.create(
        center=ins.center, seq=_next_seq(ins.center, business_date), code=SPLIT_CODE,
        biz_type=SettlementBizType.LOAN_SPLIT, direction="out", bank_account=ins.bank_account, amount=interest,
        count=len(rows), counter_account=split.account_no, counter_name=split.account_name[:120],
        summary=f"本息分解 {ins.seq}", book_account=split.gl_account.code, source=ins.source, source_ref=ref,
        business_date=business_date, created_by=actor_label(actor)[0], body=body)
    audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_CREATE, obj=sp, center=ins.center,
              business_date=business_date,
              after={"seq": sp.seq, "code": SPLIT_CODE, "orig_seq": ins.seq, "principal": principal,
                     "interest": interest, "count": len(rows)})
    # reconciliation matches by reference: the bank's 101 statement has the batch total under the batch seq and the
    # interest leaving under the BDC106 seq, while the items book principal on 101 and interest on 102; this entry
    # (net zero on 101) puts the interest under the batch seq and takes it out under the BDC106 seq
    entry_post(center=ins.center, business_date=business_date, source="settlement", actor=actor,
               lines=[Line(ins.bank_account.gl_account.code, debit=interest, bank_ref=ins.seq),
                      Line(ins.bank_account.gl_account.code, credit=interest, bank_ref=sp.seq)],
               description=f"本息分解 {ins.seq} 利息转出 {sp.seq}（对账分录）"[:200])
    pk = sp.pk
    transaction.on_commit(lambda: _send_quietly(pk, actor, business_date), robust=True)
    return sp


def _send_quietly(pk: int, actor: Actor, business_date: date) -> None:
    instruction_send(instruction=Instruction.objects.get(pk=pk), actor=actor, business_date=business_date)


def _split_failed(ins: Instruction, *, actor: Actor, business_date: date) -> None:
    """The bank refused the 本息分解: the interest stayed in the 101 专户, so the books move it back there
    (Dr 101 / Cr 102, both lines with the BDC106 seq) and finance sees the refusal in the instruction list."""
    entry_post(center=ins.center, business_date=business_date, source="settlement", actor=actor,
               lines=[Line(ins.bank_account.gl_account.code, debit=ins.amount, bank_ref=ins.seq),
                      Line(ins.book_account, credit=ins.amount, bank_ref=ins.seq)],
               description=f"本息分解未成功 {ins.body.get('orig_seq', '')}：利息留存住房公积金存款专户 {ins.seq}"[:200])


def _items_booked(ins: Instruction, *, actor: Actor, business_date: date) -> None:
    """A final batch collection booked by its source: the BDC106 split of what succeeded (made first, so each
    item's interest line names it), then each item to its source's hook, in item order."""
    sp = _split_submit(ins, actor=actor, business_date=business_date) if ins.state != S.HELD else None
    ok, failed = ITEM_SUCCESS_HOOKS.get(ins.source), ITEM_FAILURE_HOOKS.get(ins.source)
    for it in ins.items.order_by("item").iterator(chunk_size=2000):
        hook = ok if it.state == S.SUCCEEDED else failed
        if hook is not None:
            hook(ins, it, actor, business_date, sp.seq if sp is not None else "")


def _batch_results_store(ins: Instruction, items: list[dict[str, Any]]) -> tuple[int, int, int]:
    """The bank's item results onto the instruction's items, set-based: loaded into a scratch table in one
    stream, then one UPDATE … FROM. Every item must have its result. Returns (succeeded count, succeeded
    amount, failed count)."""
    by_item: dict[int, tuple[Any, ...]] = {}
    for r in items:
        try:
            n = int(str(r.get("item")))
        except ValueError:
            continue
        by_item[n] = (n, S.SUCCEEDED if r.get("state") == "S" else S.FAILED,  # the bank's item state: S succeeded
                      str(r.get("result", ""))[:8], str(r.get("message", ""))[:200], str(r.get("bank_seq", ""))[:40])
    scratch = f"settle_results_{ins.pk}"
    sql.drop_table(scratch)
    sql.create_staging_table(scratch, ["item BIGINT NOT NULL PRIMARY KEY", "state VARCHAR(20) NOT NULL",
                                       "result VARCHAR(8) NOT NULL", "message VARCHAR(200) NOT NULL",
                                       "bank_seq VARCHAR(40) NOT NULL"], temporary=True, drop_on_commit=True)
    try:
        sql.bulk_insert(scratch, ["item", "state", "result", "message", "bank_seq"], by_item.values())
        sql.analyze(scratch, "settlement_instructionitem")  # PostgreSQL: plans on the tables as they are now
        missing = sql.fetch(
            f"SELECT MIN(i.item) FROM settlement_instructionitem i LEFT JOIN {scratch} r ON r.item = i.item "  # noqa: S608 — scratch table name from code; values bound
            "WHERE i.instruction_id = %s AND r.item IS NULL", [ins.pk])[0][0]
        if missing is not None:
            raise DomainError(ErrorCode.BATCH_RESULT_INCOMPLETE, f"批量结果缺少第 {missing} 笔", field="items")
        sql.execute(
            "UPDATE settlement_instructionitem SET state = r.state, result = r.result, message = r.message, "  # noqa: S608 — scratch table name from code; values bound
            f"bank_seq = r.bank_seq FROM {scratch} r "
            "WHERE settlement_instructionitem.instruction_id = %s AND settlement_instructionitem.item = r.item",
            [ins.pk])
    finally:
        if not sql.is_postgresql():
            sql.drop_table(scratch)
    ok_n = ok_total = failed = 0
    for state, n, amt in sql.fetch("SELECT state, COUNT(*), COALESCE(SUM(amount), 0) FROM settlement_instructionitem "
                                   "WHERE instruction_id = %s GROUP BY state", [ins.pk]):
        if state == S.SUCCEEDED:
            ok_n, ok_total = int(n), int(amt)
        else:
            failed += int(n)
    return ok_n, ok_total, failed


def _batch_finish(ins: Instruction, items: list[dict[str, Any]], *, bank_seq: str, actor: Actor,
                  business_date: date, via: str) -> None:
    """The bank finished a batch: succeeded total Dr 21903 / Cr 专户, failed items back (caller holds the lock)."""
    ok_n, ok_total, n_failed = _batch_results_store(ins, items)
    gl = ins.bank_account.gl_account.code
    if ins.direction == "out":
        if ok_total:
            entry_post(center=ins.center, business_date=business_date, source="settlement",
                       lines=[Line(IN_TRANSIT, debit=ok_total), Line(gl, credit=ok_total, bank_ref=ins.seq)], actor=actor,
                       description=f"批量付款 {ins.seq} 银行成功 {ok_n} 笔")
        _batch_return(ins, ins.amount - ok_total, actor=actor, business_date=business_date)
    elif ins.book_account == ITEM_BOOKED:
        _items_booked(ins, actor=actor, business_date=business_date)
    elif ok_total:
        entry_post(center=ins.center, business_date=business_date, source="settlement",
                   lines=[Line(gl, debit=ok_total, bank_ref=ins.seq), Line(ins.book_account, credit=ok_total)],
                   actor=actor, description=f"批量收款 {ins.seq} 成功 {ok_n} 笔")
    state = S.SUCCEEDED if ok_total else S.FAILED
    _record(ins, state=state, resolved_by=via, reserved=0, succeeded_amount=ok_total,
            failed_amount=ins.amount - ok_total, bank_seq=bank_seq[:40], settled_date=business_date,
            message=f"成功 {ok_n} 笔，失败 {n_failed} 笔")
    audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_BATCH_DONE, obj=ins, center=ins.center,
              business_date=business_date, after={"seq": ins.seq, "ok": ok_total, "failed": n_failed, "via": via})
    if ins.source in BATCH_HOOKS:
        BATCH_HOOKS[ins.source](ins, actor, business_date)


def _query_state(ins: Instruction, code: str, business_date: date) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Ask the bank about an instruction (BDC107 / BDC110): (state, body, answer); state "" when no answer."""
    q = _query(ins, code, business_date, {"orig_seq": ins.seq})
    if q.kind != ANSWER or q.answer is None:
        return "", {}, {}
    body = q.answer.get("body") or {}
    return str(body.get("state") or q.answer.get("state") or ""), body, q.answer


def instruction_resolve(*, instruction: Instruction, actor: Actor, business_date: date) -> Instruction:
    """Find out what happened to an instruction without an answer (BDC110), or to a batch in process
    (BDC107/108). Never sends the instruction again: N (the bank never received it) makes it sendable."""
    ins = Instruction.objects.select_related("center", "bank_account").get(pk=instruction.pk)
    _op(actor, ins.center)
    if not ins.can_query:
        return ins
    st, body, answer = _query_state(ins, "BDC107" if ins.is_batch else "BDC110", business_date)
    if st == "N":
        return _not_received(ins, actor=actor, business_date=business_date)
    if st in ("", "P"):
        if st == "P" and ins.is_batch and ins.state != S.PROCESSING:
            _record(ins, state=S.PROCESSING)
        return ins
    if ins.is_batch:
        d = _query(ins, "BDC108", business_date, {"orig_seq": ins.seq})
        if d.kind != ANSWER or d.answer is None:
            return ins
        with transaction.atomic():
            locked = Instruction.objects.select_for_update(of=LOCK_SELF).select_related(
                "center", "bank_account__gl_account").get(pk=ins.pk)
            if not locked.is_final:
                _batch_finish(locked, list((d.answer.get("body") or {}).get("items") or []),
                              bank_seq=str(body.get("bank_seq") or answer.get("bank_seq", "")), actor=actor,
                              business_date=business_date, via="BDC107")
            return locked
    if st == "S":
        fake = Outcome(ANSWER, {"state": "S", "result": "0000", "bank_seq": body.get("bank_seq", ""),
                                "message": body.get("message", "交易成功"), "amount": body.get("amount"),
                                "via_query": True})
    else:
        fake = Outcome(ANSWER, {"state": "F", "result": body.get("result") or "1004",
                                "message": body.get("message", "交易失败")})
    return _apply_outcome(ins.pk, fake, actor=actor, business_date=business_date, via="BDC110")


def _not_received(ins: Instruction, *, actor: Actor, business_date: date) -> Instruction:
    """The bank says it never received the instruction: it may be sent again with the same sequence number."""
    with transaction.atomic():
        locked = Instruction.objects.select_for_update().get(pk=ins.pk)
        if locked.state in (S.SENT, S.UNKNOWN, S.PROCESSING):
            _record(locked, state=S.CREATED, message="银行无此交易，待重新发送", next_attempt_at=None)
            audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_NOT_RECEIVED, obj=locked, center=locked.center_id,
                      business_date=business_date, after={"seq": locked.seq})
        return locked


def instructions_process(*, center: Center, actor: Actor, business_date: date, include_waiting: bool = True) -> dict[str, int]:
    """Send what waits (created, or after an outage), resolve what has no answer, poll batches."""
    _op(actor, center)
    counts = {"sent": 0, "resolved": 0, "open": 0}
    pending = Instruction.objects.filter(center=center, state=S.CREATED).order_by("pk")
    if not include_waiting:
        pending = pending.filter(next_attempt_at__isnull=True)
    for ins in pending:
        if instruction_send(instruction=ins, actor=actor, business_date=business_date).state != S.CREATED:
            counts["sent"] += 1
    for ins in Instruction.objects.filter(center=center, state__in=[S.SENT, S.UNKNOWN, S.PROCESSING]).order_by("pk"):
        if instruction_resolve(instruction=ins, actor=actor, business_date=business_date).is_final:
            counts["resolved"] += 1
    counts["open"] = Instruction.objects.filter(center=center).exclude(state__in=Instruction.FINAL_STATES).count()
    return counts


# ---------------------------------------------------------------- release of held instructions (four eyes)


def instruction_release(*, command: Any, seq: str, actor: Actor, business_date: date) -> Instruction:
    """The approved settlement.instruction_release command (`command`, the PendingCommand being applied): the
    held instruction becomes created and is sent once the approving transaction commits. Only the command
    submitted with the instruction releases it; its maker made the instruction, so the checker is someone else."""
    ins = Instruction.objects.select_for_update(of=LOCK_SELF).select_related("center").filter(
        center_id=command.center_id, seq=seq).first()
    if ins is None:
        raise DomainError(ErrorCode.INSTRUCTION_UNKNOWN, f"结算指令 {seq} 不存在", field="seq")
    if ins.state != S.HELD or ins.release_command != command.pk:
        raise DomainError(ErrorCode.INSTRUCTION_NOT_HELD, f"结算指令 {seq} 不在待复核放行状态", field="seq")
    _record(ins, state=S.CREATED, message="已复核放行")
    audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_RELEASE, obj=ins, center=ins.center,
              business_date=business_date, after={"seq": ins.seq, "amount": ins.amount, "command": command.pk,
                                                  "maker": ins.created_by, "checker": actor_label(actor)[0]})
    sender = SystemActor("release", on_behalf_of=actor)
    transaction.on_commit(lambda: instruction_send(instruction=ins, actor=sender, business_date=ins.center.business_date),
                          robust=True)  # an outage leaves it created: day-end sends it again
    return ins


def instruction_cancel(*, command: Any, actor: Actor, business_date: date) -> Instruction | None:
    """The release was rejected (or withdrawn by its maker): the held instruction is cancelled, its reservation
    released (a batch's money returns from in-transit clearing), nothing sent."""
    ins = Instruction.objects.select_for_update(of=LOCK_SELF).select_related("center", "bank_account__gl_account").filter(
        center_id=command.center_id, release_command=command.pk).first()
    if ins is None or ins.state != S.HELD:
        return ins
    _settle_failure(ins, result="", message=f"复核未通过：{command.reason}"[:200], actor=actor,
                    business_date=business_date, via="checker", state=S.CANCELLED,
                    action=AuditEvent.SETTLEMENT_INSTRUCTION_CANCEL)
    return ins


# ---------------------------------------------------------------- inbound: account-change notices (SBDC100)


def notice_ingest(*, center: Center, payload: dict[str, Any], actor: Actor, business_date: date) -> Notice:
    """One account-change notice, pushed or pulled; credited once however often it arrives. Money in from
    others becomes a contribution receipt (matching and 暂存 of the contributions app); a line of our own
    instruction settles that instruction if it was still without an answer; anything else waits for finance."""
    nid = str(payload.get("notice_id") or "").strip()
    if not nid:
        raise DomainError(ErrorCode.NOTICE_ID, "通知缺少 notice_id", field="notice_id")
    acct = BankAccount.objects.filter(center=center, account_no=str(payload.get("account", ""))).select_related(
        "gl_account").first()
    if acct is None:
        raise DomainError(ErrorCode.BANK_ACCOUNT_UNKNOWN, f"通知账号 {payload.get('account')} 不是本中心专户", field="account")
    direction = payload.get("direction")
    amount = payload.get("amount")
    if direction not in ("in", "out"):
        raise DomainError(ErrorCode.NOTICE_DIRECTION, "通知方向应为 in 或 out", field="direction")
    amount = _positive(amount)
    try:
        on = date.fromisoformat(str(payload.get("date")))
    except ValueError:
        raise DomainError(ErrorCode.NOTICE_DATE, "通知记账日期格式错误", field="date") from None
    with transaction.atomic():
        existing = Notice.objects.select_for_update().filter(center=center, notice_id=nid).first()
        if existing is not None:
            existing.deliveries += 1
            existing.save(update_fields=["deliveries"])
            return existing
        n = Notice.objects.create(
            center=center, notice_id=nid[:40], bank_account=acct, date=on, bank_seq=str(payload.get("bank_seq", ""))[:40],
            direction=direction, amount=amount, balance=payload.get("balance"),
            counter_account=str(payload.get("counter_account", ""))[:40],
            counter_name=str(payload.get("counter_name", ""))[:120], summary=str(payload.get("summary", ""))[:120],
            ref=str(payload.get("ref", ""))[:40], business_date=business_date)
        ins = Instruction.objects.select_for_update(of=LOCK_SELF).select_related("center", "bank_account__gl_account").filter(
            center=center, seq=n.ref).first() if n.ref else None
        if ins is not None:
            n.instruction = ins
            n.status = Notice.Status.INSTRUCTION
            if (direction == "in" and ins.direction == "out" and ins.state == S.SUCCEEDED
                    and ins.source in RETURN_HOOKS):  # 退汇: the payee's bank sent a paid payment back
                if RETURN_HOOKS[ins.source](ins, n, actor, business_date):
                    n.status, n.note = Notice.Status.INSTRUCTION, f"退汇 {ins.seq}"
                else:
                    n.status, n.note = Notice.Status.QUEUE, f"退汇 {ins.seq} 未能对应到付款明细，请核实"
            elif ins.is_batch or ins.is_final:
                pass  # batches settle from their item results (BDC107/108); a final one is already booked
            elif ins.code == SPLIT_CODE or (ins.direction == direction and (ins.amount == amount or ins.source in SUCCESS_HOOKS)):  # 本息分解: a line out of the 101 专户 and one into the 102 专户
                _settle_success(ins, bank_seq=n.bank_seq, actor=actor, business_date=business_date, via="notice",
                                answer={"amount": amount, "via_notice": True})
            else:
                n.status, n.note = Notice.Status.QUEUE, "通知金额或方向与指令不符"
        elif direction == "in" and _is_interest_notice(n, center=center, on=business_date,
                                                       kind=payload.get("type")):
            _interest_income(n, acct, actor=actor, business_date=business_date)
        elif direction == "in":
            try:
                with transaction.atomic():
                    n.receipt = _receipt_record(
                        center=center, amount=amount, value_date=min(on, business_date), bank_ref=n.bank_seq or nid,
                        actor=actor, business_date=business_date, payer_account=n.counter_account,
                        payer_name=n.counter_name, bank_account=acct.gl_account.code)
                n.status = Notice.Status.RECEIPT
            except DomainError as exc:
                n.status, n.note = Notice.Status.QUEUE, f"{exc.code}：{exc.message}"[:200]
        else:
            n.status, n.note = Notice.Status.QUEUE, "银行扣款无对应指令（手续费等），请核实并记账"
        n.save(update_fields=["instruction", "status", "note", "receipt"])
        audit_log(actor=actor, action=AuditEvent.SETTLEMENT_NOTICE_INGEST, obj=n, center=center, business_date=business_date,
                  after={"notice_id": nid, "amount": amount, "direction": direction, "status": n.status})
        return n


# the notice's own type when the bank sends one (SBDC100 `type`), else the summary decides
INTEREST_NOTICE_TYPES = frozenset({"interest", "结息"})
INTEREST_KEYWORDS_POLICY = "settlement.interest_notice.keywords"
PRINCIPAL_WORD = "本金"  # a line naming principal is a deposit's withdrawal (principal and interest), not interest
# interest on a current 专户 is income (住房公积金会计核算办法): 40101 on a 101 专户, 40102 on a 102 增值收益 专户
INTEREST_INCOME = {BankAccount.Kind.FUND: "40101", BankAccount.Kind.VALUE_ADDED: "40102"}


def _is_interest_notice(n: Notice, *, center: Center, on: date, kind: Any) -> bool:
    """A credit the bank books as interest on the current (活期) account: by the notice's type, else by a summary
    naming one of the policy's keywords (and not principal)."""
    if kind is not None and str(kind).strip():
        return str(kind).strip().lower() in INTEREST_NOTICE_TYPES
    summary = n.summary or ""
    if not summary or PRINCIPAL_WORD in summary:
        return False
    words = policy_value(INTEREST_KEYWORDS_POLICY, on=on, center=center) or []
    return any(str(w) and str(w) in summary for w in words)


def _interest_income(n: Notice, acct: BankAccount, *, actor: Actor, business_date: date) -> None:
    """Book the bank's interest on a current 专户 as income: Dr 专户 / Cr 40101 (101) or 40102 (102), value date
    the bank's booking day (never after ours); the bank line's reference for 日终对账."""
    income = INTEREST_INCOME[BankAccount.Kind(acct.kind)]
    entry = entry_post(center=n.center, business_date=business_date, value_date=min(n.date, business_date),
                       source="settlement", actor=actor,
                       lines=[Line(acct.gl_account.code, debit=n.amount, bank_ref=n.bank_seq or n.notice_id),
                              Line(income, credit=n.amount)],
                       description=f"活期存款利息 {acct.bank_name} {acct.account_no} {n.summary}"[:200])
    n.status, n.note = Notice.Status.INTEREST, f"利息收入 {income} 凭证 {entry.voucher_no}"[:200]


def notices_pull(*, center: Center, actor: Actor, business_date: date, limit: int = 1000) -> dict[str, int]:
    """Fetch the account-change notices each bank holds for us (BDC124) since the last cursor."""
    _op(actor, center)
    counts = {"received": 0, "new": 0, "ignored": 0}
    for ch in BankChannel.objects.filter(center=center, active=True):
        mine = set(BankAccount.objects.filter(center=center, bank_code=ch.bank_code).values_list("account_no", flat=True))
        if not mine:
            continue
        while True:
            seq = _next_seq(center, business_date)
            out = exchange(ch.url, {"code": "BDC124", "seq": seq, "center": center.code,
                                    "date": business_date.isoformat(), "body": {"after": ch.notice_cursor, "limit": limit}},
                           timeout=ch.timeout_seconds)
            if out.kind != ANSWER or out.answer is None:
                break
            body = out.answer.get("body") or {}
            notices = body.get("notices") or []
            for p in notices:
                if str(p.get("account", "")) not in mine:  # the bank's other customers: not ours to book
                    counts["ignored"] += 1
                    continue
                counts["received"] += 1
                before = Notice.objects.filter(center=center, notice_id=str(p.get("notice_id", ""))).exists()
                notice_ingest(center=center, payload=p, actor=actor, business_date=business_date)
                counts["new"] += 0 if before else 1
            nxt = int(body.get("next") or ch.notice_cursor)
            if nxt != ch.notice_cursor:
                BankChannel.objects.filter(pk=ch.pk).update(notice_cursor=nxt)
                ch.notice_cursor = nxt
            if not body.get("more", len(notices) >= limit):
                break
    return counts


def notice_handle(*, notice: Notice, note: str, actor: Actor, business_date: date) -> Notice:
    """Finance marks a queued notice as handled (after posting what it needed), with a note."""
    _op(actor, notice.center_id)
    if not note.strip():
        raise DomainError(ErrorCode.NOTE_REQUIRED, "请填写处理说明", field="note")
    with transaction.atomic():
        n = Notice.objects.select_for_update().get(pk=notice.pk)
        if n.status != Notice.Status.QUEUE:
            raise DomainError(ErrorCode.NOTICE_NOT_QUEUED, "该通知不在待处理队列中", field="notice")
        n.status, n.note = Notice.Status.DONE, note.strip()[:200]
        n.save(update_fields=["status", "note"])
        audit_log(actor=actor, action=AuditEvent.SETTLEMENT_NOTICE_HANDLE, obj=n, center=n.center_id,
                  business_date=business_date, after={"note": n.note})
        return n


def balance_query(*, bank_account: BankAccount, actor: Actor, business_date: date) -> dict[str, Any]:
    """实时余额 (BDC123) next to the book balance and what payments in flight have reserved."""
    check_permission(actor, "settlement.view", center=bank_account.center_id)
    ch = _channel(bank_account)
    out = exchange(ch.url, {"code": "BDC123", "seq": _next_seq(bank_account.center, business_date),
                            "center": bank_account.center.code, "date": business_date.isoformat(),
                            "body": {"account": bank_account.account_no}}, timeout=ch.timeout_seconds)
    if out.kind != ANSWER or out.answer is None:
        raise DomainError(ErrorCode.BANK_UNAVAILABLE, f"银行余额查询失败：{out.error}", field="bank_account")
    body = out.answer.get("body") or {}
    return {"bank_balance": body.get("balance"), "book_balance": gl_balance(
        center=bank_account.center_id, code_prefix=bank_account.gl_account.code),
        "reserved": bank_account_reserved(bank_account)}


def statement_fetch(*, bank_account: BankAccount, on: date, actor: Actor, business_date: date,
                    page_size: int = 10_000) -> Any:
    """账户明细 (BDC113) of one day, page by page, into the reconciliation app's statement store."""
    check_permission(actor, "settlement.view", center=bank_account.center_id)
    ch = _channel(bank_account)
    first: dict[str, Any] = {}

    def lines() -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            out = exchange(ch.url, {"code": "BDC113", "seq": _next_seq(bank_account.center, business_date),
                                    "center": bank_account.center.code, "date": business_date.isoformat(),
                                    "body": {"account": bank_account.account_no, "date": on.isoformat(), "page": page,
                                             "page_size": page_size}}, timeout=ch.timeout_seconds)
            if out.kind != ANSWER or out.answer is None or str(out.answer.get("result")) != "0000":
                raise DomainError(ErrorCode.STATEMENT_UNAVAILABLE, f"银行对账单下载失败（第 {page} 页）：{out.error or out.answer}",
                                  field="bank_account")
            body = out.answer.get("body") or {}
            if page == 1:
                first.update(body)
            yield from body.get("lines") or []
            if page >= int(body.get("pages") or 1):
                return
            page += 1

    it = lines()
    head = next(it, None)  # fetch page 1 (balances) before the loader needs them
    def chain() -> Iterator[dict[str, Any]]:
        if head is not None:
            yield head
        yield from it

    return _statement_sink()(bank_account=bank_account, stmt_date=on, opening_balance=int(first.get("opening_balance", 0)),
                          closing_balance=int(first.get("closing_balance", 0)), lines=chain(), actor=actor,
                          business_date=business_date, source="gateway")


def notice_push(*, center_code: str, bank_code: str, token: str, payload: Any) -> str:
    """A notice the bank pushed (SBDC100): authenticated by the channel's token; "accepted", "ignored" (not one
    of our accounts) or "rejected: …" (the bank may stop retrying: the day-end pull will see it again)."""
    ch = BankChannel.objects.filter(center__code=center_code, bank_code=bank_code, active=True).select_related(
        "center").first()
    if ch is None or not ch.notify_token_hash or not hmac.compare_digest(
            ch.notify_token_hash, sm3_hex((token or "").encode())):
        raise PermissionDenied("推送令牌无效", field="token")
    if not isinstance(payload, dict):
        return "rejected: 通知格式错误"
    if not BankAccount.objects.filter(center=ch.center, account_no=str(payload.get("account", ""))).exists():
        return "ignored"
    actor = SystemActor("bank", ref=bank_code)
    try:
        with transaction.atomic():
            notice_ingest(center=ch.center, payload=payload, actor=actor, business_date=ch.center.business_date)
    except DomainError as exc:
        return f"rejected: {exc.code} {exc.message}"
    return "accepted"
