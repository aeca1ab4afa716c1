"""Shared plumbing of the writing commands: --center, --as USER, --business-date, and who the command acts as.

A command that moves money (付款、收款、存款、手工记账) acts as the staff member named by `--as`, whose
permission the service checks; it is refused without one. Every other writing command acts as
`SystemActor("cli")`, on behalf of the `--as` user when one is named (recorded in the audit trail)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from openhpf.core.actors import Actor, SystemActor
from openhpf.core.models import Center


def add_as(parser: Any, *, money: bool = False) -> None:
    """The --as USER option: required in effect (checked by `cli_actor`) for a command that moves money."""
    parser.add_argument("--as", dest="as_user",
                        help="操作人用户名（资金变动命令必填，按其权限执行）" if money
                        else "操作人用户名（以 system:cli 代其执行并记入审计）")


def add_common(parser: Any, *, money: bool = False) -> None:
    parser.add_argument("--center", help="机构代码（默认：唯一的中心）")
    add_as(parser, money=money)
    parser.add_argument("--business-date", help="业务日期（默认：中心当前业务日期）")


def as_user(opts: dict[str, Any]) -> Any:
    """The staff user named by --as (None when not given); an unknown, inactive or non-staff name is refused."""
    name = opts.get("as_user")
    if not name:
        return None
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise CommandError(f"用户不存在：{name}")
    if not user.is_active or not user.is_staff:
        raise CommandError(f"{name} 不是在岗的业务人员")
    return user


def cli_actor(opts: dict[str, Any], *, money: bool = False, name: str = "cli") -> Actor:
    """Who a command acts as: the --as staff member for a money movement (refused without one), otherwise
    `SystemActor(name)` on behalf of the --as user, if any."""
    user = as_user(opts)
    if money:
        if user is None:
            raise CommandError("资金变动须由业务人员以本人身份操作：请用 --as 用户名 指定操作人")
        return user
    return SystemActor(name, on_behalf_of=user)


def common(opts: dict[str, Any], *, money: bool = False) -> tuple[Center, Actor, date]:
    center = (Center.objects.filter(code=opts["center"]).first() if opts.get("center")
              else Center.objects.order_by("pk").first())
    if center is None:
        raise CommandError("没有管理中心" if not opts.get("center") else f"管理中心不存在：{opts['center']}")
    actor = cli_actor(opts, money=money)
    bd = center.business_date
    if opts.get("business_date"):
        try:
            bd = date.fromisoformat(opts["business_date"])
        except ValueError:
            raise CommandError("业务日期格式应为 YYYY-MM-DD") from None
    return center, actor, bd
