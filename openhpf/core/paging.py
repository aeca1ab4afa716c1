"""One page of a list with its true total: the single pager every console list and search uses.

`paginate(qs, page)` counts the filter once (the true total, never "the first N rows"), clamps the page number into
range (past the end → the last page) and slices the queryset in SQL. Templates show it with
`{% include "includes/pager.html" with page=page label="单位" %}`, which keeps the other query parameters of the
request (filters) in its links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows of one page, the true total of the filter, the page number (from 1) and its size."""

    items: list[T]
    total: int
    page: int
    page_size: int
    param: str = "page"  # the query parameter of the page number (another one when a page has two lists)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def previous_page(self) -> int:
        return max(1, self.page - 1)

    @property
    def next_page(self) -> int:
        return min(self.pages, self.page + 1)

    @property
    def first_row(self) -> int:
        """The 1-based number of this page's first row (0 when empty)."""
        return 0 if not self.total else (self.page - 1) * self.page_size + 1

    @property
    def last_row(self) -> int:
        return (self.page - 1) * self.page_size + len(self.items)

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def page_number(value: Any) -> int:
    """A page number from a query parameter: anything not a positive integer is page 1."""
    try:
        n = int(str(value))
    except (TypeError, ValueError):
        return 1
    return n if n > 0 else 1


def paginate(rows: Any, page: Any = 1, page_size: int = PAGE_SIZE, *, total: int | None = None,
             param: str = "page") -> Page[Any]:
    """One page of `rows` (a queryset, or a sequence) with the true total; `total` when the caller knows it."""
    size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    count = total if total is not None else (rows.count() if hasattr(rows, "count") and not isinstance(rows, Sequence)
                                             else len(rows))
    pages = max(1, -(-count // size))
    n = min(page_number(page), pages)
    return Page(items=list(rows[(n - 1) * size: n * size]), total=count, page=n, page_size=size, param=param)


def mapped(page: Page[Any], fn: Any) -> Page[Any]:
    """The same page with each row turned into what the screen shows (a summary, masked by the selector)."""
    return Page(items=[fn(r) for r in page.items], total=page.total, page=page.page, page_size=page.page_size,
                param=page.param)
