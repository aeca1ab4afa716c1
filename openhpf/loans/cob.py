"""The loans' close of business (COB, 贷后日终): the steps loans registers in the day-end, and `run_cob`, which runs
just those steps again as a job of their own for the current business date (`hpf loan cob`).

Orders (other helpers' steps 61 repricing, 63 bank collection, 65 forced offset sit between them):
- 62 `loan_due` 到期应还: marks the chunk's active loans `cob_date = D` (the lock, locking.py) in a short
  transaction of its own, then copies the installments due on D (and earlier ones not yet copied, back to the
  last date that fell due before D) into `LoanDue` with one INSERT … SELECT; unique (loan, period) and NOT EXISTS
  make a rerun harmless;
- 64 `loan_overdue` 逾期转列: open dues with due_date < D and no `overdue_on` become overdue (overdue_on = due date +
  1 day); the loans' overdue principal, interest and first unpaid due date move with them in the same chunk
  transaction; after the last chunk ONE entry Dr 122 / Cr 121 is posted for the center and day, of what 122 lacks
  against the active loans' overdue principal (one set-based sum): the principal moved today, also by a run of
  another job interrupted half-way, and nothing on a rerun;
- 66 `loan_classify` 五级分类: overdue days = D − the first unpaid due date (`Loan.overdue_since`), so the day after
  the due date is day 1 (as the penalty counts days); class by the policy thresholds `loan.class.*_days`, unless a
  manual override (`class_override`, until `class_override_until` inclusive) is in force; an expired override is
  cleared; every change is a `LoanClassChange` row, written set-based;
- 67 `loan_reserve` 风险准备测算: the reserve required by class (outstanding × `loan.reserve.rate.NN`, HALF_UP per
  class) against the 301 贷款风险准备 balance → `ReserveReport` (no posting);
- 68 `loan_remind` 还款提醒: `loan.remind.before_days` before an installment's due date and
  `loan.remind.overdue_days` after an unpaid one, one `LoanReminder` row each (unique per loan, kind, due date and
  day) and an SMS through the notifications outbox; the row is what the member's portal shows;
- 69 `loan_release`: clears `cob_date` (the lock ends).

Every step walks the center's loans by id in chunks of CHUNK, each chunk in its own durable transaction with the
job cursor (`{"last": id, …sums}`) committed in it, so a crash anywhere resumes after the last committed chunk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from openhpf.core import authz, db
from openhpf.core.actors import Actor, SystemActor
from openhpf.core.codes import LoanClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.policy import policy_values
from openhpf.jobs.dayend import Day, plan, register_step
from openhpf.jobs.models import Job
from openhpf.jobs.registry import register_kind
from openhpf.jobs.runner import Step, StepContext, job_start, run_job
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.services import Line, entry_post

from .models import Loan, LoanClassChange, LoanDue, LoanInstallment, LoanReminder, ReserveReport
from .payments import LOANS_GL, OVERDUE_GL
from .reminders import reminders_send

CHUNK = 20_000
JOB_KIND = "loans.cob"
APP = "loans"
RESERVE_GL = "301"
LOAN = Loan._meta.db_table
INST = LoanInstallment._meta.db_table
DUE = LoanDue._meta.db_table
CLASS_CHANGE = LoanClassChange._meta.db_table
REMINDER = LoanReminder._meta.db_table
ACTIVE = Loan.Status.ACTIVE.value
OPEN = LoanDue.State.OPEN.value
CLASS_KEYS = ("loan.class.special_mention_days", "loan.class.substandard_days", "loan.class.doubtful_days",
              "loan.class.loss_days")
CLASSES = [c.value for c in LoanClass]
COB_USER = "system:loancob"


# ---------------------------------------------------------------- the chunk walk


def _ids(center_id: int, after: int, where: str) -> list[int]:
    return [r[0] for r in db.fetch(
        f"SELECT id FROM {LOAN} WHERE center_id = %s AND id > %s AND {where} ORDER BY id",  # noqa: S608 — names from code
        [center_id, after])]


def _walk(ctx: StepContext, center_id: int, where: str, work: Callable[[int, int], dict[str, int]],
          before: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run `work(lo, hi)` over the center's loans matching `where` (SQL on loans_loan), ids in (lo, hi], a chunk
    at a time, each in its own durable transaction that also commits the cursor (the sums `work` returns are
    added into it). `before(lo, hi)` runs first in a short transaction of its own (the lock)."""
    cur: dict[str, Any] = dict(ctx.cursor) if isinstance(ctx.cursor, dict) else {"last": 0}
    ids = _ids(center_id, int(cur["last"]), where)
    ctx.advance(0, total=ctx.done + len(ids))
    for k in range(0, len(ids), CHUNK):
        part = ids[k:k + CHUNK]
        lo, hi = int(cur["last"]), part[-1]
        if before is not None:
            with transaction.atomic(durable=True):
                before(lo, hi)
        with transaction.atomic(durable=True):
            for key, v in work(lo, hi).items():
                cur[key] = cur.get(key, 0) + v
            cur["last"] = hi
            ctx.advance(len(part), cursor=dict(cur))
    return cur


