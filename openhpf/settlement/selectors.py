"""Reads of bank settlement: 专户 with book balance and reservations, instructions, the notice work queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum

from openhpf.access.selectors import check_permission
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.paging import Page, mapped, paginate
from openhpf.core.personal import PersonalRead, personal_read
from openhpf.ledger.selectors import gl_balance

from .models import BankAccount, BankChannel, Deposit, Instruction, Notice, Payee
from .services import bank_account_reserved


@dataclass(frozen=True)
class AccountRow:
    account: BankAccount
    channel_url: str
    book_balance: int
    reserved: int

    @property
    def available(self) -> int:
        return self.book_balance - self.reserved


def bank_accounts(*, center: Center, user: Actor) -> list[AccountRow]:
    check_permission(user, "settlement.view", center=center)
    urls = dict(BankChannel.objects.filter(center=center, active=True).values_list("bank_code", "url"))
    return [AccountRow(a, urls.get(a.bank_code, ""), gl_balance(center=center, code_prefix=a.gl_account.code),
                       bank_account_reserved(a))
            for a in BankAccount.objects.filter(center=center).select_related("gl_account").order_by("gl_account__code")]


def instruction_counts(*, center: Center, user: Actor) -> dict[str, int]:
    check_permission(user, "settlement.view", center=center)
    return dict(Instruction.objects.filter(center=center).values_list("state").annotate(n=Count("pk")).order_by())


def instructions(*, center: Center, user: Actor, state: str = "") -> QuerySet[Instruction]:
    check_permission(user, "settlement.view", center=center)
    qs = Instruction.objects.filter(center=center).select_related("bank_account").order_by("-pk")
    return qs.filter(state=state) if state else qs


def notices(*, center: Center, user: Actor, status: str = "") -> QuerySet[Notice]:
    check_permission(user, "settlement.view", center=center)
    qs = Notice.objects.filter(center=center).select_related("bank_account", "receipt", "instruction").order_by("-pk")
    return qs.filter(status=status) if status else qs


def own_parties(*, center: Center | int) -> tuple[frozenset[str], frozenset[str]]:
    """The center's own 专户 numbers and the names it appears under at its banks (the banks' names and the
    accounts' names): money from these is the center's own (bank interest, transfers), never a person's."""
    rows = list(BankAccount.objects.filter(center=center).values_list("account_no", "bank_name", "account_name"))
    return (frozenset(r[0] for r in rows),
            frozenset(n.strip() for r in rows for n in (r[1], r[2]) if n and n.strip()))
@dataclass(frozen=True)
class PullLine:
    """What a notice pull brought, by what became of the notices: count and amount (fen) per status."""

    status: str
    label: str
    count: int
    amount: int


def notice_last_pk(*, center: Center) -> int:
    """The newest notice's id (0 with none): a pull's new notices are those after it."""
    return Notice.objects.filter(center=center).order_by("-pk").values_list("pk", flat=True).first() or 0


def notices_after(*, center: Center, user: Actor, after_pk: int) -> list[PullLine]:
    """The notices recorded after `after_pk`, summed by status (registered receipts, 暂收, interest…)."""
    check_permission(user, "settlement.view", center=center)
    labels = dict(Notice.Status.choices)
    rows = (Notice.objects.filter(center=center, pk__gt=after_pk).values("status")
            .annotate(n=Count("pk"), total=Sum("amount")).order_by("status"))
    return [PullLine(r["status"], str(labels.get(r["status"], r["status"])), int(r["n"]), int(r["total"] or 0))
            for r in rows]


def pending_outflows(center: Center, start: Any, end: Any) -> list[tuple[Any, int, str]]:
    """Payments sent or waiting to be sent that the banks have not confirmed: money that leaves the 专户 next
    (for the liquidity monitor; registered with openhpf.finance.liquidity). An instruction waiting from an earlier
    day is due at once (`start`). Batch payments are left out: their money already sits in in-transit clearing
    (21903), which the monitor subtracts from the available funds."""
    out = []
    for d, amount, code, summary, seq in Instruction.objects.filter(
            center=center, direction="out", business_date__lte=end).exclude(
            state__in=Instruction.FINAL_STATES).exclude(
            code="BDC103").values_list(
            "business_date", "reserved", "code", "summary", "seq"):
        if amount > 0:
            out.append((max(d, start), int(amount), f"{code} {summary} {seq}"))
    return out


