"""Every write of accounts: employers (缴存单位) and member accounts (个人账户), each through a state machine.

Services use plain `transaction.atomic()` (the entry point opens the durable one), validate everything before
writing, write the audit row and, for member accounts, the sub-ledger detail row of the event.

Freezing (冻结) is orthogonal to the account status (docs/domain.md "Accounts"):
- partial (部分冻结) and 异地贷款担保 freezes reserve the given amount on the sub-account;
- a full freeze (全部冻结) reserves everything available at that moment (balance − holds) AND marks the
  account, so that every later debit is refused by kind through `member_account_check_debit`, whatever the
  balance then is (money credited after the freeze — remittances, interest — is frozen too). Credits still
  post: a frozen account keeps receiving its contributions. Non-money changes (seal, unseal, internal
  transfer, base/ratio changes) stay allowed; closing a frozen account is refused by the state machine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from openhpf.access.services import check_permission
from openhpf.audit.services import audit_log
from openhpf.core import db
from openhpf.core.actors import Actor, MemberActor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import (
    BizType,
    EconomicType,
    EmployerStatus,
    FreezeKind,
    IdType,
    Industry,
    MaritalStatus,
    MemberAccountStatus,
    Sex,
)
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.formfields import PHONE_MESSAGE, is_landline, is_mobile
from openhpf.core.ids import validate_credit_code, validate_resident_id
from openhpf.core.models import Branch, Center
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value
from openhpf.ledger.chart import MEMBER_CONTROL
from openhpf.ledger.models import GLAccount, SubAccount
from openhpf.ledger.services import (
    Line,
    SubRow,
    entry_post,
    subaccount_event,
    subaccount_merge_jishu,
    subaccount_open,
    subaccount_set_reserves,
)

from . import numbering
from .calculations import WITHDRAWAL_ORDER_POLICY, monthly_amounts, withdrawal_split
from .models import Employer, Member, MemberAccount, RatioReduction
from .paidmonths import paid_months_merge, paid_months_start_after

# ---------------------------------------------------------------- state machines

ES = EmployerStatus
MS = MemberAccountStatus


@dataclass(frozen=True)
class Transition:
    """A named transition: allowed from-states and the resulting state (None: the status stays)."""

    label: str
    sources: frozenset[str | None]  # None: "no account yet" (the opening transition)
    target: str | None


def _t(label: str, sources: set[ES] | set[MS] | None, target: str | None) -> Transition:
    return Transition(label, frozenset(sources) if sources is not None else frozenset({None}), target)


EMPLOYER_TRANSITIONS: dict[str, Transition] = {
    "register": _t("开户", None, ES.NORMAL),  # from no state
    "change": _t("变更", {ES.NORMAL, ES.OPENING, ES.DEFERRED, ES.SEALED}, None),
    "suspend": _t("封存", {ES.NORMAL, ES.DEFERRED}, ES.SEALED),
    "resume": _t("启封", {ES.SEALED}, ES.NORMAL),
    "defer": _t("缓缴", {ES.NORMAL}, ES.DEFERRED),  # the hardship service (later issue) uses these two
    "end_deferral": _t("缓缴期满", {ES.DEFERRED}, ES.NORMAL),
    "close": _t("销户", {ES.NORMAL, ES.OPENING, ES.SEALED}, ES.CLOSED),
}

_ACTIVE = {MS.NORMAL, MS.SEALED}
MEMBER_ACCOUNT_TRANSITIONS: dict[str, Transition] = {
    "open": _t("开户", None, MS.NORMAL),  # from no state
    "seal": _t("封存", {MS.NORMAL}, MS.SEALED),
    "unseal": _t("启封", {MS.SEALED}, MS.NORMAL),
    "transfer_internal": _t("内部转移", {MS.NORMAL}, MS.NORMAL),
    "change_base": _t("基数调整", {MS.NORMAL}, None),
    "change_ratio": _t("比例调整", {MS.NORMAL}, None),
    "freeze": _t("冻结", _ACTIVE, None),
    "unfreeze": _t("解冻", _ACTIVE, None),
    "close_by_withdrawal": _t("提取销户", _ACTIVE, MS.CLOSED_WITHDRAWN),
    "close_by_transfer_out": _t("外部转出销户", _ACTIVE, MS.CLOSED_TRANSFERRED),
    "close_by_merge": _t("合并销户", _ACTIVE, MS.CLOSED_MERGED),
}
# Transitions that move every fen out of the account: refused while any freeze is on.
_CLOSING = {"close_by_withdrawal", "close_by_transfer_out", "close_by_merge"}


def _next(machine: dict[str, Transition], labels: type, what: str, status: str | None, action: str) -> str:
    t = machine.get(action)
    if t is None:
        raise ValueError(f"unknown transition {action!r}")
    if status not in t.sources:
        shown = labels(status).label if status else "未开户"
        raise DomainError(
            ErrorCode.ILLEGAL_TRANSITION, f"{what}当前状态为「{shown}」，不能办理「{t.label}」", field="status",
            details={"status": status, "action": action},
        )
    out = t.target if t.target is not None else status
    assert out is not None
    return out


def employer_next_status(*, status: str | None, action: str) -> str:
    """The employer status after `action`, or DomainError ILLEGAL_TRANSITION."""
    return _next(EMPLOYER_TRANSITIONS, EmployerStatus, "单位", status, action)


def member_account_next_status(*, account: MemberAccount | None, action: str) -> str:
    """The account status after `action`, or DomainError ILLEGAL_TRANSITION (closing a frozen account too).
    Later services (withdrawal, transfer out, merge) call this with close_by_* before they close."""
    status = account.status if account is not None else None
    target = _next(MEMBER_ACCOUNT_TRANSITIONS, MemberAccountStatus, "个人账户", status, action)
    if action in _CLOSING and account is not None and account.freeze_kind != FreezeKind.NONE:
        raise DomainError(ErrorCode.ACCOUNT_FROZEN, f"个人账户 {account.account_no} 处于冻结状态，不能销户", field="status")
    return target


def member_account_check_debit(*, account: MemberAccount, amount: int) -> None:
    """Guard for every service that takes money out (withdrawal, transfer out, loan deduction).

    A full freeze refuses any debit; other freezes leave the frozen amount to the ledger (available balance)."""
    if account.status not in _ACTIVE:
        raise DomainError(ErrorCode.ACCOUNT_CLOSED, f"个人账户 {account.account_no} 已销户", field="account")
    if account.freeze_kind == FreezeKind.FULL:
        raise DomainError(ErrorCode.ACCOUNT_FROZEN, f"个人账户 {account.account_no} 已全部冻结，不能支取", field="account")
    if amount <= 0:
        raise DomainError(ErrorCode.AMOUNT_POSITIVE, "支取金额必须大于零", field="amount")


def member_accounts_check_debits(debited: Relation) -> None:
    """The ledger's debit guard (`ledger.services.register_debit_guard`, registered in AccountsConfig.ready):
    the rule of `member_account_check_debit` for every posting that takes money out of member accounts or holds
    it (payments through the settlement gateway, batches, 退缴, reversals), set-based. A fully frozen account
    is refused whatever its available balance; partial freezes and holds are the ledger's available check."""
    frozen = db.fetch(
        "SELECT m.account_no FROM accounts_memberaccount m "  # noqa: S608 — a Relation's SQL from code; values bound
        f"WHERE m.sub_id IN ({debited.sql}) AND m.freeze_kind = %s ORDER BY m.account_no LIMIT 10",
        [*debited.params, FreezeKind.FULL])
    if frozen:
        nos = "、".join(r[0] for r in frozen)
        raise DomainError(ErrorCode.ACCOUNT_FROZEN, f"个人账户 {nos} 已全部冻结，不能支取或扣划", field="account",
                          details={"accounts": [r[0] for r in frozen]})


