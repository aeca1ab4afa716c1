"""Four eyes on money and on the bank channel (资金四眼原则): what makes a payment need a checker before it is sent,
the payee registry, the sources whose own approval counts as the check, and where a bank channel may point.

- A payment started directly (API, console, `hpf settlement pay --as`), a batch payment, a deposit or a transfer
  is held (`Instruction.State.HELD`) when its amount reaches the policy value maker_checker.money_threshold or
  when a payee is not registered. Its release command (`settlement.instruction_release`) is submitted with it;
  a checker with approvals.approve who is not its maker approves it and only then is it sent.
- A payment whose source is an application approved by someone other than its maker, to the payee recorded on
  that application, counts as checked: the app that owns the application registers a check here
  (`register_application_source`), so withdrawals and loans are not approved twice.
- A channel URL must name a host on settings.HPF_BANK_URL_ALLOWLIST; development and test settings
  (HPF_BANK_CHANNEL_DEV) also allow 127.0.0.1 and localhost on any port.

This module sits below services (services import it); it imports approvals (a lower app) only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_submit, requires_approval
from openhpf.audit.services import actor_label, audit_log
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen

from .models import BankAccount, Instruction, Payee

RELEASE_COMMAND = "settlement.instruction_release"
PAYEE_COMMAND = "settlement.payee_add"
CHANNEL_COMMAND = "settlement.channel_set"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


# ---------------------------------------------------------------- payee registry


def payee_registered(*, center: Center | int, account_no: str, account_name: str) -> bool:
    """The center's own active 专户 (by number), or an active registered payee of that number and name."""
    account_no, account_name = account_no.strip(), account_name.strip()
    if BankAccount.objects.filter(center=center, account_no=account_no, status=BankAccount.Status.ACTIVE).exists():
        return True
    return Payee.objects.filter(center=center, account_no=account_no, account_name=account_name, active=True).exists()


def payee_check(*, account_no: Any, account_name: Any, kind: Any) -> tuple[str, str, str]:
    """A payee's number (6–40 digits), name and kind, normalised; DomainError for anything else."""
    no, name, k = str(account_no or "").strip(), str(account_name or "").strip(), str(kind or "").strip()
    if not no.isdigit() or not 6 <= len(no) <= 40:
        raise DomainError(ErrorCode.PAYEE_ACCOUNT, "收款账号应为 6 至 40 位数字", field="account_no")
    if not name or len(name) > 120:
        raise DomainError(ErrorCode.PAYEE_REQUIRED, "请填写收款户名（不超过 120 个字符）", field="account_name")
    if k not in Payee.Kind.values:
        raise DomainError(ErrorCode.PAYEE_KIND, f"收款人类别不正确：{k}", field="kind")
    return no, name, k


def payee_register(*, center: Center, account_no: str, account_name: str, kind: str, actor: Actor, source: str,
                   bank_name: str = "", approved_by: str = "") -> Payee:
    """Add a payee. Called by the approved settlement.payee_add command, and by an app whose own application,
    approved by someone other than its maker, records the payee (a member's card for a withdrawal, a seller or
    a developer for a loan): `source` names that application, `approved_by` its checker."""
    no, name, k = payee_check(account_no=account_no, account_name=account_name, kind=kind)
    existing = Payee.objects.filter(center=center, account_no=no).first()
    if existing is not None:
        if existing.account_name == name and existing.active:
            return existing
        raise DomainError(ErrorCode.PAYEE_EXISTS, f"收款账号 {no} 已登记为收款人（户名 {existing.account_name}）",
                          field="account_no")
    p = Payee.objects.create(center=center, account_no=no, account_name=name, bank_name=bank_name.strip()[:60],
                             kind=k, source=source[:60], created_by=actor_label(actor)[0], approved_by=approved_by[:150])
    audit_log(actor=actor, action=AuditEvent.SETTLEMENT_PAYEE_ADD, obj=p, center=center,
              business_date=center.business_date,
              # under the trail's payee keys: a member's card and name are masked (with a blind index) there
              after={"payee_account": no, "payee_name": name, "kind": k, "source": p.source,
                     "approved_by": approved_by})
    return p


def _unregistered(center: Center, payees: Sequence[tuple[str, str, int]]) -> list[tuple[str, str]]:
    """The payees not registered, read in chunks (a batch may pay 100,000 payees): `payee_registered` per set."""
    wanted = list(dict.fromkeys((no.strip(), name.strip()) for no, name, _ in payees))
    if len(wanted) == 1:
        no, name = wanted[0]
        return [] if payee_registered(center=center, account_no=no, account_name=name) else wanted
    known: set[tuple[str, str]] = set()
    nos = sorted({no for no, _ in wanted})
    for i in range(0, len(nos), 500):
        part = nos[i:i + 500]
        known |= {(no, "*") for no in BankAccount.objects.filter(
            center=center, account_no__in=part, status=BankAccount.Status.ACTIVE).values_list("account_no", flat=True)}
        known |= set(Payee.objects.filter(center=center, account_no__in=part, active=True)
                     .values_list("account_no", "account_name"))
    return [(no, name) for no, name in wanted if (no, "*") not in known and (no, name) not in known]


