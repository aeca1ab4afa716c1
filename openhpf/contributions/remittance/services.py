"""Remittance services: 汇缴清册 (roster), bank receipts (银行到账) and suspense (暂存/暂收), posting to member
accounts, 补缴 (back-payment), 预缴 (prepayment) and 退缴 (refund of a wrong payment).

Money flows (docs/domain.md "Contributions", "Accounting"):
- a receipt whose employer is known and whose amount equals a confirmed remittance of that employer is matched
  to it; posting credits every member's 当年归集 in one ledger batch, GL Dr 10101 / Cr 201, value date = the
  day the money arrived (receipt.value_date);
- any other money of a known employer goes to its 暂存 (Dr 10101 / Cr 21901, employer.suspense_balance +=),
  money of an unknown payer to 暂收 (Dr 10101 / Cr 21902) until assigned to an employer (Dr 21902 / Cr 21901);
- a remittance is paid from 暂存 by allocation (Dr 21901 / Cr 201, value date = the allocation day): that is
  how 预缴 works — the money waits in 暂存 until its month;
- no account is ever credited without money: posting needs a matched receipt of the exact amount or enough 暂存.

Posting is an entry point (outside a transaction): a job with two idempotent steps, each one transaction —
stage (the ledger batch, created once by its key) and apply (the remittances locked, then batch_apply_from
reading the roster lines straight from their table, plus the remittance, receipt, paid-up-to and 暂存 updates,
all committed together). A crash anywhere leaves either nothing or everything of a step, so a rerun credits
every member exactly once.

Accounts' tables are updated through the accounts app's set-based services (see `_accounts_*` and
`_paid_months_mark` below): the paid-up-to months, the months each account paid (accounts.paidmonths: a
posting marks its month, a 退缴 un-marks it), the employer 暂存 balance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.urls import reverse
from django.utils import timezone

from openhpf.access.services import check_permission
from openhpf.accounts import services as accounts_services
from openhpf.accounts.bulk import (
    accounts_advance_paid_up_to_from,
    employer_paid_up_to_rollback,
    employer_suspense_add,
)
from openhpf.accounts.models import Employer, Member, MemberAccount
from openhpf.accounts.paidmonths import paid_months_mark_from, paid_months_unmark_from, sql_month_paid
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.registry import (
    Change,
    Fact,
    Link,
    Summary,
    applying,
    masked,
    money,
    register,
    register_renderer,
)
from openhpf.approvals.services import command_submit
from openhpf.audit.services import actor_label, audit_log
from openhpf.core import db
from openhpf.core import db as sql
from openhpf.core.actors import Actor, money_actor_check
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import BizType, EmployerStatus, IdType, MaritalStatus, MemberAccountStatus
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value
from openhpf.jobs.runner import Step, job_start, run_job
from openhpf.ledger.chart import DEFAULT_BANK, EMPLOYER_SUSPENSE, UNKNOWN_SUSPENSE
from openhpf.ledger.models import PostingBatch
from openhpf.ledger.services import (
    Line,
    batch_apply,
    batch_apply_from,
    batch_create,
    batch_stage_from,
    entry_post,
)

from ..models import FlexibleEmployer, Receipt, Remittance, RemittanceImport, RemittanceLine, SuspenseMove
from ..models.remittance import LIVE_STATUSES
from ..months import ym, ym_parse
from . import refunds
from .backpay import check_back_lines, clamp_roster_to_month, difference_lines, roster_condition

PERMISSION = "contributions.remit"
REFUND_COMMAND = "contributions.refund"
# a matched receipt posts at once when its remittance is this small; bigger ones post as a job (hpf remit post)
INLINE_POST_LINES = 5000
RS = Remittance.Status


def _require(actor: Actor, center: Any) -> None:
    """Human actors need contributions.remit at the center; system actors are trusted code."""

    check_permission(actor, PERMISSION, center=center)


def _center_id(center: Any) -> int:
    return center if isinstance(center, int) else center.pk


# ---------------------------------------------------------------- writes to accounts' tables (set-based)
def _accounts_advance_paid_up_to(where: str, params: list[Any], month: str, entry_id: int | None,
                                 employer: bool = True) -> None:
    """paid_up_to := `month` for the accounts of the roster lines of the remittances in `where` (on
    contributions_remittance r) — the accounts the posting `entry_id` just credited — and their employers,
    never moving it back.

    The same accounts, read where each database reads them best: PostgreSQL hashes the lines (its statistics
    know them since the import) and walks the accounts' table once; SQLite looks the accounts up one by one,
    fastest in account order, which is the order the posting stored its sub-ledger rows in."""
    if db.is_postgresql():
        accounts = Relation("SELECT l.account_id FROM contributions_remittanceline l JOIN contributions_remittance r "  # noqa: S608 — plan conditions and labels from code; values bound
                            f"ON r.id = l.remittance_id WHERE {where}", tuple(params))
    else:
        accounts = Relation("SELECT sub_account_id FROM ledger_v_subledger_row WHERE entry_id = %s", (entry_id,))
    employers = Relation(f"SELECT r.employer_id FROM contributions_remittance r WHERE {where}"  # noqa: S608 — plan conditions and labels from code; values bound
                         + ("" if employer else " AND 1 = 0"), tuple(params))
    accounts_advance_paid_up_to_from(month=month, accounts=accounts, employers=employers)


def _pays_months(biz_type: str, back_kind: str) -> bool:
    """汇缴, full and individual 补缴 pay the month for their lines' accounts; 差额补缴 tops up a paid month."""
    return biz_type == BizType.REMITTANCE or back_kind in (Remittance.BackKind.FULL, Remittance.BackKind.AD_HOC)


def _paid_months_mark(plan: _Plan, entry_id: int | None) -> None:
    """The month of each posted line is paid for its account (the paid-month store), one statement. The
    accounts are read as for the paid-up-to month: PostgreSQL hashes the lines; SQLite takes the posting's
    sub-ledger rows, in account order (a plan's remittances are all of one month)."""
    if db.is_postgresql() or entry_id is None:
        source = Relation("SELECT l.account_id AS sub_id, r.month AS ym FROM contributions_remittanceline l "  # noqa: S608 — plan conditions and labels from code; values bound
                          f"JOIN contributions_remittance r ON r.id = l.remittance_id WHERE {plan.where}", tuple(plan.params))
    else:
        source = Relation("SELECT sub_account_id AS sub_id, %s AS ym FROM ledger_v_subledger_row WHERE entry_id = %s",
                          (plan.month, entry_id))
    paid_months_mark_from(source=source, back=plan.biz_type == BizType.BACK_PAYMENT,
                          unique=_unique_accounts(plan) is True)


def _accounts_rollback_paid_up_to(remittance: Remittance) -> None:
    """After 退缴 of a month: the month is no longer paid for the lines' accounts (their 缴至年月 derived again
    when it was that month); the employer's 缴至年月 goes back to the last month it still has a remittance
    posted for."""
    lines = Relation(  # the lines' accounts, less those another posted remittance still pays the month for
        "SELECT l.account_id FROM contributions_remittanceline l WHERE l.remittance_id = %s AND NOT EXISTS ("  # noqa: S608 — statuses and kinds from code; values bound
        "SELECT 1 FROM contributions_remittanceline o JOIN contributions_remittance r ON r.id = o.remittance_id "
        f"WHERE o.account_id = l.account_id AND r.month = %s AND r.status = '{RS.POSTED}' AND r.id <> %s "
        f"AND r.back_kind <> '{Remittance.BackKind.DIFFERENCE}')", (remittance.pk, remittance.month, remittance.pk))
    paid_months_unmark_from(month=remittance.month, accounts=lines)
    still = (Remittance.objects.filter(employer_id=remittance.employer_id, status=RS.POSTED)
             .exclude(pk=remittance.pk).filter(Q(biz_type=BizType.REMITTANCE) | Q(back_kind=Remittance.BackKind.FULL))
             .aggregate(m=Max("month"))["m"]) or ""
    employer_paid_up_to_rollback(employer_id=remittance.employer_id, month=remittance.month, previous=still)


def _employer_suspense_add(employer_id: int, delta: int) -> Employer:
    return employer_suspense_add(employer_id=employer_id, delta=delta)


# ---------------------------------------------------------------- roster (清册)


def _month(month: str) -> str:
    return ym_parse(month)


def _e4(col: str) -> str:
    return f"CAST(ROUND({col} * 10000) AS INTEGER)"


