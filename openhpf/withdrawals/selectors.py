"""Reads of 提取: a member's withdrawal history (audited), the legal limit of 3 日 from 受理 (条例第二十五条) for
each open withdrawal and the overdue ones, what the work queue's review screen shows of a withdrawal, and the
提取情况表 (by reason, month and branch) that finance's statements page lists and exports.

The applications are the engine's rows (`applications.models.Application`, read here for the withdrawal items
only); the money side is this app's `Payout`. The report groups the paid payouts in SQL (one GROUP BY)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from openhpf.accounts.models import Member, MemberAccount
from openhpf.applications.models import Application, State
from openhpf.applications.registry import ReviewSection, register_review_section
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.authz import check_permission
from openhpf.core.codes import BizType
from openhpf.core.models import Branch, Center
from openhpf.core.money import format_fen
from openhpf.finance.periods import Period
from openhpf.finance.selectors import Check, Row, Section, Statement, register_statement
from openhpf.ledger import published
from openhpf.ledger.models import SubAccount

from .cards import card_current
from .models import Payout, ReasonConfig

OPEN_STATES = (State.SUBMITTED, State.ACCEPTED, State.CORRECTION, State.UNDER_REVIEW, State.APPROVED,
               State.EXECUTING, State.EXECUTION_FAILED)
REPORT_KIND = "withdrawals"
REPORT_TITLE = "提取情况表"


def withdrawal_items() -> list[str]:
    """The catalogue items that are withdrawal reasons (every configured reason, local ones included)."""
    return sorted(set(ReasonConfig.objects.values_list("item_code", flat=True)))


def reason_names() -> dict[str, str]:
    """item code → '07 房租' (the latest version's code and name)."""
    out: dict[str, str] = {}
    for cfg in ReasonConfig.objects.order_by("item_code", "version"):
        out[cfg.item_code] = f"{cfg.reason_code} {cfg.name}"
    return out


def is_withdrawal(app: Application) -> bool:
    return ReasonConfig.objects.filter(item_code=app.item_code).exists()


# ---------------------------------------------------------------- the 3 日 limit (条例第二十五条)


@dataclass(frozen=True)
class Limit:
    accepted_on: date | None
    legal_due: date | None
    days_left: int | None  # natural days from the business date to the legal due date; negative: overdue
    overdue: bool
    paused: bool
    done_on: date | None

    @property
    def text(self) -> str:
        if self.accepted_on is None or self.legal_due is None:
            return "尚未受理，时限未起算"
        if self.done_on is not None:
            late = (self.done_on - self.legal_due).days
            return f"{self.done_on.isoformat()} 办结" + (f"，超期 {late} 日" if late > 0 else "，未超期")
        if self.paused:
            return f"补正中，时限暂停（法定期限 {self.legal_due.isoformat()}）"
        assert self.days_left is not None
        if self.days_left < 0:
            return f"已超期 {-self.days_left} 日（法定期限 {self.legal_due.isoformat()}）"
        if self.days_left == 0:
            return f"今日到期（法定期限 {self.legal_due.isoformat()}）"
        return f"剩余 {self.days_left} 日（法定期限 {self.legal_due.isoformat()}）"


def legal_limit(app: Application, on: date) -> Limit:
    """Where the application stands against its legal limit on business date `on` (the due date stored at 受理,
    moved by a pause, as the engine keeps it)."""
    done = app.completed_on or (app.decided_on if app.state not in OPEN_STATES else None)
    paused = app.paused_on is not None
    left = (app.legal_due - on).days if app.legal_due is not None else None
    overdue = bool(done is None and not paused and left is not None and left < 0)
    return Limit(app.accepted_on, app.legal_due, left, overdue, paused, done)


def overdue_withdrawals(center: Center | int, on: date) -> QuerySet[Application]:
    """Open withdrawals past their legal due date on `on` (a paused clock is not running), oldest due first."""
    return (Application.objects.filter(center=center, item_code__in=withdrawal_items(), state__in=OPEN_STATES,
                                       paused_on__isnull=True, legal_due__lt=on)
            .select_related("item_version", "branch", "member").order_by("legal_due", "id"))


def overdue_count(center: Any, user: Any) -> int:
    c = center if isinstance(center, Center) else Center.objects.get(pk=center)
    return overdue_withdrawals(c, c.business_date).count()


# ---------------------------------------------------------------- a member's withdrawals (member page)


@dataclass(frozen=True)
class HistoryRow:
    number: str
    reason: str
    submitted: date | None
    amount: int | None
    paid: int | None
    state: str
    payout_state: str
    paid_on: date | None
    bank_seq: str
    limit: Limit


def history_of(*, member: Member, actor: Actor, business_date: date) -> list[HistoryRow]:
    """Every withdrawal application of the member, newest first, with what was paid, when and the bank's
    reference; the read is audited (withdrawals.history.read)."""
    check_permission(actor, "accounts.view", center=member.center_id)
    names = reason_names()
    apps = (Application.objects.filter(member=member, item_code__in=list(names))
            .exclude(state=State.DRAFT).prefetch_related("payouts__account").order_by("-created_at", "-id"))
    rows = []
    for a in apps:  # the member's own payout (a joint application also pays from the spouse's account)
        p: Payout | None = next((x for x in a.payouts.all() if x.account.member_id == member.pk), None)
        rows.append(HistoryRow(
            number=a.number, reason=names.get(a.item_code, a.item_code),
            submitted=a.accepted_on or (a.submitted_at.date() if a.submitted_at else None), amount=a.amount,
            paid=p.amount if p is not None and p.state == Payout.State.PAID else None,
            state=a.get_state_display(), payout_state=p.get_state_display() if p is not None else "",
            paid_on=p.paid_on if p is not None else None, bank_seq=p.bank_seq if p is not None else "",
            limit=legal_limit(a, business_date)))
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_HISTORY_READ, obj=member, center=member.center_id,
              business_date=business_date, after={"member": member.pk, "rows": len(rows),
                                                  "numbers": [r.number for r in rows[:50]]})
    return rows