# ---------------------------------------------------------------- application payments (already checked)


ApplicationCheck = Callable[..., bool]
_APPLICATION_SOURCES: dict[str, ApplicationCheck] = {}


def register_application_source(source: str, check: ApplicationCheck) -> None:
    """An app declares that instructions of `source` pay out an application of its own. `check(center=,
    source_ref=, payees=[(account_no, account_name, amount), …])` returns True only when `source_ref` names an
    application approved by someone other than its maker whose recorded payee(s) and amount(s) are exactly these:
    such a payment counts as checked and is sent without a second approval."""
    _APPLICATION_SOURCES[source] = check


def application_checked(*, center: Center, source: str, source_ref: str,
                        payees: Sequence[tuple[str, str, int]]) -> bool:
    check = _APPLICATION_SOURCES.get(source)
    if check is None or not source_ref:
        return False
    return bool(check(center=center, source_ref=source_ref, payees=list(payees)))


# ---------------------------------------------------------------- holding and releasing


@dataclass(frozen=True)
class Hold:
    reasons: list[str]

    def __bool__(self) -> bool:
        return bool(self.reasons)


def hold_reasons(*, center: Center, amount: int, payees: Sequence[tuple[str, str, int]], source: str,
                 source_ref: str, business_date: date) -> Hold:
    """Why a payment needs a checker before it is sent (empty: it does not)."""
    if application_checked(center=center, source=source, source_ref=source_ref, payees=payees):
        return Hold([])
    reasons = []
    if requires_approval(amount=amount, center=center, on=business_date):
        reasons.append(f"金额 {format_fen(amount)} 元达到复核限额")
    unregistered = _unregistered(center, payees)
    if unregistered:
        shown = "、".join(f"{name}（{no}）" for no, name in unregistered[:5])
        more = f"等 {len(unregistered)} 个" if len(unregistered) > 5 else ""
        reasons.append(f"收款人 {shown}{more}未登记")
    return Hold(reasons)


def hold(ins: Instruction, *, hold: Hold, actor: Actor) -> PendingCommand:
    """Submit the held instruction's release command (the maker is the instruction's maker) and record it."""
    cmd = command_submit(name=RELEASE_COMMAND, actor=actor, center=ins.center, business_date=ins.business_date,
                         params={"seq": ins.seq, "amount": ins.amount, "code": ins.code, "count": ins.count,
                                 "payee_account": ins.counter_account, "payee_name": ins.counter_name,
                                 "summary": ins.summary, "reasons": hold.reasons})
    Instruction.objects.filter(pk=ins.pk).update(release_command=cmd.pk)
    ins.release_command = cmd.pk
    audit_log(actor=actor, action=AuditEvent.SETTLEMENT_INSTRUCTION_HOLD, obj=ins, center=ins.center,
              business_date=ins.business_date,
              after={"seq": ins.seq, "amount": ins.amount, "reasons": hold.reasons, "command": cmd.pk})
    return cmd


def held_answer(ins: Instruction) -> dict[str, Any]:
    """What an edge says about a held instruction: the INSTRUCTION_HELD code, its message and the command."""
    return {"code": ErrorCode.INSTRUCTION_HELD.value,
            "message": ErrorCode.INSTRUCTION_HELD.render(seq=ins.seq), "command": ins.release_command}


# ---------------------------------------------------------------- where a bank channel may point


def channel_url_check(url: Any) -> str:
    """A channel URL: http(s), a host on HPF_BANK_URL_ALLOWLIST (`host` or `host:port` entries), or, under
    development and test settings (HPF_BANK_CHANNEL_DEV), 127.0.0.1 / localhost on any port."""
    url = str(url or "").strip()
    if not url.startswith(("http://", "https://")) or len(url) > 200:
        raise DomainError(ErrorCode.CHANNEL_URL, "接口地址应以 http:// 或 https:// 开头（不超过 200 个字符）", field="url")
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        raise DomainError(ErrorCode.CHANNEL_URL, "接口地址格式不正确", field="url") from None
    if not host or parts.username or parts.password:
        raise DomainError(ErrorCode.CHANNEL_URL, "接口地址格式不正确（应为 http(s)://主机[:端口]/路径）", field="url")
    allowed = {str(h).strip().lower() for h in getattr(settings, "HPF_BANK_URL_ALLOWLIST", []) if str(h).strip()}
    if host in allowed or (port is not None and f"{host}:{port}" in allowed):
        return url
    if getattr(settings, "HPF_BANK_CHANNEL_DEV", False) and host in LOOPBACK_HOSTS:
        return url
    raise DomainError(ErrorCode.CHANNEL_HOST_NOT_ALLOWED,
                      f"接口地址的主机 {host} 不在银行接口白名单（HPF_BANK_URL_ALLOWLIST）中", field="url")


def local_link_allowed(url: str) -> bool:
    """`hpf bank-sim-link` may point a channel without a checker: only under development and test settings and
    only at this machine."""
    host = (urlsplit(url).hostname or "").lower()
    return bool(getattr(settings, "HPF_BANK_CHANNEL_DEV", False)) and host in LOOPBACK_HOSTS