def _exec(sql: str, params: list[Any]) -> int:
    with connection.cursor() as c:
        c.execute(sql, params)
        return max(c.rowcount, 0)


def _plus_one_day(col: str) -> str:
    return f"({col} + 1)" if db.is_postgresql() else f"date({col}, '+1 day')"


def _days_since(col: str) -> str:
    """SQL: whole days from the date column to a bound date parameter (%s)."""
    if db.is_postgresql():
        return f"(CAST(%s AS DATE) - {col})"
    return f"CAST(julianday(%s) - julianday({col}) AS INTEGER)"


def _from_installments() -> str:
    """The join that drives from the day's installments (index loan_installment_due) to their loans: SQLite's
    planner would otherwise walk the chunk's loans and every installment of each; CROSS JOIN keeps the order there."""
    return "CROSS JOIN" if not db.is_postgresql() else "JOIN"


def _now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


# ---------------------------------------------------------------- 62 到期应还


def _lock(center_id: int, on: date) -> Callable[[int, int], None]:
    def mark(lo: int, hi: int) -> None:
        _exec(f"UPDATE {LOAN} SET cob_date = %s WHERE center_id = %s AND id > %s AND id <= %s "  # noqa: S608
              f"AND status = %s AND cob_date IS NULL", [on, center_id, lo, hi, ACTIVE])
    return mark


def due_since(center_id: int, on: date) -> date:
    """The earliest due date the due step copies on `on`: the last date something fell due before it (inclusive,
    so a day whose COB stopped half-way is completed), or any date when nothing has fallen due yet."""
    row = db.fetch(f"SELECT MAX(due_date) FROM {DUE} WHERE center_id = %s AND due_date < %s",  # noqa: S608
                   [center_id, on])
    last = row[0][0] if row else None
    if isinstance(last, str):
        last = date.fromisoformat(last)
    return last or date(1900, 1, 1)


def _dues(day: Day, ctx: StepContext) -> dict[str, Any]:
    center_id, on = day.center.pk, day.on
    since = due_since(center_id, on)

    def work(lo: int, hi: int) -> dict[str, int]:
        n = _exec(
            f"INSERT INTO {DUE} (center_id, loan_id, period, due_date, principal, interest, paid_principal, "  # noqa: S608
            f"paid_interest, paid_penalty, penalty_owed, state) "
            f"SELECT l.center_id, i.loan_id, i.period, i.due_date, i.principal, i.interest, 0, 0, 0, 0, %s "
            f"FROM {INST} i {_from_installments()} {LOAN} l ON l.id = i.loan_id "
            f"WHERE i.due_date >= %s AND i.due_date <= %s AND i.loan_id > %s AND i.loan_id <= %s "
            f"AND l.center_id = %s AND l.status = %s "
            f"AND NOT EXISTS (SELECT 1 FROM {DUE} d WHERE d.loan_id = i.loan_id AND d.period = i.period)",
            [OPEN, since, on, lo, hi, center_id, ACTIVE])
        return {"dues": n}

    cur = _walk(ctx, center_id, f"status = '{ACTIVE}'", work, before=_lock(center_id, on))
    return {"loan_dues": cur.get("dues", 0)}


# ---------------------------------------------------------------- 64 逾期转列