def _refresh_totals(remittance: Remittance) -> Remittance:
    n, ea, ma = sql.fetch(
        "SELECT COUNT(*), COALESCE(SUM(employer_amount), 0), COALESCE(SUM(member_amount), 0) "
        "FROM contributions_remittanceline WHERE remittance_id = %s", [remittance.pk])[0]
    remittance.lines, remittance.employer_total, remittance.member_total = int(n), int(ea), int(ma)
    remittance.total = remittance.employer_total + remittance.member_total
    Remittance.objects.filter(pk=remittance.pk).update(lines=remittance.lines, employer_total=remittance.employer_total,
                                                       member_total=remittance.member_total, total=remittance.total)
    return remittance


def _lines_from_accounts(remittance: Remittance, business_date: date) -> int:
    """Roster lines from the employer's accounts on the month's roster (backpay.roster_condition: with the
    employer in that month) not yet paid for the month (set-based); a past month's bases are held within its
    cap and floor."""
    start = sql.fetch("SELECT COALESCE(MAX(seq), 0) FROM contributions_remittanceline WHERE remittance_id = %s",
                      [remittance.pk])[0][0]
    on_roster, params = roster_condition(month=remittance.month, center=remittance.center_id,
                                         business_date=business_date)
    n = sql.execute(
        "INSERT INTO contributions_remittanceline (remittance_id, seq, account_id, base, employer_ratio_e4, "  # noqa: S608 — plan conditions and labels from code; values bound
        "member_ratio_e4, employer_amount, member_amount) "
        f"SELECT %s, %s + ROW_NUMBER() OVER (ORDER BY a.sub_id), a.sub_id, a.base, {_e4('a.employer_ratio')}, "
        f"{_e4('a.member_ratio')}, a.employer_amount, a.member_amount FROM accounts_v_member_account a "
        f"WHERE a.employer_id = %s AND NOT {sql_month_paid('a.sub_id', remittance.month)} "
        "AND a.sub_id NOT IN (SELECT account_id FROM contributions_remittanceline WHERE remittance_id = %s)" + on_roster,
        [remittance.pk, int(start), remittance.employer_id, remittance.pk, *params])
    if remittance.month < ym(business_date):
        clamp_roster_to_month(remittance)
    return n


def remittance_create(*, employer: Employer, month: str, actor: Actor, business_date: date) -> Remittance:
    """汇缴: a draft remittance of `employer` for `month` with the expected roster (清册) derived from its
    normal accounts (base, ratios, monthly amounts). A month after the current one is a 预缴 (prepayment)."""
    _require(actor, employer.center_id)
    month = _month(month)
    with transaction.atomic():
        e = Employer.objects.select_for_update().get(pk=employer.pk)
        if e.status != EmployerStatus.NORMAL:
            raise DomainError(ErrorCode.EMPLOYER_NOT_NORMAL, f"单位 {e.account_no} 状态为「{EmployerStatus(e.status).label}」，"
                              "不能办理汇缴", field="employer")
        _refuse_flexible_roster(e)
        if e.paid_up_to and e.paid_up_to >= month:
            raise DomainError(ErrorCode.MONTH_PAID, f"单位 {e.account_no} 已缴至 {e.paid_up_to}，{month} 无需汇缴；"
                              "个别人员请办理补缴", field="month")
        if Remittance.objects.filter(employer=e, month=month, biz_type=BizType.REMITTANCE,
                                     status__in=[RS.DRAFT, RS.CONFIRMED, RS.POSTED]).exists():
            raise DomainError(ErrorCode.REMITTANCE_EXISTS, f"单位 {e.account_no} {month} 的汇缴单已存在", field="month")
        r = Remittance.objects.create(center_id=e.center_id, employer=e, month=month, biz_type=BizType.REMITTANCE,
                                      business_date=business_date, created_by=actor_label(actor)[0])
        _lines_from_accounts(r, business_date)
        _refresh_totals(r)
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_REMITTANCE_CREATE, obj=r, center=e.center_id,
                  business_date=business_date, after={"employer": e.account_no, "month": month, "lines": r.lines,
                                                      "total": r.total})
        return r


def _refuse_flexible_roster(e: Employer) -> None:
    """The virtual employer of flexible contributors has no roster remittance: each person is billed and
    matched on their own (remittance_create_for_person, relief/flexible.py), suspended agreements not at all."""
    if FlexibleEmployer.objects.filter(employer=e).exists():
        raise DomainError(ErrorCode.FLEXIBLE_PER_PERSON, f"灵活就业人员按协议逐人缴存：虚拟单位 {e.account_no} 不生成整单汇缴，"
                          "请按人生成应缴", field="employer")


def remittance_create_for_person(*, employer: Employer, account: MemberAccount, month: str, actor: Actor,
                                 business_date: date) -> Remittance | None:
    """A flexible contributor's own 汇缴 for `month`: one line (the account's base, ratios and monthly amounts),
    confirmed, awaiting that person's money. None when the month is paid or already billed (idempotent)."""
    _require(actor, employer.center_id)
    month = _month(month)
    with transaction.atomic():
        acct = MemberAccount.objects.select_for_update().get(pk=account.pk)
        if acct.employer_id != employer.pk or acct.status != MemberAccountStatus.NORMAL:
            raise DomainError(ErrorCode.ACCOUNT_NOT_NORMAL, f"个人账户 {acct.account_no} 不是该单位的正常账户", field="account")
        if (acct.paid_up_to and acct.paid_up_to >= month) or Remittance.objects.filter(
                person=acct, month=month, biz_type=BizType.REMITTANCE, status__in=LIVE_STATUSES).exists():
            return None
        label = actor_label(actor)[0]
        r = Remittance.objects.create(center_id=employer.center_id, employer=employer, person=acct, month=month,
                                      biz_type=BizType.REMITTANCE, business_date=business_date, created_by=label,
                                      status=RS.CONFIRMED, confirmed_by=label)
        _line_from_account(r, acct)
        _refresh_totals(r)
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_REMITTANCE_CREATE, obj=r, center=employer.center_id,
                  business_date=business_date, after={"employer": employer.account_no, "month": month,
                                                      "person": acct.account_no, "total": r.total})
        return r


def _draft(remittance: Remittance) -> Remittance:
    r = Remittance.objects.select_for_update().get(pk=remittance.pk)
    if r.status != RS.DRAFT:
        raise DomainError(ErrorCode.REMITTANCE_NOT_DRAFT, f"汇缴单 {r.pk} 状态为「{RS(r.status).label}」，不能修改清册",
                          field="remittance")
    return r


def _line_from_account(r: Remittance, acct: MemberAccount) -> None:
    RemittanceLine.objects.filter(remittance=r, account_id=acct.pk).delete()
    seq = (RemittanceLine.objects.filter(remittance=r).order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    RemittanceLine.objects.create(
        remittance=r, seq=seq, account_id=acct.pk, base=acct.base,
        employer_ratio_e4=int(Decimal(acct.employer_ratio) * 10000), member_ratio_e4=int(Decimal(acct.member_ratio) * 10000),
        employer_amount=acct.employer_amount, member_amount=acct.member_amount)


def remittance_hire(
    *, remittance: Remittance, name: str, id_number: str, base: int, phone: str = "", actor: Actor,
    business_date: date, id_type: str = IdType.RESIDENT_ID,
) -> MemberAccount:
    """New hire (增员): a sealed account of the person is unsealed at this employer, otherwise a new account is
    opened (accounts services, which check the ID, base and ratios); the member joins the roster."""
    _require(actor, remittance.center_id)
    with transaction.atomic():
        r = _draft(remittance)
        employer = r.employer
        member = Member.objects.filter(id_type=id_type, id_number=(id_number or "").strip().upper()).first()
        sealed = (member.accounts.filter(status=MemberAccountStatus.SEALED).first() if member is not None else None)
        if sealed is not None:
            acct = accounts_services.member_account_unseal(account=sealed, employer=employer, base=base, actor=actor,
                                                           business_date=business_date)
        else:
            acct = accounts_services.member_account_open(
                center=r.center, employer=employer, name=name, id_type=id_type, id_number=id_number, phone=phone,
                marital_status=MaritalStatus.UNKNOWN, base=base, actor=actor, business_date=business_date)
        _line_from_account(r, acct)
        _refresh_totals(r)
        return acct


def _roster_account(r: Remittance, account: MemberAccount) -> MemberAccount:
    acct = MemberAccount.objects.get(pk=account.pk)
    if acct.employer_id != r.employer_id:
        raise DomainError(ErrorCode.ACCOUNT_OTHER_EMPLOYER, f"个人账户 {acct.account_no} 不属于该单位", field="account")
    return acct


def remittance_leave(*, remittance: Remittance, account: MemberAccount, reason: str, actor: Actor,
                     business_date: date) -> MemberAccount:
    """Leaver (减员): the account is sealed (封存) and leaves the roster."""
    _require(actor, remittance.center_id)
    with transaction.atomic():
        r = _draft(remittance)
        acct = _roster_account(r, account)
        acct = accounts_services.member_account_seal(account=acct, reason=reason, actor=actor,
                                                     business_date=business_date)
        RemittanceLine.objects.filter(remittance=r, account_id=acct.pk).delete()
        _refresh_totals(r)
        return acct


def remittance_change(
    *, remittance: Remittance, account: MemberAccount, actor: Actor, business_date: date, base: int | None = None,
    employer_ratio: Decimal | str | None = None, member_ratio: Decimal | str | None = None,
) -> MemberAccount:
    """Base or ratio change of one member within policy (accounts services), reflected in the roster."""
    _require(actor, remittance.center_id)
    with transaction.atomic():
        r = _draft(remittance)
        acct = _roster_account(r, account)
        if base is not None and base != acct.base:
            acct = accounts_services.member_account_change_base(account=acct, base=base, actor=actor,
                                                                business_date=business_date)
        if employer_ratio is not None or member_ratio is not None:
            acct = accounts_services.member_account_change_ratio(
                account=acct, employer_ratio=employer_ratio if employer_ratio is not None else acct.employer_ratio,
                member_ratio=member_ratio if member_ratio is not None else acct.member_ratio, actor=actor,
                business_date=business_date)
        _line_from_account(r, acct)
        _refresh_totals(r)
        return acct


def remittance_confirm(*, remittance: Remittance, actor: Actor, business_date: date) -> Remittance:
    """The employer (or a clerk) confirms the roster: the remittance now awaits money."""
    _require(actor, remittance.center_id)
    with transaction.atomic():
        r = _draft(remittance)
        _refresh_totals(r)
        if r.lines == 0 or r.total <= 0:
            raise DomainError(ErrorCode.REMITTANCE_EMPTY, "清册没有需要缴存的人员或金额为零", field="remittance")
        r.status, r.confirmed_by = RS.CONFIRMED, actor_label(actor)[0]
        r.save(update_fields=["status", "confirmed_by"])
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_REMITTANCE_CONFIRM, obj=r, center=r.center_id,
                  business_date=business_date, after={"lines": r.lines, "total": r.total, "month": r.month})
        return r


