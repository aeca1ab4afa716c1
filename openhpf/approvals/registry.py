"""The registry of commands that go through maker-checker (复核).

A command is registered once, at app start-up (ApprovalsConfig.ready imports `commands`):

    register(
        "withdrawals.withdraw",
        apply=lambda params, actor, business_date: {...},     # the real write; returns a JSON-able result
        permission="withdrawals.withdraw",                      # what the maker needs to submit it
        describe=lambda params: "提取 1,000.00 元 …",           # the Chinese summary shown to the checker
        validate=lambda params, actor, center, business_date: None,  # raise DomainError on bad input
        amount=lambda params: params["amount"],                 # fen, if the command moves money
        on_reject=lambda command, actor, business_date: None,   # undo what waited for it (optional)
    )

`apply` runs inside the approving transaction (plain atomic, composes); a DomainError from it marks the
command failed and nothing it wrote persists. While it runs, `applying()` returns the PendingCommand being
applied (with maker and checker), for services that record who made and who approved the change.
`on_reject` runs in the rejecting transaction when a checker rejects (or the maker withdraws) the command: a
settlement instruction held for its release is cancelled there, so nothing waits for ever.

What the checker reads (复核摘要): each command type also registers a renderer, next to its `register` call:

    register_renderer("withdrawals.withdraw", render_withdraw)

    def render_withdraw(command, viewer) -> Summary:   # the PendingCommand (params, result, status, center_id)
        p = command.params                             # and who reads it (for masking), None in lists of code
        return Summary(
            headline=f"提取 {format_fen(p['amount'])} 元",                  # what will happen, one sentence
            facts=[Fact("职工", masked(viewer, command.center_id, "name", p["name"])),  # label → text, amounts in 元
                   Fact("金额", money(p["amount"]))],
            changes=[Change("账户余额", money(before), money(after))],       # before → after (optional)
            postings=[Posting("借", "201", "住房公积金", money(x))],          # 借/贷 lines with names (optional)
            links=[Link("查看凭证", url)],                                    # what the approval created (optional)
        )

A renderer reads only (the selectors of its app; `account_names` below gives chart-of-accounts names) and never
fails the page: an exception falls back to the stored summary. `summary_of(command, viewer)` is what the 复核 pages
show; `money(fen)` formats 元, `masked(viewer, center, kind, value)` masks personal data (names, bank accounts of
people) by the viewer's clearance (core.masking), `voucher_link(no)` links a voucher number to its page. A command type without a renderer is listed by `unrendered()` (a test keeps it empty).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse

from openhpf.core import authz
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask
from openhpf.core.money import format_fen

if TYPE_CHECKING:
    from .models import PendingCommand

Params = dict[str, Any]
Apply = Callable[[Params, Any, date], dict[str, Any]]
Validate = Callable[[Params, Any, Any, date], Params | None]
OnReject = Callable[[Any, Any, date], None]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    apply: Apply
    permission: str
    describe: Callable[[Params], str]
    validate: Validate | None = None
    amount: Callable[[Params], int | None] | None = None
    label: str = ""
    on_reject: OnReject | None = None


_REGISTRY: dict[str, CommandSpec] = {}


def register(
    name: str, *, apply: Apply, permission: str, describe: Callable[[Params], str],
    validate: Validate | None = None, amount: Callable[[Params], int | None] | None = None, label: str = "",
    on_reject: OnReject | None = None,
) -> CommandSpec:
    """Register a command. `validate(params, actor, center, business_date)` may return normalised params."""
    existing = _REGISTRY.get(name)
    spec = CommandSpec(name=name, apply=apply, permission=permission, describe=describe, validate=validate,
                       amount=amount, label=label or name, on_reject=on_reject)
    if existing is not None and existing != spec:
        raise ValueError(f"command {name!r} registered twice")
    _REGISTRY[name] = spec
    return spec


def get(name: str) -> CommandSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise DomainError(ErrorCode.COMMAND_UNKNOWN, f"未知的复核命令：{name}", field="name") from None


def names() -> list[str]:
    return sorted(_REGISTRY)


# ---------------------------------------------------------------- what the checker reads


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Posting:
    side: str  # 借 or 贷
    code: str
    name: str
    amount: str  # in 元
    memo: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Summary:
    headline: str
    facts: list[Fact] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    postings: list[Posting] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


Renderer = Callable[["PendingCommand", Any], Summary]
_RENDERERS: dict[str, Renderer] = {}
log = logging.getLogger(__name__)


def register_renderer(name: str, render: Renderer) -> Renderer:
    """Register how the 复核 pages show commands of type `name` (see the module docstring)."""
    existing = _RENDERERS.get(name)
    if existing is not None and existing is not render:
        raise ValueError(f"renderer of {name!r} registered twice")
    _RENDERERS[name] = render
    return render


def unrendered() -> list[str]:
    """Registered command types without a renderer."""
    return sorted(set(_REGISTRY) - set(_RENDERERS))


def money(fen: Any) -> str:
    """An amount in fen as people read it: '1,234.50 元' ('—' when it is not an amount)."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        return "—"
    return f"{format_fen(fen)} 元"


