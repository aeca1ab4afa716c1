"""The console's navigation menu. An entry lights up by itself once its app registers the URL name;
until then it is shown greyed out and labelled 建设中 so nobody mistakes it for a working page."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

# (label, URL name). Apps add their URL under these names; nothing else needs to change here.
MENU: list[tuple[str, str]] = [
    ("首页", "console:home"),
    ("单位", "accounts:employer_list"),
    ("个人", "accounts:member_list"),
    ("账务", "ledger:home"),
    ("作业", "jobs:list"),
    ("审计", "audit:list"),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str | None  # None: not built yet (建设中)
    active: bool


def url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def nav_items(current_path: str) -> list[NavItem]:
    items = []
    for label, name in MENU:
        url = url_or_none(name)
        active = url is not None and (current_path == url if url == "/" else current_path.startswith(url))
        items.append(NavItem(label, url, active))
    return items