def remittance_cancel(*, remittance: Remittance, actor: Actor, business_date: date, reason: str = "") -> Remittance:
    _require(actor, remittance.center_id)
    with transaction.atomic():
        r = Remittance.objects.select_for_update().get(pk=remittance.pk)
        if r.status not in (RS.DRAFT, RS.CONFIRMED) or Receipt.objects.filter(
                remittances=r, status=Receipt.Status.MATCHED).exists():
            raise DomainError(ErrorCode.REMITTANCE_NOT_CANCELLABLE, f"汇缴单 {r.pk} 不能作废", field="remittance")
        r.status = RS.CANCELLED
        r.save(update_fields=["status"])
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_REMITTANCE_CANCEL, obj=r, center=r.center_id,
                  business_date=business_date, after={"reason": reason})
        return r


BACK_KINDS = {k.value for k in Remittance.BackKind if k.value}


def back_payment_create(
    *, employer: Employer, month: str, back_kind: str, reason: str, actor: Actor, business_date: date,
    lines: list[tuple[str, int, int]] | None = None,
) -> Remittance:
    """补缴 (biz type 02) for a past month with a reason. full: the month's roster (the accounts with the
    employer in that month, sealed ones included up to their seal month) not yet paid for it, each base held
    within that month's cap and floor; difference / adhoc: the given (account_no, employer part, member part)
    lines, each checked against the month (backpay.check_back_lines); a difference without lines is derived
    from the base changes. It earns from the day its money arrives, not from the month it covers."""
    _require(actor, employer.center_id)
    month = _month(month)
    if back_kind not in BACK_KINDS:
        raise DomainError(ErrorCode.BACK_KIND, f"补缴类型不正确：{back_kind}（full/difference/adhoc）", field="back_kind")
    if not (reason or "").strip():
        raise DomainError(ErrorCode.REASON_REQUIRED, "补缴必须填写原因", field="reason")
    if month >= ym(business_date):
        raise DomainError(ErrorCode.BACK_PAYMENT_MONTH, f"补缴年月 {month} 应早于当前月份 {ym(business_date)}", field="month")
    with transaction.atomic():
        r = Remittance.objects.create(
            center_id=employer.center_id, employer=employer, month=month, biz_type=BizType.BACK_PAYMENT,
            back_kind=back_kind, reason=reason.strip()[:200], business_date=business_date,
            created_by=actor_label(actor)[0])
        if back_kind == Remittance.BackKind.FULL:
            _lines_from_accounts(r, business_date)
        else:
            _back_lines_create(r, employer=employer, lines=lines, business_date=business_date)
        _refresh_totals(r)
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_BACK_PAYMENT_CREATE, obj=r, center=employer.center_id,
                  business_date=business_date, after={"employer": employer.account_no, "month": month,
                                                      "kind": back_kind, "reason": reason, "total": r.total})
        return r


def _back_lines_create(r: Remittance, *, employer: Employer, lines: list[tuple[str, int, int]] | None,
                       business_date: date) -> None:
    """差额/个别补缴 lines, each checked (backpay.check_back_lines); a 差额补缴 without lines takes them from
    the base changes (backpay.difference_lines)."""
    if not lines and r.back_kind == Remittance.BackKind.DIFFERENCE:
        lines = difference_lines(employer=employer, month=r.month, business_date=business_date)
    if not lines:
        raise DomainError(ErrorCode.LINES_REQUIRED, "个别补缴须列出人员及金额", field="lines")
    checked = check_back_lines(employer=employer, month=r.month, back_kind=r.back_kind, business_date=business_date,
                               lines=lines)
    for i, c in enumerate(checked, 1):
        a = c.account
        RemittanceLine.objects.create(
            remittance=r, seq=i, account=a, base=a.base, employer_ratio_e4=int(Decimal(a.employer_ratio) * 10000),
            member_ratio_e4=int(Decimal(a.member_ratio) * 10000), employer_amount=c.employer_amount,
            member_amount=c.member_amount)


# ---------------------------------------------------------------- receipts and suspense


def _employer_of_payer(center_id: int, payer_account: str, payer_name: str) -> Employer | None:
    if payer_account:
        e = Employer.objects.filter(center_id=center_id, account_no=payer_account).first()
        if e is not None:
            return e
    if payer_name:
        found = list(Employer.objects.filter(center_id=center_id, name=payer_name)[:2])
        if len(found) == 1:
            return found[0]
    return None


def _suspense_entry(*, center: Center | int, business_date: date, debit: str, credit: str, amount: int,
                    description: str, actor: Actor, value_date: date | None = None, bank_ref: str = "") -> Any:
    c = center if isinstance(center, Center) else Center.objects.get(pk=center)
    return entry_post(center=c, business_date=business_date, value_date=value_date,
                      lines=[Line(debit, debit=amount, bank_ref=bank_ref), Line(credit, credit=amount)],
                      source="contributions",
                      description=description, actor=actor)


def _receipt_match(*, source_import: RemittanceImport | None, employer: Employer | None, amount: int,
                   business_date: date, remittance: Remittance | None = None) -> tuple[list[int], int]:
    """The confirmed, due remittances this money pays (locked) and their line count: every confirmed remittance
    of a roster file when they total the amount, else the employer's oldest one of exactly the amount (a flexible
    contributor's own remittance only when named: `remittance`, one person's money pays only that person)."""
    bm = ym(business_date)
    matched: list[int] = []
    lines = 0
    if remittance is not None:
        own = (Remittance.objects.select_for_update()
               .filter(pk=remittance.pk, status=RS.CONFIRMED, receipt__isnull=True, total=amount, month__lte=bm)
               .first())
        if own is not None:
            matched, lines = [own.pk], own.lines
    elif source_import is not None:
        # a collective payment for a whole roster file: its confirmed remittances, all due, total = amount
        qs = Remittance.objects.filter(source_import=source_import, status=RS.CONFIRMED, receipt__isnull=True)
        agg = qs.aggregate(total=Sum("total"), lines=Sum("lines"), month=Max("month"))
        others = Remittance.objects.filter(source_import=source_import).exclude(status__in=[RS.CONFIRMED, RS.CANCELLED])
        if agg["total"] == amount and agg["month"] <= bm and not others.exists():
            matched = list(qs.select_for_update().order_by("pk").values_list("pk", flat=True))
            lines = int(agg["lines"])
    elif employer is not None:
        r = (Remittance.objects.select_for_update()
             .filter(employer=employer, status=RS.CONFIRMED, receipt__isnull=True, total=amount, month__lte=bm,
                     person__isnull=True)
             .order_by("month", "pk").first())
        if r is not None:
            matched, lines = [r.pk], r.lines
    return matched, lines


