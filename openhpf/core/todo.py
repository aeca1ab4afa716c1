"""待办: the registry of work queues shown on a staff member's home page.

Each app registers its own queues from its AppConfig.ready(), so this low layer imports none of them:

    register_todo("approvals.pending", "待复核", "approvals.approve", count=pending_count,
                  url_name="approvals:pending", query={"others": "1"}, order=10)

`count(center, user) -> int | Counted` must answer what the queue page at `url_name` (with `query`) lists: the app
counts with the same selector (or the same queryset) its page uses, so the number on the home page is the
number of rows the link opens. A queue whose filter depends on the data (the arrears list of the latest month
that has arrears) returns `Counted(n, query)`: the query then joins the link. A later app (applications, withdrawals, loan collection) adds its queue the
same way; nothing here changes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from .authz import has_permission

logger = logging.getLogger("openhpf.todo")


@dataclass(frozen=True)
class Counted:
    """A count with the query that opens exactly those rows (added to the registered query of the link)."""

    n: int
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TodoSpec:
    key: str
    label: str
    permission: str
    count: Callable[[Any, Any], int | Counted]
    url_name: str
    url_kwargs: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    order: int = 100
    hint: str = ""  # one line under the label (what the queue holds)

    def url(self, extra: Mapping[str, str] | None = None) -> str | None:
        try:
            base = reverse(self.url_name, kwargs=dict(self.url_kwargs) or None)
        except NoReverseMatch:
            return None
        query = {**self.query, **(extra or {})}
        return f"{base}?{urlencode(query)}" if query else base


@dataclass(frozen=True)
class Todo:
    """One line of a user's 待办 panel: the queue, how many wait in it (None: it could not be counted now)."""

    key: str
    label: str
    count: int | None
    url: str | None
    hint: str = ""


_TODOS: dict[str, TodoSpec] = {}


def register_todo(key: str, label: str, permission: str, *, count: Callable[[Any, Any], int | Counted], url_name: str,
                  url_kwargs: Mapping[str, Any] | None = None, query: Mapping[str, str] | None = None,
                  order: int = 100, hint: str = "") -> TodoSpec:
    """Register (or re-register, at a second app start-up) one queue of the 待办 panel."""
    spec = TodoSpec(key=key, label=label, permission=permission, count=count, url_name=url_name,
                    url_kwargs=dict(url_kwargs or {}), query=dict(query or {}), order=order, hint=hint)
    _TODOS[key] = spec
    return spec


def registered_todos() -> list[TodoSpec]:
    return sorted(_TODOS.values(), key=lambda s: (s.order, s.key))


def todo_get(key: str) -> TodoSpec:
    return _TODOS[key]


def todo_count(key: str, user: Any, center: Any) -> Counted:
    """One queue's count as the home page shows it (tests compare it with the queue page)."""
    got = _TODOS[key].count(center, user)
    return got if isinstance(got, Counted) else Counted(int(got))


def todos_for(user: Any, center: Any) -> list[Todo]:
    """The 待办 of `user` at `center`: only the queues whose permission the user holds there. A queue whose count
    fails is shown without a number (logged) rather than taking the home page down."""
    out = []
    for spec in registered_todos():
        if center is None or not has_permission(user, spec.permission, center=center):
            continue
        n: int | None
        extra: Mapping[str, str] = {}
        try:
            got = spec.count(center, user)
            n, extra = (got.n, got.query) if isinstance(got, Counted) else (int(got), {})
        except Exception:  # one broken queue must not hide the others; the trace goes to the log
            logger.exception("todo %s failed to count", spec.key)
            n = None
        out.append(Todo(key=spec.key, label=spec.label, count=n, url=spec.url(extra), hint=spec.hint))
    return out
