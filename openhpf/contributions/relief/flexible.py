"""Flexible-employment voluntary contributors (灵活就业人员自愿缴存): agreement, suspension, end.

Each center has one virtual employer named 灵活就业人员 (an ordinary Employer, marked as virtual by a
FlexibleEmployer row of this app, so the accounts table needs no flag). A contributor's account belongs to it;
the person pays both sides at the agreed ratio of the agreed base. Monthly money comes through the remittance
and receipt machinery, per person: `flexible_bill` makes each active agreement's own confirmed 汇缴 of the month
(a suspended or ended agreement is not billed), and `flexible_payment_record` matches one person's payment to
that person's month only (a wrong amount waits in the virtual employer's 暂存, to be allocated per person).
`flexible_expected_amount(agreement, month)` (or `flexible_expected_amounts(center, month)` for all) says
what is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from openhpf.access.selectors import check_permission
from openhpf.accounts.calculations import monthly_amounts
from openhpf.accounts.models import Employer, Member, MemberAccount
from openhpf.accounts.services import (
    employer_register,
    member_account_change_base,
    member_account_change_ratio,
    member_account_open,
    member_account_seal,
    member_account_unseal,
)
from openhpf.audit.services import actor_label, audit_log
from openhpf.core.actors import Actor, SystemActor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import MemberAccountStatus
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.ids import credit_code_check_digit
from openhpf.core.models import Center
from openhpf.core.policy import policy_value
from openhpf.ledger.chart import DEFAULT_BANK

from ..models import FlexibleAgreement, FlexibleEmployer, Receipt, Remittance
from ..months import ym, ym_parse
from ..remittance.services import receipt_record, receipt_register_manual, remittance_create_for_person

FA = FlexibleAgreement
VIRTUAL_NAME = "灵活就业人员"
SYSTEM = SystemActor("flexible")


def _virtual_credit_code(center: Center) -> str:
    """A well-formed code for the virtual employer: 12 + center code + 'HPFLJ0000' + check digit."""
    first17 = f"12{center.code}HPFLJ0000"
    return first17 + credit_code_check_digit(first17)


def flexible_employer(*, center: Center, business_date: date) -> Employer:
    """The center's virtual employer 灵活就业人员, created on first use."""
    link = FlexibleEmployer.objects.select_related("employer").filter(center=center).first()
    if link is not None:
        return link.employer
    with transaction.atomic():
        lo = policy_value("contribution.ratio.min", on=business_date, center=center)
        e = employer_register(
            center=center, name=VIRTUAL_NAME, credit_code=_virtual_credit_code(center), economic_type="900",
            industry="O", payday=28, employer_ratio=str(lo), member_ratio=str(lo), actor=SYSTEM,
            business_date=business_date,
        )
        FlexibleEmployer.objects.create(center=center, employer=e)
        return e


def is_flexible_employer(employer: Employer | int) -> bool:
    return FlexibleEmployer.objects.filter(employer=employer).exists()


def _allowed_ratio(center: Center, ratio: Any, on: date) -> Decimal:
    try:
        r = Decimal(str(ratio).strip())
    except Exception:
        raise DomainError(ErrorCode.RATIO_INVALID, f"缴存比例格式不正确：{ratio}", field="ratio") from None
    allowed = [Decimal(str(x)) for x in policy_value("contribution.flexible.ratios", on=on, center=center)]
    if r not in allowed:
        shown = "、".join(f"{(a * 100).normalize():f}%" for a in allowed)
        raise DomainError(ErrorCode.RATIO_NOT_ALLOWED, f"灵活就业缴存比例只能选择：{shown}", field="ratio")
    return r


def _next_no(center: Center, on: date) -> str:
    n = FA.objects.filter(center=center).count() + 1
    return f"LJ{center.code}{on:%y}{n:08d}"