def _receipt_hold(receipt: Receipt, *, center: Center, employer: Employer | None, amount: int, value_date: date,
                  ref: str, bank_account: str, actor: Actor, label: str, business_date: date) -> None:
    """Money that pays no remittance is held: in the employer's 暂存 (21901), or, payer unknown, in 暂收 (21902)."""
    if employer is not None:
        receipt.status = Receipt.Status.EMPLOYER_SUSPENSE
        entry = _suspense_entry(center=center, business_date=business_date, debit=bank_account,
                                credit=EMPLOYER_SUSPENSE, amount=amount, actor=actor, value_date=value_date, bank_ref=ref,
                                description=f"单位暂存款 {employer.account_no} 流水 {ref}")
        _employer_suspense_add(employer.pk, amount)
        SuspenseMove.objects.create(center=center, employer=employer, receipt=receipt, kind=SuspenseMove.Kind.IN,
                                    amount=amount, entry=entry, business_date=business_date, created_by=label)
    else:
        receipt.status = Receipt.Status.UNKNOWN_SUSPENSE
        entry = _suspense_entry(center=center, business_date=business_date, debit=bank_account,
                                credit=UNKNOWN_SUSPENSE, amount=amount, actor=actor, value_date=value_date, bank_ref=ref,
                                description=f"暂收款（付款人未明）流水 {ref}")
        SuspenseMove.objects.create(center=center, receipt=receipt, kind=SuspenseMove.Kind.UNKNOWN_IN,
                                    amount=amount, entry=entry, business_date=business_date, created_by=label)


# a single receipt above this is refused (¥10,000,000,000.00): no real transfer is that large, and a typing or
# forged figure of 10^18 fen must never reach the books
RECEIPT_MAX = 1_000_000_000_000
CONFIRM_COMMAND = "contributions.receipt_confirm"
# a bank line confirms a hand-typed receipt of its amount and payer account dated within this many days
MATCH_WINDOW_KEY = "receipt.bank_match.window_days"


def _receipt_amount(amount: Any) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise DomainError(ErrorCode.AMOUNT_POSITIVE, "到账金额必须为大于零的整数（分）", field="amount")
    if amount > RECEIPT_MAX:
        raise DomainError(ErrorCode.RECEIPT_AMOUNT_MAX, f"到账金额 {format_fen(amount)} 元超过单笔上限 {format_fen(RECEIPT_MAX)} 元",
                          field="amount")
    return amount


def receipt_record(
    *, center: Center, amount: int, value_date: date, bank_ref: str, actor: Actor, business_date: date,
    payer_account: str = "", payer_name: str = "", employer: Employer | None = None,
    source_import: RemittanceImport | None = None, post: bool = True, bank_account: str = DEFAULT_BANK,
    manual: bool = False, remittance: Remittance | None = None,
) -> Receipt:
    """银行到账: money a bank line shows (the settlement gateway's notices call this as its receipt handler).

    Idempotent by bank reference: a replay returns the receipt recorded before (a different amount is refused);
    a bank line whose reference a hand-registered receipt already holds confirms that receipt.
    Matched to a confirmed remittance of the employer of the exact amount (or to every confirmed remittance of
    a roster file, for a collective payment), otherwise held in the employer's 暂存 or, payer unknown, in 暂收.
    A matched remittance that is due and small posts at once (`post`); larger ones post by remittance_post.
    `bank_account`: the ledger code (101xx) of the entrusted bank account the money arrived in; its ledger line
    carries the bank reference for 日终对账.
    `manual` (手工登记, see receipt_register_manual): registered and matched only, booked when confirmed.
    `remittance`: the one remittance this money is for (a flexible contributor's own month), matched when due
    and of exactly the amount, else the money waits in the employer's 暂存."""
    _require(actor, center)
    ref = (bank_ref or "").strip()
    if not ref:
        raise DomainError(ErrorCode.BANK_REF_REQUIRED, "请填写银行流水号", field="bank_ref")
    amount = _receipt_amount(amount)
    if value_date > business_date:
        raise DomainError(ErrorCode.VALUE_DATE_FUTURE, f"到账日 {value_date} 晚于业务日期 {business_date}", field="value_date")
    with transaction.atomic():
        existing = Receipt.objects.select_for_update().filter(center=center, bank_ref=ref).first()
        if existing is not None:
            if existing.amount != amount:
                raise DomainError(ErrorCode.BANK_REF_CONFLICT, f"银行流水号 {ref} 已登记，金额 {format_fen(existing.amount)} 元不同",
                                  field="bank_ref")
            if not manual and existing.status in (Receipt.Status.UNCONFIRMED, Receipt.Status.REJECTED):
                # the bank's own line: the money is there, whatever a checker said of the hand-typed entry
                return _receipt_confirm(existing, actor=actor, business_date=business_date, by=f"bank:{ref}",
                                        post=post, bank_account=bank_account)
            return existing
        twin = None if manual else manual_receipt_twin(center_id=_center_id(center), amount=amount,
                                                        payer_account=payer_account, on=value_date,
                                                        business_date=business_date)
        if twin is not None:  # the bank's line of money a clerk typed in under another reference
            return receipt_confirm_by_bank(twin, bank_ref=ref, by=f"bank:{ref}", actor=actor,
                                           business_date=business_date, bank_account=bank_account, post=post)
        if employer is None and source_import is None:
            employer = _employer_of_payer(center.pk, payer_account.strip(), payer_name.strip())
        label = actor_label(actor)[0]
        try:
            with transaction.atomic():
                receipt = Receipt.objects.create(
                    center=center, bank_ref=ref, amount=amount, value_date=value_date,
                    payer_account=payer_account.strip()[:40], payer_name=payer_name.strip()[:120], employer=employer,
                    source_import=source_import, status=Receipt.Status.UNCONFIRMED if manual else Receipt.Status.MATCHED,
                    manual=manual, business_date=business_date, created_by=label, bank_account=bank_account)
        except IntegrityError:
            raise DomainError(ErrorCode.BANK_REF_CONCURRENT, f"银行流水号 {ref} 正在另一笔业务中登记", field="bank_ref") from None
        matched, lines = _receipt_match(source_import=source_import, employer=employer, amount=amount,
                                         business_date=business_date, remittance=remittance)
        if matched:
            if source_import is not None:
                Remittance.objects.filter(source_import=source_import, status=RS.CONFIRMED).update(receipt=receipt)
            else:
                Remittance.objects.filter(pk=matched[0]).update(receipt=receipt)
        elif not manual:
            _receipt_hold(receipt, center=center, employer=employer, amount=amount, value_date=value_date, ref=ref,
                          bank_account=bank_account, actor=actor, label=label, business_date=business_date)
        receipt.save(update_fields=["status"])
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_RECEIPT_RECORD, obj=receipt, center=center,
                  business_date=business_date,
                  after={"bank_ref": ref, "amount": amount, "value_date": value_date, "status": receipt.status,
                         "employer": employer.account_no if employer else None, "manual": manual,
                         "remittances": matched[:20]})
        if matched and post and not manual and lines <= INLINE_POST_LINES:
            _post_now(remittance=None if source_import is not None else Remittance(pk=matched[0]),
                      source_import=source_import, receipt=receipt, actor=actor, business_date=business_date)
            receipt.refresh_from_db()
        return receipt


def _receipt_confirm(rc: Receipt, *, actor: Actor, business_date: date, by: str, post: bool = True,
                     bank_account: str | None = None) -> Receipt:
    """A hand-registered receipt is confirmed (caller holds its lock): matched to its remittances (posted at once
    when small), else held in 暂存 / 暂收, as a bank line would have been."""
    if bank_account:
        rc.bank_account = bank_account
    linked = list(Remittance.objects.select_for_update().filter(receipt=rc).order_by("pk"))
    if rc.status == Receipt.Status.REJECTED or not linked:  # a rejected one left its remittances: match again
        Remittance.objects.filter(receipt=rc).update(receipt=None)
        matched, lines = _receipt_match(source_import=rc.source_import, employer=rc.employer, amount=rc.amount,
                                         business_date=business_date)
        if matched:
            Remittance.objects.filter(pk__in=matched).update(receipt=rc)
    else:
        matched, lines = [r.pk for r in linked], sum(r.lines for r in linked)
    rc.confirmed_by = by[:150]
    if matched:
        rc.status = Receipt.Status.MATCHED
    else:
        _receipt_hold(rc, center=rc.center, employer=rc.employer, amount=rc.amount, value_date=rc.value_date,
                      ref=rc.bank_ref, bank_account=rc.bank_account, actor=actor, label=actor_label(actor)[0],
                      business_date=business_date)
    rc.save(update_fields=["status", "confirmed_by", "bank_account"])
    audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_RECEIPT_CONFIRM, obj=rc, center=rc.center_id,
              business_date=business_date, after={"bank_ref": rc.bank_ref, "amount": rc.amount, "by": rc.confirmed_by,
                                                  "status": rc.status, "remittances": matched[:20]})
    if matched and post and lines <= INLINE_POST_LINES:
        _post_now(remittance=None if rc.source_import_id is not None else Remittance(pk=matched[0]),
                  source_import=rc.source_import, receipt=rc, actor=actor, business_date=business_date)
        rc.refresh_from_db()
    return rc


