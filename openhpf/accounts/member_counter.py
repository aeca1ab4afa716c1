"""Counter transactions of member accounts (柜面 个人账户业务), one screen each on the counter pattern
(documents.counter): 个人开户, 封存, 启封 (choosing the employer), 内部转移 and 个人账户合并. The rules stay in
services.py; these classes turn the form into a service call and the result into the 业务回单's lines (names and
ID numbers masked, money in 元, ratios in %)."""

from __future__ import annotations

import abc
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from openhpf.core.actors import Actor
from openhpf.core.codes import IdType, MemberAccountStatus
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_id_number, mask_name, mask_phone
from openhpf.core.models import Center
from openhpf.core.money import format_fen, format_ratio
from openhpf.documents.counter import CounterTransaction, Done, Line, dry_run

from . import selectors, services
from .lookups import console_center as _center
from .lookups import member_account_or_404 as _account
from .member_forms import MemberMergeForm, MemberMoveForm, MemberOpenForm, MemberSealForm
from .models import Employer, MemberAccount


def _employer(request: HttpRequest, employer_no: str, field: str = "employer_no") -> Employer:
    try:
        return selectors.employer_get(center=_center(request), account_no=employer_no, user=request.user)
    except DomainError as e:
        raise DomainError(ErrorCode.EMPLOYER_UNKNOWN, e.message, field=field) from None


def _dry_run(request: HttpRequest, call: Callable[[Actor, date], Any]) -> None:
    """Run the service call the 确认 step will run, and roll it back: the 核对 page refuses what 确认 would
    (bases outside the cap/floor, ratios outside policy, states), with nothing written."""
    business_date = Center.objects.values_list("business_date", flat=True).get(pk=_center(request).pk)
    dry_run(lambda: call(request.user, business_date))


def _ratio(value: Decimal | None, default: Decimal) -> str:
    return format_ratio(default if value is None else value) + ("" if value is not None else "（按单位比例）")


class _MemberTransaction(CounterTransaction):
    """A transaction on one account (URL kwarg account_no): the account is shown above the form."""

    template = "accounts/counter_member.html"
    permission = "accounts.change"

    def context(self, request: HttpRequest, account_no: str = "", **_: Any) -> dict[str, Any]:
        acct = _account(request, account_no)
        d = selectors.member_account_detail(account=acct, actor=request.user)
        return {"a": d, "balance": format_fen(d.balance), "base": format_fen(d.base),
                "employer_ratio": format_ratio(d.employer_ratio), "member_ratio": format_ratio(d.member_ratio)}

    @staticmethod
    def _head(acct: MemberAccount) -> list[Line]:
        return [Line("个人账号", acct.account_no), Line("姓名", mask_name(acct.member.name)),
                Line("证件号码", mask_id_number(acct.member.id_number))]

    @staticmethod
    def _back(acct: MemberAccount) -> str:
        return reverse("accounts:member_detail", args=[acct.account_no])


class MemberSeal(_MemberTransaction):
    """个人账户封存 (01 → 02): the member left the employer."""

    kind = "accounts.member.seal"
    title = "个人账户封存"
    form_class = MemberSealForm

    def preview(self, request: HttpRequest, data: dict[str, Any], account_no: str = "", **_: Any) -> list[Line]:
        acct = _account(request, account_no)
        _dry_run(request, lambda actor, bd: services.member_account_seal(account=acct, reason=data["reason"],
                                                                          actor=actor, business_date=bd))
        return [*self._head(acct), Line("单位", f"{acct.employer.name}（{acct.employer.account_no}）"),
                Line("账户状态", "正常 → 封存"), Line("封存原因", data["reason"])]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: Any,
                account_no: str = "", **_: Any) -> Done:
        acct = services.member_account_seal(account=_account(request, account_no), reason=data["reason"],
                                            actor=actor, business_date=business_date)
        return Done(lines=[*self._head(acct), Line("原单位", acct.employer.name), Line("封存原因", data["reason"]),
                           Line("账户状态", MemberAccountStatus(acct.status).label)],
                    object=acct, back_url=self._back(acct))