def masked(viewer: Any, center: Any, kind: str, value: Any) -> str:
    """A personal value (classification kind: name, bank_card, id_number, phone) as `viewer` may see it."""
    text = "" if value is None else str(value)
    clearance = authz.user_clearance(viewer, center=center) if viewer is not None else 0
    return mask(kind, text, clearance=clearance)


def summary_of(command: PendingCommand, viewer: Any = None) -> Summary:
    """The command as its renderer shows it to `viewer`; the stored summary when there is none or it fails."""
    render = _RENDERERS.get(command.name)
    if render is not None:
        try:
            return render(command, viewer)
        except Exception:  # a page must not fail for a summary; the stored one is shown
            log.exception("renderer of %s failed for command %s", command.name, command.pk)
    return Summary(headline=command.summary)


def voucher_link(voucher_no: str, label: str = "") -> Link:
    """A link to a voucher's page (the voucher viewer `finance:voucher`; plain text where it is not installed)."""
    try:
        url = reverse("finance:voucher", args=[voucher_no])
    except NoReverseMatch:
        url = ""
    return Link(label or f"记账凭证 {voucher_no}", url)


def label_of(name: str) -> str:
    """The command type's Chinese name ('手工记账凭证'), never its code."""
    spec = _REGISTRY.get(name)
    return spec.label if spec is not None and spec.label != name else "复核业务"


def applying() -> PendingCommand | None:
    """The approved command whose apply is running now (None outside an approval); the flag itself lives in
    core.authz so that lower apps (ledger) can ask without importing approvals."""
    return authz.applying()


def _running(command: PendingCommand) -> AbstractContextManager[None]:
    return authz.command_applying(command)


@dataclass(frozen=True)
class ChangeTerms:
    """What every maker-checker change of a versioned configuration carries besides its fields."""

    effective_from: date
    reason: str
    changes: dict[str, Any]


def effective_and_reason(params: dict[str, Any], business_date: date, *,
                         bad: Callable[[str, str], DomainError]) -> tuple[date, str]:
    """The effective date (YYYY-MM-DD, not before the business date; the business date when absent) and the
    reason (its policy source) of a versioned change; `bad(detail, field)` makes the command's own error."""
    try:
        on = date.fromisoformat(str(params.get("effective_from") or business_date.isoformat()))
    except ValueError:
        raise DomainError(ErrorCode.DATE_FORMAT, "日期格式不正确（应为 YYYY-MM-DD）", field="effective_from") from None
    if on < business_date:
        raise bad("生效日期不能早于业务日期", "effective_from")
    reason = str(params.get("reason", "")).strip()
    if not reason:
        raise bad("请填写变更原因（政策依据）", "reason")
    return on, reason[:200]


def change_terms(params: dict[str, Any], business_date: date, *,
                 bad: Callable[[str, str], DomainError]) -> ChangeTerms:
    """`effective_and_reason` and the changed fields (a non-empty object) of a versioned change."""
    on, reason = effective_and_reason(params, business_date, bad=bad)
    changes = params.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise bad("请至少变更一项", "changes")
    return ChangeTerms(on, reason, changes)