def manual_receipt_twin(*, center_id: int, amount: int, payer_account: str, on: date,
                        business_date: date) -> Receipt | None:
    """The oldest unconfirmed hand-typed receipt (locked) that a bank line of money in confirms: the same amount
    from the same payer account, its value date within `receipt.bank_match.window_days` of the line's date."""
    payer = (payer_account or "").strip()[:40]
    if not payer:
        return None
    window = timedelta(days=int(policy_value(MATCH_WINDOW_KEY, on=business_date, center=center_id)))
    return (Receipt.objects.select_for_update()
            .filter(center_id=center_id, manual=True, status=Receipt.Status.UNCONFIRMED, amount=amount,
                    payer_account=payer, value_date__gte=on - window, value_date__lte=on + window)
            .order_by("pk").first())


def receipt_confirm_by_bank(rc: Receipt, *, bank_ref: str, by: str, actor: Actor, business_date: date,
                            bank_account: str | None = None, post: bool = True,
                            facts: dict[str, Any] | None = None) -> Receipt:
    """A bank line (notice or statement) confirms the hand-typed receipt `rc` (locked by the caller). The
    receipt takes the bank's reference, so the same money arriving again is found and not booked twice; the
    typed reference stays in the audit row (contributions.receipt.bank_match)."""
    typed = rc.bank_ref
    if typed != bank_ref:
        rc.bank_ref = bank_ref
        Receipt.objects.filter(pk=rc.pk).update(bank_ref=bank_ref)
    audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_RECEIPT_BANK_MATCH, obj=rc, center=rc.center_id,
              business_date=business_date, before={"bank_ref": typed},
              after={"bank_ref": bank_ref, "typed_ref": typed, "amount": rc.amount, "by": by, **(facts or {})})
    return _receipt_confirm(rc, actor=actor, business_date=business_date, by=by, post=post,
                            bank_account=bank_account)


def receipt_register_manual(
    *, center: Center, amount: int, value_date: date, bank_ref: str, actor: Actor, business_date: date,
    payer_account: str = "", payer_name: str = "", employer: Employer | None = None,
    source_import: RemittanceImport | None = None, remittance: Remittance | None = None,
) -> Receipt:
    """手工登记到账 (API, `hpf remit receipt --as`): registered and matched, never booked by its maker. It is
    confirmed when the bank's line with its reference arrives, or when a checker approves the
    contributions.receipt_confirm command submitted with it; until then no member account, 暂存 or 专户 balance
    moves. `remittance`: the one remittance the money is for (see receipt_record)."""
    money_actor_check(actor, role="maker", what="手工登记到账")
    rc = receipt_record(center=center, amount=amount, value_date=value_date, bank_ref=bank_ref, actor=actor,
                        business_date=business_date, payer_account=payer_account, payer_name=payer_name,
                        employer=employer, source_import=source_import, manual=True, remittance=remittance)
    if rc.status == Receipt.Status.UNCONFIRMED and rc.manual and rc.created_by == actor_label(actor)[0] \
            and rc.business_date == business_date and not _confirm_pending(rc):
        command_submit(name=CONFIRM_COMMAND, actor=actor, center=center, business_date=business_date,
                       params={"receipt_id": rc.pk, "bank_ref": rc.bank_ref, "amount": rc.amount})
    return rc


def _confirm_pending(rc: Receipt) -> bool:
    return PendingCommand.objects.filter(center_id=rc.center_id, name=CONFIRM_COMMAND, params__receipt_id=rc.pk,
                                         status=PendingCommand.Status.PENDING).exists()


def _confirm_validate(params: dict[str, Any], actor: Actor, center: Center, business_date: date) -> dict[str, Any]:
    rid = params.get("receipt_id")
    rc = Receipt.objects.filter(center=center, pk=rid).first() if isinstance(rid, int) else None
    if rc is None or rc.status != Receipt.Status.UNCONFIRMED:
        ref = rc.bank_ref if rc is not None else params.get("receipt_id")
        raise DomainError(ErrorCode.RECEIPT_NOT_UNCONFIRMED, f"到账 {ref} 不在待确认状态", field="receipt")
    return {"receipt_id": rc.pk, "bank_ref": rc.bank_ref, "amount": rc.amount}


def _confirm_apply(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    cmd = applying()
    if cmd is None:
        raise DomainError(ErrorCode.MAKER_CHECKER_REQUIRED, "该命令只能在复核批准后执行", field="command")
    rid = params.get("receipt_id")
    rc = Receipt.objects.select_for_update().filter(center=cmd.center_id, pk=rid).first() if isinstance(rid, int) else None
    if rc is None or rc.status != Receipt.Status.UNCONFIRMED:
        raise DomainError(ErrorCode.RECEIPT_NOT_UNCONFIRMED, f"到账 {params.get('bank_ref')} 不在待确认状态",
                          field="receipt")
    rc = _receipt_confirm(rc, actor=actor, business_date=business_date, by=actor_label(actor)[0])
    return {"receipt_id": rc.pk, "status": rc.status}


def _confirm_rejected(command: Any, actor: Actor, business_date: date) -> None:
    """The checker refused the hand-typed receipt: it books nothing and leaves its remittances to other money."""
    rc = Receipt.objects.select_for_update().filter(center=command.center_id,
                                                    pk=command.params.get("receipt_id")).first()
    if rc is None or rc.status != Receipt.Status.UNCONFIRMED:
        return
    Remittance.objects.filter(receipt=rc).update(receipt=None)
    rc.status = Receipt.Status.REJECTED
    rc.save(update_fields=["status"])


def receipt_assign(*, receipt: Receipt, employer: Employer, actor: Actor, business_date: date) -> Receipt:
    """暂收认领: money of an unknown payer turns out to be this employer's: 21902 → its 暂存 (21901)."""
    _require(actor, receipt.center_id)
    with transaction.atomic():
        rc = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if rc.status != Receipt.Status.UNKNOWN_SUSPENSE:
            raise DomainError(ErrorCode.RECEIPT_NOT_UNKNOWN, f"到账 {rc.bank_ref} 不在暂收中", field="receipt")
        if employer.center_id != rc.center_id:
            raise DomainError(ErrorCode.EMPLOYER_UNKNOWN, "单位不属于本中心", field="employer")
        entry = _suspense_entry(center=rc.center_id, business_date=business_date, debit=UNKNOWN_SUSPENSE,
                                credit=EMPLOYER_SUSPENSE, amount=rc.amount, actor=actor,
                                description=f"暂收认领 流水 {rc.bank_ref} → 单位 {employer.account_no}")
        _employer_suspense_add(employer.pk, rc.amount)
        rc.employer, rc.status = employer, Receipt.Status.EMPLOYER_SUSPENSE
        rc.save(update_fields=["employer", "status"])
        SuspenseMove.objects.create(center_id=rc.center_id, employer=employer, receipt=rc, kind=SuspenseMove.Kind.ASSIGN,
                                    amount=rc.amount, entry=entry, business_date=business_date,
                                    created_by=actor_label(actor)[0])
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_RECEIPT_ASSIGN, obj=rc, center=rc.center_id,
                  business_date=business_date, after={"employer": employer.account_no, "amount": rc.amount})
        return rc


# ---------------------------------------------------------------- posting


@dataclass
class PostResult:
    remittance_ids: list[int] = field(default_factory=list)
    lines: int = 0
    total: int = 0
    source: str = ""  # receipt | suspense
    voucher_no: str = ""
    batch_key: str = ""
    job_id: int | None = None
    already_posted: bool = False


