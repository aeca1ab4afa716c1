"""Every write to the ledger: chart, periods, journal entries, reversals, sub-accounts and bulk batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from openhpf.audit.services import actor_label, audit_log
from openhpf.core import authz, db
from openhpf.core.actors import Actor, is_system, money_actor_check
from openhpf.core.audit_events import AuditEvent
from openhpf.core.business_date import business_date_check
from openhpf.core.calendar import interest_year
from openhpf.core.codes import BizType
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen

from . import sql
from .calculations import jishu_days, sql_jishu_days
from .chart import CHART, MEMBER_CONTROL
from .models import (
    AccountingPeriod,
    GLAccount,
    JournalEntry,
    JournalLine,
    PostingBatch,
    SubAccount,
    SubLedgerRow,
)


@dataclass(frozen=True)
class Line:
    """One GL line to post: account code and exactly one positive side, in fen."""

    account: str
    debit: int = 0
    credit: int = 0
    memo: str = ""
    bank_ref: str = ""  # on a bank (101/102) line: the bank's or our instruction's reference, for 日终对账


@dataclass(frozen=True)
class SubRow:
    """One member sub-ledger row: signed amounts into 当年归集 / 上年结转, in fen."""

    sub_account_id: int
    amount_current: int = 0
    amount_carried: int = 0
    value_date: date | None = None
    reference: str = ""


# ---------------------------------------------------------------- debit guards

# A debit guard is asked before money leaves member accounts: it gets a Relation yielding the sub_account_id of
# each account a posting takes money from (net, per account) or puts a new hold on, and raises a DomainError to
# refuse. Apps above the ledger register theirs (accounts: a full freeze refuses every debit, whatever came in
# after it); partial freezes and holds are the ledger's own available-balance check.
DebitGuard = Callable[[Relation], None]
_DEBIT_GUARDS: list[DebitGuard] = []


def register_debit_guard(guard: DebitGuard) -> None:
    """Called from an AppConfig.ready(); registering the same guard twice keeps one."""
    if guard not in _DEBIT_GUARDS:
        _DEBIT_GUARDS.append(guard)


def _guard_debits(debited: Relation) -> None:
    for guard in _DEBIT_GUARDS:
        guard(debited)


def _guard_sub_rows(rows: Sequence[SubRow]) -> None:
    """The single-entry path: the accounts whose rows in this entry net to a debit."""
    net: dict[int, int] = {}
    for r in rows:
        net[r.sub_account_id] = net.get(r.sub_account_id, 0) + r.amount_current + r.amount_carried
    ids = sorted(k for k, v in net.items() if v < 0)
    if not _DEBIT_GUARDS:
        return
    for i in range(0, len(ids), _GUARD_CHUNK):  # a batch payment may debit 100,000 accounts: bound the parameters
        part = ids[i:i + _GUARD_CHUNK]
        marks = ", ".join(["%s"] * len(part))
        _guard_debits(Relation(f"SELECT a.id FROM ledger_subaccount a WHERE a.id IN ({marks})", tuple(part)))  # noqa: S608 — placeholders from code; values bound


_GUARD_CHUNK = 500


# ---------------------------------------------------------------- chart and periods


def chart_seed(*, center: Center) -> int:
    """Create the national chart of accounts for a new center (idempotent)."""
    existing = set(GLAccount.objects.filter(center=center).values_list("code", flat=True))
    by_code = {a.code: a for a in GLAccount.objects.filter(center=center)}
    created = 0
    parents = {p for *_, p in CHART if p}
    for code, name, cat, side, parent in CHART:
        if code in existing:
            continue
        by_code[code] = GLAccount.objects.create(
            center=center, code=code, name=name, category=cat, normal_side=side,
            parent=by_code.get(parent) if parent else None, is_leaf=code not in parents,
        )
        created += 1
    return created


SUBACCOUNT_SERIAL_MAX = 99


def gl_subaccount_open(*, center: Center, parent_code: str, name: str, actor: Actor, bank_name: str = "",
                       bank_account_no: str = "", business_date: date | None = None) -> GLAccount:
    """Open a GL sub-account (明细科目) under `parent_code`, e.g. a 101xx 专户 or 定期/通知存款 account, a 102xx
    增值收益存款 account. The one numbering rule: the code is the parent's code and a two-digit serial, one above
    the highest serial in use under that parent (10101 → 10102; a gap is never filled, so a code is never given
    twice), at most 99. The parent is locked while numbering and stops being a leaf. Audited."""
    name = name.strip()
    if not name:
        raise DomainError(ErrorCode.GL_ACCOUNT_NAME, "请填写科目名称", field="name")
    with transaction.atomic():
        parent = GLAccount.objects.select_for_update().filter(center=center, code=parent_code).first()
        if parent is None:
            raise DomainError(ErrorCode.GL_PARENT_UNKNOWN, f"上级科目 {parent_code} 不存在", field="parent_code")
        codes = GLAccount.objects.filter(center=center, parent=parent).values_list("code", flat=True)
        serials = [c[len(parent_code):] for c in codes if c.startswith(parent_code)]
        n = max((int(x) for x in serials if x.isdigit()), default=0) + 1
        if n > SUBACCOUNT_SERIAL_MAX:
            raise DomainError(ErrorCode.GL_SUBACCOUNT_LIMIT, f"科目 {parent_code} 下的明细科目已满 {SUBACCOUNT_SERIAL_MAX} 个",
                              field="parent_code")
        acct = GLAccount.objects.create(
            center=center, code=f"{parent_code}{n:02d}", name=name, category=parent.category,
            normal_side=parent.normal_side, parent=parent, bank_name=bank_name, bank_account_no=bank_account_no,
        )
        if parent.is_leaf:
            parent.is_leaf = False
            parent.save(update_fields=["is_leaf"])
        after = {"code": acct.code, "name": name, "parent": parent_code}
        if bank_account_no:
            after |= {"bank": bank_name, "no": bank_account_no}
        audit_log(actor=actor, action=AuditEvent.LEDGER_GL_ACCOUNT_ADD, obj=acct, center=center,
                  business_date=business_date or center.business_date, after=after)
        return acct


def _open_period(center_id: int, d: date) -> AccountingPeriod:
    """The period for d, locked for the voucher sequence; refuses a closed one."""
    AccountingPeriod.objects.get_or_create(center_id=center_id, year=d.year, month=d.month)
    period = AccountingPeriod.objects.select_for_update().get(center_id=center_id, year=d.year, month=d.month)
    if period.status == AccountingPeriod.Status.CLOSED:
        raise DomainError(
            ErrorCode.PERIOD_CLOSED, f"会计期间 {period.label} 已结账，不能记账；更正请在当前期间做冲正凭证", field="business_date"
        )
    return period


def _check_ledger_actor(actor: Actor, perm: str, center: Any) -> None:
    """Manual postings and reversals are money movements made by people: a system actor is refused as their
    maker, a person needs the ledger permission. The apply of a command a checker approved passes (its maker was
    checked when it was submitted, with the same permission). Period close by a system actor passes."""
    if authz.applying() is not None:
        return
    if perm == "ledger.post_manual":
        money_actor_check(actor, role="maker", what="手工记账或冲正")
    elif is_system(actor):
        return
    authz.check_permission(actor, perm, center=center)


def period_close(*, center: Center, year: int, month: int, actor: Actor) -> AccountingPeriod:
    """Close and lock a month. Earlier periods must be closed first."""
    _check_ledger_actor(actor, "ledger.close_period", center)
    with transaction.atomic():
        if AccountingPeriod.objects.filter(center=center, status=AccountingPeriod.Status.OPEN).filter(
            year__lt=year
        ).exists() or AccountingPeriod.objects.filter(
            center=center, status=AccountingPeriod.Status.OPEN, year=year, month__lt=month
        ).exists():
            raise DomainError(ErrorCode.PERIOD_ORDER, "请先结账更早的会计期间", field="period")
        AccountingPeriod.objects.get_or_create(center=center, year=year, month=month)
        period = AccountingPeriod.objects.select_for_update().get(center=center, year=year, month=month)
        if period.status == AccountingPeriod.Status.CLOSED:
            raise DomainError(ErrorCode.PERIOD_CLOSED, f"会计期间 {period.label} 已结账", field="period")
        label, _ = actor_label(actor)
        period.status = AccountingPeriod.Status.CLOSED
        period.closed_at = timezone.now()
        period.closed_by = label
        period.save(update_fields=["status", "closed_at", "closed_by"])
        audit_log(actor=actor, action=AuditEvent.LEDGER_PERIOD_CLOSE, obj=period, center=center,
                  business_date=center.business_date, before={"status": AccountingPeriod.Status.OPEN.value},
                  after={"status": period.status})
        return period


# ---------------------------------------------------------------- journal entries


def _accounts(center_id: int, codes: Iterable[str]) -> dict[str, GLAccount]:
    codes = set(codes)
    found = {a.code: a for a in GLAccount.objects.filter(center_id=center_id, code__in=codes)}
    missing = codes - set(found)
    if missing:
        raise DomainError(ErrorCode.GL_ACCOUNT_UNKNOWN, f"会计科目不存在：{'、'.join(sorted(missing))}", field="account")
    not_leaf = [c for c, a in found.items() if not a.is_leaf]
    if not_leaf:
        raise DomainError(ErrorCode.GL_ACCOUNT_NOT_LEAF, f"只能记入末级科目：{'、'.join(sorted(not_leaf))}", field="account")
    return found


def _check_lines(lines: Sequence[Line]) -> int:
    if len(lines) < 2:
        raise DomainError(ErrorCode.ENTRY_TOO_FEW_LINES, "记账凭证至少需要一借一贷两条分录", field="lines")
    for i, ln in enumerate(lines, 1):
        if not isinstance(ln.debit, int) or not isinstance(ln.credit, int):
            raise TypeError("amounts are integer fen")
        if (ln.debit > 0) == (ln.credit > 0) or ln.debit < 0 or ln.credit < 0:
            raise DomainError(ErrorCode.LINE_SIDE, f"第 {i} 条分录须且只须借方或贷方一方为正数", row=i, field="amount")
    debit = sum(ln.debit for ln in lines)
    credit = sum(ln.credit for ln in lines)
    if debit != credit:
        raise DomainError(
            ErrorCode.ENTRY_UNBALANCED, f"借贷不平衡：借方 {format_fen(debit)} 元，贷方 {format_fen(credit)} 元", field="lines",
            details={"debit": debit, "credit": credit},
        )
    return debit


def _create_entry(
    *, center_id: int, business_date: date, value_date: date, lines: Sequence[Line], source: str,
    description: str, biz_type: str, actor: Actor, reversal_of: JournalEntry | None = None,
) -> JournalEntry:
    total = _check_lines(lines)
    accounts = _accounts(center_id, (ln.account for ln in lines))
    period = _open_period(center_id, business_date)
    period.voucher_seq += 1
    period.save(update_fields=["voucher_seq"])
    label, _ = actor_label(actor)
    entry = JournalEntry.objects.create(
        center_id=center_id, period=period, voucher_no=f"记-{period.label}-{period.voucher_seq:06d}",
        business_date=business_date, value_date=value_date, source=source, biz_type=biz_type,
        description=description[:200], total=total, reversal_of=reversal_of, created_by=label,
    )
    JournalLine.objects.bulk_create(
        [
            JournalLine(entry=entry, line_no=i, account=accounts[ln.account], debit=ln.debit, credit=ln.credit,
                        memo=ln.memo[:200], bank_ref=ln.bank_ref[:60])
            for i, ln in enumerate(lines, 1)
        ]
    )
    return entry


def _member_control_net(lines: Sequence[Line]) -> int:
    return sum(ln.credit - ln.debit for ln in lines if ln.account == MEMBER_CONTROL)


def entry_post(
    *, center: Center, business_date: date, lines: Sequence[Line], source: str, description: str, actor: Actor,
    biz_type: str = "", value_date: date | None = None, sub_rows: Sequence[SubRow] = (),
    reversal_of: JournalEntry | None = None, settles_hold: bool = False,
) -> JournalEntry:
    """Post one balanced entry, with its member sub-ledger rows when it touches 201.

    The 201 lines must equal the sub-ledger rows' total, so the control account can never drift from the
    member balances (invariant 2). Accounts the rows take money from pass the registered debit guards, except
    with `settles_hold`: the debit settles a hold the caller has just released, which the guards passed when it
    was placed (a payment the bank has made)."""
    if source == "manual":
        _check_ledger_actor(actor, "ledger.post_manual", center)
    _check_lines(lines)
    business_date_check(center, business_date)
    with transaction.atomic():
        sub_total = sum(r.amount_current + r.amount_carried for r in sub_rows)
        if _member_control_net(lines) != sub_total:
            raise DomainError(
                ErrorCode.CONTROL_MISMATCH, f"住房公积金科目发生额与个人明细合计不符（{format_fen(_member_control_net(lines))} ≠ {format_fen(sub_total)} 元）",
                field="lines",
            )
        entry = _create_entry(
            center_id=center.pk, business_date=business_date, value_date=value_date or business_date, lines=lines,
            source=source, description=description, biz_type=biz_type, actor=actor, reversal_of=reversal_of,
        )
        if sub_rows:
            if not settles_hold:
                _guard_sub_rows(sub_rows)
            _post_sub_rows(center_id=center.pk, entry=entry, biz_type=biz_type or BizType.OTHER,
                           business_date=business_date, rows=sub_rows)
        audit_log(actor=actor, action=AuditEvent.LEDGER_ENTRY_POST, obj=entry, center=center, business_date=business_date,
                  after={"voucher_no": entry.voucher_no, "total": entry.total, "source": source,
                         "lines": [[ln.account, ln.debit, ln.credit] for ln in lines], "sub_rows": len(sub_rows)})
        return entry


def _post_sub_rows(*, center_id: int, entry: JournalEntry | None, biz_type: str, business_date: date,
                   rows: Sequence[SubRow]) -> list[SubLedgerRow]:
    """The single-item path: lock the accounts in primary-key order, apply in Python, write rows."""
    ys, ye = interest_year(business_date)
    ids = sorted({r.sub_account_id for r in rows})
    subs = {s.pk: s for s in SubAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    out = []
    for i, r in enumerate(rows, 1):
        sub = subs.get(r.sub_account_id)
        if sub is None or sub.center_id != center_id:
            raise DomainError(ErrorCode.SUB_ACCOUNT_UNKNOWN, f"个人分户账 {r.sub_account_id} 不存在", row=i, field="account")
        if sub.year_start != ys:
            raise DomainError(ErrorCode.YEAR_NOT_ROLLED, f"账户 {sub.account_no} 尚未完成 {ys.year - 1} 年度结息结转", row=i)
        vd = r.value_date or business_date
        if vd < ys:  # that interest year is settled: counting from 7/1 would lose its days silently
            raise DomainError(ErrorCode.VALUE_DATE_BEFORE_YEAR, value_date=vd, year_start=ys, row=i, field="value_date")
        days = jishu_days(vd, ys, ye)
        sub.balance_current += r.amount_current
        sub.balance_carried += r.amount_carried
        sub.jishu_current += r.amount_current * days
        sub.jishu_carried += r.amount_carried * days
        if sub.balance_current < 0 or sub.balance_carried < 0 or sub.available < 0:
            raise DomainError(ErrorCode.INSUFFICIENT_BALANCE, f"账户 {sub.account_no} 可用余额不足", row=i, field="amount")
        out.append(SubLedgerRow(
            sub_account=sub, entry=entry, biz_type=biz_type, business_date=business_date, value_date=vd,
            amount=r.amount_current + r.amount_carried, amount_current=r.amount_current,
            amount_carried=r.amount_carried, balance_after=sub.balance, reference=r.reference[:40],
        ))
    SubAccount.objects.bulk_update(
        list(subs.values()), ["balance_current", "balance_carried", "jishu_current", "jishu_carried"]
    )
    return SubLedgerRow.objects.bulk_create(out)


def entry_reverse(*, entry: JournalEntry, business_date: date, actor: Actor, reason: str) -> JournalEntry:
    """冲正: a new entry with every line's sides swapped, and every sub-ledger row negated with its original
    value date (so 积数 is corrected back to that day). The original stays as it was."""
    _check_ledger_actor(actor, "ledger.post_manual", entry.center_id)
    if not reason.strip():
        raise DomainError(ErrorCode.REASON_REQUIRED, "冲正必须填写原因", field="reason")
    with transaction.atomic():
        original = JournalEntry.objects.select_for_update().get(pk=entry.pk)
        if original.reversal_of_id is not None:
            raise DomainError(ErrorCode.REVERSE_A_REVERSAL, "冲正凭证不能再被冲正", field="entry")
        if JournalEntry.objects.filter(reversal_of=original).exists():
            raise DomainError(ErrorCode.ALREADY_REVERSED, f"凭证 {original.voucher_no} 已被冲正", field="entry")
        lines = [Line(account=ln.account.code, debit=ln.credit, credit=ln.debit, memo=f"冲正 {ln.memo}")
                 for ln in original.lines.select_related("account").order_by("line_no")]
        sub_rows = [
            SubRow(sub_account_id=r.sub_account_id, amount_current=-r.amount_current, amount_carried=-r.amount_carried,
                   value_date=r.value_date, reference=f"冲{r.pk}")
            for r in SubLedgerRow.objects.filter(entry=original).order_by("id")
        ]
        rev = entry_post(
            center=original.center, business_date=business_date, lines=lines, source=original.source,
            description=f"冲正 {original.voucher_no}：{reason}", actor=actor, biz_type=original.biz_type,
            value_date=original.value_date, sub_rows=sub_rows, reversal_of=original,
        )
        return rev


# ---------------------------------------------------------------- member sub-accounts


def subaccount_open(*, center: Center, account_no: str, business_date: date) -> SubAccount:
    """The balance record behind a new member account (called by the accounts app's account_open)."""
    ys, _ = interest_year(business_date)
    return SubAccount.objects.create(center=center, account_no=account_no, year_start=ys)


def subaccount_event(*, sub_account: SubAccount, biz_type: str, business_date: date, reference: str = "") -> SubLedgerRow:
    """A non-money detail row (开户, 封存, 启封, 冻结, 解冻…): amount 0, running balance unchanged."""
    sub = SubAccount.objects.get(pk=sub_account.pk)
    return SubLedgerRow.objects.create(
        sub_account=sub, entry=None, biz_type=biz_type, business_date=business_date, value_date=business_date,
        amount=0, amount_current=0, amount_carried=0, balance_after=sub.balance, reference=reference[:40],
    )


def subaccount_merge_jishu(*, source: SubAccount, target: SubAccount) -> int:
    """个人账户合并: the 积数 the source account earned this interest year moves to the target with its balance
    (the caller has posted the balance out with today's value date, so what is left on the source is the days
    already past). Both sides keep 积数 = base + Σ detail rows (hpf verify): the base absorbs the move.
    Returns the 积数 moved (当年 + 上年)."""
    ids = sorted({source.pk, target.pk})
    subs = {s.pk: s for s in SubAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    src, dst = subs[source.pk], subs[target.pk]
    if src.year_start != dst.year_start:
        raise DomainError(ErrorCode.YEAR_NOT_ROLLED, f"账户 {src.account_no} 与 {dst.account_no} 的计息年度不同，请先完成年度结转")
    jc, jk = src.jishu_current, src.jishu_carried
    dst.jishu_current += jc
    dst.jishu_base_current += jc
    dst.jishu_carried += jk
    dst.jishu_base_carried += jk
    src.jishu_current = src.jishu_carried = 0
    src.jishu_base_current -= jc
    src.jishu_base_carried -= jk
    fields = ["jishu_current", "jishu_carried", "jishu_base_current", "jishu_base_carried"]
    SubAccount.objects.bulk_update([src, dst], fields)
    return jc + jk


def subaccount_set_reserves(*, sub_account: SubAccount, frozen_amount: int | None = None,
                            hold_delta: int = 0) -> SubAccount:
    """Set the frozen amount and/or move the hold; refuses anything that would make available negative."""
    sub = SubAccount.objects.select_for_update().get(pk=sub_account.pk)
    if hold_delta > 0:  # a new hold is a debit promised: the guards refuse it now, not when the bank has paid
        _guard_debits(Relation("SELECT a.id FROM ledger_subaccount a WHERE a.id = %s", (sub.pk,)))
    if frozen_amount is not None:
        if frozen_amount < 0:
            raise DomainError(ErrorCode.FREEZE_AMOUNT, "冻结金额不能为负数", field="amount")
        sub.frozen_amount = frozen_amount
    sub.hold_amount += hold_delta
    if sub.hold_amount < 0:
        raise DomainError(ErrorCode.HOLD_NEGATIVE, "释放的预留金额超过已预留金额", field="amount")
    if sub.available < 0:
        raise DomainError(ErrorCode.INSUFFICIENT_BALANCE, f"账户 {sub.account_no} 可用余额不足", field="amount")
    sub.save(update_fields=["frozen_amount", "hold_amount"])
    return sub


# ---------------------------------------------------------------- bulk batches

STAGE_COLUMNS = ("ord", "sub_account_id", "amount_current", "amount_carried", "value_date", "reference")


def batch_create(
    *, center: Center, key: str, biz_type: str, business_date: date, counter_account: str, description: str,
    actor: Actor, bank_ref: str = "",
) -> PostingBatch:
    """Start (or find again, by key) a bulk posting. Its rows go to a stage table of its own. `bank_ref`: the
    bank reference carried on the counter line when the counter account is a bank account (日终对账)."""
    with transaction.atomic():
        existing = PostingBatch.objects.filter(key=key).first()
        if existing is not None:
            return existing
        business_date_check(center, business_date)
        counter = _accounts(center.pk, [counter_account])[counter_account]
        label, _ = actor_label(actor)
        batch = PostingBatch.objects.create(
            center=center, key=key, biz_type=biz_type, business_date=business_date, counter_account=counter,
            description=description[:200], created_by=label, bank_ref=bank_ref[:60],
        )
        db.create_staging_table(batch.stage_table, [
            "ord BIGINT NOT NULL", "sub_account_id BIGINT NOT NULL", "amount_current BIGINT NOT NULL",
            "amount_carried BIGINT NOT NULL", "value_date DATE NOT NULL", "reference VARCHAR(40) NOT NULL"])
        return batch


def batch_stage(
    *, batch: PostingBatch, rows: Iterable[SubRow | tuple], progress: Callable[[int], None] | None = None,
    chunk: int = 100_000,
) -> int:
    """Stream rows into the batch's stage table in committed chunks. Resumable: rows already staged (by count)
    are skipped, so re-running with the same deterministic input continues where a crash stopped it."""
    batch.refresh_from_db()
    if batch.status != PostingBatch.Status.STAGING:
        return batch.rows_staged
    present = sql.fetch(f"SELECT COUNT(*) FROM {batch.stage_table}")[0][0]  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
    default_vd = batch.business_date.isoformat()
    n = 0
    buf: list[tuple] = []
    seen: set[int] | None = set() if present == 0 else None  # a resumed stage cannot know what came before
    unique = present == 0

    def flush() -> None:
        with transaction.atomic():
            sql.bulk_insert(batch.stage_table, STAGE_COLUMNS, buf)
            PostingBatch.objects.filter(pk=batch.pk).update(rows_staged=n)
        if progress:
            progress(len(buf))
        buf.clear()

    for r in rows:
        n += 1
        if n <= present:
            continue
        if isinstance(r, SubRow):
            r = (r.sub_account_id, r.amount_current, r.amount_carried, r.value_date, r.reference)
        sid, cur, car, vd, ref = r
        if seen is not None:
            if sid in seen:
                unique, seen = False, None
            else:
                seen.add(sid)
        buf.append((n, sid, cur, car, vd.isoformat() if vd else default_vd, ref or ""))
        if len(buf) >= chunk:
            flush()
    if buf:
        flush()
    batch.rows_staged = max(n, present)
    batch.unique_accounts = unique if present == 0 else None
    PostingBatch.objects.filter(pk=batch.pk).update(unique_accounts=batch.unique_accounts)
    return batch.rows_staged


def batch_apply(*, batch: PostingBatch, actor: Actor, closes_year: bool = False,
                value_date: date | None = None) -> PostingBatch:
    """Post the staged rows at once: validate in SQL, write the sub-ledger with running balances, move
    balances and 积数 set-based, post one balanced GL entry (counter account ↔ 201). Runs once (idempotent).

    closes_year: the batch is the year-end settlement, which empties every 当年归集 it moves. Where the apply
    updates each account once in one statement (PostgreSQL, each account once in the batch), it then also opens
    the next interest year of each moved account whose 当年归集 ends at zero, in that same update: a second
    update of a million accounts in the same transaction would find no room left on their pages and write a
    new row version and index entries for each. `subaccounts_year_roll` afterwards rolls whatever is left
    (and refuses an account whose 当年归集 is not zero); elsewhere it rolls them all.

    value_date: the batch's value date when it is not its business date (a year-end settlement posted late, in
    the open period after 6/30): the GL entry carries it, and the rows are checked against its interest year."""
    return _batch_apply(batch, actor, closes_year=closes_year, value_date=value_date)


def batch_apply_from(*, batch: PostingBatch, actor: Actor, source: Relation,
                     unique_accounts: bool | None = None) -> PostingBatch:
    """batch_apply straight from a SELECT (a Relation made by the app whose rows it reads) yielding the stage
    columns (ord, sub_account_id, amount_current, amount_carried, value_date, reference), for rows already
    committed in the caller's own tables: nothing is copied into the stage table first (it is dropped unused).
    Same checks, effects and idempotence; the SELECT must return the same rows every time it runs inside this transaction (the caller locks them).
    unique_accounts: True when no account appears twice (None: checked in SQL; a wrong True is caught and
    posted the general way)."""
    return _batch_apply(batch, actor, source_sql=source.sql, params=source.params, unique_accounts=unique_accounts)


class _RowsMismatch(Exception):
    """The set-based apply moved fewer rows than the batch holds (rolled back to its savepoint)."""


def _batch_apply(batch: PostingBatch, actor: Actor, *, closes_year: bool = False, source_sql: str | None = None,
                 params: Sequence[Any] = (),
                 unique_accounts: bool | None = None, value_date: date | None = None) -> PostingBatch:
    with transaction.atomic():
        batch = PostingBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == PostingBatch.Status.POSTED:
            return batch
        staged = source_sql is None
        src = batch.stage_table if staged else f"({source_sql})"
        sp = [] if staged else list(params)
        ys, ye = interest_year(value_date or batch.business_date)
        vendor = db.vendor()
        db.local_work_mem("256MB")  # sorts and hash aggregates over a million rows stay in memory
        db.jit_off()  # compiling these one-off statements costs more than it saves
        if staged:
            db.analyze(src)
        count, total, debits = sql.fetch(
            "SELECT COUNT(*), COALESCE(SUM(s.amount_current + s.amount_carried), 0), "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
            f"COALESCE(SUM(CASE WHEN s.amount_current + s.amount_carried < 0 THEN 1 ELSE 0 END), 0) FROM {src} s",
            sp)[0]
        count, total = int(count), int(total)  # PostgreSQL sums bigint as numeric
        if int(debits) and _DEBIT_GUARDS and not closes_year:  # the year's interest is no debit of the member
            _guard_debits(Relation(
                f"SELECT s.sub_account_id FROM {src} s GROUP BY s.sub_account_id "  # noqa: S608 — stage table or a Relation's SQL from code; values bound
                "HAVING SUM(s.amount_current + s.amount_carried) < 0", tuple(sp)))
        if count == 0:
            raise DomainError(ErrorCode.BATCH_EMPTY, "批量记账没有任何明细", field="rows")
        if total == 0:
            raise DomainError(ErrorCode.BATCH_ZERO, "批量记账净额为零，无法生成总账凭证", field="rows")
        control = MEMBER_CONTROL
        counter = batch.counter_account.code
        lines = (
            [Line(counter, debit=total, bank_ref=batch.bank_ref), Line(control, credit=total)] if total > 0
            else [Line(control, debit=-total), Line(counter, credit=-total, bank_ref=batch.bank_ref)]
        )
        entry = _create_entry(
            center_id=batch.center_id, business_date=batch.business_date, value_date=value_date or batch.business_date,
            lines=lines, source=f"batch:{batch.key}"[:60], description=batch.description, biz_type=batch.biz_type,
            actor=actor,
        )
        unique = batch.unique_accounts if staged else unique_accounts
        if unique is None:
            unique = not sql.fetch(f"SELECT 1 FROM {src} s GROUP BY s.sub_account_id HAVING COUNT(*) > 1 LIMIT 1", sp)  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
        # every row's account must exist in the center, be in this interest year, and the value date inside it:
        # the apply itself joins on these conditions, so a row failing them is a row not moved (checked below)
        ok = "a.center_id = %s AND a.year_start = %s AND s.value_date BETWEEN %s AND %s"
        ok_params = [batch.center_id, ys, ys, ye]
        head = [entry.pk, batch.biz_type, batch.business_date]
        scratch = f"ledger_apply_{batch.pk}"
        try:
            try:
                with transaction.atomic():
                    if _apply_rows(src, sp, ok, ok_params, head, unique, vendor, ys, ye, scratch, staged,
                                   closes_year) != count:
                        raise _RowsMismatch
            except _RowsMismatch:
                _raise_bad_rows(src, sp, batch.center_id, ys, ye)
                if not unique:  # pragma: no cover (every row joined, so every row moved)
                    raise DomainError(ErrorCode.BATCH_ROWS, "批量记账明细与账户不符", field="rows") from None
                # declared unique, yet an account repeats: post it the general way (running balances per row)
                with transaction.atomic():
                    if _apply_rows(src, sp, ok, ok_params, head, False, vendor, ys, ye, scratch,  # pragma: no cover
                                   staged) != count:
                        raise DomainError(ErrorCode.BATCH_ROWS, "批量记账明细与账户不符", field="rows") from None
        except IntegrityError:
            short = sql.fetch(
                f"SELECT a.account_no FROM ledger_subaccount a JOIN (SELECT s.sub_account_id, SUM(s.amount_current) c, "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
                f"SUM(s.amount_carried) k FROM {src} s GROUP BY s.sub_account_id) g ON g.sub_account_id = a.id "
                f"WHERE a.balance_current + g.c < 0 OR a.balance_carried + g.k < 0 OR "
                f"a.balance_current + g.c + a.balance_carried + g.k - a.frozen_amount - a.hold_amount < 0 LIMIT 10", sp
            )
            raise DomainError(
                ErrorCode.INSUFFICIENT_BALANCE, f"以下账户可用余额不足：{'、'.join(r[0] for r in short)}", field="amount"
            ) from None
        batch.status = PostingBatch.Status.POSTED
        batch.rows_posted = count
        if not staged:
            batch.rows_staged = count
        batch.total_amount = total
        batch.entry = entry
        batch.posted_at = timezone.now()
        batch.save(update_fields=["status", "rows_staged", "rows_posted", "total_amount", "entry", "posted_at"])
        sql.execute(f"DROP TABLE {batch.stage_table}")
        audit_log(actor=actor, action=AuditEvent.LEDGER_BATCH_POST, obj=batch, center=batch.center_id,
                  business_date=batch.business_date,
                  after={"key": batch.key, "rows": count, "total": total, "voucher_no": entry.voucher_no})
        return batch


def _jishu_moved(days: str) -> str:
    """SET clause: the 积数 of a posting of `s` dated `days` before the interest year ends."""
    return (f"jishu_current = a.jishu_current + s.amount_current * {days}, "
            f"jishu_carried = a.jishu_carried + s.amount_carried * {days}")


def _jishu_or_roll(days: str, ye: date) -> str:
    """SET clause of the year-end settlement: an account whose 当年归集 ends at zero opens the next interest
    year (上年结转 × the next year's days as its 积数, like subaccounts_year_roll); any other keeps the year and
    gets the posting's 积数 (the roll refuses it afterwards)."""
    new_start = ye + timedelta(days=1)
    new_days = (interest_year(new_start)[1] - new_start).days + 1
    empty = "a.balance_current + s.amount_current = 0"
    rolled = f"(a.balance_carried + s.amount_carried) * {int(new_days)}"
    return (f"year_start = CASE WHEN {empty} THEN DATE '{new_start.isoformat()}' ELSE a.year_start END, "
            f"jishu_base_current = CASE WHEN {empty} THEN 0 ELSE a.jishu_base_current END, "
            f"jishu_current = CASE WHEN {empty} THEN 0 ELSE a.jishu_current + s.amount_current * {days} END, "
            f"jishu_base_carried = CASE WHEN {empty} THEN {rolled} ELSE a.jishu_base_carried END, "
            f"jishu_carried = CASE WHEN {empty} THEN {rolled} ELSE a.jishu_carried + s.amount_carried * {days} END")


_SUBLEDGER_COLUMNS = ("sub_account_id, entry_id, biz_type, business_date, value_date, amount, amount_current, "
                      "amount_carried, balance_after, reference")


def _apply_rows(src: str, sp: list[Any], ok: str, ok_params: list[Any], head: list[Any], unique: bool, vendor: str,
                ys: date, ye: date, scratch: str, staged: bool = False, closes_year: bool = False) -> int:
    """Write the sub-ledger rows and move balances and 积数 of the rows of `src` whose account passes `ok`;
    returns how many rows were moved (the caller compares it with the batch's count).

    A million accounts are touched in account order, never in the order the rows came: the accounts' pages
    (and the sub-ledger's account index) are then walked once from end to end instead of at random, which is
    most of the cost of a posting on both databases."""
    days = sql_jishu_days(vendor, "s.value_date", ys, ye)
    if vendor == "postgresql":
        prev = sql.fetch("SELECT current_setting('enable_hashjoin')")[0][0]
        # a hash join would update the accounts in the rows' order (random pages); a merge join over the
        # accounts' primary key updates them in place, page after page
        sql.execute("SELECT set_config('enable_hashjoin', 'off', true)")  # undone with the savepoint on error
        if unique:
            # one pass over the accounts: the balance update returns each new balance to the sub-ledger insert
            n = sql.execute(
                "WITH moved AS (UPDATE ledger_subaccount AS a SET "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
                "balance_current = a.balance_current + s.amount_current, "
                "balance_carried = a.balance_carried + s.amount_carried, "
                f"{_jishu_or_roll(days, ye) if closes_year else _jishu_moved(days)} "
                f"FROM {src} AS s WHERE a.id = s.sub_account_id AND {ok} "
                "RETURNING s.sub_account_id, s.value_date, s.amount_current, s.amount_carried, s.reference, "
                "a.balance_current + a.balance_carried AS balance_after) "
                f"INSERT INTO ledger_subledgerrow ({_SUBLEDGER_COLUMNS}) "
                "SELECT sub_account_id, %s, %s, %s, value_date, amount_current + amount_carried, amount_current, "
                "amount_carried, balance_after, reference FROM moved",
                [*sp, *ok_params, *head])
        else:
            n = _apply_rows_general(src, sp, ok, ok_params, head, days)
        sql.execute("SELECT set_config('enable_hashjoin', %s, true)", [prev])
        return n
    if not unique:
        return _apply_rows_general(src, sp, ok, ok_params, head, days)
    if staged and _stage_in_account_order(src):
        # the stage already holds the rows in account order (a cut-over's or the interest settlement's batch, staged
        # from the accounts themselves): reading it beside the accounts directly spares the scratch copy below
        n = sql.execute(
            f"INSERT INTO ledger_subledgerrow ({_SUBLEDGER_COLUMNS}) "  # noqa: S608 — stage table and 积数 days SQL from code; values bound
            "SELECT s.sub_account_id, %s, %s, %s, s.value_date, s.amount_current + s.amount_carried, s.amount_current, "
            "s.amount_carried, a.balance_current + a.balance_carried + s.amount_current + s.amount_carried, "
            f"s.reference FROM {src} s JOIN ledger_subaccount a ON a.id = s.sub_account_id WHERE {ok}",
            [*head, *ok_params])
        moved = sql.execute(
            "UPDATE ledger_subaccount AS a SET balance_current = a.balance_current + s.amount_current, "  # noqa: S608 — stage table and 积数 days SQL from code; values bound
            "balance_carried = a.balance_carried + s.amount_carried, "
            f"jishu_current = a.jishu_current + s.amount_current * {days}, "
            f"jishu_carried = a.jishu_carried + s.amount_carried * {days} FROM {src} s "
            "WHERE a.id = s.sub_account_id")
        return n if moved == n else -1
    # SQLite: the rows go into a scratch table keyed by account (its rowid), in account order; the insert and
    # the update then read it and the accounts side by side. A repeated account is left out (OR IGNORE), so
    # fewer rows move and the caller posts the batch the general way.
    sql.execute(f"DROP TABLE IF EXISTS temp.{scratch}")
    sql.execute(f"CREATE TEMP TABLE {scratch} (sub_account_id INTEGER PRIMARY KEY, amount_current INTEGER NOT NULL, "
                "amount_carried INTEGER NOT NULL, value_date TEXT NOT NULL, reference TEXT NOT NULL, "
                "days INTEGER NOT NULL)")
    sql.execute(f"INSERT OR IGNORE INTO temp.{scratch} SELECT s.sub_account_id, s.amount_current, s.amount_carried, "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
                f"s.value_date, s.reference, {days} FROM {src} s ORDER BY s.sub_account_id", sp)
    n = sql.execute(
        f"INSERT INTO ledger_subledgerrow ({_SUBLEDGER_COLUMNS}) "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
        "SELECT s.sub_account_id, %s, %s, %s, s.value_date, s.amount_current + s.amount_carried, s.amount_current, "
        "s.amount_carried, a.balance_current + a.balance_carried + s.amount_current + s.amount_carried, s.reference "
        f"FROM temp.{scratch} s JOIN ledger_subaccount a ON a.id = s.sub_account_id WHERE {ok}",
        [*head, *ok_params])
    moved = sql.execute(
        "UPDATE ledger_subaccount AS a SET balance_current = a.balance_current + s.amount_current, "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
        "balance_carried = a.balance_carried + s.amount_carried, "
        "jishu_current = a.jishu_current + s.amount_current * s.days, "
        f"jishu_carried = a.jishu_carried + s.amount_carried * s.days FROM temp.{scratch} s "
        "WHERE a.id = s.sub_account_id")
    sql.execute(f"DROP TABLE temp.{scratch}")  # on an error the savepoint's rollback takes it away
    return n if moved == n else -1


def _stage_in_account_order(table: str) -> bool:
    """SQLite: the stage table's rows, in the order they were written, name strictly ascending accounts (so
    each account once). One pass over the table, each row beside the next by rowid."""
    return not sql.fetch(f"SELECT 1 FROM {table} s JOIN {table} t ON t.rowid = s.rowid + 1 "  # noqa: S608 — stage table and 积数 days SQL from code; values bound
                         "WHERE t.sub_account_id <= s.sub_account_id LIMIT 1")


def _apply_rows_general(src: str, sp: list[Any], ok: str, ok_params: list[Any], head: list[Any], days: str) -> int:
    """Any batch, an account in it any number of times: running balances by a window over each account's rows
    in their order, the balances moved by the sum per account."""
    n = sql.execute(
        f"INSERT INTO ledger_subledgerrow ({_SUBLEDGER_COLUMNS}) "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
        f"SELECT s.sub_account_id, %s, %s, %s, s.value_date, s.amount_current + s.amount_carried, "
        f"s.amount_current, s.amount_carried, a.balance_current + a.balance_carried + "
        "SUM(s.amount_current + s.amount_carried) OVER (PARTITION BY s.sub_account_id ORDER BY s.ord "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), s.reference "
        f"FROM {src} s JOIN ledger_subaccount a ON a.id = s.sub_account_id WHERE {ok} "
        "ORDER BY s.sub_account_id, s.ord",
        [*head, *sp, *ok_params],
    )
    sql.execute(
        "UPDATE ledger_subaccount AS a SET balance_current = a.balance_current + g.c, "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
        "balance_carried = a.balance_carried + g.k, jishu_current = a.jishu_current + g.jc, "
        "jishu_carried = a.jishu_carried + g.jk FROM "
        f"(SELECT s.sub_account_id, SUM(s.amount_current) AS c, SUM(s.amount_carried) AS k, "
        f"SUM(s.amount_current * {days}) AS jc, SUM(s.amount_carried * {days}) AS jk FROM {src} s "
        "GROUP BY s.sub_account_id) AS g WHERE a.id = g.sub_account_id",
        sp,
    )
    return n


def _raise_bad_rows(src: str, sp: list[Any], center_id: int, ys: date, ye: date) -> None:
    """The first rows an apply could not move, as the DomainError of the first one (nothing, if none)."""
    bad = sql.fetch(
        f"SELECT s.ord, s.sub_account_id, a.id, a.center_id, a.year_start, s.value_date FROM {src} s "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
        f"LEFT JOIN ledger_subaccount a ON a.id = s.sub_account_id "
        f"WHERE a.id IS NULL OR a.center_id <> %s OR a.year_start <> %s OR s.value_date > %s OR s.value_date < %s "
        "ORDER BY s.ord LIMIT 20",
        [*sp, center_id, ys, ye, ys],
    )
    if not bad:
        return
    ord_, sid, aid, cid, y, vd = bad[0]
    if aid is None or cid != center_id:
        raise DomainError(ErrorCode.SUB_ACCOUNT_UNKNOWN, f"第 {ord_} 行：个人分户账 {sid} 不存在", row=ord_)
    if str(y) != ys.isoformat():
        raise DomainError(ErrorCode.YEAR_NOT_ROLLED, f"第 {ord_} 行：账户尚未完成上年度结息结转", row=ord_)
    if str(vd) < ys.isoformat():
        raise DomainError(ErrorCode.VALUE_DATE_BEFORE_YEAR, f"第 {ord_} 行：{ErrorCode.VALUE_DATE_BEFORE_YEAR.render(value_date=vd, year_start=ys)}",
                          row=ord_, field="value_date")
    raise DomainError(ErrorCode.VALUE_DATE_AFTER_YEAR, f"第 {ord_} 行：起息日晚于本计息年度末 {ye}", row=ord_)


def batch_post(
    *, center: Center, key: str, biz_type: str, business_date: date, counter_account: str, description: str,
    rows: Iterable[SubRow | tuple], actor: Actor, progress: Callable[[int], None] | None = None,
) -> PostingBatch:
    """Create, stage and apply in one call (resumable and idempotent by key)."""
    batch = batch_create(center=center, key=key, biz_type=biz_type, business_date=business_date,
                         counter_account=counter_account, description=description, actor=actor)
    if batch.status == PostingBatch.Status.POSTED:
        return batch
    batch_stage(batch=batch, rows=rows, progress=progress)
    return batch_apply(batch=batch, actor=actor)


# ---------------------------------------------------------------- set-based entry points for bulk loaders
# Other apps' bulk work (the legacy cut-over, remittances, interest, base adjustment) hands the ledger a
# Relation: a SELECT over the caller's own tables and published views, made by code with its values bound
# (core.db); never a str. The ledger alone writes its tables. Each SELECT must name its columns as documented.


def subaccounts_open_from(*, center: Center, year_start: date, source: Relation) -> int:
    """Open sub-accounts in bulk. `source` yields account_no, jishu_base_current, jishu_base_carried
    (积数 brought over for the part of the interest year before the first posting)."""
    if interest_year(year_start)[0] != year_start:
        raise DomainError(ErrorCode.YEAR_START, f"计息年度起日应为7月1日：{year_start}", field="year_start")
    return sql.execute(
        "INSERT INTO ledger_subaccount (center_id, account_no, balance_current, balance_carried, frozen_amount, "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
        "hold_amount, year_start, jishu_current, jishu_carried, jishu_base_current, jishu_base_carried) "
        "SELECT %s, x.account_no, 0, 0, 0, 0, %s, x.jishu_base_current, x.jishu_base_carried, "
        f"x.jishu_base_current, x.jishu_base_carried FROM ({source.sql}) x",
        [center.pk, year_start, *source.params],
    )


def subaccounts_check_references(*, center: Center) -> list[str]:
    """The foreign keys of the center's sub-accounts, checked set-based (after a bulk load that ran with
    `db.bulk_load_unchecked`): "table.column" for each key with a row pointing at nothing."""
    return db.check_foreign_keys(SubAccount, "t.center_id = %s", [center.pk])


def batch_stage_from(*, batch: PostingBatch, source: Relation, unique_accounts: bool | None = None) -> int:
    """Stage a batch straight from a SELECT yielding ord, sub_account_id, amount_current, amount_carried,
    value_date, reference (one statement, no round trip through Python). Replaces anything staged before."""
    with transaction.atomic():
        batch = PostingBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != PostingBatch.Status.STAGING:
            raise DomainError(ErrorCode.BATCH_NOT_STAGING, f"批量记账 {batch.key} 已不在暂存状态", field="batch")
        sql.execute(f"DELETE FROM {batch.stage_table}")  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
        n = sql.execute(f"INSERT INTO {batch.stage_table} ({', '.join(STAGE_COLUMNS)}) {source.sql}", source.params)
        batch.rows_staged = n
        batch.unique_accounts = unique_accounts
        batch.save(update_fields=["rows_staged", "unique_accounts"])
        return n


def subaccounts_analyze(*, detail_rows: bool = False) -> None:
    """Fresh planner statistics of the sub-accounts (and, with detail_rows, their detail rows) after a bulk load
    inside the caller's transaction, so the statements that follow are planned for the rows really there
    (PostgreSQL; autovacuum cannot see uncommitted rows)."""
    db.analyze("ledger_subaccount", *(["ledger_subledgerrow"] if detail_rows else []))


def subaccounts_freeze_from(*, center: Center, source: Relation) -> int:
    """Set frozen amounts in bulk from a SELECT yielding account_no, frozen_amount. The table's checks refuse
    a frozen amount beyond the available balance (the whole statement then fails)."""
    try:
        with transaction.atomic():
            return sql.execute(
                "UPDATE ledger_subaccount SET frozen_amount = f.frozen_amount "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
                f"FROM ({source.sql}) AS f WHERE ledger_subaccount.account_no = f.account_no "
                "AND ledger_subaccount.center_id = %s",
                [*source.params, center.pk],
            )
    except IntegrityError:
        raise DomainError(ErrorCode.FREEZE_AMOUNT, "冻结金额超过可用余额", field="frozen_amount") from None


def subaccounts_hold_from(*, source: Relation) -> int:
    """Move holds in bulk from a SELECT yielding sub_account_id, delta (each account once): a positive delta
    is a new hold, which passes the debit guards first; the table's checks refuse any account whose available
    balance would go negative (the whole statement then fails, nothing held)."""
    _guard_debits(Relation(f"SELECT h.sub_account_id FROM ({source.sql}) h WHERE h.delta > 0",  # noqa: S608 — a Relation's SQL from code; values bound
                           source.params))
    try:
        with transaction.atomic():
            return sql.execute(
                "UPDATE ledger_subaccount SET hold_amount = ledger_subaccount.hold_amount + h.delta "  # noqa: S608 — a Relation's SQL from code; values bound
                f"FROM ({source.sql}) AS h WHERE ledger_subaccount.id = h.sub_account_id",
                list(source.params))
    except IntegrityError:
        raise DomainError(ErrorCode.INSUFFICIENT_BALANCE, "预留金额超过可用余额，或释放超过已预留金额",
                          field="amount") from None


def subaccounts_year_roll(*, center: Center, year_start: date, actor: Actor) -> int:
    """Open the next interest year for every sub-account of the center still in `year_start`'s year: the
    当年归集 balance has been moved into 上年结转 by the settlement rows (type 09), so the new year's 积数 is
    the opening balance × the days of the new year. Set-based; refuses while a 当年归集 balance remains.
    Accounts the settlement batch already rolled (batch_apply closes_year) are left as they are. Returns how
    many of the center's accounts are in the new year."""
    ys, ye = interest_year(year_start)
    new_start = ye + timedelta(days=1)
    new_days = (interest_year(new_start)[1] - new_start).days + 1
    with transaction.atomic():
        left = sql.fetch(
            "SELECT account_no FROM ledger_subaccount WHERE center_id = %s AND year_start = %s "
            "AND balance_current <> 0 LIMIT 5", [center.pk, ys])
        if left:
            raise DomainError(ErrorCode.YEAR_ROLL_CURRENT_LEFT,
                              f"以下账户当年归集余额尚未结转：{'、'.join(r[0] for r in left)}", field="year_start")
        n = sql.execute(
            "UPDATE ledger_subaccount SET year_start = %s, jishu_base_current = 0, jishu_current = 0, "
            "jishu_base_carried = balance_carried * %s, jishu_carried = balance_carried * %s "
            "WHERE center_id = %s AND year_start = %s",
            [new_start, new_days, new_days, center.pk, ys],
        )
        total = int(sql.fetch("SELECT COUNT(*) FROM ledger_subaccount WHERE center_id = %s AND year_start = %s",
                              [center.pk, new_start])[0][0])
        audit_log(actor=actor, action=AuditEvent.LEDGER_YEAR_ROLL, obj=("core.center", center.pk), center=center,
                  business_date=ye, after={"from": ys, "to": new_start, "accounts": total, "rolled_here": n})
        return total


def subledger_events_from(*, biz_type: str, business_date: date, source: Relation) -> int:
    """Money-less detail rows (开户, 封存, 基数调整…) in bulk: `source` yields sub_account_id, reference.
    Each row carries the account's current balance as its running balance."""
    return sql.execute(
        "INSERT INTO ledger_subledgerrow (sub_account_id, entry_id, biz_type, business_date, value_date, amount, "  # noqa: S608 — stage/scratch table names and SQL twins from code, a Relation's SQL; values bound
        "amount_current, amount_carried, balance_after, reference) "
        "SELECT x.sub_account_id, NULL, %s, %s, %s, 0, 0, 0, s.balance_current + s.balance_carried, x.reference "
        f"FROM ({source.sql}) x JOIN ledger_subaccount s ON s.id = x.sub_account_id",
        [biz_type, business_date, business_date, *source.params],
    )
