"""Grow a center's history month by month through the real services (the synthetic center's next step after
the cut-over), deterministically from a seed.

Each month, on the pay day:
- employers that skipped last month (they are on the 催缴 list now) back-pay it in full (补缴, type 02) with a
  reason, from a bank receipt, before this month's remittance;
- a few employers pay this month late (they skip it; the month shows in 欠缴 and is back-paid next month);
- employers with staff changes edit their month's roster through the remittance services: leavers are sealed
  (减员, remittance_leave), hires open an account or unseal the sealed account of the same person (增员,
  remittance_hire), a few members get a base raise or a ratio change within policy (remittance_change), some
  raises back-dated a month and paid as a 差额补缴; the roster is confirmed and paid by the employer's own bank
  receipt, posted when the receipt matches;
- a few employers pay too much: the money goes to their 暂存 and the remittance is paid from it (allocation);
  the rest of the 暂存 pays part of their next month;
- every other employer's roster goes into one multi-employer file, imported, paid by one collective receipt and
  posted as one bulk batch (set-based; this is where almost every member's contribution goes).
The business date moves on only through day-end (jobs.dayend, every day, as a center runs it): its steps accrue
the interest at each month end and settle it on each 6/30; the simulation never accrues or settles itself. Each
July the bases are clamped to the new cap and floor through the annual base adjustment. Rates are options (`Rates`); the staff changes are per-member services
(the roster-change services have no bulk form), everything per row is O(changes), not O(members)."""

from __future__ import annotations

import bisect
import csv
import random
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from openhpf.accounts.models import Employer, Member, MemberAccount
from openhpf.contributions.interest.yearend import settlement_key
from openhpf.contributions.models import FlexibleEmployer, Receipt, Remittance
from openhpf.contributions.months import ym_add
from openhpf.contributions.remittance.adjustments import BaseRow, base_adjust_import
from openhpf.contributions.remittance.fileimport import remittance_import, roster_rows
from openhpf.contributions.remittance.services import (
    back_payment_create,
    receipt_record,
    remittance_cancel,
    remittance_change,
    remittance_confirm,
    remittance_create,
    remittance_hire,
    remittance_leave,
    remittance_post,
    suspense_allocate,
)
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.codes import EmployerStatus, IdType, MemberAccountStatus
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value
from openhpf.demo.synthetic import RATIOS_E4, SEAL_REASONS, synthetic_base, synthetic_person
from openhpf.jobs.dayend import dayend_run
from openhpf.ledger.models import JournalEntry, PostingBatch

RS = Remittance.Status
EMPLOYERS_PER_COMMIT = 100


@dataclass(frozen=True)
class Rates:
    """Monthly rates of the simulated events (shares; counts are drawn with stochastic rounding)."""

    leave: float = 0.01  # normal accounts sealed (减员), share of normal accounts
    hire: float = 0.012  # hires (增员), share of normal accounts
    rehire: float = 0.3  # share of hires who are the person of a sealed account (启封 instead of 开户)
    change: float = 0.005  # base raises or ratio changes, share of normal accounts
    difference: float = 0.3  # share of base raises back-dated one month, paid as 差额补缴
    late: float = 0.02  # employers paying the month late (欠缴, then 全额补缴 next month), share of employers
    overpay: float = 0.01  # employers paying too much (暂存, then allocated), share of employers

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not 0 <= v <= 1:
                raise DomainError(ErrorCode.RATE_RANGE, f"模拟比率 {f.name} 应在 0 到 1 之间：{v}", field=f.name)


@dataclass
class MonthResult:
    month: str
    rows: int = 0  # roster lines of the month's 汇缴 posted (file and employers' own rosters)
    remittances: int = 0  # 汇缴单 posted
    amount: int = 0  # their money (fen)
    accrued: int = 0
    settled: int | None = None
    hires: int = 0  # accounts opened or unsealed through remittance_hire
    rehires: int = 0  # of which unsealed (启封)
    leavers: int = 0  # accounts sealed through remittance_leave
    base_changes: int = 0
    ratio_changes: int = 0
    back_payments: int = 0  # 补缴单 posted (full and difference)
    differences: int = 0  # of which 差额补缴
    back_paid: int = 0  # their money (fen)
    late: list[str] = field(default_factory=list)  # employers that skipped this month
    arrears_cleared: list[str] = field(default_factory=list)  # employers that skipped last month, back-paid now
    overpaid: int = 0  # employers whose receipt exceeded the remittance (money to 暂存)
    allocated: int = 0  # remittances paid from 暂存