@dataclass(frozen=True)
class _Plan:
    where: str  # on contributions_remittance r
    params: list[Any]
    key: str
    receipt: Receipt | None
    employer_id: int | None  # paying from this employer's 暂存 (single remittance)
    biz_type: str
    value_date: date
    remittance_ids: list[int]
    lines: int
    total: int
    center_id: int
    title: str
    import_id: int | None = None
    month: str = ""
    back_kind: str = ""


def _plan(*, remittance: Remittance | None, source_import: RemittanceImport | None, receipt: Receipt | None,
          business_date: date) -> _Plan:
    """What a posting will do, checked before anything is written (aggregates only: a file's group may hold
    100,000 remittances)."""
    import_id, qs, where, params, key, title = _target(remittance, source_import)
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise DomainError(ErrorCode.REMITTANCE_EMPTY, "没有可入账的汇缴单", field="remittance")
    agg = qs.aggregate(lines=Sum("lines"), total=Sum("total"), month=Max("month"))
    lines, total, month = int(agg["lines"] or 0), int(agg["total"] or 0), agg["month"]
    first = Remittance.objects.get(pk=ids[0])
    statuses = set(qs.values_list("status", flat=True).distinct())
    if statuses == {RS.POSTED}:
        paid_by = Receipt.objects.filter(pk=first.receipt_id).first() if first.receipt_id else None
        return _Plan(where, params, key, paid_by, None, first.biz_type, first.value_date or business_date, ids,
                     lines, total, first.center_id, title, import_id, month, first.back_kind)
    _check_postable(qs, business_date)
    receipt, employer_id, value_date = _paid_from(qs, receipt, ids=ids, first=first, total=total,
                                                  business_date=business_date)
    return _Plan(where, params, key, receipt, employer_id, first.biz_type, value_date, ids, lines, total,
                 first.center_id, title, import_id, month, first.back_kind)


def _target(remittance: Remittance | None,
            source_import: RemittanceImport | None) -> tuple[int | None, Any, str, list[Any], str, str]:
    """The remittances to post (one, or an import's live ones): import id, queryset, SQL condition and params,
    batch key and title."""
    if (remittance is None) == (source_import is None):
        raise DomainError(ErrorCode.POST_TARGET, "请指定一个汇缴单或一个导入批次", field="remittance")
    if remittance is not None:
        return (None, Remittance.objects.filter(pk=remittance.pk), "r.id = %s", [remittance.pk],
                f"remit:{remittance.pk}", f"{_post_label(remittance)} #{remittance.pk}")
    assert source_import is not None
    return (source_import.pk, Remittance.objects.filter(source_import=source_import).exclude(status=RS.CANCELLED),
            f"r.source_import_id = %s AND r.status <> '{RS.CANCELLED}'", [source_import.pk],
            f"remit-import:{source_import.pk}", f"汇缴入账 导入批次 #{source_import.pk}")


def _post_label(remittance: Remittance) -> str:
    """The voucher's summary: 补缴入账 for a back-payment, 汇缴入账 otherwise (a bare Remittance(pk=…) is read)."""
    biz_type = Remittance.objects.filter(pk=remittance.pk).values_list("biz_type", flat=True).first()
    return "补缴入账" if biz_type == BizType.BACK_PAYMENT else "汇缴入账"


def _check_postable(qs: Any, business_date: date) -> None:
    """Every remittance confirmed, one business type, none a 预缴 before its month."""
    bad = qs.exclude(status=RS.CONFIRMED).order_by("pk").first()
    if bad is not None:
        raise DomainError(ErrorCode.REMITTANCE_NOT_CONFIRMED, f"汇缴单 {bad.pk} 状态为「{RS(bad.status).label}」，不能入账",
                          field="remittance")
    if qs.values("biz_type", "back_kind").distinct().count() > 1:
        raise DomainError(ErrorCode.MIXED_BIZ_TYPE, "汇缴与补缴不能在同一批次入账", field="remittance")
    late = qs.filter(month__gt=ym(business_date)).order_by("pk").first()
    if late is not None:
        raise DomainError(ErrorCode.PREPAYMENT_NOT_DUE, f"汇缴单 {late.pk} 为 {late.month} 预缴，到期月份前资金留在单位暂存",
                          field="remittance")


def _paid_from(qs: Any, receipt: Receipt | None, *, ids: list[int], first: Remittance, total: int,
               business_date: date) -> tuple[Receipt | None, int | None, date]:
    """Where the money comes from: the matched receipt (given or linked), or else the employer's 暂存 for a
    single remittance. Returns the receipt, the employer whose 暂存 pays, and the value date."""
    linked = set(qs.values_list("receipt_id", flat=True).distinct())
    if receipt is None and len(linked) == 1 and None not in linked:
        receipt = Receipt.objects.get(pk=linked.pop())
    if receipt is not None:
        receipt.refresh_from_db()
        if receipt.status != Receipt.Status.MATCHED or linked - {None, receipt.pk}:
            raise DomainError(ErrorCode.RECEIPT_NOT_MATCHED, f"到账 {receipt.bank_ref} 未匹配本汇缴单", field="receipt")
        if receipt.amount != total:
            raise DomainError(ErrorCode.AMOUNT_MISMATCH, f"到账金额 {format_fen(receipt.amount)} 元与汇缴合计 {format_fen(total)} 元不符，"
                              "请转入单位暂存后分配", field="receipt")
        return receipt, None, receipt.value_date
    if len(ids) != 1:
        raise DomainError(ErrorCode.RECEIPT_REQUIRED, "批量入账须有到账记录", field="receipt")
    e = Employer.objects.get(pk=first.employer_id)
    if e.suspense_balance < total:
        raise DomainError(ErrorCode.NO_MONEY, f"汇缴单 {first.pk} 尚未到账，单位暂存款 {format_fen(e.suspense_balance)} 元不足 "
                          f"{format_fen(total)} 元", field="receipt")
    return None, first.employer_id, business_date  # allocated today: the money becomes the members' today


def _group(plan: _Plan) -> Any:
    """The remittances of a plan as a queryset (a file's group may hold 100,000: never a list of ids in SQL)."""
    if plan.import_id is not None:
        return Remittance.objects.filter(source_import_id=plan.import_id).exclude(status=RS.CANCELLED)
    return Remittance.objects.filter(pk=plan.remittance_ids[0])


def _stage(plan: _Plan, *, actor: Actor, business_date: date) -> PostingBatch:
    """The posting's ledger batch, created once by its key. Its rows are not copied anywhere: the apply reads
    them straight from the (committed, locked) roster lines."""
    return batch_create(
        center=Center.objects.get(pk=plan.center_id), key=plan.key, biz_type=plan.biz_type,
        business_date=business_date, actor=actor, description=plan.title,
        counter_account=plan.receipt.bank_account if plan.receipt is not None else EMPLOYER_SUSPENSE,
        bank_ref=plan.receipt.bank_ref if plan.receipt is not None else "")


def _rows(plan: _Plan) -> Relation:
    """The ledger rows of a plan, one per roster line, as a SELECT in the ledger's stage columns."""
    label = "补缴" if plan.biz_type == BizType.BACK_PAYMENT else "汇缴"
    return Relation(
        "SELECT l.id AS ord, l.account_id AS sub_account_id, l.employer_amount + l.member_amount AS amount_current, "  # noqa: S608 — plan conditions and labels from code; values bound
        f"0 AS amount_carried, %s AS value_date, '{label}' || r.month AS reference "
        "FROM contributions_remittanceline l "
        f"JOIN contributions_remittance r ON r.id = l.remittance_id WHERE {plan.where}",
        (plan.value_date, *plan.params))


def _unique_accounts(plan: _Plan) -> bool | None:
    """A roster file names each account once (its DUPLICATE rule), and so does a roster derived from the
    accounts; 差额/个别补缴 lines are the clerk's and may repeat one (the ledger then checks)."""
    if plan.import_id is not None or plan.biz_type == BizType.REMITTANCE or plan.back_kind == Remittance.BackKind.FULL:
        return True
    return None


