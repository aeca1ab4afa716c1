"""The handler registry: how an item's own app plugs into the engine (the engine never imports handlers).

A domain app (withdrawals, loans, accounts' 单位缴存信息变更 …) registers one handler per catalogue item in its
`AppConfig.ready()`:

    from openhpf.applications.registry import Handler, register_handler

    register_handler(Handler(
        item_code="HPF-P-WD-RENT",
        validate=validate_rent,        # (payload, application) -> (normalised payload, [problems]) — every problem
        rule_inputs=rent_inputs,       # (application) -> {input name: value} for the item's decision rules
        execute=pay_rent_withdrawal,   # (application, actor, business_date) -> result (JSON); DomainError = failed
        amount=lambda p: p["amount"],  # (payload) -> fen, for the review levels' thresholds (optional)
        form=RentWithdrawalForm,       # the payload as a Django form: counter intake, online hall (optional)
        describe=rent_rows,            # (payload) -> [(label, text)] in a clerk's words, review screen (optional)
        transition=rent_moved,         # (application, from, to, actor, business_date): after each move (optional)
    ))

`validate` returns all the problems it finds (一次告知), never only the first; the engine adds the item's missing
required materials. `execute` runs the approved result through the domain services inside the engine's
transaction savepoint: a DomainError marks the application 办理失败 and nothing it wrote stays. An `execute` whose
money leaves through the bank returns {"pending": True, …}: the application stays 办理中 until the item's app
reports the outcome with `services.application_execution_done` (completed, or 办理失败). `transition` runs inside
the move's transaction after each state change (a withdrawal holds the money on 审核通过 and releases it on 作废):
a DomainError it raises refuses the move.

The work queue's 待办 counts go through the console's one registry, `core.todo.register_todo`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

Payload = dict[str, Any]


@dataclass(frozen=True)
class Handler:
    item_code: str
    validate: Callable[[Payload, Any], tuple[Payload, list[str]]]
    rule_inputs: Callable[[Any], dict[str, Any]]
    execute: Callable[[Any, Any, date], dict[str, Any]]
    amount: Callable[[Payload], int | None] | None = None
    # the payload as a Django form (counter intake and the online hall build their pages from it), and the payload
    # in a clerk's words for the review screen: [(label, text)] with 元, %, names of codes, personal data masked
    form: type | None = None
    describe: Callable[[Payload], list[tuple[str, str]]] | None = None
    # (application, from state, to state, actor, business_date) after each move, inside its transaction
    transition: Callable[[Any, str, str, Any, date], None] | None = None


_HANDLERS: dict[str, Handler] = {}


def register_handler(handler: Handler) -> Handler:
    existing = _HANDLERS.get(handler.item_code)
    if existing is not None and existing != handler:
        raise ValueError(f"a handler for item {handler.item_code!r} is registered already")
    _HANDLERS[handler.item_code] = handler
    return handler


@contextmanager
def handler_swapped(handler: Handler) -> Iterator[Handler]:
    """Tests only: `handler` stands in for its item's registered handler (a domain app's real one) until the block
    ends; the real one is back afterwards."""
    real = _HANDLERS.pop(handler.item_code, None)
    _HANDLERS[handler.item_code] = handler
    try:
        yield handler
    finally:
        _HANDLERS.pop(handler.item_code, None)
        if real is not None:
            _HANDLERS[handler.item_code] = real


def handler_for(item_code: str, item_name: str = "") -> Handler:
    try:
        return _HANDLERS[item_code]
    except KeyError:
        raise DomainError(ErrorCode.APPLICATION_HANDLER_MISSING, item=item_name or item_code) from None


def handler_if_any(item_code: str) -> Handler | None:
    return _HANDLERS.get(item_code)


def handled_items() -> list[str]:
    return sorted(_HANDLERS)



# --- review sections: what the reviewer sees beside the payload ------------------------------------------------------
# The work queue's review screen shows the payload, the materials and each rule's result itself. Anything else a
# reviewer needs (the verification answers, a withdrawal's account and card, a loan's capacity figures) comes from
# the app that owns it, registered here so that the screen imports none of them:
#
#     register_review_section(ReviewSection("verification.answers", "核验结果", rows=answers_rows, order=20))
#
# `rows(application, actor)` returns [(label, text)] already in a clerk's words (元, %, names of codes, masked
# where personal), or [] when the section has nothing for this application (it is then not shown).

Row = tuple[str, str]


@dataclass(frozen=True)
class ReviewSection:
    key: str
    title: str
    rows: Callable[[Any, Any], list[Row]]
    order: int = 50


_SECTIONS: dict[str, ReviewSection] = {}


def register_review_section(section: ReviewSection) -> ReviewSection:
    existing = _SECTIONS.get(section.key)
    if existing is not None and existing != section:
        raise ValueError(f"a review section {section.key!r} is registered already")
    _SECTIONS[section.key] = section
    return section


def review_sections(application: Any, actor: Any) -> list[tuple[str, list[Row]]]:
    """The registered sections that have something for this application, in their order: [(title, rows)]."""
    shown: list[tuple[str, list[Row]]] = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        rows = section.rows(application, actor)
        if rows:
            shown.append((section.title, rows))
    return shown
