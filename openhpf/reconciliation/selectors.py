"""Reads of 日终对账: reconciliations and their 调节表, the work queue of open items, the day-end gate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery

from openhpf.access.selectors import check_permission, user_clearance
from openhpf.approvals.selectors import commands_keyed
from openhpf.core.actors import Actor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask
from openhpf.core.money import format_fen
from openhpf.ledger.chart import CHART
from openhpf.settlement.models import BankAccount

from .models import BankStatement, Direction, Reconciliation, ReconItem, StatementLine

VIEW = "settlement.view"

_NAMES = {code: name for code, name, *_ in CHART}
# the counter accounts a 补记凭证 may use (code, "code name"): the bank's fee or its interest, else other
BOOK_OUT = [(c, f"{c} {_NAMES[c]}") for c in ("41102", "41103", "41199")]


def account_name(code: str) -> str:
    """The chart's name of a GL account code ("" when not in the chart)."""
    return _NAMES.get(code, "")


BOOK_IN = [(c, f"{c} {_NAMES[c]}") for c in ("40101", "40102", "40199")]

ITEM_STATES = {
    "open": "未勾销（全部）",
    "blocking": "影响日终（待说明）",
    "unexplained": "未说明",
    "explained": "已说明",
    "closed": "已勾销/核销",
    "all": "全部",
}


def _limit(limit: int, cap: int = 1000) -> int:
    return max(1, min(limit, cap))


def bank_account_get(*, center: Any, account_no: str, user: Actor) -> BankAccount:
    check_permission(user, VIEW, center=center)
    acct = BankAccount.objects.filter(center=center, account_no=(account_no or "").strip()).first()
    if acct is None:
        raise DomainError(ErrorCode.BANK_ACCOUNT_UNKNOWN, f"专户 {account_no} 不存在", field="account_no")
    return acct


def bank_accounts(*, center: Any, user: Actor) -> list[BankAccount]:
    check_permission(user, VIEW, center=center)
    return list(BankAccount.objects.filter(center=center).select_related("gl_account").order_by("gl_account__code"))


def reconciliation_list(*, center: Any, user: Actor, bank_account: BankAccount | None = None,
                        date_from: date | None = None, date_to: date | None = None, status: str | None = None,
                        limit: int = 100) -> list[Reconciliation]:
    check_permission(user, VIEW, center=center)
    qs: QuerySet[Reconciliation] = Reconciliation.objects.filter(center=center).select_related("bank_account")
    if bank_account is not None:
        qs = qs.filter(bank_account=bank_account)
    if date_from:
        qs = qs.filter(recon_date__gte=date_from)
    if date_to:
        qs = qs.filter(recon_date__lte=date_to)
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-recon_date", "bank_account__account_no")[: _limit(limit)])


def reconciliation_get(*, center: Any, pk: int, user: Actor) -> Reconciliation:
    check_permission(user, VIEW, center=center)
    r = (Reconciliation.objects.select_related("bank_account", "statement", "bank_account__gl_account")
         .filter(center=center, pk=pk).first())
    if r is None:
        raise DomainError(ErrorCode.RECON_UNKNOWN, f"对账记录 {pk} 不存在", field="reconciliation")
    return r


def item_get(*, center: Any, pk: int, user: Actor) -> ReconItem:
    check_permission(user, VIEW, center=center)
    it = ReconItem.objects.select_related("bank_account").filter(center=center, pk=pk).first()
    if it is None:
        raise DomainError(ErrorCode.ITEM_UNKNOWN, f"差异 {pk} 不存在", field="item")
    return it


def items_get(*, center: Any, pks: list[int], user: Actor) -> list[ReconItem]:
    check_permission(user, VIEW, center=center)
    found = list(ReconItem.objects.filter(center=center, pk__in=pks).order_by("pk"))
    missing = sorted(set(pks) - {i.pk for i in found})
    if missing:
        raise DomainError(ErrorCode.ITEM_UNKNOWN, f"差异 {missing[0]} 不存在", field="items")
    return found


def item_list(*, center: Any, user: Actor, bank_account: BankAccount | None = None, reason: str | None = None,
              state: str = "open", open_on: date | None = None, opened_in: Reconciliation | None = None,
              limit: int = 200) -> list[ReconItem]:
    """The work queue: items with their statement line and ledger line. `open_on`: the items open at the end of
    that day (what the 调节表 of that day adjusts for)."""
    qs = _item_qs(center=center, user=user, bank_account=bank_account, reason=reason, state=state, open_on=open_on,
                  opened_in=opened_in)
    return list(qs.order_by("opened_on", "pk")[: _limit(limit, 5000)])