def deposits(*, center: Center, user: Actor) -> QuerySet[Deposit]:
    """定期与通知存款, newest first."""
    check_permission(user, "settlement.view", center=center)
    return Deposit.objects.filter(center=center).select_related("bank_account").order_by("-pk")


def dayend_bank_accounts(center: Center, on: Any) -> list[BankAccount]:
    """The active 专户 day-end fetches and reconciles on `on`: those whose bank the gateway reaches (accounts
    without a channel are reconciled from files) and whose reconciliation has started."""
    banks = set(BankChannel.objects.filter(center=center, active=True).values_list("bank_code", flat=True))
    return [a for a in BankAccount.objects.filter(center=center, status=BankAccount.Status.ACTIVE)
            .select_related("gl_account", "center").order_by("gl_account__code")
            if a.bank_code in banks and (a.reconcile_from is None or a.reconcile_from <= on)]


def fund_account_for_payments(center: Center | int) -> BankAccount | None:
    """The 住房公积金存款专户 that pays members' money out (withdrawals): the active fund account the gateway
    reaches (a channel for its bank), the first by ledger code; None when there is none."""
    banks = set(BankChannel.objects.filter(center=center, active=True).values_list("bank_code", flat=True))
    for a in (BankAccount.objects.filter(center=center, status=BankAccount.Status.ACTIVE, kind=BankAccount.Kind.FUND)
              .select_related("gl_account").order_by("gl_account__code")):
        if a.bank_code in banks:
            return a
    return None


@dataclass(frozen=True)
class PayeeRow:
    """One registered payee as its reader may see it: account number and name masked by clearance."""

    id: int
    kind: str
    kind_label: str
    account_no: str
    account_name: str
    bank_name: str
    source: str
    created_by: str
    approved_by: str


@personal_read(AuditEvent.SETTLEMENT_PAYEE_LIST, perm="settlement.view")
def payees(*, center: Center, actor: Actor, read: PersonalRead, limit: int = 1000) -> list[PayeeRow]:
    """登记收款人: the payee registry of the center, by account number. Members' cards and sellers sit next to
    counterparties, so account numbers and names are masked by the reader's clearance and the read is audited;
    the clear value is the audited unmask (access.services.personal_data_unmask)."""
    rows = _payee_qs(center)[: max(1, min(limit, 5000))]
    out = [_payee_row(read, p) for p in rows]
    read.note(rows=len(out))
    return out


@personal_read(AuditEvent.SETTLEMENT_PAYEE_LIST, perm="settlement.view")
def payees_page(*, center: Center, actor: Actor, read: PersonalRead, page: Any = 1,
                page_size: int = 50) -> Page[PayeeRow]:
    """The console's page of 登记收款人 with the true total (masked as in payees; the page read is audited)."""
    p = paginate(_payee_qs(center), page, page_size, param="ppage")
    out = mapped(p, lambda r: _payee_row(read, r))
    read.note(rows=len(out), page=out.page, total=out.total)
    return out


def _payee_qs(center: Center) -> QuerySet[Payee]:
    return Payee.objects.filter(center=center, active=True).order_by("kind", "account_no")


def _payee_row(read: PersonalRead, p: Payee) -> PayeeRow:
    own = p.kind == Payee.Kind.OWN
    return PayeeRow(id=p.pk, kind=p.kind, kind_label=p.get_kind_display(),
                    account_no=p.account_no if own else read.mask("bank_card", p.account_no),
                    account_name=p.account_name if own else read.mask("name", p.account_name),
                    bank_name=p.bank_name, source=p.source, created_by=p.created_by, approved_by=p.approved_by)


def payee_get(*, center: Center, pk: int, user: Actor, perm: str = "settlement.view") -> Payee:
    """One registered payee of the center (the object of an unmask: perm personal_data.unmask);
    PAYEE_UNKNOWN when there is none."""
    check_permission(user, perm, center=center)
    p = Payee.objects.filter(center=center, pk=pk, active=True).first()
    if p is None:
        raise DomainError(ErrorCode.PAYEE_UNKNOWN, f"登记收款人 {pk} 不存在", field="payee")
    return p