def _apply(plan: _Plan, *, actor: Actor, business_date: date) -> PostingBatch:
    """One transaction: the ledger batch, the remittances, the receipt, paid-up-to months and 暂存."""
    with transaction.atomic():
        batch = PostingBatch.objects.get(key=plan.key)
        locked = list(_group(plan).select_for_update().order_by("pk").values_list("pk", "status"))
        statuses = {st for _, st in locked}
        if statuses == {RS.POSTED}:
            return batch
        if statuses != {RS.CONFIRMED} or len(locked) != len(plan.remittance_ids):
            raise DomainError(ErrorCode.REMITTANCE_NOT_CONFIRMED, "汇缴单状态已变化，不能入账", field="remittance")
        if plan.employer_id is not None:
            _employer_suspense_add(plan.employer_id, -plan.total)
        batch = batch_apply_from(batch=batch, actor=actor, source=_rows(plan), unique_accounts=_unique_accounts(plan))
        if (batch.rows_posted, batch.total_amount) != (plan.lines, plan.total):  # posted exactly the roster
            raise DomainError(ErrorCode.STAGE_MISMATCH, f"入账明细 {batch.rows_posted} 笔 {format_fen(batch.total_amount)} 元与汇缴单 "
                              f"{plan.lines} 笔 {format_fen(plan.total)} 元不符", field="remittance")
        _group(plan).update(
            status=RS.POSTED, posted_at=timezone.now(), value_date=plan.value_date, batch_key=plan.key,
            receipt=plan.receipt)
        if _pays_months(plan.biz_type, plan.back_kind):  # 差额补缴 pays no month
            # an individual 补缴 pays its members' month, not the employer's
            _accounts_advance_paid_up_to(plan.where, plan.params, plan.month, batch.entry_id,
                                         employer=plan.back_kind != Remittance.BackKind.AD_HOC)
            _paid_months_mark(plan, batch.entry_id)
        label = actor_label(actor)[0]
        if plan.receipt is not None:
            Receipt.objects.filter(pk=plan.receipt.pk).update(status=Receipt.Status.POSTED)
        else:
            SuspenseMove.objects.create(center_id=plan.center_id, employer_id=plan.employer_id,
                                        remittance_id=plan.remittance_ids[0],
                                        kind=SuspenseMove.Kind.ALLOCATE, amount=plan.total, entry=batch.entry,
                                        business_date=business_date, created_by=label)
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_REMITTANCE_POST, obj=("contributions.remittance",
                  plan.remittance_ids[0]), center=plan.center_id,
                  business_date=business_date,
                  after={"remittances": len(plan.remittance_ids), "lines": plan.lines, "total": plan.total, "batch": plan.key,
                         "voucher_no": batch.entry.voucher_no if batch.entry else "",
                         "receipt": plan.receipt.bank_ref if plan.receipt else None, "value_date": plan.value_date})
        return batch


def _result(plan: _Plan, batch: PostingBatch | None, job_id: int | None = None, already: bool = False) -> PostResult:
    voucher = ""
    if batch is not None and batch.entry is not None:
        voucher = batch.entry.voucher_no
    return PostResult(remittance_ids=plan.remittance_ids, lines=plan.lines, total=plan.total,
                      source="receipt" if plan.receipt is not None else "suspense", voucher_no=voucher,
                      batch_key=plan.key, job_id=job_id, already_posted=already)


def _post_now(*, remittance: Remittance | None, source_import: RemittanceImport | None, receipt: Receipt | None,
              actor: Actor, business_date: date) -> PostResult:
    """Inline posting inside the caller's transaction (small remittances)."""
    plan = _plan(remittance=remittance, source_import=source_import, receipt=receipt, business_date=business_date)
    _stage(plan, actor=actor, business_date=business_date)
    return _result(plan, _apply(plan, actor=actor, business_date=business_date))


def remittance_post(
    *, actor: Actor, business_date: date, remittance: Remittance | None = None,
    source_import: RemittanceImport | None = None, receipt: Receipt | None = None, progress: Any = None,
) -> PostResult:
    """Post a confirmed remittance (or every remittance of a roster file) against its matched receipt, or, with
    no receipt, from the employer's 暂存 (allocation). An entry point: runs as a resumable job outside any
    transaction; a rerun after a crash (or of a posted remittance) credits nobody twice."""
    center_id = (remittance or source_import).center_id  # type: ignore[union-attr]
    _require(actor, center_id)
    plan = _plan(remittance=remittance, source_import=source_import, receipt=receipt, business_date=business_date)
    done = PostingBatch.objects.filter(key=plan.key, status=PostingBatch.Status.POSTED).select_related("entry").first()
    if done is not None and _group(plan).filter(status=RS.POSTED).count() == len(
            plan.remittance_ids):
        return _result(plan, done, already=True)
    job = job_start(kind="contributions.remit_post", key=f"job:{plan.key}", actor=actor, center=Center.objects.get(
        pk=center_id), business_date=business_date, title=plan.title,
        params={"remittances": plan.remittance_ids[:50], "lines": plan.lines, "total": plan.total})

    def stage(ctx: Any) -> dict[str, Any]:
        ctx.advance(0, total=1)
        with transaction.atomic(durable=True):
            _stage(plan, actor=actor, business_date=business_date)
        ctx.advance(1)
        return {"batch": plan.key}

    def apply(ctx: Any) -> dict[str, Any]:
        ctx.advance(0, total=plan.lines)
        with transaction.atomic(durable=True):
            batch = _apply(plan, actor=actor, business_date=business_date)
        ctx.advance(plan.lines)
        return {"posted": plan.lines, "total": plan.total, "batch": batch.key}

    # stale_after=0: a rerun takes over a run that crashed; both steps are idempotent under row locks, so even a
    # live run being taken over cannot post twice.
    run_job(job, steps=[Step("stage", stage, weight=1, label="建立记账批次"),
                        Step("apply", apply, weight=3, label="记账入户")], progress=progress, stale_after=0)
    batch = PostingBatch.objects.select_related("entry").get(key=plan.key)
    return _result(plan, batch, job_id=job.pk)


# ---------------------------------------------------------------- allocation from 暂存 and refunds


def suspense_allocate(*, remittance: Remittance, actor: Actor, business_date: date) -> PostResult:
    """分配: pay a confirmed, due remittance from its employer's 暂存 (Dr 21901 / Cr 201). Inline (composes
    in the caller's transaction); large remittances use remittance_post without a receipt."""
    _require(actor, remittance.center_id)
    with transaction.atomic():
        plan = _plan(remittance=remittance, source_import=None, receipt=None, business_date=business_date)
        if plan.receipt is not None:
            raise DomainError(ErrorCode.RECEIPT_MATCHED, "该汇缴单已匹配到账，请直接入账", field="remittance")
        _stage(plan, actor=actor, business_date=business_date)
        return _result(plan, _apply(plan, actor=actor, business_date=business_date))


def suspense_allocate_check(*, remittance: Remittance, actor: Actor, business_date: date) -> PostResult:
    """What suspense_allocate would post (remittance, lines, total), or its refusal — nothing written."""
    _require(actor, remittance.center_id)
    plan = _plan(remittance=remittance, source_import=None, receipt=None, business_date=business_date)
    if plan.receipt is not None:
        raise DomainError(ErrorCode.RECEIPT_MATCHED, "该汇缴单已匹配到账，请直接入账", field="remittance")
    if plan.employer_id is None:  # already posted
        raise DomainError(ErrorCode.REMITTANCE_NOT_CONFIRMED, f"汇缴单 {remittance.pk} 已入账", field="remittance")
    return _result(plan, None)


def _applying_approved() -> bool:
    return applying() is not None


def remittance_refund(*, remittance: Remittance, reason: str, actor: Actor, business_date: date,
                      to: str = "suspense") -> Remittance:
    """退缴 / 错缴更正: reverse a posted remittance. Every member row is negated with its original value date
    (积数 corrected back to that day); the money goes back to the employer's 暂存 (to="suspense": Dr 201 /
    Cr 21901) or back to the bank (to="bank": Dr 201 / Cr 10101). Maker-checker: only through an approved
    `contributions.refund` command; a system actor never makes one."""
    if not _applying_approved():
        money_actor_check(actor, role="maker", what="退缴")
        raise DomainError(ErrorCode.APPROVAL_REQUIRED, "退缴须经复核：请提交复核（contributions.refund）", field="remittance")
    if not (reason or "").strip():
        raise DomainError(ErrorCode.REASON_REQUIRED, "退缴必须填写原因", field="reason")
    if to not in ("suspense", "bank"):
        raise DomainError(ErrorCode.REFUND_TO, "退缴去向应为 suspense（转单位暂存）或 bank（退回单位）", field="to")
    with transaction.atomic():
        r = Remittance.objects.select_for_update().get(pk=remittance.pk)
        if r.status != RS.POSTED:
            raise DomainError(ErrorCode.REMITTANCE_NOT_POSTED, f"汇缴单 {r.pk} 未入账，不能退缴", field="remittance")
        center = Center.objects.get(pk=r.center_id)
        key = f"remit-refund:{r.pk}"
        batch = batch_create(center=center, key=key, biz_type=r.biz_type, business_date=business_date, actor=actor,
                             counter_account=EMPLOYER_SUSPENSE if to == "suspense" else DEFAULT_BANK,
                             description=f"退缴 {'补缴单' if r.biz_type == BizType.BACK_PAYMENT else '汇缴单'} #{r.pk}：{reason}"[:200])
        paid_on = r.value_date or r.business_date
        batch_stage_from(batch=batch, unique_accounts=True,
                         source=refunds.refund_rows(remittance_id=r.pk, value_date=paid_on, business_date=business_date))
        batch = batch_apply(batch=batch, actor=actor)
        if refunds.is_prior_year(paid_on, business_date):
            _refund_prior_year_interest(r, center=center, paid_on=paid_on, actor=actor, business_date=business_date)
        if to == "suspense":
            _employer_suspense_add(r.employer_id, r.total)
            SuspenseMove.objects.create(center=center, employer_id=r.employer_id, remittance=r,
                                        kind=SuspenseMove.Kind.REFUND_IN, amount=r.total, entry=batch.entry,
                                        business_date=business_date, created_by=actor_label(actor)[0])
        if _pays_months(r.biz_type, r.back_kind):
            _accounts_rollback_paid_up_to(r)
        r.status, r.reason = RS.REFUNDED, reason.strip()[:200]
        r.save(update_fields=["status", "reason"])
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_REMITTANCE_REFUND, obj=r, center=center,
                  business_date=business_date, after={"reason": reason, "to": to, "total": r.total, "batch": key})
        return r