def item_query(*, center: Any, user: Actor, bank_account: BankAccount | None = None, reason: str | None = None,
               state: str = "open") -> QuerySet[ReconItem]:
    """The work queue's items, oldest first, as a query: the console pages it (core.paging) with the true total."""
    return _item_qs(center=center, user=user, bank_account=bank_account, reason=reason, state=state).order_by(
        "opened_on", "pk")


def item_count(*, center: Any, user: Actor, state: str = "open") -> int:
    """How many items item_list finds in `state` (the 待办 count of 未达账项: the open items)."""
    return _item_qs(center=center, user=user, state=state).count()


def _item_qs(*, center: Any, user: Actor, bank_account: BankAccount | None = None, reason: str | None = None,
             state: str = "open", open_on: date | None = None,
             opened_in: Reconciliation | None = None) -> QuerySet[ReconItem]:
    check_permission(user, VIEW, center=center)
    qs: QuerySet[ReconItem] = ReconItem.objects.filter(center=center).select_related(
        "bank_account", "statement_line", "journal_line__entry", "closed_in")
    if bank_account is not None:
        qs = qs.filter(bank_account=bank_account)
    if reason:
        qs = qs.filter(reason=reason)
    if opened_in is not None:
        qs = qs.filter(opened_in=opened_in)
    if open_on is not None:
        qs = qs.filter(opened_on__lte=open_on).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=open_on))
    elif state == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif state == "blocking":
        # what holds day-end: unexplained 金额不符, and 未达账项 carried past the day they arose
        last = (Reconciliation.objects.filter(bank_account=OuterRef("bank_account")).order_by("-recon_date")
                .values("recon_date")[:1])
        qs = qs.filter(closed_on__isnull=True, status=ReconItem.Status.OPEN).annotate(last_on=Subquery(last)).filter(
            Q(reason=ReconItem.Reason.AMOUNT) | Q(opened_on__lt=F("last_on")))
    elif state == "unexplained":
        qs = qs.filter(closed_on__isnull=True, status=ReconItem.Status.OPEN)
    elif state == "explained":
        qs = qs.filter(closed_on__isnull=True, status=ReconItem.Status.EXPLAINED)
    elif state == "closed":
        qs = qs.filter(closed_on__isnull=False)
    return qs


@dataclass
class ItemView:
    """An item as shown to staff: the counterparty masked by the viewer's clearance."""

    item: ReconItem
    counter_name: str = ""
    counter_account: str = ""
    summary: str = ""
    bank_seq: str = ""
    voucher_no: str = ""
    memo: str = ""

    command: Any = None  # the 补记凭证 or 冲正 submitted for it: waiting for a checker, or applied (not yet matched)

    @property
    def pending_command(self) -> int | None:
        return self.command.pk if self.command is not None and self.command.status == "pending" else None

    @property
    def booked_command(self) -> int | None:
        """Applied: its voucher is posted, and the next reconciliation closes the item."""
        return self.command.pk if self.command is not None and self.command.status == "applied" else None

    @property
    def can_book(self) -> bool:
        """A bank line the books lack (a fee, interest): a voucher may be booked for it (补记凭证), once."""
        return self.item.closed_on is None and self.item.statement_line_id is not None and self.command is None

    @property
    def can_reverse(self) -> bool:
        """A voucher no bank executed: it may be reversed (冲正), once."""
        return (self.item.closed_on is None and self.item.journal_line_id is not None and bool(self.voucher_no)
                and self.command is None)

    @property
    def book_choices(self) -> list[tuple[str, str]]:
        """The counter accounts of a 补记凭证: expenses for money the bank took, income for money it paid in."""
        return BOOK_OUT if self.item.direction == Direction.OUT else BOOK_IN


ITEM_COMMAND_PREFIXES = ("recon-book:", "recon-reverse:")


def item_command_key(kind: str, item_pk: int, token: str) -> str:
    """The idempotency key of the command submitted for an item (kind: book or reverse)."""
    return f"recon-{kind}:{item_pk}:{token}"


