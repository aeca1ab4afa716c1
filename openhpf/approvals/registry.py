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
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from openhpf.core import authz
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

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


def applying() -> PendingCommand | None:
    """The approved command whose apply is running now (None outside an approval); the flag itself lives in
    core.authz so that lower apps (ledger) can ask without importing approvals."""
    return authz.applying()


def _running(command: PendingCommand) -> AbstractContextManager[None]:
    return authz.command_applying(command)
