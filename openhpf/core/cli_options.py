"""Shared plumbing of the writing commands: --center, --as USER, --business-date, and who the command acts as.

A command that moves money (付款、收款、存款、手工记账) acts as the staff member named by `--as`, whose
permission the service checks; it is refused without one. Every other writing command acts as
`SystemActor("cli")`, on behalf of the `--as` user when one is named (recorded in the audit trail).

`--business-date` may only name the center's current business date. An earlier date is the back-value path
(core.business_date.back_value): `--business-date D --back-value 原因 --as 用户名`, by a person holding
`ledger.back_value`, audited, and only in a command built on `BackValueCommand` (hpf remit, hpf settlement)."""

from __future__ import annotations

from contextlib import ExitStack
from contextvars import ContextVar
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from openhpf.core.actors import Actor, SystemActor
from openhpf.core.business_date import back_value
from openhpf.core.errors import DomainError
from openhpf.core.models import Center

# the exit stack of the running BackValueCommand: a back-value grant lasts as long as the command
_COMMAND_SCOPE: ContextVar[ExitStack | None] = ContextVar("hpf_cli_command_scope", default=None)


class BackValueCommand(BaseCommand):
    """A command that may run on an earlier business date through the back-value path; the grant ends with the
    command."""

    def execute(self, *args: Any, **options: Any) -> Any:
        with ExitStack() as stack:
            token = _COMMAND_SCOPE.set(stack)
            try:
                return super().execute(*args, **options)
            finally:
                _COMMAND_SCOPE.reset(token)


def add_as(parser: Any, *, money: bool = False) -> None:
    """The --as USER option: required in effect (checked by `cli_actor`) for a command that moves money."""
    parser.add_argument("--as", dest="as_user",
                        help="操作人用户名（资金变动命令必填，按其权限执行）" if money
                        else "操作人用户名（以 system:cli 代其执行并记入审计）")


def add_common(parser: Any, *, money: bool = False) -> None:
    parser.add_argument("--center", help="机构代码（默认：唯一的中心）")
    add_as(parser, money=money)
    parser.add_argument("--business-date", help="业务日期（默认且只能是中心当前业务日期；补记往日业务另加 --back-value）")
    parser.add_argument("--back-value", dest="back_value", metavar="原因",
                        help="补记往日业务：按 --business-date 指定的往日记账（须有补记权限，用 --as 指定本人，并说明原因）")


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
    if bd != center.business_date or opts.get("back_value"):
        _back_value(center, actor, bd, opts)
    return center, actor, bd


def _back_value(center: Center, actor: Actor, bd: date, opts: dict[str, Any]) -> None:
    """--business-date other than the center's: refused, unless --back-value names the reason in a command that
    supports it; then the audited grant holds until the command ends."""
    reason = (opts.get("back_value") or "").strip()
    if not reason:
        raise CommandError(f"[BUSINESS_DATE_NOT_CURRENT] --business-date 须为中心当前业务日期 {center.business_date}；"
                           f"补记往日业务请加 --back-value 原因，并用 --as 指定具有补记权限的本人")
    if bd == center.business_date:
        raise CommandError("--back-value 用于补记往日业务：请用 --business-date 指定早于当前业务日期的日期")
    scope = _COMMAND_SCOPE.get()
    if scope is None:
        raise CommandError("该命令不办理补记往日业务：--business-date 须为中心当前业务日期")
    try:
        scope.enter_context(back_value(center=center, business_date=bd, actor=actor, reason=reason))
    except DomainError as e:
        raise CommandError(f"[{e.code}] {e.message}") from None