# ---------------------------------------------------------------- the review screen's section


def review_rows(app: Application, actor: Any) -> list[tuple[str, str]]:
    """提取 on the work queue's review screen: the reason, the account's balances, the card (masked), the hold
    and the payment, and the 3 日 limit. [] for an application that is not a withdrawal."""
    cfg = ReasonConfig.objects.filter(item_code=app.item_code).order_by("-version").first()
    if cfg is None:
        return []
    rows = [("提取原因", f"{cfg.reason_code} {cfg.name}" + ("（销户提取）" if cfg.closes_account else ""))]
    if app.amount is not None:
        rows.append(("申请提取金额", f"{format_fen(app.amount)} 元"))
    acct = (MemberAccount.objects.filter(member_id=app.member_id or 0).order_by("-opened_date", "-pk").first())
    if acct is not None:
        sub = SubAccount.objects.get(pk=acct.pk)
        rows += [("个人账户", f"{acct.account_no}（{acct.get_status_display()}，{acct.get_freeze_kind_display()}）"),
                 ("账户余额", f"{format_fen(sub.balance)} 元"),
                 ("冻结 / 预留", f"{format_fen(sub.frozen_amount)} 元 / {format_fen(sub.hold_amount)} 元"),
                 ("可用余额", f"{format_fen(sub.available)} 元")]
    card = card_current(app.member_id) if app.member_id else None
    rows.append(("结算银行卡", f"{card.bank_name} {card.masked}" if card is not None else "未登记已核验的本人银行卡"))
    payout = Payout.objects.filter(application=app).first()
    if payout is not None:
        rows.append(("提取支付", payout.get_state_display() + (f"：{payout.message}" if payout.message else "")))
        if payout.held:
            rows.append(("已预留金额", f"{format_fen(payout.held)} 元"))
        if payout.amount:
            rows.append(("支付金额", f"{format_fen(payout.amount)} 元" + (
                f"（含利息 {format_fen(payout.interest)} 元）" if payout.interest else "")))
        if payout.instruction_seq:
            rows.append(("结算指令", payout.instruction_seq))
        if payout.paid_on:
            rows.append(("支付日期 / 银行流水号", f"{payout.paid_on.isoformat()} / {payout.bank_seq or '—'}"))
    limit = legal_limit(app, app.center.business_date)
    rows.append(("法定时限（3 日）", limit.text))
    return rows


# ---------------------------------------------------------------- 提取情况表 (finance's statements)


