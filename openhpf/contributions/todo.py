"""The 待办 queues of contributions (core.todo): 待认领暂收, 欠缴单位, 缓缴到期. Each counts with the selector
its queue page lists with, so the number on the home page is the number of rows its link opens."""

from __future__ import annotations

from typing import Any

from openhpf.core.todo import Counted, register_todo

from .relief.arrears import arrears_latest
from .relief.hardship import EXPIRY_NOTICE_DAYS, hardship_expiring_count
from .selectors import unknown_receipts_count


def _suspense(center: Any, user: Any) -> int:
    return unknown_receipts_count(center=center, user=user)


def _arrears(center: Any, user: Any) -> Counted:
    report = arrears_latest(center=center, user=user)
    return Counted(len(report.employers), {"month": f"{report.month[:4]}-{report.month[4:]}"})


def _expiring(center: Any, user: Any) -> int:
    return hardship_expiring_count(center=center, user=user, within=EXPIRY_NOTICE_DAYS)


def register() -> None:
    register_todo("contributions.unknown_receipts", "待认领暂收", "settlement.view", count=_suspense,
                  url_name="remit:receipts", order=20, hint="付款人未明的到账，待认领到单位")
    register_todo("contributions.arrears", "欠缴单位", "accounts.view", count=_arrears, url_name="relief:arrears",
                  order=50, hint="已过缴存期限仍未足额汇缴的单位（最近有欠缴的月份）")
    register_todo("contributions.hardship_expiring", "缓缴到期", "accounts.view", count=_expiring,
                  url_name="relief:hardship", query={"expiring": str(EXPIRY_NOTICE_DAYS)}, order=60,
                  hint=f"{EXPIRY_NOTICE_DAYS} 天内期满的缓缴、降低比例")