@dataclass
class SimulationResult:
    months: list[MonthResult] = field(default_factory=list)


def month_start_after(first: date, i: int) -> date:
    """The first day of the i-th month after `first`'s month (i = 0: that month)."""
    y, m = divmod(first.month - 1 + i, 12)
    return date(first.year + y, m + 1, 1)


def _month_end(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _advance(center: Center, to: date, actor: Actor) -> Center:
    """Run the day-end of every business date before `to` (the only way the business date moves on)."""
    center.refresh_from_db()
    while center.business_date < to:
        dayend_run(center=center, actor=actor)
        center.refresh_from_db()
    return center


def _interest_of_month(center: Center, end: date, r: MonthResult) -> None:
    """What the month end's day-end accrued, and on 6/30 what it settled."""
    entry = JournalEntry.objects.filter(center=center, source=f"interest.accrue:{end:%Y-%m}").first()
    r.accrued = entry.total if entry else 0
    if end.month == 6:
        batch = PostingBatch.objects.get(key=settlement_key(center, end), status=PostingBatch.Status.POSTED)
        r.settled = batch.total_amount


def _annual_base_adjustment(*, center: Center, year: int, actor: Actor, business_date: date) -> None:
    """7/1: the contribution year's new cap and floor apply; each normal account's base is clamped to them
    through the base-adjustment service (clamp mode), as a center does with its yearly 基数调整 file."""
    accounts = (MemberAccount.objects.filter(center=center, status=MemberAccountStatus.NORMAL)
                .select_related("member").order_by("pk"))
    rows = [BaseRow(row=i, account_no=a.account_no, id_number=a.member.id_number, name=a.member.name, base=a.base)
            for i, a in enumerate(accounts.iterator(chunk_size=2000), 2)]
    if rows:
        with transaction.atomic(durable=True):
            base_adjust_import(center=center, rows=rows, source_name=f"simulate-{year}-07", year=year, actor=actor,
                               business_date=business_date, mode="clamp")


# ---------------------------------------------------------------- the month's plan (decided before any write)


@dataclass
class _Hire:
    name: str
    id_number: str
    phone: str
    base: int
    rehire: bool


@dataclass
class _Change:
    account_id: int
    base: int | None = None
    ratios: tuple[str, str] | None = None
    back_dated: bool = False


@dataclass
class _EmployerPlan:
    employer_id: int
    leavers: list[tuple[int, str]] = field(default_factory=list)  # (account id, reason)
    changes: list[_Change] = field(default_factory=list)
    hires: list[_Hire] = field(default_factory=list)
    overpay: int = 0  # fen beyond the month's remittance


def _count(rng: random.Random, n: int, rate: float) -> int:
    """n × rate rounded stochastically (so small centers still see the occasional event)."""
    x = n * rate
    k = int(x)
    return min(n, k + (1 if rng.random() < x - k else 0))


def _ratio_text(e4: int) -> str:
    return str((Decimal(e4) / 10000).normalize())


def _plan_month(*, center: Center, rng: random.Random, rates: Rates, on: date,
                back_payers: set[int]) -> tuple[dict[int, _EmployerPlan], list[int]]:
    """Who leaves, joins, changes, pays late or too much this month: drawn from `rng` over the accounts and
    employers in primary-key order, so the same seed on the same history gives the same plan."""
    flexible = set(FlexibleEmployer.objects.filter(center=center).values_list("employer_id", flat=True))
    emps = [(pk, ind) for pk, ind in Employer.objects.filter(center=center, status=EmployerStatus.NORMAL)
            .order_by("pk").values_list("pk", "industry") if pk not in flexible]
    industry = dict(emps)
    accounts = [(sid, eid, base) for sid, eid, base in sql.fetch(
        "SELECT sub_id, employer_id, base FROM accounts_v_member_account WHERE center_id = %s AND status = %s "
        "ORDER BY sub_id", [center.pk, MemberAccountStatus.NORMAL]) if eid in industry]
    size: dict[int, int] = defaultdict(int)
    for _, eid, _b in accounts:
        size[eid] += 1
    staffed = [pk for pk, _ in emps if size[pk] > 0]
    with_suspense = set(Employer.objects.filter(pk__in=staffed, suspense_balance__gt=0).values_list("pk", flat=True))

    candidates = [pk for pk in staffed if pk not in back_payers and pk not in with_suspense]
    late = sorted(rng.sample(candidates, min(_count(rng, len(staffed), rates.late), len(candidates))))
    late_set = set(late)
    plans: dict[int, _EmployerPlan] = {}

    def plan(eid: int) -> _EmployerPlan:
        return plans.setdefault(eid, _EmployerPlan(employer_id=eid))

    active = [a for a in accounts if a[1] not in late_set]
    # leavers (减员); an employer keeps at least one member so that its roster is never empty
    left: set[int] = set()
    for i in sorted(rng.sample(range(len(active)), _count(rng, len(active), rates.leave))):
        sid, eid, _b = active[i]
        reason = rng.choice(SEAL_REASONS)
        if size[eid] > 1:
            size[eid] -= 1
            left.add(sid)
            plan(eid).leavers.append((sid, reason))
    # base raises and ratio changes within policy
    cap = int(policy_value("contribution.base.cap", on=on, center=center))
    # a raise is back-dated a month only within the contribution year (July's bases were just clamped anew)
    prev_cap = int(policy_value("contribution.base.cap", on=on.replace(day=1) - timedelta(days=1), center=center))
    can_back_date = on.month != 7
    lo = int(Decimal(str(policy_value("contribution.ratio.min", on=on, center=center))) * 10000)
    hi = int(Decimal(str(policy_value("contribution.ratio.max", on=on, center=center))) * 10000)
    equal = bool(policy_value("contribution.ratio.equal_sides", on=on, center=center))
    ratios = [r for r, _ in RATIOS_E4 if lo <= r <= hi]
    stay = [a for a in active if a[0] not in left]
    for i in sorted(rng.sample(range(len(stay)), _count(rng, len(stay), rates.change))):
        sid, eid, base = stay[i]
        raise_pct, back_dated = rng.randint(3, 20), rng.random() < rates.difference
        new_base = min(cap, int(base) * (100 + raise_pct) // 10000 * 100)
        if rng.random() < 0.75 and new_base > int(base):
            plan(eid).changes.append(_Change(sid, base=new_base, back_dated=back_dated and can_back_date and new_base <= prev_cap))
        elif ratios:
            er = rng.choice(ratios)
            mr = er if equal or rng.random() < 0.9 else rng.choice([r for r in ratios if r <= er])
            plan(eid).changes.append(_Change(sid, ratios=(_ratio_text(er), _ratio_text(mr))))
    # hires (增员): employers weighted by size; some are people of sealed accounts coming back (启封)
    open_emps = [pk for pk, _ in emps if pk not in late_set]
    cum: list[int] = []
    total = 0
    for pk in open_emps:
        total += size[pk] + 1
        cum.append(total)
    sealed_pool = [sid for (sid,) in sql.fetch(
        "SELECT sub_id FROM accounts_v_member_account WHERE center_id = %s AND status = %s AND sealed_date < %s "
        "ORDER BY sub_id", [center.pk, MemberAccountStatus.SEALED, on.replace(day=1)])]
    floor = int(policy_value("contribution.base.floor", on=on, center=center))
    seen: set[int] = set()
    for _ in range(_count(rng, len(accounts), rates.hire) if open_emps else 0):
        eid = open_emps[bisect.bisect_right(cum, rng.randrange(total))]
        if sealed_pool and rng.random() < rates.rehire:
            acct = MemberAccount.objects.select_related("member").get(pk=sealed_pool.pop(rng.randrange(len(sealed_pool))))
            m = acct.member
            age = (on - m.birth_date).days // 365
            base = synthetic_base(rng, industry=industry[eid], age=age, cap=cap, floor=floor)
            plan(eid).hires.append(_Hire(m.name, m.id_number, m.phone, base, rehire=True))
            continue
        while True:
            p = synthetic_person(rng, on=on, seen=seen)
            if not Member.objects.filter(id_type=IdType.RESIDENT_ID, id_number=p.id_number).exists():
                break
        base = synthetic_base(rng, industry=industry[eid], age=p.age, cap=cap, floor=floor)
        plan(eid).hires.append(_Hire(p.name, p.id_number, p.phone, base, rehire=False))
    # over-payments: the money exceeds the roster; the difference waits in 暂存
    payers = [pk for pk in staffed if pk not in late_set]
    for eid in sorted(rng.sample(payers, _count(rng, len(payers), rates.overpay))) if payers else []:
        plan(eid).overpay = rng.randint(2, 40) * 5000
    for eid in sorted(with_suspense - late_set):  # 暂存 left from earlier months pays part of this one
        plan(eid)
    return dict(sorted(plans.items())), late


# ---------------------------------------------------------------- execution


def _pay(*, center: Center, employer: Employer, amount: int, ref: str, on: date, actor: Actor) -> Receipt:
    """The employer's bank receipt; matched to its confirmed remittance of that amount (posted at once when
    small), otherwise held in its 暂存."""
    return receipt_record(center=center, employer=employer, amount=amount, value_date=on, bank_ref=ref,
                          actor=actor, business_date=on, payer_account=employer.account_no, payer_name=employer.name)


def _post_pending(rem_ids: list[int], *, actor: Actor, on: date) -> None:
    """Remittances matched to a receipt but too large to post inline: posted as a job (outside a transaction)."""
    for r in Remittance.objects.filter(pk__in=rem_ids, status=RS.CONFIRMED, receipt__isnull=False).order_by("pk"):
        remittance_post(actor=actor, business_date=on, remittance=r)


def _back_pay_skipped(*, center: Center, month: str, on: date, actor: Actor, r: MonthResult) -> set[int]:
    """Employers that skipped `month` − 1 (their 缴至年月 is the month before it and their members owe it)
    back-pay it in full, each from its own receipt. Returns their ids."""
    prev = ym_add(month, -1)
    ids = [pk for (pk,) in sql.fetch(
        "SELECT e.id FROM accounts_v_employer e WHERE e.center_id = %s AND e.status = %s AND e.paid_up_to = %s "
        "AND EXISTS (SELECT 1 FROM accounts_v_member_account a WHERE a.employer_id = e.id AND a.status = %s "
        "AND a.paid_up_to < %s) ORDER BY e.id",
        [center.pk, EmployerStatus.NORMAL, ym_add(prev, -1), MemberAccountStatus.NORMAL, prev])]
    for chunk in _chunks(list(Employer.objects.filter(pk__in=ids).order_by("pk"))):
        pending = []
        with transaction.atomic(durable=True):
            for e in chunk:
                bp = back_payment_create(employer=e, month=prev, back_kind=Remittance.BackKind.FULL,
                                         reason=f"{prev[:4]}年{prev[4:]}月逾期未缴，全额补缴", actor=actor,
                                         business_date=on)
                bp = remittance_confirm(remittance=bp, actor=actor, business_date=on)
                _pay(center=center, employer=e, amount=bp.total, ref=f"SIM-{center.code}-{month}-{e.account_no}-B",
                     on=on, actor=actor)
                pending.append(bp.pk)
                r.back_payments += 1
                r.back_paid += bp.total
                r.arrears_cleared.append(e.account_no)
        _post_pending(pending, actor=actor, on=on)
    return set(ids)


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    """Employers' work is committed EMPLOYERS_PER_COMMIT at a time: each commit seals (and SM2-signs) the audit
    rows written so far, so one commit per employer would cost more than the work itself."""
    for i in range(0, len(items), EMPLOYERS_PER_COMMIT):
        yield items[i:i + EMPLOYERS_PER_COMMIT]


def _run_employer(*, center: Center, p: _EmployerPlan, month: str, on: date, actor: Actor, r: MonthResult) -> list[int]:
    """One employer's month on its own roster: changes, confirmation, 差额补缴, money (in the caller's
    transaction). Returns the remittances matched but too large to post inline."""
    prev = ym_add(month, -1)
    pending: list[int] = []
    with transaction.atomic():
        e = Employer.objects.get(pk=p.employer_id)
        rem = remittance_create(employer=e, month=month, actor=actor, business_date=on)
        for sid, reason in p.leavers:
            remittance_leave(remittance=rem, account=MemberAccount(pk=sid), reason=reason, actor=actor,
                             business_date=on)
            r.leavers += 1
        differences: list[tuple[str, int, int]] = []
        accts = MemberAccount.objects.in_bulk([c.account_id for c in p.changes])
        for c in p.changes:
            before = accts[c.account_id]
            if c.base is not None:
                after = remittance_change(remittance=rem, account=before, base=c.base, actor=actor, business_date=on)
                r.base_changes += 1
                ea, ma = after.employer_amount - before.employer_amount, after.member_amount - before.member_amount
                if c.back_dated and before.paid_up_to >= prev and ea >= 0 and ma >= 0 and ea + ma > 0:
                    differences.append((after.account_no, ea, ma))
            elif c.ratios is not None and (Decimal(c.ratios[0]), Decimal(c.ratios[1])) != (
                    before.employer_ratio, before.member_ratio):
                remittance_change(remittance=rem, account=before, employer_ratio=c.ratios[0],
                                  member_ratio=c.ratios[1], actor=actor, business_date=on)
                r.ratio_changes += 1
        for h in p.hires:
            remittance_hire(remittance=rem, name=h.name, id_number=h.id_number, base=h.base, phone=h.phone,
                            actor=actor, business_date=on)
            r.hires += 1
            r.rehires += h.rehire
        rem.refresh_from_db()
        if rem.lines == 0:  # nobody to pay for (an employer without members that hired nobody)
            remittance_cancel(remittance=rem, actor=actor, business_date=on, reason="本月无缴存人员")
            return pending
        rem = remittance_confirm(remittance=rem, actor=actor, business_date=on)
        if differences:
            bp = back_payment_create(employer=e, month=prev, back_kind=Remittance.BackKind.DIFFERENCE,
                                     reason=f"缴存基数自{prev[:4]}年{prev[4:]}月起调整，补缴差额", lines=differences,
                                     actor=actor, business_date=on)
            bp = remittance_confirm(remittance=bp, actor=actor, business_date=on)
            _pay(center=center, employer=e, amount=bp.total, ref=f"SIM-{center.code}-{month}-{e.account_no}-D",
                 on=on, actor=actor)
            pending.append(bp.pk)
            r.back_payments += 1
            r.differences += 1
            r.back_paid += bp.total
        e.refresh_from_db()
        due = rem.total + p.overpay - e.suspense_balance  # what the employer pays, its 暂存 counted
        if due != rem.total:  # through 暂存: the receipt (if any) matches nothing; the remittance is allocated
            if due > 0:
                _pay(center=center, employer=e, amount=due, ref=f"SIM-{center.code}-{month}-{e.account_no}-S",
                     on=on, actor=actor)
            suspense_allocate(remittance=rem, actor=actor, business_date=on)
            r.overpaid += due > rem.total
            r.allocated += 1
        else:
            _pay(center=center, employer=e, amount=rem.total, ref=f"SIM-{center.code}-{month}-{e.account_no}",
                 on=on, actor=actor)
            pending.append(rem.pk)
    r.rows += rem.lines
    r.remittances += 1
    r.amount += rem.total
    return pending


def _write_roster(*, center: Center, month: str, path: Path, employer_nos: set[str]) -> int:
    """The expected roster of the employers paying through the collective file (单位账号 column first)."""
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        rows = roster_rows(center=center, month=month)
        w.writerow(next(rows))
        for row in rows:
            if row[0] in employer_nos:
                w.writerow(row)
                n += 1
    return n


def simulate_months(*, center: Center, months: int, actor: Actor, seed: int = 1, rates: Rates | None = None,
                    pay_day: int = 15, progress: Callable[[str], None] | None = None) -> SimulationResult:
    """Run `months` months after the center's business date. An entry point (opens its own transactions).
    The same seed on the same center gives the same history."""
    if months < 1:
        raise DomainError(ErrorCode.MONTHS, "月数至少为 1", field="months")
    rates = rates or Rates()
    out = SimulationResult()
    center.refresh_from_db()
    bd = center.business_date  # a month end not yet closed, or the 1st after a closed one
    first = bd if bd.day == 1 else _month_end(bd) + timedelta(days=1)
    flexible = set(FlexibleEmployer.objects.filter(center=center).values_list("employer_id", flat=True))
    with tempfile.TemporaryDirectory(prefix="hpf-simulate-") as tmp:
        for i in range(months):
            m_start = month_start_after(first, i)
            month = f"{m_start.year:04d}{m_start.month:02d}"
            pay = m_start.replace(day=pay_day)
            center = _advance(center, pay, actor)
            r = MonthResult(month=f"{month[:4]}-{month[4:]}")
            if m_start.month == 7:
                _annual_base_adjustment(center=center, year=m_start.year, actor=actor, business_date=pay)
            back_payers = _back_pay_skipped(center=center, month=month, on=pay, actor=actor, r=r)
            rng = random.Random(f"hpf-simulate:{seed}:{center.code}:{month}")  # noqa: S311 (simulated data)
            plans, late = _plan_month(center=center, rng=rng, rates=rates, on=pay, back_payers=back_payers)
            for chunk in _chunks(list(plans.values())):
                pending = []
                with transaction.atomic(durable=True):
                    for p in chunk:
                        pending += _run_employer(center=center, p=p, month=month, on=pay, actor=actor, r=r)
                _post_pending(pending, actor=actor, on=pay)
            r.late = list(Employer.objects.filter(pk__in=late).order_by("account_no").values_list("account_no", flat=True))
            in_file = set(Employer.objects.filter(center=center, status=EmployerStatus.NORMAL)
                          .exclude(pk__in=[*plans, *late, *flexible]).values_list("account_no", flat=True))
            roster = Path(tmp) / f"roster-{month}.csv"
            if _write_roster(center=center, month=month, path=roster, employer_nos=in_file):
                res = remittance_import(center=center, path=roster, month=month, actor=actor, business_date=pay)
                if not res.accepted:
                    raise DomainError(ErrorCode.SIMULATE_ROSTER, f"{month} 清册导入被拒：{res.first_errors[:3]}", field="month")
                imp = Remittance.objects.get(pk=res.remittance_ids[0]).source_import
                with transaction.atomic(durable=True):
                    receipt_record(center=center, amount=res.total, value_date=pay, bank_ref=f"SIM-{center.code}-{month}",
                                   actor=actor, business_date=pay, source_import=imp, post=False)
                remittance_post(actor=actor, business_date=pay, source_import=imp)
                r.rows += res.accepted_rows
                r.remittances += len(res.remittance_ids)
                r.amount += res.total
            end = _month_end(m_start)
            center = _advance(center, end + timedelta(days=1), actor)  # through the month end's day-end
            _interest_of_month(center, end, r)
            out.months.append(r)
            if progress:
                progress(_summary(r))
    return out


def _summary(r: MonthResult) -> str:
    s = f"{r.month}: 汇缴 {r.remittances} 单位 {r.rows} 人 {format_fen(r.amount)} 元"
    s += f"；增员 {r.hires}（启封 {r.rehires}）减员 {r.leavers} 基数调整 {r.base_changes} 比例调整 {r.ratio_changes}"
    if r.back_payments:
        s += f"；补缴 {r.back_payments} 笔（差额 {r.differences}）{format_fen(r.back_paid)} 元"
    if r.late:
        s += f"；逾期未缴 {len(r.late)} 单位"
    if r.overpaid or r.allocated:
        s += f"；多缴转暂存 {r.overpaid} 单位，暂存分配 {r.allocated} 笔"
    if r.settled is not None:
        s += f"；结息 {format_fen(r.settled)} 元"
    return s


def add_rate_arguments(parser: Any) -> None:
    """The simulation's options, shared by hpf simulate, hpf generate --months and hpf demo."""
    d = Rates()
    parser.add_argument("--leave-rate", type=float, default=d.leave, help=f"每月减员（封存）占正常账户比例（默认 {d.leave}）")
    parser.add_argument("--hire-rate", type=float, default=d.hire, help=f"每月增员占正常账户比例（默认 {d.hire}）")
    parser.add_argument("--rehire-share", type=float, default=d.rehire,
                        help=f"增员中为已封存账户本人（启封）的比例（默认 {d.rehire}）")
    parser.add_argument("--change-rate", type=float, default=d.change,
                        help=f"每月基数或比例调整占正常账户比例（默认 {d.change}）")
    parser.add_argument("--difference-share", type=float, default=d.difference,
                        help=f"基数上调中追溯上月、办理差额补缴的比例（默认 {d.difference}）")
    parser.add_argument("--late-rate", type=float, default=d.late,
                        help=f"每月逾期一个月缴存（次月全额补缴）的单位比例（默认 {d.late}）")
    parser.add_argument("--overpay-rate", type=float, default=d.overpay,
                        help=f"每月多缴（转入暂存后分配）的单位比例（默认 {d.overpay}）")


def rates_from_options(opts: dict[str, Any]) -> Rates:
    return Rates(leave=opts["leave_rate"], hire=opts["hire_rate"], rehire=opts["rehire_share"],
                 change=opts["change_rate"], difference=opts["difference_share"], late=opts["late_rate"],
                 overpay=opts["overpay_rate"])