def _month_label(d: date) -> str:
    return f"{d.year}年{d.month}月"


def report(center: Center, period: Period, user: Actor) -> Statement:
    """提取情况表: the withdrawals PAID in the period (by their payment date), counted and summed by reason, by
    month and by branch (网点 of the application), in one GROUP BY over the payouts; and the check that the total
    equals the 201 debits of the withdrawal types (11 部分提取, 12 销户提取) the ledger booked from withdrawals."""
    check_permission(user, "finance.view", center=center)
    names = reason_names()
    branches = dict(Branch.objects.filter(center=center).values_list("pk", "name"))
    grouped = (Payout.objects.filter(center=center, state=Payout.State.PAID, paid_on__gte=period.start,
                                     paid_on__lte=period.end)
               .annotate(month=TruncMonth("paid_on"))
               .values("application__item_code", "month", "application__branch_id")
               .annotate(n=Count("id"), total=Sum("amount")))
    by_reason: dict[str, list[int]] = {}
    by_month: dict[date, list[int]] = {}
    by_branch: dict[int | None, list[int]] = {}
    for g in grouped:
        n, total = int(g["n"]), int(g["total"] or 0)
        month = g["month"].date() if hasattr(g["month"], "date") else g["month"]
        for key, bucket in ((g["application__item_code"], by_reason), (month, by_month),
                            (g["application__branch_id"], by_branch)):
            cell = bucket.setdefault(key, [0, 0])  # type: ignore[arg-type]
            cell[0] += n
            cell[1] += total
    count_all = sum(v[0] for v in by_reason.values())
    amount_all = sum(v[1] for v in by_reason.values())
    cols = ["笔数", "金额（元）"]
    fmt = ("count", "money")

    def total_row() -> Row:
        return Row("合计", [count_all, amount_all], fmt=fmt, total=True)

    sections = [
        Section("按提取原因", cols, [Row(names.get(k, k), v, code=k, fmt=fmt) for k, v in sorted(
            by_reason.items(), key=lambda kv: names.get(kv[0], kv[0]))] + [total_row()]),
        Section("按月份", cols, [Row(_month_label(k), v, fmt=fmt) for k, v in sorted(by_month.items())]
                + [total_row()]),
        Section("按网点", cols, [Row(branches.get(k, "未指定网点") if k is not None else "未指定网点", v, fmt=fmt)
                              for k, v in sorted(by_branch.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))]
                + [total_row()]),
    ]
    booked = (Payout.objects.filter(center=center, state=Payout.State.PAID, paid_on__gte=period.start,
                                    paid_on__lte=period.end).aggregate(t=Sum("amount"))["t"] or 0)
    ledger = _ledger_withdrawals(center, period)
    checks = [Check("提取金额与个人明细账提取发生额一致", ledger == booked,
                    f"提取支付 {format_fen(booked)} 元，明细账（部分提取、销户提取，来源为提取支付）{format_fen(ledger)} 元")]
    return Statement(kind=REPORT_KIND, title=REPORT_TITLE, center_name=center.name, period=period,
                     sections=sections, checks=checks,
                     notes=["按支付成功日期统计；金额含销户提取的结息；网点为受理办件的网点。"])


def _ledger_withdrawals(center: Center, period: Period) -> int:
    """Σ of the member debits the bank's confirmations of withdrawals booked in the period (ledger biz types 11
    and 12 of the settlement source), over the ledger's published views: what the report's total must equal."""
    rows = sql.fetch(
        f"SELECT COALESCE(SUM(r.amount), 0) FROM {published.SUBLEDGER_ROW} r "  # noqa: S608 — view names from code; values bound
        f"JOIN {published.JOURNAL_ENTRY} e ON e.id = r.entry_id "
        "WHERE e.center_id = %s AND e.source = %s AND r.biz_type IN (%s, %s) "
        "AND e.business_date >= %s AND e.business_date <= %s",
        [center.pk, "settlement", BizType.PARTIAL_WITHDRAWAL, BizType.CLOSING_WITHDRAWAL, period.start, period.end])
    return -int(rows[0][0] or 0)


def register_reads() -> None:
    register_review_section(ReviewSection("withdrawals.payout", "提取", rows=review_rows, order=30))
    register_statement(REPORT_KIND, REPORT_TITLE, report)