def items_commands(*, center: Any, items: Iterable[ReconItem]) -> dict[int, Any]:
    """The 补记凭证 or 冲正 command of each open item that has one waiting for a checker or applied (the item
    then waits for the next reconciliation to match its voucher): {item pk: command}, the latest per item."""
    open_items = {it.pk: it for it in items if it.closed_on is None}
    if not open_items:
        return {}
    since = min(it.opened_on for it in open_items.values())
    out: dict[int, Any] = {}
    for cmd in commands_keyed(center=center, prefixes=ITEM_COMMAND_PREFIXES, statuses=("pending", "applied"),
                              since=since):
        part = (cmd.idempotency_key or "").split(":")[1:2]
        if part and part[0].isdigit() and int(part[0]) in open_items:
            out[int(part[0])] = cmd  # oldest first: the latest wins
    return out


def item_views(items: list[ReconItem], *, user: Actor, center: Any) -> list[ItemView]:
    clearance = user_clearance(user, center=center)
    commands = items_commands(center=center, items=items)
    out = []
    for it in items:
        v = ItemView(it, command=commands.get(it.pk))
        sl = it.statement_line
        if sl is not None:
            # a payee or payer may be a person (a member's withdrawal): masked like every personal field
            v.counter_name = mask("name", sl.counter_name, clearance=clearance)
            v.counter_account = mask("bank_card", sl.counter_account, clearance=clearance)
            v.summary, v.bank_seq = sl.summary, sl.bank_seq
        jl = it.journal_line
        if jl is not None:
            v.voucher_no, v.memo = jl.entry.voucher_no, jl.memo or jl.entry.description
        out.append(v)
    return out


def item_view_get(*, center: Any, pk: int, user: Actor) -> ItemView:
    check_permission(user, VIEW, center=center)
    it = (ReconItem.objects.select_related("bank_account", "statement_line", "journal_line__entry", "closed_in")
          .filter(center=center, pk=pk).first())
    if it is None:
        raise DomainError(ErrorCode.ITEM_UNKNOWN, f"差异 {pk} 不存在", field="item")
    return item_views([it], user=user, center=center)[0]


def statement_lines(*, statement: BankStatement, user: Actor, key: str = "", limit: int = 200) -> list[StatementLine]:
    check_permission(user, VIEW, center=statement.center_id)
    qs = StatementLine.objects.filter(statement=statement)
    if key:
        qs = qs.filter(Q(bank_seq=key) | Q(ref=key))
    return list(qs.order_by("line_no")[: _limit(limit)])


def statement_money_in(*, statement: BankStatement, amounts: set[int]) -> list[StatementLine]:
    """The statement's lines of money others sent in (no instruction of the center echoed), of these amounts,
    in line order: what a service that reacts to a stored statement looks at (no user: the caller checked)."""
    if not amounts:
        return []
    return list(StatementLine.objects.filter(statement=statement, direction=Direction.IN, ref="",
                                             amount__in=sorted(amounts)).order_by("line_no"))


@dataclass
class AccountDays:
    """One row of the reconciliation home: a 专户 and its last reconciled days."""

    account: BankAccount
    days: list[Reconciliation] = field(default_factory=list)
    last_statement: date | None = None
    unreconciled: list[date] = field(default_factory=list)
    open_items: int = 0
    unexplained_items: int = 0

    @property
    def last(self) -> Reconciliation | None:
        return self.days[0] if self.days else None


def home_rows(*, center: Any, user: Actor, days: int = 7) -> list[AccountDays]:
    """Each 专户 with its last `days` reconciliations (newest first), statements not reconciled yet, open items."""
    check_permission(user, VIEW, center=center)
    accounts = list(BankAccount.objects.filter(center=center).select_related("gl_account")
                    .order_by("gl_account__code"))
    rows = {a.pk: AccountDays(a) for a in accounts}
    recent = Reconciliation.objects.filter(center=center).order_by("bank_account_id", "-recon_date")
    for r in recent.filter(recon_date__gte=_oldest_shown(center, days)):
        row = rows.get(r.bank_account_id)
        if row is not None and len(row.days) < days:
            row.days.append(r)
    for s in (BankStatement.objects.filter(center=center, reconciliation__isnull=True)
              .order_by("stmt_date").values("bank_account_id", "stmt_date")):
        rows[s["bank_account_id"]].unreconciled.append(s["stmt_date"])
    last = dict(BankStatement.objects.filter(center=center).values("bank_account_id").annotate(d=Max("stmt_date"))
                .values_list("bank_account_id", "d"))
    for agg in (ReconItem.objects.filter(center=center, closed_on__isnull=True).values("bank_account_id")
                .annotate(n=Count("id"), u=Count("id", filter=Q(status=ReconItem.Status.OPEN)))):
        row = rows[agg["bank_account_id"]]
        row.open_items, row.unexplained_items = agg["n"], agg["u"]
    for pk, d in last.items():
        rows[pk].last_statement = d
    return list(rows.values())