def withdrawal_order(*, center: Center | int, on: date) -> str:
    """The policy `withdrawal.order` in force on `on` at the center (calculations.CURRENT_FIRST or CARRIED_FIRST)."""
    return str(policy_value(WITHDRAWAL_ORDER_POLICY, on=on, center=center))


def member_debit_split(*, sub_account: SubAccount, amount: int, on: date, reference: str = "",
                       order: str | None = None) -> SubRow:
    """The member sub-ledger row of a debit of `amount` fen (a payment out of 201: withdrawal, transfer out,
    loan deduction), split between 当年归集 and 上年结转 by the withdrawal order in force on `on` (docs/domain.md:
    当年归集 first, then 上年结转, a policy value). `order`: already read by the caller (a batch reads it once
    per center); read from the policy when None. The amounts are negative (debits)."""
    if order is None:
        order = withdrawal_order(center=sub_account.center_id, on=on)
    current, carried = withdrawal_split(amount, balance_current=sub_account.balance_current,
                                        balance_carried=sub_account.balance_carried, order=order)
    return SubRow(sub_account.pk, amount_current=-current, amount_carried=-carried, reference=reference)


# ---------------------------------------------------------------- validation helpers


def _pct(r: Decimal) -> str:
    return f"{(r * 100).normalize():f}%"