def _overdue(day: Day, ctx: StepContext) -> dict[str, Any]:
    center_id, on = day.center.pk, day.on
    cond = ("d.center_id = %s AND d.state = %s AND d.overdue_on IS NULL AND d.due_date < %s "
            "AND d.loan_id > %s AND d.loan_id <= %s")

    def work(lo: int, hi: int) -> dict[str, int]:
        p = [center_id, OPEN, on, lo, hi]
        (moved, count), = db.fetch(f"SELECT COALESCE(SUM(d.principal - d.paid_principal), 0), COUNT(*) "  # noqa: S608
                                   f"FROM {DUE} d WHERE {cond}", p)
        if not count:
            return {}
        _exec(f"UPDATE {LOAN} SET overdue_principal = {LOAN}.overdue_principal + a.p, "  # noqa: S608
              f"overdue_interest = {LOAN}.overdue_interest + a.i, "
              f"overdue_since = COALESCE({LOAN}.overdue_since, a.since) "
              f"FROM (SELECT d.loan_id, SUM(d.principal - d.paid_principal) AS p, "
              f"SUM(d.interest - d.paid_interest) AS i, MIN(d.due_date) AS since FROM {DUE} d WHERE {cond} "
              f"GROUP BY d.loan_id) a WHERE {LOAN}.id = a.loan_id", p)
        _exec(f"UPDATE {DUE} SET overdue_on = {_plus_one_day('due_date')} "  # noqa: S608
              f"WHERE {cond.replace('d.', '')}", p)
        return {"moved": int(moved), "overdue_dues": int(count)}

    cur = _walk(ctx, center_id, f"status = '{ACTIVE}'", work)
    with transaction.atomic(durable=True):
        # what 122 must hold (the active loans' overdue principal) less what it holds: the principal moved today,
        # by this run or by an interrupted run of another job (day-end or `hpf loan cob`); nothing on a rerun
        (owed,), = db.fetch(f"SELECT COALESCE(SUM(overdue_principal), 0) FROM {LOAN} "  # noqa: S608
                            f"WHERE center_id = %s AND status = %s", [center_id, ACTIVE])
        moved = int(owed) - gl_balance(center=center_id, code_prefix=OVERDUE_GL)
        voucher = ""
        if moved > 0:
            entry = entry_post(center=Center.objects.get(pk=center_id), business_date=on, source="loans",
                               actor=day.actor, lines=[Line(OVERDUE_GL, debit=moved), Line(LOANS_GL, credit=moved)],
                               description=f"贷款逾期转列 {on}：到期未还本金转入逾期贷款")
            voucher = entry.voucher_no
            ctx.advance(0, cursor={**cur, "voucher": voucher})
    return {"loan_overdue_dues": cur.get("overdue_dues", 0), "loan_overdue_moved": max(moved, 0),
            "loan_overdue_voucher": voucher, "loan_overdue_gap": min(moved, 0)}


# ---------------------------------------------------------------- 66 五级分类


def class_target_sql(on: date, days: dict[str, int]) -> tuple[str, list[Any]]:
    """SQL (over loans_loan aliased l) of the class a loan should have on `on`, with its parameters."""
    bounds = [on - timedelta(days=days[k]) for k in reversed(CLASS_KEYS)]  # loss, doubtful, substandard, mention
    sql = ("CASE WHEN l.class_override <> '' AND (l.class_override_until IS NULL OR l.class_override_until >= %s) "
           "THEN l.class_override WHEN l.overdue_since IS NULL THEN %s "
           "WHEN l.overdue_since <= %s THEN %s WHEN l.overdue_since <= %s THEN %s "
           "WHEN l.overdue_since <= %s THEN %s WHEN l.overdue_since <= %s THEN %s ELSE %s END")
    n = LoanClass.NORMAL.value
    return sql, [on, n, bounds[0], LoanClass.LOSS.value, bounds[1], LoanClass.DOUBTFUL.value, bounds[2],
                 LoanClass.SUBSTANDARD.value, bounds[3], LoanClass.SPECIAL_MENTION.value, n]


def class_days(center_id: int, on: date) -> dict[str, int]:
    return {k: int(v) for k, v in policy_values(CLASS_KEYS, on=on, center=center_id).items()}


def _classify(day: Day, ctx: StepContext) -> dict[str, Any]:
    center_id, on = day.center.pk, day.on
    target, tp = class_target_sql(on, class_days(center_id, on))
    chunk = "l.center_id = %s AND l.id > %s AND l.id <= %s AND l.status = %s"

    def work(lo: int, hi: int) -> dict[str, int]:
        cp = [center_id, lo, hi, ACTIVE]
        _exec(f"UPDATE {LOAN} SET class_override = '', class_override_until = NULL "  # noqa: S608
              f"WHERE center_id = %s AND id > %s AND id <= %s AND class_override <> '' "
              f"AND class_override_until < %s", [center_id, lo, hi, on])
        n = _exec(
            f'INSERT INTO {CLASS_CHANGE} (loan_id, "on", from_class, to_class, overdue_days, manual, reason, '  # noqa: S608
            f"until, created_by, created_at) SELECT l.id, %s, l.risk_class, {target}, "
            f"COALESCE({_days_since('l.overdue_since')}, 0), %s, '', NULL, %s, %s FROM {LOAN} l "
            f"WHERE {chunk} AND l.risk_class <> {target}",
            [on, *tp, on, False, COB_USER, _now(), *cp, *tp])
        if n:
            _exec(f"UPDATE {LOAN} SET risk_class = {target.replace('l.', '')} "  # noqa: S608
                  f"WHERE {chunk.replace('l.', '')} AND risk_class <> {target.replace('l.', '')}", [*tp, *cp, *tp])
        return {"changes": n}

    cur = _walk(ctx, center_id, f"status = '{ACTIVE}'", work)
    return {"loan_class_changes": cur.get("changes", 0)}


