"""Shared plumbing of the writing commands: --center, --as USER, --business-date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from openhpf.core.models import Center


def add_common(parser: Any) -> None:
    parser.add_argument("--center", help="机构代码（默认：唯一的中心）")
    parser.add_argument("--as", dest="as_user", help="操作人用户名（默认：system:cli）")
    parser.add_argument("--business-date", help="业务日期（默认：中心当前业务日期）")


def common(opts: dict[str, Any]) -> tuple[Center, Any, date]:
    center = (Center.objects.filter(code=opts["center"]).first() if opts.get("center")
              else Center.objects.order_by("pk").first())
    if center is None:
        raise CommandError("没有管理中心" if not opts.get("center") else f"管理中心不存在：{opts['center']}")
    actor: Any = "system:cli"
    if opts.get("as_user"):
        actor = get_user_model().objects.filter(username=opts["as_user"]).first()
        if actor is None:
            raise CommandError(f"用户不存在：{opts['as_user']}")
    bd = center.business_date
    if opts.get("business_date"):
        try:
            bd = date.fromisoformat(opts["business_date"])
        except ValueError:
            raise CommandError("业务日期格式应为 YYYY-MM-DD") from None
    return center, actor, bd