def flexible_agreement_sign(
    *, center: Center, name: str, id_number: str, base: int, ratio: Decimal | str, start: date, actor: Actor,
    business_date: date, end: date | None = None, id_type: str = "01", phone: str = "", marital_status: str = "90",
    birth_date: date | None = None, sex: str | None = None,
) -> FlexibleAgreement:
    """签订缴存协议: opens (or moves in a sealed) account under the virtual employer at the agreed base and
    ratio (both sides), checked by the accounts rules (base cap/floor) and the allowed-ratio policy."""
    check_permission(actor, "accounts.open", center=center)
    r = _allowed_ratio(center, ratio, business_date)
    if start < business_date.replace(day=1):
        raise DomainError(ErrorCode.START_PAST, "起缴日期不能早于本月", field="start")
    if end is not None and end < start:
        raise DomainError(ErrorCode.TERM_ORDER, "协议终止日期不能早于起缴日期", field="end")
    with transaction.atomic():
        emp = flexible_employer(center=center, business_date=business_date)
        member = Member.objects.filter(id_type=id_type, id_number=(id_number or "").strip().upper()).first()
        acct = (member.accounts.filter(status__in=[MemberAccountStatus.NORMAL, MemberAccountStatus.SEALED]).first()
                if member is not None else None)
        if acct is None:
            acct = member_account_open(
                center=center, employer=emp, name=name, id_type=id_type, id_number=id_number, phone=phone,
                marital_status=marital_status, base=base, employer_ratio=r, member_ratio=r, actor=actor,
                business_date=business_date, birth_date=birth_date, sex=sex)
        elif acct.status == MemberAccountStatus.SEALED:
            if member is not None and member.name != (name or "").strip():
                raise DomainError(ErrorCode.MEMBER_NAME_MISMATCH, "姓名与证件号码登记的不符", field="name")
            acct = member_account_unseal(account=acct, employer=emp, base=base, employer_ratio=r, member_ratio=r,
                                         actor=actor, business_date=business_date)
        elif acct.employer_id != emp.pk:
            raise DomainError(ErrorCode.EMPLOYED_CONTRIBUTOR, f"该职工在单位 {acct.employer.name} 正常缴存，不能以灵活就业身份缴存",
                              field="id_number")
        else:
            if FA.objects.filter(account=acct).exclude(status=FA.Status.ENDED).exists():
                raise DomainError(ErrorCode.AGREEMENT_EXISTS, "该人员已有未终止的缴存协议", field="id_number")
            if acct.base != base:
                acct = member_account_change_base(account=acct, base=base, actor=actor, business_date=business_date)
            if acct.employer_ratio != r or acct.member_ratio != r:
                acct = member_account_change_ratio(account=acct, employer_ratio=r, member_ratio=r, actor=actor,
                                                   business_date=business_date)
        agreement = FA.objects.create(
            center=center, agreement_no=_next_no(center, business_date), account=acct, base=acct.base, ratio=r,
            start=start, end=end, signed_by=actor_label(actor)[0], signed_on=business_date,
        )
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_FLEXIBLE_SIGN, obj=agreement, center=center,
                  business_date=business_date,
                  after={"agreement_no": agreement.agreement_no, "account_no": acct.account_no, "base": acct.base,
                         "ratio": r, "start": start, "end": end})
        return agreement


def _locked(agreement: FlexibleAgreement) -> FlexibleAgreement:
    return FA.objects.select_for_update().select_related("account").get(pk=agreement.pk)


# the audit event of each agreement status move, by target status (the codes keep the stored status words)
_MOVE_EVENTS: dict[str, AuditEvent] = {
    FA.Status.SUSPENDED: AuditEvent.CONTRIBUTIONS_FLEXIBLE_SUSPENDED,
    FA.Status.ACTIVE: AuditEvent.CONTRIBUTIONS_FLEXIBLE_ACTIVE,
    FA.Status.ENDED: AuditEvent.CONTRIBUTIONS_FLEXIBLE_ENDED,
}


def _move(agreement: FlexibleAgreement, *, sources: tuple[str, ...], target: str, label: str, actor: Actor,
          business_date: date, reason: str) -> FlexibleAgreement:
    check_permission(actor, "accounts.change", center=agreement.center_id)
    with transaction.atomic():
        a = _locked(agreement)
        if a.status not in sources:
            raise DomainError(ErrorCode.ILLEGAL_TRANSITION, f"协议当前状态为「{a.get_status_display()}」，不能{label}",
                              field="status")
        before = a.status
        a.status = target
        fields = ["status"]
        if target == FA.Status.SUSPENDED:
            a.suspended_on = business_date
            fields.append("suspended_on")
        elif target == FA.Status.ENDED:
            a.ended_on = business_date
            fields.append("ended_on")
            if a.account.status == MemberAccountStatus.NORMAL:
                member_account_seal(account=a.account, reason=f"灵活就业缴存协议终止 {a.agreement_no}", actor=actor,
                                    business_date=business_date)
        else:
            a.suspended_on = None
            fields.append("suspended_on")
        a.note = (reason or "")[:200]
        fields.append("note")
        a.save(update_fields=fields)
        audit_log(actor=actor, action=_MOVE_EVENTS[target], obj=a, center=a.center_id,
                  business_date=business_date, before={"status": before}, after={"status": target, "reason": reason})
        return a


def flexible_agreement_suspend(*, agreement: FlexibleAgreement, reason: str, actor: Actor,
                               business_date: date) -> FlexibleAgreement:
    """暂停缴存: nothing is due while suspended; the account stays open."""
    return _move(agreement, sources=(FA.Status.ACTIVE,), target=FA.Status.SUSPENDED, label="暂停", actor=actor,
                 business_date=business_date, reason=reason)


def flexible_agreement_resume(*, agreement: FlexibleAgreement, reason: str, actor: Actor,
                              business_date: date) -> FlexibleAgreement:
    """恢复缴存."""
    return _move(agreement, sources=(FA.Status.SUSPENDED,), target=FA.Status.ACTIVE, label="恢复", actor=actor,
                 business_date=business_date, reason=reason)


