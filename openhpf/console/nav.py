"""The console's navigation menu. An entry lights up by itself once its app registers the URL name;
until then it is shown greyed out and labelled 建设中 so nobody mistakes it for a working page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from openhpf.access.selectors import has_permission

# (label, URL name, permission needed to see it; None: every staff member). Apps add their URL under these names;
# nothing else needs to change here. Items the user may not open are not shown (access.has_permission).
MENU: list[tuple[str, str, str | None]] = [
    ("首页", "console:home", None),
    ("单位", "accounts:employer_list", "accounts.view"),
    ("个人", "accounts:member_list", "accounts.view"),
    ("汇缴", "remit:list", "accounts.view"),
    ("账务", "ledger:home", "ledger.view"),
    ("作业", "jobs:list", "jobs.view"),
    ("欠缴", "relief:arrears", "accounts.view"),
    ("缓缴", "relief:hardship", "accounts.view"),
    ("办件", "applications:queue", "applications.view"),
    ("贷款", "loans:list", "loans.view"),
    ("贷款风险", "loans:dashboard", "loans.view"),
    ("结算", "settlement:home", "settlement.view"),
    ("对账", "reconciliation:home", "settlement.view"),
    ("财务", "finance:home", "finance.view"),
    ("驾驶舱", "console:cockpit", "cockpit.view"),
    ("复核", "approvals:pending", "approvals.approve"),
    ("核验", "verification:queries", "verification.view"),
    ("政策参数", "approvals:policies", "policy.change"),
    ("实施清单", "catalog:implementations", "catalog.change"),
    ("审计", "audit:list", "audit.view"),
    ("安全", "console:iam_users", "iam.manage_users"),
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


def nav_items(current_path: str, user: Any = None) -> list[NavItem]:
    """The menu for `user` (every item when None), each with its URL or None while not built."""
    items = []
    for label, name, perm in MENU:
        if user is not None and perm is not None and not has_permission(user, perm):
            continue
        url = url_or_none(name)
        active = url is not None and (current_path == url if url == "/" else current_path.startswith(url))
        items.append(NavItem(label, url, active))
    return items