# ---------------------------------------------------------------- 67 风险准备测算


def reserve_rates(center_id: int, on: date) -> dict[str, Decimal]:
    got = policy_values([f"loan.reserve.rate.{c}" for c in CLASSES], on=on, center=center_id)
    return {c: Decimal(str(got[f"loan.reserve.rate.{c}"])) for c in CLASSES}


def _reserve(day: Day, ctx: StepContext) -> dict[str, Any]:
    center_id, on = day.center.pk, day.on

    def work(lo: int, hi: int) -> dict[str, int]:
        out: dict[str, int] = {}
        for cls, amount, n in db.fetch(
                f"SELECT risk_class, COALESCE(SUM(outstanding), 0), COUNT(*) FROM {LOAN} "  # noqa: S608
                f"WHERE center_id = %s AND id > %s AND id <= %s AND status = %s GROUP BY risk_class",
                [center_id, lo, hi, ACTIVE]):
            out[f"o{cls}"], out[f"n{cls}"] = int(amount), int(n)
        return out

    cur = _walk(ctx, center_id, f"status = '{ACTIVE}'", work)
    rates = reserve_rates(center_id, on)
    outstanding = {c: int(cur.get(f"o{c}", 0)) for c in CLASSES}
    required = sum(int((Decimal(outstanding[c]) * rates[c]).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                   for c in CLASSES)
    balance = -gl_balance(center=center_id, code_prefix=RESERVE_GL)  # a credit balance
    with transaction.atomic(durable=True):
        ReserveReport.objects.update_or_create(center_id=center_id, on=on, defaults={
            "outstanding": outstanding, "loans": {c: int(cur.get(f"n{c}", 0)) for c in CLASSES},
            "rates": {c: str(r) for c, r in rates.items()}, "required": required, "balance": balance,
            "shortfall": max(0, required - balance)})
    return {"loan_reserve_required": required, "loan_reserve_balance": balance,
            "loan_reserve_shortfall": max(0, required - balance)}


# ---------------------------------------------------------------- 68 还款提醒


def remind_days(center_id: int, on: date) -> tuple[list[int], list[int]]:
    got = policy_values(["loan.remind.before_days", "loan.remind.overdue_days"], on=on, center=center_id)

    def days(v: Any) -> list[int]:
        return sorted({int(x) for x in str(v).replace("，", ",").split(",") if x.strip()})

    return days(got["loan.remind.before_days"]), days(got["loan.remind.overdue_days"])


def _remind(day: Day, ctx: StepContext) -> dict[str, Any]:
    center_id, on = day.center.pk, day.on
    before, after = remind_days(center_id, on)
    kind_before, kind_overdue = LoanReminder.Kind.BEFORE_DUE.value, LoanReminder.Kind.OVERDUE.value
    absent = (f"NOT EXISTS (SELECT 1 FROM {REMINDER} r WHERE r.loan_id = x.loan_id AND r.kind = %s "  # noqa: S608
              f"AND r.due_date = x.due_date AND r.sent_on = %s)")

    def work(lo: int, hi: int) -> dict[str, int]:
        (top,), = db.fetch(f"SELECT COALESCE(MAX(id), 0) FROM {REMINDER}")  # noqa: S608
        n = 0
        for k in before:
            n += _exec(
                f"INSERT INTO {REMINDER} (center_id, loan_id, kind, due_date, sent_on) "  # noqa: S608
                f"SELECT l.center_id, x.loan_id, %s, x.due_date, %s FROM {INST} x {_from_installments()} {LOAN} l "
                f"ON l.id = x.loan_id "
                f"WHERE x.due_date = %s AND x.loan_id > %s AND x.loan_id <= %s AND l.center_id = %s "
                f"AND l.status = %s AND {absent}",
                [kind_before, on, on + timedelta(days=k), lo, hi, center_id, ACTIVE, kind_before, on])
        for k in after:
            n += _exec(
                f"INSERT INTO {REMINDER} (center_id, loan_id, kind, due_date, sent_on) "  # noqa: S608
                f"SELECT x.center_id, x.loan_id, %s, x.due_date, %s FROM {DUE} x "
                f"WHERE x.center_id = %s AND x.state = %s AND x.overdue_on IS NOT NULL AND x.due_date = %s "
                f"AND x.loan_id > %s AND x.loan_id <= %s AND {absent}",
                [kind_overdue, on, center_id, OPEN, on - timedelta(days=k), lo, hi, kind_overdue, on])
        sent = reminders_send(center_id=center_id, on=on, after_id=top) if n else 0
        return {"reminders": n, "sms": sent}

    cur = _walk(ctx, center_id, f"status = '{ACTIVE}'", work)
    return {"loan_reminders": cur.get("reminders", 0), "loan_reminder_sms": cur.get("sms", 0)}


# ---------------------------------------------------------------- 69 解除锁定


def _release(day: Day, ctx: StepContext) -> dict[str, Any]:
    center_id, on = day.center.pk, day.on

    def work(lo: int, hi: int) -> dict[str, int]:
        n = _exec(f"UPDATE {LOAN} SET cob_date = NULL WHERE center_id = %s AND id > %s AND id <= %s "  # noqa: S608
                  f"AND cob_date IS NOT NULL AND cob_date <= %s", [center_id, lo, hi, on])
        return {"released": n}

    cur = _walk(ctx, center_id, "cob_date IS NOT NULL", work)
    return {"loan_released": cur.get("released", 0)}


STEPS: list[tuple[str, int, str, Callable[[Day, StepContext], dict[str, Any]]]] = [
    ("loan_due", 62, "贷款到期应还（锁定贷款）", _dues),
    ("loan_overdue", 64, "贷款逾期转列", _overdue),
    ("loan_classify", 66, "贷款五级分类", _classify),
    ("loan_reserve", 67, "贷款风险准备测算", _reserve),
    ("loan_remind", 68, "贷款还款提醒", _remind),
    ("loan_release", 69, "贷款日终结束（解除锁定）", _release),
]


def register() -> None:
    for name, order, label, run in STEPS:
        register_step(name, order=order, label=label, run=run, app=APP, weight=2 if order in (62, 64) else 1)
    register_kind(JOB_KIND, resume=lambda job, actor: run_cob(center=job.center, actor=actor))


# ---------------------------------------------------------------- the loan steps as a job of their own


def run_cob(*, center: Center, actor: Actor, on: date | None = None, progress: Any = None) -> Job:
    """Run the loans' registered day-end steps (app "loans", in their order) for the center's current business
    date, as a resumable job of their own: a failed or interrupted run of that date is resumed, a finished one
    is followed by a fresh run (every step is idempotent). Any other date is refused (LOAN_COB_DATE)."""
    authz.check_permission(actor, "settlement.operate", center=center)
    center = Center.objects.get(pk=center.pk)
    on = on or center.business_date
    if on != center.business_date:
        raise DomainError(ErrorCode.LOAN_COB_DATE, on=on.isoformat(), current=center.business_date.isoformat(),
                          field="business_date")
    system = actor if isinstance(actor, SystemActor) else SystemActor("loancob", on_behalf_of=actor)
    runs = Job.objects.filter(kind=JOB_KIND, center=center, business_date=on)
    last = runs.exclude(status=Job.Status.CANCELLED).order_by("-pk").first()
    if last is not None and last.status != Job.Status.SUCCEEDED and last.idempotency_key:
        key = last.idempotency_key
    else:
        key = f"loancob:{center.code}:{on}:{runs.count() + 1}"
    job = job_start(kind=JOB_KIND, key=key, actor=actor, center=center, business_date=on,
                    title=f"贷款日终 {on}", params={"on": on.isoformat()})
    day = Day(center=center, on=on, actor=system)

    def bind(fn: Callable[[Day, StepContext], dict[str, Any]]) -> Callable[[StepContext], dict[str, Any]]:
        return lambda ctx: fn(day, ctx)

    steps = [Step(s.name, bind(s.run), weight=s.weight, label=s.label) for s in plan() if s.app == APP]
    return run_job(job, steps=steps, progress=progress, stale_after=0)