class _Move(_MemberTransaction):
    """启封 and 内部转移: to the employer chosen, base and ratios as given or kept/taken from the employer."""

    form_class = MemberMoveForm
    action = ""
    status_line = ""

    def preview(self, request: HttpRequest, data: dict[str, Any], account_no: str = "", **_: Any) -> list[Line]:
        acct = _account(request, account_no)
        emp = _employer(request, data["employer_no"])
        _dry_run(request, lambda actor, bd: self._call(_account(request, account_no), emp, data, actor, bd))
        base = acct.base if data.get("base") is None else data["base"]
        return [*self._head(acct), Line("原单位", f"{acct.employer.name}（{acct.employer.account_no}）"),
                Line("转入单位", f"{emp.name}（{emp.account_no}）"), Line("缴存基数（元）", format_fen(base)),
                Line("单位缴存比例", _ratio(data.get("employer_ratio"), emp.employer_ratio)),
                Line("个人缴存比例", _ratio(data.get("member_ratio"), emp.member_ratio)),
                *([Line("账户状态", self.status_line)] if self.status_line else [])]

    @abc.abstractmethod
    def _call(self, acct: MemberAccount, emp: Employer, data: dict[str, Any], actor: Actor,
              business_date: Any) -> MemberAccount:
        """The service call of the move (启封 or 内部转移), for 核对 (as a dry run) and 办理."""

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: Any,
                account_no: str = "", **_: Any) -> Done:
        acct = _account(request, account_no)
        old = acct.employer
        acct = self._call(acct, _employer(request, data["employer_no"]), data, actor, business_date)
        return Done(lines=[*self._head(acct), Line("原单位", f"{old.name}（{old.account_no}）"),
                           Line("转入单位", f"{acct.employer.name}（{acct.employer.account_no}）"),
                           Line("缴存基数（元）", format_fen(acct.base)),
                           Line("缴存比例", f"单位 {format_ratio(acct.employer_ratio)} · 个人 {format_ratio(acct.member_ratio)}"),
                           Line("月缴存额（元）", format_fen(acct.monthly_amount)),
                           Line("账户状态", MemberAccountStatus(acct.status).label)],
                    object=acct, back_url=self._back(acct))


class MemberUnseal(_Move):
    """个人账户启封 (02 → 01) at the employer chosen (may be the old one)."""

    kind = "accounts.member.unseal"
    title = "个人账户启封"
    action = "unseal"
    status_line = "封存 → 正常"

    def initial(self, request: HttpRequest, account_no: str = "", **_: Any) -> dict[str, Any]:
        return {"employer_no": request.GET.get("employer", "")}

    def _call(self, acct: MemberAccount, emp: Employer, data: dict[str, Any], actor: Actor,
              business_date: Any) -> MemberAccount:
        return services.member_account_unseal(account=acct, employer=emp, base=data.get("base"),
                                              employer_ratio=data.get("employer_ratio"),
                                              member_ratio=data.get("member_ratio"), actor=actor,
                                              business_date=business_date)


class MemberTransfer(_Move):
    """个人账户内部转移: a normal account moves to another employer of the center."""

    kind = "accounts.member.transfer_internal"
    title = "个人账户内部转移"
    action = "transfer_internal"

    def _call(self, acct: MemberAccount, emp: Employer, data: dict[str, Any], actor: Actor,
              business_date: Any) -> MemberAccount:
        if emp.pk == acct.employer_id:
            raise DomainError(ErrorCode.SAME_EMPLOYER, field="employer_no")
        return services.member_account_transfer_internal(account=acct, to_employer=emp, base=data.get("base"),
                                                         employer_ratio=data.get("employer_ratio"),
                                                         member_ratio=data.get("member_ratio"), actor=actor,
                                                         business_date=business_date)

    def preview(self, request: HttpRequest, data: dict[str, Any], account_no: str = "", **kw: Any) -> list[Line]:
        acct = _account(request, account_no)
        if _employer(request, data["employer_no"]).pk == acct.employer_id:
            raise DomainError(ErrorCode.SAME_EMPLOYER, field="employer_no")
        return super().preview(request, data, account_no=account_no, **kw)