def flexible_agreement_end(*, agreement: FlexibleAgreement, reason: str, actor: Actor,
                           business_date: date) -> FlexibleAgreement:
    """终止协议: the account is sealed (封存), its balance stays and earns interest."""
    return _move(agreement, sources=(FA.Status.ACTIVE, FA.Status.SUSPENDED), target=FA.Status.ENDED, label="终止",
                 actor=actor, business_date=business_date, reason=reason)


def flexible_expected_amount(agreement: FlexibleAgreement, month: str | date) -> int:
    """What the contributor owes for `month` (YYYYMM): both sides at the agreed ratio of the agreed base, or 0
    when the agreement is not in force that month (before start, after end, suspended or ended)."""
    m = ym(month) if isinstance(month, date) else ym_parse(month)
    if agreement.status != FA.Status.ACTIVE or m < ym(agreement.start):
        return 0
    if agreement.end is not None and m > ym(agreement.end):
        return 0
    rounding = str(policy_value("contribution.rounding", on=agreement.start, center=agreement.center_id))
    ea, ma = monthly_amounts(agreement.base, agreement.ratio, agreement.ratio, rounding)
    return ea + ma


@dataclass(frozen=True)
class ExpectedPayment:
    agreement_no: str
    account_no: str
    month: str
    amount: int


def flexible_expected_amounts(*, center: Center, month: str) -> list[ExpectedPayment]:
    """Every active agreement's amount due for `month` (for the remittance engineer's monthly collection)."""
    m = ym_parse(month)
    out = []
    for a in FA.objects.filter(center=center, status=FA.Status.ACTIVE).select_related("account").order_by("pk"):
        amount = flexible_expected_amount(a, m)
        if amount:
            out.append(ExpectedPayment(a.agreement_no, a.account.account_no, m, amount))
    return out


def flexible_agreement_of(account: MemberAccount) -> FlexibleAgreement | None:
    return FA.objects.filter(account=account).exclude(status=FA.Status.ENDED).first()


# ---------------------------------------------------------------- billing and payments, per person


def flexible_bill(*, center: Center, month: str, actor: Actor, business_date: date) -> list[Remittance]:
    """应缴 of `month` for every agreement in force that month: each person's own confirmed remittance (one line).
    Suspended and ended agreements, and agreements not yet or no longer in force, are not billed; a month
    already billed or paid is skipped, so a second run bills nobody twice."""
    m = ym_parse(month)
    emp = flexible_employer(center=center, business_date=business_date)
    out = []
    with transaction.atomic():
        for a in FA.objects.filter(center=center, status=FA.Status.ACTIVE).select_related("account").order_by("pk"):
            if not flexible_expected_amount(a, m) or a.account.status != MemberAccountStatus.NORMAL:
                continue
            r = remittance_create_for_person(employer=emp, account=a.account, month=m, actor=actor,
                                             business_date=business_date)
            if r is not None:
                out.append(r)
    return out


def _due_remittance(agreement: FlexibleAgreement, *, actor: Actor, business_date: date) -> Remittance | None:
    """The person's oldest confirmed, unpaid remittance that is due; the current month's is billed first when
    the agreement is in force and nothing older waits."""
    due = (Remittance.objects.filter(person_id=agreement.account_id, status=Remittance.Status.CONFIRMED,
                                     receipt__isnull=True, month__lte=ym(business_date))
           .order_by("month", "pk").first())
    if due is None and agreement.status == FA.Status.ACTIVE and flexible_expected_amount(agreement, business_date):
        emp = flexible_employer(center=agreement.center, business_date=business_date)
        due = remittance_create_for_person(employer=emp, account=agreement.account, month=ym(business_date),
                                           actor=actor, business_date=business_date)
    return due


def flexible_payment_record(*, agreement: FlexibleAgreement, amount: int, bank_ref: str, value_date: date,
                            actor: Actor, business_date: date, payer_account: str = "",
                            bank_account: str = DEFAULT_BANK, manual: bool = False) -> Receipt:
    """灵活就业人员缴存到账: one person's money, matched to that person's oldest due month (posted when it is
    exactly the amount due), never to another contributor's; anything else waits in the virtual employer's
    暂存. Idempotent by bank reference (receipt_record). `manual`: typed in by a clerk (the API), so registered
    and matched only, booked when the bank's line arrives or a checker confirms it (receipt_register_manual)."""
    with transaction.atomic():
        a = FA.objects.select_related("account__member", "center").get(pk=agreement.pk)
        due = _due_remittance(a, actor=actor, business_date=business_date)
        emp = flexible_employer(center=a.center, business_date=business_date)
        if manual:
            return receipt_register_manual(center=a.center, amount=amount, value_date=value_date, bank_ref=bank_ref,
                                           actor=actor, business_date=business_date, payer_account=payer_account,
                                           payer_name=a.account.member.name, employer=emp, remittance=due)
        return receipt_record(center=a.center, amount=amount, value_date=value_date, bank_ref=bank_ref, actor=actor,
                              business_date=business_date, payer_account=payer_account,
                              payer_name=a.account.member.name, employer=emp, remittance=due,
                              bank_account=bank_account)
