"""What other apps add to the employer page (单位详情) without accounts importing them.

contributions sits above accounts: its employer history (单位缴存历史, 暂存 movements) and its transactions on an
employer (暂存分配) are registered here from its AppConfig.ready(). The employer page lists the registered
transaction links in its 「办理」 card and loads each registered panel from the panel's own URL (an htmx
fragment, `hx-trigger="load"`), both only for a user holding the entry's permission.

    register_employer_action(EmployerLink("暂存分配", "remit:employer_suspense_allocate", "contributions.remit"))
    register_employer_panel(EmployerLink("单位缴存历史", "remit:employer_remittances", "accounts.view"))

Every URL name takes the employer's 单位账号 as its one argument.

The member page (个人账户) has the same registry for its own panels (`register_member_panel`, URL names taking the
个人账号): withdrawals adds the member's bank cards (结算卡) there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from openhpf.access.selectors import has_permission


@dataclass(frozen=True)
class EmployerLink:
    label: str  # the link text, or the panel's heading
    url_name: str  # a URL name taking the 单位账号
    permission: str  # shown only to a user holding it at the employer's center
    order: int = 100  # smaller first
    testid: str = ""  # the data-testid of the link or panel (default: the URL name's last part)
    statuses: tuple[str, ...] = ()  # shown only for an employer in one of these statuses (empty: any)


_ACTIONS: dict[str, EmployerLink] = {}
_PANELS: dict[str, EmployerLink] = {}
_MEMBER_PANELS: dict[str, EmployerLink] = {}


def register_employer_action(link: EmployerLink) -> None:
    """A transaction on an employer, linked from the employer page's 「办理」 card."""
    _ACTIONS[link.url_name] = link


def register_employer_panel(panel: EmployerLink) -> None:
    """A section of the employer page, loaded from the panel's URL."""
    _PANELS[panel.url_name] = panel


def register_member_panel(panel: EmployerLink) -> None:
    """A section of the member page (个人账户), loaded from the panel's URL (taking the 个人账号)."""
    _MEMBER_PANELS[panel.url_name] = panel


@dataclass(frozen=True)
class ResolvedLink:
    label: str
    url: str
    testid: str


def _resolved(entries: dict[str, EmployerLink], *, user: Any, center: Any, account_no: str,
              status: str = "") -> list[ResolvedLink]:
    out = []
    for e in sorted(entries.values(), key=lambda e: (e.order, e.url_name)):
        if e.statuses and status not in e.statuses:
            continue
        if has_permission(user, e.permission, center=center):
            out.append(ResolvedLink(e.label, reverse(e.url_name, args=[account_no]),
                                    e.testid or e.url_name.rsplit(":", 1)[-1].replace("_", "-")))
    return out


def employer_actions(*, user: Any, center: Any, account_no: str, status: str) -> list[ResolvedLink]:
    return _resolved(_ACTIONS, user=user, center=center, account_no=account_no, status=status)


def employer_panels(*, user: Any, center: Any, account_no: str) -> list[ResolvedLink]:
    return _resolved(_PANELS, user=user, center=center, account_no=account_no)


def member_panels(*, user: Any, center: Any, account_no: str) -> list[ResolvedLink]:
    return _resolved(_MEMBER_PANELS, user=user, center=center, account_no=account_no)