def _oldest_shown(center: Any, days: int) -> date:
    """The oldest day among the last `days` reconciled days of any account of the center."""
    dates = list(Reconciliation.objects.filter(center=center).order_by("-recon_date")
                 .values_list("recon_date", flat=True).distinct()[: max(days, 1)])
    return dates[-1] if dates else date.min


@dataclass
class AdjustmentTable:
    """银行存款余额调节表 of one reconciliation, with the open items behind each adjusting figure."""

    recon: Reconciliation
    bank_in: list[ItemView]  # 银行已收单位未收 (bank side, in; 金额不符 bank lines included)
    bank_out: list[ItemView]
    book_in: list[ItemView]  # 单位已收银行未收
    book_out: list[ItemView]


def adjustment_table(*, recon: Reconciliation, user: Actor) -> AdjustmentTable:
    items = item_views(item_list(center=recon.center_id, user=user, bank_account=recon.bank_account,
                                 open_on=recon.recon_date, limit=5000), user=user, center=recon.center_id)

    def pick(side: str, direction: str) -> list[ItemView]:
        return [v for v in items if v.item.side == side and v.item.direction == direction]

    bank, book = ReconItem.Side.BANK, ReconItem.Side.BOOK
    return AdjustmentTable(recon, pick(bank, "in"), pick(bank, "out"), pick(book, "in"), pick(book, "out"))


@dataclass(frozen=True)
class Gate:
    """The day-end gate of one day: ok, what holds it (problems), and the 专户 whose reconciliation starts later."""

    on: date
    ok: bool
    problems: list[str]
    notes: list[str]
    accounts: int  # the 专户 the gate covered on `on`


def reconciliation_gate(*, center: Any, on: date) -> Gate:
    """The day-end gate (日终对账检查) of `on`. Every active 专户 whose reconciliation has started (its
    reconcile_from on or before `on`; an account without one counts as started) must have a reconciliation of
    `on` without an unexplained difference: no statement, or a statement not reconciled, is 未对账. A 专户 newly
    linked whose reconciliation starts after `on` holds nothing and is named with its first day."""
    problems: list[str] = []
    notes: list[str] = []
    stmts = set(BankStatement.objects.filter(center=center, stmt_date=on).values_list("bank_account_id", flat=True))
    recons = {r.bank_account_id: r for r in Reconciliation.objects.filter(center=center, recon_date=on)}
    covered = 0
    for acct in (BankAccount.objects.filter(center=center, status=BankAccount.Status.ACTIVE)
                 .order_by("gl_account__code", "account_no")):
        name = f"专户 {acct.bank_name} {acct.account_no}"
        if acct.reconcile_from is not None and acct.reconcile_from > on:
            notes.append(f"{name}：自 {acct.reconcile_from} 起对账（此前不参加日终对账检查）")
            continue
        covered += 1
        r = recons.get(acct.pk)
        if r is None:
            why = "对账单已载入，尚未运行对账" if acct.pk in stmts else "尚无对账单，请下载或上传后对账"
            problems.append(f"{name}：{on} 未对账（{why}）")
        elif r.status != Reconciliation.Status.BALANCED:
            parts = []
            if r.difference:
                parts.append(f"调节后差额 {format_fen(r.difference)} 元")
            if r.items_unexplained:
                parts.append(f"{r.items_unexplained} 笔差异待说明")
            problems.append(f"{name}：{on} 对账不平（{'，'.join(parts)}）")
    return Gate(on=on, ok=not problems, problems=problems, notes=notes, accounts=covered)


def reconciliation_day_ok(*, center: Any, on: date) -> tuple[bool, list[str]]:
    """The day-end gate as (ok, problems): see `reconciliation_gate`."""
    gate = reconciliation_gate(center=center, on=on)
    return gate.ok, gate.problems