class MemberMerge(_MemberTransaction):
    """个人账户合并: this account's balance, 积数 and paid months go to the person's other account; this one is
    closed 03 合并销户."""

    kind = "accounts.member.merge"
    title = "个人账户合并"
    form_class = MemberMergeForm
    money_moving = True

    def _target(self, request: HttpRequest, data: dict[str, Any]) -> MemberAccount:
        try:
            return selectors.member_account_get(center=_center(request), account_no=data["into"], user=request.user)
        except DomainError as e:
            raise DomainError(ErrorCode.ACCOUNT_UNKNOWN, e.message, field="into") from None

    def preview(self, request: HttpRequest, data: dict[str, Any], account_no: str = "", **_: Any) -> list[Line]:
        acct, target = _account(request, account_no), self._target(request, data)
        if acct.pk == target.pk:
            raise DomainError(ErrorCode.MEMBER_MERGE_SAME_ACCOUNT, field="into")
        balance = selectors.member_account_detail(account=acct, actor=request.user).balance
        _dry_run(request, lambda actor, bd: services.member_accounts_merge(
            source=acct, target=target, reason=data["reason"], actor=actor, business_date=bd))
        return [Line("被合并账户", f"{acct.account_no} {mask_name(acct.member.name)}（{acct.employer.name}）"),
                Line("并入账户", f"{target.account_no} {mask_name(target.member.name)}（{target.employer.name}）"),
                Line("转移金额（元）", format_fen(balance)), Line("被合并账户状态", "→ 合并销户"),
                Line("合并原因", data["reason"])]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: Any,
                account_no: str = "", **_: Any) -> Done:
        acct = _account(request, account_no)
        moved = selectors.member_account_detail(account=acct, actor=actor).balance
        target = services.member_accounts_merge(source=acct, target=self._target(request, data),
                                                reason=data["reason"], actor=actor, business_date=business_date)
        return Done(lines=[Line("被合并账户", f"{acct.account_no}（合并销户）"),
                           Line("并入账户", f"{target.account_no} {mask_name(target.member.name)}"),
                           Line("转移金额（元）", format_fen(moved)), Line("合并原因", data["reason"])],
                    object=target, back_url=self._back(target), amount_fen=moved)


class MemberOpen(CounterTransaction):
    """个人开户 (one person): the employer by its number (prefilled from the employer page), base in 元, ratios
    in % or the employer's."""

    kind = "accounts.member.open"
    title = "个人开户"
    permission = "accounts.open"
    form_class = MemberOpenForm
    template = "accounts/counter_open.html"

    def initial(self, request: HttpRequest, **_: Any) -> dict[str, Any]:
        return {"employer_no": request.GET.get("employer", "")}

    def preview(self, request: HttpRequest, data: dict[str, Any], **_: Any) -> list[Line]:
        emp = _employer(request, data["employer_no"])
        _dry_run(request, lambda actor, bd: self._open(request, data, actor, bd))
        return [Line("单位", f"{emp.name}（{emp.account_no}）"), Line("姓名", mask_name(data["name"])),
                Line("证件", f"{IdType(data['id_type']).label} {mask_id_number(data['id_number'])}"),
                Line("手机号码", mask_phone(data.get("phone") or "") or "—"),
                Line("缴存基数（元）", format_fen(data["base"])),
                Line("单位缴存比例", _ratio(data.get("employer_ratio"), emp.employer_ratio)),
                Line("个人缴存比例", _ratio(data.get("member_ratio"), emp.member_ratio))]

    def _open(self, request: HttpRequest, data: dict[str, Any], actor: Actor, business_date: Any) -> MemberAccount:
        return services.member_account_open(
            center=_center(request), employer=_employer(request, data["employer_no"]), name=data["name"].strip(),
            id_type=data["id_type"], id_number=data["id_number"], phone=data.get("phone") or "",
            marital_status=data["marital_status"], base=data["base"], employer_ratio=data.get("employer_ratio"),
            member_ratio=data.get("member_ratio"), birth_date=data.get("birth_date"), sex=data.get("sex") or None,
            actor=actor, business_date=business_date)

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: Any,
                **_: Any) -> Done:
        acct = self._open(request, data, actor, business_date)
        return Done(lines=[Line("个人账号", acct.account_no), Line("姓名", mask_name(acct.member.name)),
                           Line("证件号码", mask_id_number(acct.member.id_number)),
                           Line("单位", f"{acct.employer.name}（{acct.employer.account_no}）"),
                           Line("缴存基数（元）", format_fen(acct.base)),
                           Line("缴存比例", f"单位 {format_ratio(acct.employer_ratio)} · 个人 {format_ratio(acct.member_ratio)}"),
                           Line("月缴存额（元）", format_fen(acct.monthly_amount)),
                           Line("开户日期", f"{acct.opened_date:%Y-%m-%d}")],
                    object=acct, back_url=reverse("accounts:member_detail", args=[acct.account_no]))