def _refund_prior_year_interest(r: Remittance, *, center: Center, paid_on: date, actor: Actor,
                                business_date: date) -> None:
    """The interest a refunded remittance of an earlier interest year earned: recovered by its own posting
    (Dr 201 / Cr 41101), or left, by policy (remittance/refunds.py)."""
    if refunds.interest_policy(center_id=center.pk, business_date=business_date) != refunds.RECOVER:
        return
    factor = refunds.interest_factor(center_id=center.pk, value_date=paid_on, business_date=business_date)
    rows = refunds.interest_recovery_rows(remittance_id=r.pk, factor=factor, business_date=business_date)
    if not factor or not sql.fetch(f"SELECT 1 FROM ({rows.sql}) x LIMIT 1", rows.plist):  # noqa: S608 — a Relation's SQL from code; values bound
        return
    batch = batch_create(center=center, key=f"remit-refund-interest:{r.pk}", biz_type=BizType.INTEREST,
                         business_date=business_date, actor=actor, counter_account=refunds.INTEREST_EXPENSE,
                         description=f"退缴 汇缴单 #{r.pk} 冲回已结利息")
    batch_stage_from(batch=batch, unique_accounts=True, source=rows)
    batch_apply(batch=batch, actor=actor)


def remittance_refund_check(*, remittance: Remittance, actor: Actor) -> None:
    """What a 退缴 submission would be refused for, before it is made (the counter's 确认 page): the remittance
    must be posted, and no refund of it may wait for a checker already."""
    _require(actor, remittance.center_id)
    money_actor_check(actor, role="maker", what="退缴")
    if remittance.status != RS.POSTED:
        raise DomainError(ErrorCode.REMITTANCE_NOT_POSTED,
                          f"汇缴单 {remittance.pk} 当前状态为「{remittance.get_status_display()}」，只有已入账的汇缴单才能退缴",
                          field="remittance")
    pending = PendingCommand.objects.filter(center_id=remittance.center_id, name=REFUND_COMMAND,
                                            params__remittance_id=remittance.pk,
                                            status=PendingCommand.Status.PENDING).first()
    if pending is not None:
        raise DomainError(ErrorCode.REFUND_PENDING,
                          f"汇缴单 {remittance.pk} 已有待复核的退缴申请（复核单 {pending.pk}），请等待复核",
                          field="remittance")


def remittance_refund_submit(*, remittance: Remittance, reason: str, to: str, actor: Actor, business_date: date) -> Any:
    """The maker's side of 退缴: a stored command a checker approves (approvals app)."""
    _require(actor, remittance.center_id)
    return command_submit(name=REFUND_COMMAND, params={"remittance_id": remittance.pk, "reason": reason, "to": to},
                          actor=actor, center=Center.objects.get(pk=remittance.center_id), business_date=business_date,
                          idempotency_key=f"refund:{remittance.pk}")


def _refund_validate(params: dict[str, Any], actor: Actor, center: Any, business_date: date) -> dict[str, Any]:
    rid = params.get("remittance_id")
    r = Remittance.objects.filter(pk=rid).first() if rid is not None else None
    if r is None or r.status != RS.POSTED:
        raise DomainError(ErrorCode.REMITTANCE_NOT_POSTED, "汇缴单不存在或未入账，不能退缴", field="remittance")
    if not str(params.get("reason", "")).strip():
        raise DomainError(ErrorCode.REASON_REQUIRED, "退缴必须填写原因", field="reason")
    return {**params, "amount": r.total}


def _refund_apply(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    r = remittance_refund(remittance=Remittance.objects.get(pk=params["remittance_id"]), reason=params["reason"],
                          to=params.get("to", "suspense"), actor=actor, business_date=business_date)
    return {"remittance": r.pk, "status": r.status, "total": r.total}


def _confirm_render(command: Any, viewer: Any) -> Summary:
    p = command.params
    rc = Receipt.objects.select_related("employer").filter(center_id=command.center_id, pk=p.get("receipt_id")).first()
    facts = [Fact("银行流水号", str(p.get("bank_ref") or "")), Fact("金额", money(p.get("amount")))]
    links = []
    if rc is not None:
        facts.append(Fact("到账日", rc.value_date.isoformat()))
        if rc.payer_name or rc.payer_account:
            facts.append(Fact("付款人", f"{masked(viewer, command.center_id, 'name', rc.payer_name)} "
                                       f"{masked(viewer, command.center_id, 'bank_card', rc.payer_account)}".strip()))
        if rc.employer is not None:
            facts.append(Fact("缴存单位", f"{rc.employer.account_no} {rc.employer.name}"))
        facts.append(Fact("登记人", rc.created_by))
        r = Remittance.objects.filter(receipt=rc).first()
        if r is not None:
            facts.append(Fact("汇缴单", f"{r.pk}（{r.month[:4]}年{r.month[4:]}月）"))
            if command.status == "applied":
                links.append(Link(f"汇缴单 {r.pk}", reverse("remit:detail", args=[r.pk])))
        if command.status == "applied" and not links:
            links.append(Link("到账待处理", reverse("remit:receipts")))
    return Summary(headline=f"确认手工登记的到账 {money(p.get('amount'))}：确认后入账", facts=facts,
                   changes=[Change("到账状态", "手工登记、待确认", "已确认、入账")], links=links)


def _refund_render(command: Any, viewer: Any) -> Summary:
    p = command.params
    r = Remittance.objects.select_related("employer").filter(center_id=command.center_id,
                                                             pk=p.get("remittance_id")).first()
    to = "转入单位暂存款" if p.get("to", "suspense") == "suspense" else "退回单位银行账户"
    facts = [Fact("退款去向", to), Fact("退缴原因", str(p.get("reason") or "")), Fact("金额", money(p.get("amount")))]
    links = []
    who = ""
    if r is not None:
        who = f"{r.employer.name} {r.month[:4]}年{r.month[4:]}月"
        facts[:0] = [Fact("缴存单位", f"{r.employer.account_no} {r.employer.name}"),
                     Fact("汇缴单", f"{r.pk}（{r.month[:4]}年{r.month[4:]}月，{r.lines} 人）")]
        links.append(Link(f"汇缴单 {r.pk}", reverse("remit:detail", args=[r.pk])))
    return Summary(headline=f"退缴 {who} 的汇缴 {money(p.get('amount'))}，{to}；职工账户中的这笔缴存全部冲回",
                   facts=facts, changes=[Change("汇缴单状态", "已入账", "已退缴")], links=links)


def register_commands() -> None:
    register_renderer(CONFIRM_COMMAND, _confirm_render)
    register_renderer(REFUND_COMMAND, _refund_render)
    register(CONFIRM_COMMAND, apply=_confirm_apply, permission=PERMISSION, validate=_confirm_validate,
             on_reject=_confirm_rejected, amount=lambda p: p.get("amount"), label="确认手工登记到账",
             describe=lambda p: f"确认手工登记的到账：银行流水号 {p.get('bank_ref')}，金额 "
                                f"{format_fen(int(p.get('amount') or 0))} 元（确认后入账）")
    register(REFUND_COMMAND, apply=_refund_apply, permission=PERMISSION, validate=_refund_validate,
             describe=lambda p: f"退缴 汇缴单 #{p.get('remittance_id')}（{p.get('to', 'suspense')}）：{p.get('reason', '')}",
             amount=lambda p: p.get("amount"), label="退缴（错缴更正）")