def _ratio(value: Any, field: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("ratios must not be floats")
    try:
        r = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(ErrorCode.RATIO_INVALID, f"缴存比例格式不正确：{value}", field=field) from None
    if not r.is_finite() or r <= 0 or r >= 1 or r.as_tuple().exponent < -4:  # type: ignore[operator]
        raise DomainError(ErrorCode.RATIO_INVALID, f"缴存比例应为大于0小于1、最多四位小数的小数（如 0.12）：{value}",
                          field=field)
    return r


def _active_reduction(employer: Employer | None, on: date) -> RatioReduction | None:
    if employer is None or employer.pk is None:
        return None
    return (
        RatioReduction.objects.filter(employer=employer, valid_from__lte=on, valid_to__gte=on)
        .exclude(approved_by="").order_by("ratio_floor").first()
    )


def _check_ratio_step(*, center: Center, er: Decimal, mr: Decimal, on: date) -> None:
    """Each side a whole multiple of `contribution.ratio.step` (0.01% nationally; whole percents where a center
    says so), checked side by side."""
    step = Decimal(str(policy_value("contribution.ratio.step", on=on, center=center)))
    for r, field, side in ((er, "employer_ratio", "单位"), (mr, "member_ratio", "个人")):
        if step > 0 and r % step != 0:
            raise DomainError(ErrorCode.RATIO_STEP, f"{side}缴存比例 {_pct(r)} 不符合规定：缴存比例须为 {_pct(step)} 的整数倍",
                              field=field, details={"ratio": str(r), "step": str(step)})


def _check_ratios(
    *, center: Center, employer: Employer | None, employer_ratio: Any, member_ratio: Any, on: date
) -> tuple[Decimal, Decimal]:
    """Both ratios within the policy range in force on `on` (or down to an approved reduction's floor)."""
    er, mr = _ratio(employer_ratio, "employer_ratio"), _ratio(member_ratio, "member_ratio")
    lo = Decimal(str(policy_value("contribution.ratio.min", on=on, center=center)))
    hi = Decimal(str(policy_value("contribution.ratio.max", on=on, center=center)))
    reduction = _active_reduction(employer, on)
    floor = lo
    if reduction is not None:
        reduced_min = Decimal(str(policy_value("contribution.ratio.reduced_min", on=on, center=center)))
        floor = min(lo, max(reduction.ratio_floor, reduced_min))
    _check_ratio_step(center=center, er=er, mr=mr, on=on)
    for r, field, side in ((er, "employer_ratio", "单位"), (mr, "member_ratio", "个人")):
        if r > hi:
            raise DomainError(ErrorCode.RATIO_TOO_HIGH, f"{side}缴存比例 {_pct(r)} 高于上限 {_pct(hi)}", field=field)
        if r < floor:
            if reduction is None:
                raise DomainError(ErrorCode.RATIO_TOO_LOW,
                                  f"{side}缴存比例 {_pct(r)} 低于下限 {_pct(lo)}（单位无有效的降低缴存比例批准）",
                                  field=field)
            raise DomainError(ErrorCode.RATIO_BELOW_REDUCED,
                              f"{side}缴存比例 {_pct(r)} 低于降低缴存比例后的下限 {_pct(floor)}", field=field)
    if policy_value("contribution.ratio.equal_sides", on=on, center=center) and er != mr:
        raise DomainError(ErrorCode.RATIO_SIDES_DIFFER, f"单位与个人缴存比例须相同（{_pct(er)} ≠ {_pct(mr)}）",
                          field="member_ratio")
    return er, mr


def _check_base(*, center: Center, base: Any, on: date) -> int:
    if not isinstance(base, int) or isinstance(base, bool):
        raise DomainError(ErrorCode.BASE_INVALID, f"缴存基数应为整数（分）：{base}", field="base")
    cap = int(policy_value("contribution.base.cap", on=on, center=center))
    floor = int(policy_value("contribution.base.floor", on=on, center=center))
    if base > cap:
        raise DomainError(ErrorCode.BASE_ABOVE_CAP, f"缴存基数 {format_fen(base)} 元高于上限 {format_fen(cap)} 元", field="base")
    if base < floor:
        raise DomainError(ErrorCode.BASE_BELOW_FLOOR, f"缴存基数 {format_fen(base)} 元低于下限 {format_fen(floor)} 元",
                          field="base")
    return base


def _amounts(*, center: Center, base: int, er: Decimal, mr: Decimal, on: date) -> tuple[int, int]:
    return monthly_amounts(base, er, mr, str(policy_value("contribution.rounding", on=on, center=center)))


def _choice(value: str, choices: type, field: str, what: str) -> str:
    if value not in choices.values:  # type: ignore[attr-defined]
        raise DomainError(ErrorCode.CODE_UNKNOWN, f"{what}代码不正确：{value}", field=field)
    return value


def _branch(center: Center, branch: Branch | None, default: Branch | None = None) -> Branch:
    if branch is None:
        branch = default or center.branches.order_by("code").first()
    if branch is None or branch.center_id != center.pk:
        raise DomainError(ErrorCode.BRANCH_UNKNOWN, "网点不属于该管理中心", field="branch")
    return branch


# an employer in 缓缴 still hires: its new people get accounts (their months are owed with the deferred ones)
HIRING_STATUSES = frozenset({EmployerStatus.NORMAL, EmployerStatus.DEFERRED})


def _usable_employer(employer: Employer, center_id: int, field: str = "employer") -> Employer:
    """The employer an account opens at or moves to, locked; it must belong to the center and be 正常 or in
    缓缴 (HIRING_STATUSES)."""
    e = Employer.objects.select_for_update().get(pk=employer.pk)
    if e.center_id != center_id:
        raise DomainError(ErrorCode.EMPLOYER_UNKNOWN, f"单位 {e.account_no} 不属于本中心", field=field)
    if e.status not in HIRING_STATUSES:
        raise DomainError(ErrorCode.EMPLOYER_NOT_NORMAL,
                          f"单位 {e.account_no} 当前状态为「{EmployerStatus(e.status).label}」，不能办理个人账户业务",
                          field=field)
    return e


def _text(value: str, field: str, what: str, max_len: int) -> str:
    v = (value or "").strip()
    if not v:
        raise DomainError(ErrorCode.REQUIRED, f"请填写{what}", field=field)
    if len(v) > max_len:
        raise DomainError(ErrorCode.TOO_LONG, f"{what}不能超过 {max_len} 个字", field=field)
    return v


def _phone(value: str) -> str:
    v = (value or "").strip()
    if v and not (v.isdigit() and 7 <= len(v) <= 20):
        raise DomainError(ErrorCode.PHONE_FORMAT, f"手机号码格式不正确：{v}", field="phone")
    return v


def _contact_phone(value: str) -> str:
    """An employer's contact phone: empty, a mainland mobile or a landline with its area code (core.formfields)."""
    v = (value or "").strip().replace(" ", "")
    if v and not (is_mobile(v) or is_landline(v)):
        raise DomainError(ErrorCode.PHONE_FORMAT, f"{PHONE_MESSAGE}：{v}", field="contact_phone")
    return v


_EMPLOYER_FIELDS = ("name", "credit_code", "status", "payday", "employer_ratio", "member_ratio", "contact_name",
                    "contact_phone", "address", "bank_account_id", "branch_id", "economic_type", "industry")
_ACCOUNT_FIELDS = ("status", "employer_id", "base", "employer_ratio", "member_ratio", "employer_amount",
                   "member_amount", "freeze_kind", "sealed_date", "seal_reason", "branch_id")


def _snap(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


# ---------------------------------------------------------------- employers


def employer_register(
    *, center: Center, name: str, credit_code: str, economic_type: str, industry: str, payday: int,
    employer_ratio: Decimal | str, member_ratio: Decimal | str, branch: Branch | None = None,
    contact_name: str = "", contact_phone: str = "", address: str = "", bank_account: GLAccount | None = None,
    actor: Actor, business_date: date,
) -> Employer:
    """缴存单位登记 (Art14): a new employer, status 01 正常, with a new 单位账号."""
    check_permission(actor, "accounts.open", center=center)
    name = _text(name, "name", "单位名称", 120)
    code = validate_credit_code(credit_code)
    _choice(economic_type, EconomicType, "economic_type", "经济类型")
    _choice(industry, Industry, "industry", "所属行业")
    if not isinstance(payday, int) or not 1 <= payday <= 31:
        raise DomainError(ErrorCode.PAYDAY_RANGE, f"发薪日应为 1 至 31：{payday}", field="payday")
    er, mr = _check_ratios(center=center, employer=None, employer_ratio=employer_ratio, member_ratio=member_ratio,
                           on=business_date)
    branch = _branch(center, branch)
    contact_phone = _contact_phone(contact_phone)
    if bank_account is not None and (bank_account.center_id != center.pk or not bank_account.code.startswith("101")):
        raise DomainError(ErrorCode.BANK_ACCOUNT_UNKNOWN, "受托银行专户不属于本中心", field="bank_account")
    status = employer_next_status(status=None, action="register")
    with transaction.atomic():
        if Employer.objects.filter(center=center, credit_code=code).exists():
            raise DomainError(ErrorCode.EMPLOYER_EXISTS, f"统一社会信用代码 {code} 的单位已登记", field="credit_code")
        (n,) = numbering.allocate(center=center, kind="employer")
        employer = Employer.objects.create(
            center=center, branch=branch, account_no=numbering.format_no(center.code, "employer", n),
            credit_code=code, name=name, economic_type=economic_type, industry=industry, payday=payday,
            bank_account=bank_account, employer_ratio=er, member_ratio=mr, status=status,
            contact_name=contact_name.strip()[:40], contact_phone=contact_phone,
            address=address.strip()[:200], opened_date=business_date,
        )
        audit_log(actor=actor, action=AuditEvent.ACCOUNTS_EMPLOYER_REGISTER, obj=employer, center=center,
                  business_date=business_date, after={"account_no": employer.account_no,
                                                      **_snap(employer, _EMPLOYER_FIELDS)})
        return employer


def employer_change(
    *, employer: Employer, actor: Actor, business_date: date, name: str | None = None, payday: int | None = None,
    employer_ratio: Decimal | str | None = None, member_ratio: Decimal | str | None = None,
    contact_name: str | None = None, contact_phone: str | None = None, address: str | None = None,
    bank_account: GLAccount | None = None,
) -> Employer:
    """单位信息变更. New default ratios apply to accounts opened or moved in from now; existing accounts keep
    theirs until changed one by one (member_account_change_ratio) — a batch change is a later issue."""
    check_permission(actor, "accounts.change", center=employer.center_id)
    with transaction.atomic():
        e = Employer.objects.select_for_update().get(pk=employer.pk)
        employer_next_status(status=e.status, action="change")
        before = _snap(e, _EMPLOYER_FIELDS)
        if name is not None:
            e.name = _text(name, "name", "单位名称", 120)
        if payday is not None:
            if not isinstance(payday, int) or not 1 <= payday <= 31:
                raise DomainError(ErrorCode.PAYDAY_RANGE, f"发薪日应为 1 至 31：{payday}", field="payday")
            e.payday = payday
        if employer_ratio is not None or member_ratio is not None:
            e.employer_ratio, e.member_ratio = _check_ratios(
                center=e.center, employer=e, on=business_date,
                employer_ratio=employer_ratio if employer_ratio is not None else e.employer_ratio,
                member_ratio=member_ratio if member_ratio is not None else e.member_ratio,
            )
        if contact_name is not None:
            e.contact_name = contact_name.strip()[:40]
        if contact_phone is not None:
            e.contact_phone = _contact_phone(contact_phone)
        if address is not None:
            e.address = address.strip()[:200]
        if bank_account is not None:
            if bank_account.center_id != e.center_id or not bank_account.code.startswith("101"):
                raise DomainError(ErrorCode.BANK_ACCOUNT_UNKNOWN, "受托银行专户不属于本中心", field="bank_account")
            e.bank_account = bank_account
        after = _snap(e, _EMPLOYER_FIELDS)
        changed = [k for k in after if after[k] != before[k]]
        if not changed:
            raise DomainError(ErrorCode.NOTHING_CHANGED, "没有需要变更的内容", field="employer")
        e.save(update_fields=[f.removesuffix("_id") for f in changed])
        audit_log(actor=actor, action=AuditEvent.ACCOUNTS_EMPLOYER_CHANGE, obj=e, center=e.center_id,
                  business_date=business_date, before={k: before[k] for k in changed},
                  after={k: after[k] for k in changed})
        return e


def employer_pay_account_check(*, bank_name: str, account_no: str) -> tuple[str, str]:
    """The employer's own 开户银行 and 账号 as they would be stored, or every problem at once (一次告知): a
    DomainError whose `details["problems"]` lists [(field, message)]."""
    bank = (bank_name or "").strip()
    no = (account_no or "").strip().replace(" ", "")
    problems: list[tuple[str, str]] = []
    if not bank:
        problems.append(("bank_name", "请填写开户银行"))
    elif len(bank) > 60:
        problems.append(("bank_name", "开户银行不能超过 60 个字"))
    if not (no.isdigit() and 8 <= len(no) <= 40):
        problems.append(("account_no", "银行账号应为 8 至 40 位数字"))
    if problems:
        field = problems[0][0]
        code = ErrorCode.BANK_NAME_REQUIRED if field == "bank_name" else ErrorCode.BANK_ACCOUNT_NO
        raise DomainError(code, "；".join(m for _, m in problems), field=field,
                          details={"problems": [{"field": f, "message": m} for f, m in problems]})
    return bank, no


def employer_pay_account_change(*, employer: Employer, bank_name: str, account_no: str, actor: Actor,
                                business_date: date) -> Employer:
    """单位开户银行账号变更: the employer's own bank and account number (not the center's 受托银行专户), audited
    with its own event."""
    check_permission(actor, "accounts.change", center=employer.center_id)
    bank, no = employer_pay_account_check(bank_name=bank_name, account_no=account_no)
    with transaction.atomic():
        e = Employer.objects.select_for_update().get(pk=employer.pk)
        employer_next_status(status=e.status, action="change")
        before = {"pay_bank_name": e.pay_bank_name, "pay_account_no": e.pay_account_no}
        if before == {"pay_bank_name": bank, "pay_account_no": no}:
            raise DomainError(ErrorCode.NOTHING_CHANGED, "开户银行和账号与登记的相同，没有需要变更的内容", field="account_no")
        e.pay_bank_name, e.pay_account_no = bank, no
        e.save(update_fields=["pay_bank_name", "pay_account_no"])
        audit_log(actor=actor, action=AuditEvent.ACCOUNTS_EMPLOYER_PAY_ACCOUNT_CHANGE, obj=e, center=e.center_id,
                  business_date=business_date, before=before, after={"pay_bank_name": bank, "pay_account_no": no})
        return e


# the audit event of each employer status move (employer_next_status actions)
_EMPLOYER_MOVE_EVENTS: dict[str, AuditEvent] = {
    "suspend": AuditEvent.ACCOUNTS_EMPLOYER_SUSPEND, "resume": AuditEvent.ACCOUNTS_EMPLOYER_RESUME,
    "close": AuditEvent.ACCOUNTS_EMPLOYER_CLOSE, "defer": AuditEvent.ACCOUNTS_EMPLOYER_DEFER,
    "end_deferral": AuditEvent.ACCOUNTS_EMPLOYER_END_DEFERRAL,
}


def _employer_move(*, employer: Employer, action: str, actor: Actor, business_date: date,
                   reason: str = "") -> Employer:
    check_permission(actor, "accounts.change", center=employer.center_id)
    with transaction.atomic():
        e = Employer.objects.select_for_update().get(pk=employer.pk)
        target = employer_next_status(status=e.status, action=action)
        before = {"status": e.status}
        fields = ["status"]
        if action == "close":
            active = MemberAccount.objects.filter(employer=e, status__in=list(_ACTIVE)).count()
            if active:
                raise DomainError(ErrorCode.EMPLOYER_HAS_ACCOUNTS, f"单位尚有 {active} 个未销户的个人账户，请先办理转移或封存销户",
                                  field="employer")
            if e.suspense_balance != 0:
                raise DomainError(ErrorCode.EMPLOYER_SUSPENSE, f"单位暂存款余额 {format_fen(e.suspense_balance)} 元未处理，不能销户",
                                  field="employer")
            e.closed_date = business_date
            fields.append("closed_date")
        e.status = target
        e.save(update_fields=fields)
        audit_log(actor=actor, action=_EMPLOYER_MOVE_EVENTS[action], obj=e, center=e.center_id,
                  business_date=business_date, before=before, after={"status": target, "reason": reason})
        return e


def employer_suspend(*, employer: Employer, reason: str = "", actor: Actor, business_date: date) -> Employer:
    """单位封存 (01/03 → 05). Its member accounts are sealed one by one (member_account_seal), not here."""
    return _employer_move(employer=employer, action="suspend", actor=actor, business_date=business_date,
                          reason=reason)


def employer_resume(*, employer: Employer, reason: str = "", actor: Actor, business_date: date) -> Employer:
    """单位启封 (05 → 01)."""
    return _employer_move(employer=employer, action="resume", actor=actor, business_date=business_date,
                          reason=reason)


def employer_close(*, employer: Employer, reason: str = "", actor: Actor, business_date: date) -> Employer:
    """单位销户 (→ 04): only with no active member account and no money in suspense."""
    return _employer_move(employer=employer, action="close", actor=actor, business_date=business_date,
                          reason=reason)


# ---------------------------------------------------------------- member accounts


def _lock_account(account: MemberAccount) -> MemberAccount:
    return MemberAccount.objects.select_for_update().select_related("employer", "center").get(pk=account.pk)


REFERENCE_MAX = 40  # ledger.SubLedgerRow.reference


def event_text(what: str, detail: str = "") -> str:
    """The 流水 of a non-money detail row: what happened, e.g. 「开户 · 杭州某某公司」, 「封存 · 离职」 (cut with
    「…」 to the column's width)."""
    text = f"{what} · {detail.strip()}" if detail.strip() else what
    return text if len(text) <= REFERENCE_MAX else text[: REFERENCE_MAX - 1] + "…"


def _event(acct: MemberAccount, biz_type: str, business_date: date, reference: str = "") -> None:
    subaccount_event(sub_account=SubAccount(pk=acct.pk), biz_type=biz_type, business_date=business_date,
                     reference=reference or acct.account_no)


def _audit_account(acct: MemberAccount, event: AuditEvent, actor: Actor, business_date: date,
                   before: dict[str, Any] | None, extra: dict[str, Any] | None = None) -> None:
    after = _snap(acct, _ACCOUNT_FIELDS)
    if before is not None:
        changed = {k for k in after if after[k] != before.get(k)}
        before = {k: before[k] for k in changed}
        after = {k: after[k] for k in changed}
    audit_log(actor=actor, action=event, obj=acct, center=acct.center_id,
              business_date=business_date, before=before, after={**after, **(extra or {})})


def member_account_open(
    *, center: Center, employer: Employer, name: str, id_type: str, id_number: str, phone: str,
    marital_status: str, base: int, employer_ratio: Decimal | str | None = None,
    member_ratio: Decimal | str | None = None, branch: Branch | None = None, actor: Actor, business_date: date,
    birth_date: date | None = None, sex: str | None = None,
) -> MemberAccount:
    """个人账户开户 (Art15). One person, one active account (Art13). Ratios default to the employer's.

    For a resident ID the birth date and sex come from the number; other ID types must give them."""
    check_permission(actor, "accounts.open", center=center)
    name = _text(name, "name", "姓名", 60)
    _choice(id_type, IdType, "id_type", "证件类型")
    _choice(marital_status, MaritalStatus, "marital_status", "婚姻状况")
    phone = _phone(phone)
    if id_type == IdType.RESIDENT_ID:
        rid = validate_resident_id(id_number, on=business_date)
        number, birth, sex_code = rid.number, rid.birth_date, rid.sex
    else:
        number = _text(id_number, "id_number", "证件号码", 32).upper()
        if birth_date is None or birth_date > business_date:
            raise DomainError(ErrorCode.BIRTH_DATE_REQUIRED, "非身份证开户须填写不晚于业务日期的出生日期", field="birth_date")
        if sex not in Sex.values:
            raise DomainError(ErrorCode.SEX_REQUIRED, "非身份证开户须填写性别", field="sex")
        birth, sex_code = birth_date, sex
    base = _check_base(center=center, base=base, on=business_date)
    with transaction.atomic():
        emp = _usable_employer(employer, center.pk)
        er, mr = _check_ratios(
            center=center, employer=emp, on=business_date,
            employer_ratio=emp.employer_ratio if employer_ratio is None else employer_ratio,
            member_ratio=emp.member_ratio if member_ratio is None else member_ratio,
        )
        br = _branch(center, branch, emp.branch)
        member = Member.objects.select_for_update().filter(id_type=id_type, id_number=number).first()
        if member is not None:
            if member.center_id != center.pk:
                raise DomainError(ErrorCode.MEMBER_OTHER_CENTER, "该职工在其他管理中心建有账户，请办理转移接续",
                                  field="id_number")
            if member.name != name:
                raise DomainError(ErrorCode.MEMBER_NAME_MISMATCH, f"证件号码已登记的姓名为「{member.name[0]}*」，与「{name}」不符",
                                  field="name")
            existing = member.accounts.filter(status__in=list(_ACTIVE)).first()
            if existing is not None:
                raise DomainError(ErrorCode.ACCOUNT_EXISTS, f"该职工已有个人账户 {existing.account_no}（一人一户），"
                                  "请办理启封或内部转移", field="id_number")
            changes = {k: v for k, v in (("phone", phone), ("marital_status", marital_status))
                       if getattr(member, k) != v}
            if changes:
                before = {k: getattr(member, k) for k in changes}
                for k, v in changes.items():
                    setattr(member, k, v)
                member.save(update_fields=list(changes))
                audit_log(actor=actor, action=AuditEvent.ACCOUNTS_MEMBER_CHANGE, obj=member, center=center,
                          business_date=business_date, before=before, after=changes)
        else:
            try:
                with transaction.atomic():  # a concurrent opening for the same new person loses here
                    member = Member.objects.create(center=center, name=name, id_type=id_type, id_number=number,
                                                   birth_date=birth, sex=sex_code, phone=phone,
                                                   marital_status=marital_status)
            except IntegrityError:
                raise DomainError(ErrorCode.CONCURRENT_OPEN, "该职工正在另一笔业务中开户，请稍后查询后重试",
                                  field="id_number") from None
            audit_log(actor=actor, action=AuditEvent.ACCOUNTS_MEMBER_CREATE, obj=member, center=center,
                      business_date=business_date,
                      after={"name": name, "id_type": id_type, "id_number": number, "birth_date": birth,
                             "sex": sex_code, "phone": phone, "marital_status": marital_status})
        status = member_account_next_status(account=None, action="open")
        ea, ma = _amounts(center=center, base=base, er=er, mr=mr, on=business_date)
        (n,) = numbering.allocate(center=center, kind="member")
        account_no = numbering.format_no(center.code, "member", n)
        sub = subaccount_open(center=center, account_no=account_no, business_date=business_date)
        acct = MemberAccount.objects.create(
            sub=sub, center=center, branch=br, account_no=account_no, member=member, employer=emp, base=base,
            employer_ratio=er, member_ratio=mr, employer_amount=ea, member_amount=ma, status=status,
            opened_date=business_date,
        )
        _event(acct, BizType.OPEN, business_date, event_text("开户", emp.name))
        _audit_account(acct, AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_OPEN, actor, business_date, None,
                       {"account_no": account_no, "member_id": member.pk})
        return acct


def member_account_change_base(*, account: MemberAccount, base: int, actor: Actor,
                               business_date: date) -> MemberAccount:
    """基数调整 (biz type 10): a new base, monthly amounts recomputed."""
    check_permission(actor, "accounts.change", center=account.center_id)
    with transaction.atomic():
        acct = _lock_account(account)
        member_account_next_status(account=acct, action="change_base")
        base = _check_base(center=acct.center, base=base, on=business_date)
        if base == acct.base:
            raise DomainError(ErrorCode.NOTHING_CHANGED, "缴存基数未变化", field="base")
        before = _snap(acct, _ACCOUNT_FIELDS)
        acct.base = base
        acct.employer_amount, acct.member_amount = _amounts(
            center=acct.center, base=base, er=acct.employer_ratio, mr=acct.member_ratio, on=business_date)
        acct.save(update_fields=["base", "employer_amount", "member_amount"])
        _event(acct, BizType.BASE_ADJUST, business_date)
        _audit_account(acct, AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_CHANGE_BASE, actor, business_date, before)
        return acct


def member_account_change_ratio(
    *, account: MemberAccount, employer_ratio: Decimal | str, member_ratio: Decimal | str, actor: Actor,
    business_date: date,
) -> MemberAccount:
    """比例调整: within the policy range (or an approved reduction of the employer). JGJ/T 320 has no detail-row
    business type for it, so it is recorded in the audit trail only."""
    check_permission(actor, "accounts.change", center=account.center_id)
    with transaction.atomic():
        acct = _lock_account(account)
        member_account_next_status(account=acct, action="change_ratio")
        er, mr = _check_ratios(center=acct.center, employer=acct.employer, employer_ratio=employer_ratio,
                               member_ratio=member_ratio, on=business_date)
        if er == acct.employer_ratio and mr == acct.member_ratio:
            raise DomainError(ErrorCode.NOTHING_CHANGED, "缴存比例未变化", field="employer_ratio")
        before = _snap(acct, _ACCOUNT_FIELDS)
        acct.employer_ratio, acct.member_ratio = er, mr
        acct.employer_amount, acct.member_amount = _amounts(
            center=acct.center, base=acct.base, er=er, mr=mr, on=business_date)
        acct.save(update_fields=["employer_ratio", "member_ratio", "employer_amount", "member_amount"])
        _audit_account(acct, AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_CHANGE_RATIO, actor, business_date, before)
        return acct


def member_account_seal(*, account: MemberAccount, reason: str, actor: Actor, business_date: date) -> MemberAccount:
    """封存 (01 → 02, biz type 05): the member left the employer; the balance stays and earns interest."""
    check_permission(actor, "accounts.change", center=account.center_id)
    reason = _text(reason, "reason", "封存原因", 100)
    with transaction.atomic():
        acct = _lock_account(account)
        target = member_account_next_status(account=acct, action="seal")
        before = _snap(acct, _ACCOUNT_FIELDS)
        acct.status, acct.sealed_date, acct.seal_reason = target, business_date, reason
        acct.save(update_fields=["status", "sealed_date", "seal_reason"])
        _event(acct, BizType.SEAL, business_date, event_text("封存", reason))
        _audit_account(acct, AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_SEAL, actor, business_date, before)
        return acct


def member_account_close_by_withdrawal(*, account: MemberAccount, actor: Actor, business_date: date) -> MemberAccount:
    """提取销户 (→ 05): a closing withdrawal (离休退休, 丧失劳动能力, 出境定居, 死亡) has paid the whole balance out.
    Called by the withdrawal's payout when the bank has paid; refused while any money is left on the account or
    any freeze is on. A closed account leaves the next 6/30 settlement (it settles only 正常 and 封存)."""
    with transaction.atomic():
        acct = _lock_account(account)
        target = member_account_next_status(account=acct, action="close_by_withdrawal")
        sub = SubAccount.objects.get(pk=acct.pk)
        if sub.balance_current or sub.balance_carried or sub.hold_amount:
            raise DomainError(ErrorCode.ILLEGAL_TRANSITION, f"个人账户 {acct.account_no} 尚有余额或预留资金，不能销户",
                              field="status")
        before = _snap(acct, _ACCOUNT_FIELDS)
        acct.status, acct.closed_date = target, business_date
        acct.save(update_fields=["status", "closed_date"])
        _audit_account(acct, AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_CLOSE_WITHDRAWAL, actor, business_date, before)
        return acct


def _move_to_employer(
    acct: MemberAccount, *, employer: Employer, base: int | None, employer_ratio: Any, member_ratio: Any,
    business_date: date,
) -> None:
    emp = _usable_employer(employer, acct.center_id)
    base = _check_base(center=acct.center, base=acct.base if base is None else base, on=business_date)
    er, mr = _check_ratios(
        center=acct.center, employer=emp, on=business_date,
        employer_ratio=emp.employer_ratio if employer_ratio is None else employer_ratio,
        member_ratio=emp.member_ratio if member_ratio is None else member_ratio,
    )
    acct.employer, acct.base, acct.employer_ratio, acct.member_ratio = emp, base, er, mr
    acct.employer_amount, acct.member_amount = _amounts(center=acct.center, base=base, er=er, mr=mr,
                                                        on=business_date)


_MOVE_FIELDS = ["employer", "base", "employer_ratio", "member_ratio", "employer_amount", "member_amount"]


def member_account_unseal(
    *, account: MemberAccount, employer: Employer, base: int | None = None,
    employer_ratio: Decimal | str | None = None, member_ratio: Decimal | str | None = None, actor: Actor,
    business_date: date,
) -> MemberAccount:
    """启封 (02 → 01, biz type 04) at the member's new employer (may be the old one). Ratios default to the
    new employer's; the base stays unless given, and must be within the cap/floor in force today."""
    check_permission(actor, "accounts.change", center=account.center_id)
    with transaction.atomic():
        acct = _lock_account(account)
        target = member_account_next_status(account=acct, action="unseal")
        before = _snap(acct, _ACCOUNT_FIELDS)
        _move_to_employer(acct, employer=employer, base=base, employer_ratio=employer_ratio,
                          member_ratio=member_ratio, business_date=business_date)
        acct.status, acct.sealed_date, acct.seal_reason = target, None, ""
        acct.save(update_fields=[*_MOVE_FIELDS, "status", "sealed_date", "seal_reason"])
        _event(acct, BizType.UNSEAL, business_date, event_text("启封", acct.employer.name))
        paid_months_start_after(account=acct, business_date=business_date)
        _audit_account(acct, AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_UNSEAL, actor, business_date, before)
        return acct


def member_account_transfer_internal(
    *, account: MemberAccount, to_employer: Employer, base: int | None = None,
    employer_ratio: Decimal | str | None = None, member_ratio: Decimal | str | None = None, actor: Actor,
    business_date: date,
) -> MemberAccount:
    """内部转移 (biz type 06): a normal account moves from one employer of the center to another."""
    check_permission(actor, "accounts.change", center=account.center_id)
    with transaction.atomic():
        acct = _lock_account(account)
        target = member_account_next_status(account=acct, action="transfer_internal")
        if to_employer.pk == acct.employer_id:
            raise DomainError(ErrorCode.SAME_EMPLOYER, "转入单位与当前单位相同", field="to_employer")
        before = _snap(acct, _ACCOUNT_FIELDS)
        _move_to_employer(acct, employer=to_employer, base=base, employer_ratio=employer_ratio,
                          member_ratio=member_ratio, business_date=business_date)
        acct.status = target
        acct.save(update_fields=[*_MOVE_FIELDS, "status"])
        _event(acct, BizType.INTERNAL_TRANSFER, business_date, event_text("转入", acct.employer.name))
        paid_months_start_after(account=acct, business_date=business_date)
        _audit_account(acct, AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_TRANSFER_INTERNAL, actor, business_date, before)
        return acct


def member_accounts_merge(*, source: MemberAccount, target: MemberAccount, reason: str, actor: Actor,
                          business_date: date) -> MemberAccount:
    """个人账户合并: one person with two accounts (opened twice, e.g. under an old and a new ID number). The
    source's whole balance (当年 and 上年 parts apart) moves to the target in one balanced entry (Dr 201 /
    Cr 201, a detail row on each side), with the 积数 it earned this year and its paid months; the emptied
    source is closed with status 03 合并销户. Both accounts must belong to the person (same name, birth date
    and sex), be active; the source must have no freeze and no money in flight. Returns the target."""
    check_permission(actor, "accounts.change", center=source.center_id)
    reason = _text(reason, "reason", "合并原因", 100)
    if source.pk == target.pk:
        raise DomainError(ErrorCode.MEMBER_MERGE_SAME_ACCOUNT, field="target")
    with transaction.atomic():
        locked = {a.pk: _lock_account(a) for a in sorted((source, target), key=lambda a: a.pk)}
        src, dst = locked[source.pk], locked[target.pk]
        if dst.center_id != src.center_id:
            raise DomainError(ErrorCode.ACCOUNT_UNKNOWN, f"个人账号 {dst.account_no} 不属于本中心", field="target")
        if dst.status not in _ACTIVE:
            raise DomainError(ErrorCode.ACCOUNT_CLOSED, account_no=dst.account_no, field="target")
        closed = member_account_next_status(account=src, action="close_by_merge")
        a, b = Member.objects.get(pk=src.member_id), Member.objects.get(pk=dst.member_id)
        if a.pk != b.pk and (a.name != b.name or a.birth_date != b.birth_date or a.sex != b.sex):
            raise DomainError(ErrorCode.MEMBER_MERGE_NOT_SAME_PERSON, field="target")
        sub = SubAccount.objects.select_for_update().get(pk=src.pk)
        if sub.hold_amount:
            raise DomainError(ErrorCode.MEMBER_MERGE_HOLD, account_no=src.account_no,
                              amount=format_fen(sub.hold_amount), field="source")
        moved_current, moved_carried = sub.balance_current, sub.balance_carried
        before = _snap(src, _ACCOUNT_FIELDS)
        moved = moved_current + moved_carried
        if moved:
            entry_post(
                center=src.center, business_date=business_date, source="accounts.merge",
                description=f"个人账户合并 {src.account_no} 并入 {dst.account_no}：{reason}", actor=actor,
                biz_type=BizType.OTHER,
                lines=[Line(MEMBER_CONTROL, debit=moved, memo=f"合并转出 {src.account_no}"),
                       Line(MEMBER_CONTROL, credit=moved, memo=f"合并转入 {dst.account_no}")],
                sub_rows=[SubRow(src.pk, amount_current=-moved_current, amount_carried=-moved_carried,
                                 reference=event_text("合并转出", f"并入 {dst.account_no}")),
                          SubRow(dst.pk, amount_current=moved_current, amount_carried=moved_carried,
                                 reference=event_text("合并转入", f"来自 {src.account_no}"))],
            )
        else:
            _event(src, BizType.OTHER, business_date, event_text("合并转出", f"并入 {dst.account_no}"))
            _event(dst, BizType.OTHER, business_date, event_text("合并转入", f"来自 {src.account_no}"))
        jishu = subaccount_merge_jishu(source=SubAccount(pk=src.pk), target=SubAccount(pk=dst.pk))
        paid_up_to = paid_months_merge(source=src, target=dst)
        if paid_up_to != dst.paid_up_to:
            dst.paid_up_to = paid_up_to
            dst.save(update_fields=["paid_up_to"])
        src.status, src.closed_date = closed, business_date
        src.save(update_fields=["status", "closed_date"])
        _audit_account(src, AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_MERGE, actor, business_date, before,
                       {"target": dst.account_no, "reason": reason, "moved_current": moved_current,
                        "moved_carried": moved_carried, "jishu": jishu, "paid_up_to": paid_up_to})
        return dst


def member_account_freeze(
    *, account: MemberAccount, kind: str, reason: str, amount: int | None = None, reference: str = "",
    actor: Actor, business_date: date,
) -> MemberAccount:
    """冻结 (biz type 14). kind 1 全部: everything available is reserved and every later debit is refused by
    kind (see the module docstring); kinds 2 部分 and 3 异地贷款担保: `amount` fen (≤ available) is reserved.
    One freeze at a time: a second one is refused (unfreeze first, then freeze again)."""
    check_permission(actor, "accounts.freeze", center=account.center_id)
    reason = _text(reason, "reason", "冻结原因", 100)
    if kind not in (FreezeKind.FULL, FreezeKind.PARTIAL, FreezeKind.REMOTE_LOAN):
        raise DomainError(ErrorCode.FREEZE_KIND, f"冻结类型不正确：{kind}（1 全部，2 部分，3 异地贷款担保）", field="kind")
    if kind == FreezeKind.FULL:
        if amount is not None:
            raise DomainError(ErrorCode.FREEZE_AMOUNT, "全部冻结不填写冻结金额", field="amount")
    elif not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise DomainError(ErrorCode.FREEZE_AMOUNT, "部分冻结须填写大于零的冻结金额（分）", field="amount")
    with transaction.atomic():
        acct = _lock_account(account)
        member_account_next_status(account=acct, action="freeze")
        if acct.freeze_kind != FreezeKind.NONE:
            raise DomainError(ErrorCode.ALREADY_FROZEN,
                              f"个人账户 {acct.account_no} 已{FreezeKind(acct.freeze_kind).label}，请先解冻",
                              field="kind")
        sub = SubAccount.objects.select_for_update().get(pk=acct.pk)
        frozen = sub.balance - sub.hold_amount if amount is None else amount
        if frozen > sub.available:
            raise DomainError(ErrorCode.INSUFFICIENT_BALANCE,
                              f"冻结金额 {format_fen(frozen)} 元超过可用余额 {format_fen(sub.available)} 元", field="amount")
        before = {**_snap(acct, _ACCOUNT_FIELDS), "frozen_amount": sub.frozen_amount}
        subaccount_set_reserves(sub_account=sub, frozen_amount=frozen)
        acct.freeze_kind = kind
        acct.save(update_fields=["freeze_kind"])
        _event(acct, BizType.FREEZE, business_date, reference)
        audit_log(actor=actor, action=AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_FREEZE, obj=acct, center=acct.center_id,
                  business_date=business_date,
                  before={"freeze_kind": before["freeze_kind"], "frozen_amount": before["frozen_amount"]},
                  after={"freeze_kind": kind, "frozen_amount": frozen, "reason": reason, "reference": reference})
        return acct


def member_account_unfreeze(*, account: MemberAccount, reason: str, reference: str = "", actor: Actor,
                            business_date: date) -> MemberAccount:
    """解冻 (biz type 15): releases the whole frozen amount."""
    check_permission(actor, "accounts.freeze", center=account.center_id)
    reason = _text(reason, "reason", "解冻原因", 100)
    with transaction.atomic():
        acct = _lock_account(account)
        member_account_next_status(account=acct, action="unfreeze")
        if acct.freeze_kind == FreezeKind.NONE:
            raise DomainError(ErrorCode.NOT_FROZEN, f"个人账户 {acct.account_no} 未冻结", field="account")
        sub = SubAccount.objects.select_for_update().get(pk=acct.pk)
        before = {"freeze_kind": acct.freeze_kind, "frozen_amount": sub.frozen_amount}
        subaccount_set_reserves(sub_account=sub, frozen_amount=0)
        acct.freeze_kind = FreezeKind.NONE
        acct.save(update_fields=["freeze_kind"])
        _event(acct, BizType.UNFREEZE, business_date, reference)
        audit_log(actor=actor, action=AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_UNFREEZE, obj=acct, center=acct.center_id,
                  business_date=business_date, before=before,
                  after={"freeze_kind": FreezeKind.NONE, "frozen_amount": 0, "reason": reason,
                         "reference": reference})
        return acct


def employer_defer(*, employer: Employer, actor: Actor, business_date: date, reason: str) -> Employer:
    """缓缴: an approved deferral puts the employer in status 03 for its term (Art20)."""
    return _employer_move(employer=employer, action="defer", actor=actor, business_date=business_date, reason=reason)


def employer_end_deferral(*, employer: Employer, actor: Actor, business_date: date, reason: str) -> Employer:
    """The deferral's term ended: back to 正常."""
    return _employer_move(employer=employer, action="end_deferral", actor=actor, business_date=business_date,
                          reason=reason)


def ratio_reduction_record(*, employer: Employer, ratio_floor: Decimal, valid_from: date, valid_to: date,
                           approved_by: str, reference: str, actor: Actor, business_date: date) -> RatioReduction:
    """Record an approved 降低缴存比例: ratios down to `ratio_floor` are accepted for its term only."""
    check_permission(actor, "accounts.change", center=employer.center_id)
    if valid_to < valid_from:
        raise DomainError(ErrorCode.REDUCTION_TERM, "降比例期限的结束日期早于开始日期", field="valid_to")
    floor = Decimal(str(policy_value("contribution.ratio.reduced_min", on=valid_from, center=employer.center_id)))
    if ratio_floor < floor:
        raise DomainError(ErrorCode.RATIO_BELOW_REDUCED, f"降低后的比例不能低于 {_pct(floor)}", field="ratio_floor")
    with transaction.atomic():
        r = RatioReduction.objects.create(employer=employer, ratio_floor=ratio_floor, valid_from=valid_from,
                                          valid_to=valid_to, approved_by=approved_by, reference=reference)
        audit_log(actor=actor, action=AuditEvent.ACCOUNTS_RATIO_REDUCTION_RECORD, obj=r, center=employer.center_id,
                  business_date=business_date,
                  after={"employer": employer.account_no, "floor": ratio_floor, "from": valid_from, "to": valid_to})
        return r


# ---------------------------------------------------------------- previews (the counter's 确认 page; nothing written)


@dataclass(frozen=True)
class AmountsPreview:
    """A member account's contribution terms after a change, checked by the same rules as the change itself."""

    base: int
    employer_ratio: Decimal
    member_ratio: Decimal
    employer_amount: int
    member_amount: int


def member_account_change_base_preview(*, account: MemberAccount, base: int, actor: Actor,
                                       business_date: date) -> AmountsPreview:
    """What member_account_change_base would set, or its DomainError; nothing is written or locked."""
    check_permission(actor, "accounts.change", center=account.center_id)
    member_account_next_status(account=account, action="change_base")
    base = _check_base(center=account.center, base=base, on=business_date)
    if base == account.base:
        raise DomainError(ErrorCode.NOTHING_CHANGED, "缴存基数未变化", field="base")
    ea, ma = _amounts(center=account.center, base=base, er=account.employer_ratio, mr=account.member_ratio,
                      on=business_date)
    return AmountsPreview(base, account.employer_ratio, account.member_ratio, ea, ma)


def member_account_change_ratio_preview(*, account: MemberAccount, employer_ratio: Decimal | str,
                                        member_ratio: Decimal | str, actor: Actor,
                                        business_date: date) -> AmountsPreview:
    """What member_account_change_ratio would set, or its DomainError; nothing is written or locked."""
    check_permission(actor, "accounts.change", center=account.center_id)
    member_account_next_status(account=account, action="change_ratio")
    er, mr = _check_ratios(center=account.center, employer=account.employer, employer_ratio=employer_ratio,
                           member_ratio=member_ratio, on=business_date)
    if er == account.employer_ratio and mr == account.member_ratio:
        raise DomainError(ErrorCode.NOTHING_CHANGED, "缴存比例未变化", field="employer_ratio")
    ea, ma = _amounts(center=account.center, base=account.base, er=er, mr=mr, on=business_date)
    return AmountsPreview(account.base, er, mr, ea, ma)


def member_account_freeze_preview(*, account: MemberAccount, kind: str, amount: int | None,
                                  actor: Actor) -> int:
    """The amount member_account_freeze would reserve (fen), or its DomainError; nothing is written or locked."""
    check_permission(actor, "accounts.freeze", center=account.center_id)
    if kind not in (FreezeKind.FULL, FreezeKind.PARTIAL, FreezeKind.REMOTE_LOAN):
        raise DomainError(ErrorCode.FREEZE_KIND, f"冻结类型不正确：{kind}（1 全部，2 部分，3 异地贷款担保）", field="kind")
    if kind == FreezeKind.FULL:
        if amount is not None:
            raise DomainError(ErrorCode.FREEZE_AMOUNT, "全部冻结不填写冻结金额", field="amount")
    elif not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise DomainError(ErrorCode.FREEZE_AMOUNT, "部分冻结、异地贷款担保冻结须填写大于零的冻结金额", field="amount")
    member_account_next_status(account=account, action="freeze")
    if account.freeze_kind != FreezeKind.NONE:
        raise DomainError(ErrorCode.ALREADY_FROZEN,
                          f"个人账户 {account.account_no} 已{FreezeKind(account.freeze_kind).label}，请先解冻", field="kind")
    sub = SubAccount.objects.get(pk=account.pk)
    frozen = sub.balance - sub.hold_amount if amount is None else amount
    if frozen > sub.available:
        raise DomainError(ErrorCode.INSUFFICIENT_BALANCE,
                          f"冻结金额 {format_fen(frozen)} 元超过可用余额 {format_fen(sub.available)} 元", field="amount")
    return frozen


def member_account_unfreeze_preview(*, account: MemberAccount, actor: Actor) -> int:
    """The frozen amount member_account_unfreeze would release (fen), or its DomainError."""
    check_permission(actor, "accounts.freeze", center=account.center_id)
    member_account_next_status(account=account, action="unfreeze")
    if account.freeze_kind == FreezeKind.NONE:
        raise DomainError(ErrorCode.NOT_FROZEN, f"个人账户 {account.account_no} 未冻结", field="account")
    return int(SubAccount.objects.get(pk=account.pk).frozen_amount)


@transaction.atomic
def member_phone_change_own(*, member: Member, phone: str, actor: MemberActor, business_date: date) -> Member:
    """本人修改登记手机号码 in the online hall, after the code sent to the new number was entered (iam): only the
    member for itself; a mainland mobile number, different from the one on file."""
    if not isinstance(actor, MemberActor) or actor.member_id != member.pk:
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该职工", field="member")
    v = "".join(ch for ch in (phone or "") if ch.isdigit())
    if not is_mobile(v):
        raise DomainError(ErrorCode.PHONE_FORMAT, f"手机号码应为以 1 开头的 11 位数字：{phone}", field="phone")
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.phone == v:
        raise DomainError(ErrorCode.PORTAL_PHONE_SAME, field="phone")
    before = member.phone
    member.phone = v
    member.save(update_fields=["phone"])
    audit_log(actor=actor, action=AuditEvent.ACCOUNTS_MEMBER_CHANGE, obj=member, center=member.center_id,
              business_date=business_date, before={"phone": before}, after={"phone": v, "channel": "web"})
    return member
