"""The commands that go through maker-checker (复核), registered at start-up (ApprovalsConfig.ready).

- core.policy_set      every policy-value change (政策参数调整)
- ledger.entry_post    a manual voucher (手工记账凭证, source "manual")
- ledger.entry_reverse a reversal (冲正) of a posted voucher

The ledger wrappers are thin: they turn JSON parameters into the ledger's arguments and call its services
unchanged. Validation at submission runs the service itself inside a savepoint that is always rolled back
(a dry run), so every rule of the service refuses bad input before a checker ever sees it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse

from openhpf.core.actors import Actor
from openhpf.core.codes import BizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center, PolicyParameter
from openhpf.core.money import format_fen
from openhpf.core.policy import KEYS, policy_label, policy_value_text
from openhpf.core.services import policy_set
from openhpf.ledger.models import JournalEntry
from openhpf.ledger.selectors import account_names
from openhpf.ledger.services import Line, SubRow, entry_post, entry_reverse

from .registry import (
    Change,
    Fact,
    Link,
    Posting,
    Summary,
    applying,
    money,
    register,
    register_renderer,
    voucher_link,
)

Params = dict[str, Any]


class _DryRun(Exception):
    """Raised to roll back a validation dry run."""


def _dry_run(fn: Any) -> None:
    try:
        with transaction.atomic():
            fn()
            raise _DryRun
    except _DryRun:
        pass


def _date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise DomainError(ErrorCode.DATE_FORMAT, f"日期格式不正确（应为 YYYY-MM-DD）：{value}", field=field) from None


def _fen(value: Any, field: str, row: int | None = None) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(ErrorCode.AMOUNT_FEN, "金额应为整数（单位：分）", field=field, row=row)
    return value


def _command_center() -> Center:
    cmd = applying()
    if cmd is None:
        raise DomainError(ErrorCode.MAKER_CHECKER_REQUIRED, "该命令只能在复核批准后执行", field="command")
    return cmd.center


# ---------------------------------------------------------------- core.policy_set


def _policy_value(value_type: str, value: Any) -> Any:
    bad = DomainError(ErrorCode.POLICY_VALUE, f"参数值与类型（{value_type}）不符：{value}", field="value")
    if value_type == PolicyParameter.ValueType.INTEGER:
        if isinstance(value, bool):
            raise bad
        try:
            if isinstance(value, str):
                value = value.strip()
            if isinstance(value, float) or (isinstance(value, str) and not value.lstrip("-").isdigit()):
                raise bad
            return int(value)
        except (TypeError, ValueError):
            raise bad from None
    if value_type == PolicyParameter.ValueType.DECIMAL:
        if isinstance(value, bool | float):
            raise bad
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            raise bad from None
        if not d.is_finite():
            raise bad
        return str(d)
    if value_type == PolicyParameter.ValueType.BOOLEAN:
        if not isinstance(value, bool):
            raise bad
        return value
    if value_type == PolicyParameter.ValueType.STRING:
        if not isinstance(value, str) or not value.strip():
            raise bad
        return value.strip()
    return value


def policy_validate(params: Params, actor: Actor, center: Center, business_date: date) -> Params:
    key = str(params.get("key") or "")
    if key not in KEYS:
        raise DomainError(ErrorCode.POLICY_KEY, f"未知的政策参数：{key}", field="key")
    value_type = str(params.get("value_type") or "")
    if value_type not in PolicyParameter.ValueType.values:
        raise DomainError(ErrorCode.POLICY_TYPE, f"参数类型不正确：{value_type}", field="value_type")
    current = PolicyParameter.objects.filter(key=key).order_by("-effective_from").first()
    if current is not None and current.value_type != value_type:
        raise DomainError(ErrorCode.POLICY_TYPE, f"{policy_label(key)} 的参数类型应为{current.get_value_type_display()}",
                          field="value_type")
    value = _policy_value(value_type, params.get("value"))
    effective_from = _date(params.get("effective_from"), "effective_from")
    if effective_from < business_date:
        raise DomainError(ErrorCode.POLICY_RETROACTIVE, f"生效日期 {effective_from} 早于业务日期 {business_date}，政策参数不能追溯调整",
                          field="effective_from")
    if PolicyParameter.objects.filter(center=center, key=key, effective_from=effective_from).exists():
        raise DomainError(ErrorCode.POLICY_EXISTS, f"{policy_label(key)} 在 {effective_from} 已有生效值，请另选生效日期",
                          field="effective_from")
    return {"key": key, "value": value, "value_type": value_type, "effective_from": effective_from.isoformat(),
            "source": str(params.get("source") or "")[:200], "note": str(params.get("note") or "")[:200]}


def policy_describe(params: Params) -> str:
    key = str(params.get("key", ""))
    shown = policy_value_text(key, params.get("value"))
    return f"政策参数调整：{policy_label(key)}（{key}）自 {params.get('effective_from')} 起为 {shown}"


def policy_apply(params: Params, actor: Actor, business_date: date) -> dict[str, Any]:

    cmd = applying()
    center = _command_center()
    p = policy_validate(params, actor, center, business_date)  # again: the business date may have moved on
    row = policy_set(key=p["key"], value=p["value"], value_type=p["value_type"],
                     effective_from=date.fromisoformat(p["effective_from"]), actor=actor, center=center,
                     source=p["source"], note=p["note"], _approved_command=cmd)
    return {"policy_id": row.pk, "key": row.key, "value": row.value, "effective_from": p["effective_from"],
            "approved_by": row.approved_by}


# ---------------------------------------------------------------- ledger.entry_post (manual vouchers)


def _lines(params: Params) -> list[Any]:
    raw = params.get("lines")
    if not isinstance(raw, list) or not raw:
        raise DomainError(ErrorCode.ENTRY_TOO_FEW_LINES, "记账凭证至少需要一借一贷两条分录", field="lines")
    out = []
    for i, ln in enumerate(raw, 1):
        if not isinstance(ln, dict) or not str(ln.get("account") or "").strip():
            raise DomainError(ErrorCode.GL_ACCOUNT_UNKNOWN, f"第 {i} 条分录缺少会计科目", row=i, field="account")
        out.append(Line(account=str(ln["account"]).strip(), debit=_fen(ln.get("debit"), "debit", i),
                        credit=_fen(ln.get("credit"), "credit", i), memo=str(ln.get("memo") or "")[:200],
                        bank_ref=str(ln.get("bank_ref") or "")[:60]))
    return out


def _sub_rows(params: Params) -> list[Any]:
    out = []
    for i, r in enumerate(params.get("sub_rows") or [], 1):
        if not isinstance(r, dict) or isinstance(r.get("sub_account_id"), bool) or not isinstance(
                r.get("sub_account_id"), int):
            raise DomainError(ErrorCode.SUB_ACCOUNT_UNKNOWN, f"第 {i} 条个人明细缺少分户账", row=i, field="sub_account_id")
        out.append(SubRow(sub_account_id=r["sub_account_id"], amount_current=_fen(r.get("amount_current"), "amount", i),
                          amount_carried=_fen(r.get("amount_carried"), "amount", i),
                          value_date=_date(r["value_date"], "value_date") if r.get("value_date") else None,
                          reference=str(r.get("reference") or "")[:40]))
    return out


def _entry_post(params: Params, actor: Actor, center: Center, business_date: date) -> Any:

    description = str(params.get("description") or "").strip()
    if not description:
        raise DomainError(ErrorCode.DESCRIPTION_REQUIRED, "手工凭证必须填写摘要", field="description")
    biz_type = str(params.get("biz_type") or BizType.OTHER)
    if biz_type not in BizType.values:
        raise DomainError(ErrorCode.BIZ_TYPE, f"业务类型不正确：{biz_type}", field="biz_type")
    value_date = _date(params["value_date"], "value_date") if params.get("value_date") else None
    if value_date is not None and value_date > business_date:
        raise DomainError(ErrorCode.VALUE_DATE_FUTURE, f"起息日 {value_date} 晚于业务日期 {business_date}",
                          field="value_date")
    return entry_post(center=center, business_date=business_date, lines=_lines(params), source="manual",
                      description=description, actor=actor, biz_type=biz_type, value_date=value_date,
                      sub_rows=_sub_rows(params))


def entry_post_validate(params: Params, actor: Actor, center: Center, business_date: date) -> Params:
    _dry_run(lambda: _entry_post(params, actor, center, business_date))
    return {k: params[k] for k in ("lines", "description", "biz_type", "value_date", "sub_rows") if k in params}


def entry_post_amount(params: Params) -> int:
    return sum(int(ln.get("debit") or 0) for ln in params.get("lines") or [])


def entry_post_describe(params: Params) -> str:
    accounts = "、".join(str(ln.get("account")) for ln in params.get("lines") or [])
    return f"手工记账凭证：{params.get('description', '')}（科目 {accounts}，金额 {format_fen(entry_post_amount(params))} 元）"


def entry_post_apply(params: Params, actor: Actor, business_date: date) -> dict[str, Any]:
    entry = _entry_post(params, actor, _command_center(), business_date)
    return {"voucher_no": entry.voucher_no, "entry_id": entry.pk, "total": entry.total}


# ---------------------------------------------------------------- ledger.entry_reverse (冲正)


def _entry(center: Center, voucher_no: str) -> Any:
    entry = JournalEntry.objects.filter(center=center, voucher_no=voucher_no).first()
    if entry is None:
        raise DomainError(ErrorCode.ENTRY_NOT_FOUND, f"记账凭证 {voucher_no} 不存在", field="voucher_no")
    return entry


def _entry_reverse(params: Params, actor: Actor, center: Center, business_date: date) -> Any:

    return entry_reverse(entry=_entry(center, str(params.get("voucher_no") or "").strip()),
                         business_date=business_date, actor=actor, reason=str(params.get("reason") or ""))


def entry_reverse_validate(params: Params, actor: Actor, center: Center, business_date: date) -> Params:
    entry = _entry(center, str(params.get("voucher_no") or "").strip())
    _dry_run(lambda: _entry_reverse(params, actor, center, business_date))
    return {"voucher_no": entry.voucher_no, "reason": str(params.get("reason")).strip()[:200], "total": entry.total}


def entry_reverse_describe(params: Params) -> str:
    total = params.get("total")
    money = f"，金额 {format_fen(int(total))} 元" if isinstance(total, int) else ""
    return f"冲正记账凭证 {params.get('voucher_no')}{money}：{params.get('reason', '')}"


def entry_reverse_apply(params: Params, actor: Actor, business_date: date) -> dict[str, Any]:
    rev = _entry_reverse(params, actor, _command_center(), business_date)
    return {"voucher_no": rev.voucher_no, "entry_id": rev.pk, "reversal_of": params.get("voucher_no"),
            "total": rev.total}


# ---------------------------------------------------------------- what the checker reads (renderers)


def _eff(params: Params) -> date | None:
    try:
        return date.fromisoformat(str(params.get("effective_from")))
    except ValueError:
        return None


def policy_before(command: Any) -> PolicyParameter | None:
    """The value in force on the change's effective date without the change itself (center's own over national)."""
    p = command.params
    on = _eff(p)
    if on is None:
        return None
    qs = PolicyParameter.objects.filter(key=str(p.get("key")), effective_from__lte=on).order_by("-effective_from")
    mine = (command.result or {}).get("policy_id") if isinstance(command.result, dict) else None
    if mine is not None:
        qs = qs.exclude(pk=mine)
    return qs.filter(center_id=command.center_id).first() or qs.filter(center__isnull=True).first()


def policy_render(command: Any, viewer: Any) -> Summary:
    p = command.params
    key = str(p.get("key", ""))
    new = policy_value_text(key, p.get("value"))
    before = policy_before(command)
    facts = [Fact("政策参数", policy_label(key)), Fact("生效日期", str(p.get("effective_from", ""))), Fact("调整为", new)]
    if p.get("source"):
        facts.append(Fact("依据", str(p["source"])))
    if p.get("note"):
        facts.append(Fact("说明", str(p["note"])))
    links = []
    if command.status == "applied":
        links.append(Link(f"{policy_label(key)}的调整记录", reverse("approvals:policy", args=[key])))
    return Summary(headline=f"调整政策参数「{policy_label(key)}」：自 {p.get('effective_from')} 起为 {new}", facts=facts,
                   changes=[Change(policy_label(key), policy_value_text(key, before.value) if before else "（未设置）",
                                   new)],
                   links=links)


def _postings(center_id: int, lines: list[dict[str, Any]]) -> list[Posting]:
    names = account_names(center=center_id, codes={str(ln.get("account") or "") for ln in lines})
    out = []
    for ln in lines:
        code = str(ln.get("account") or "")
        debit, credit = int(ln.get("debit") or 0), int(ln.get("credit") or 0)
        out.append(Posting("借" if debit else "贷", code, names.get(code, "（科目表中没有此科目）"),
                           money(debit or credit), str(ln.get("memo") or "")))
    return out


def entry_post_render(command: Any, viewer: Any) -> Summary:
    p = command.params
    lines = [ln for ln in p.get("lines") or [] if isinstance(ln, dict)]
    total = entry_post_amount(p)
    biz = str(p.get("biz_type") or BizType.OTHER)
    facts = [Fact("摘要", str(p.get("description", ""))), Fact("业务类型", BizType(biz).label if biz in BizType.values
                                                                     else biz),
             Fact("借方合计", money(total)), Fact("贷方合计", money(sum(int(ln.get("credit") or 0) for ln in lines)))]
    if p.get("value_date"):
        facts.append(Fact("起息日", str(p["value_date"])))
    if p.get("sub_rows"):
        facts.append(Fact("个人明细", f"{len(p['sub_rows'])} 笔（记入个人账户）"))
    result = command.result if isinstance(command.result, dict) else {}
    links = [voucher_link(str(result["voucher_no"]))] if result.get("voucher_no") else []
    return Summary(headline=f"手工记账：{p.get('description', '')}，借贷各 {money(total)}", facts=facts,
                   postings=_postings(command.center_id, lines), links=links)


def entry_reverse_render(command: Any, viewer: Any) -> Summary:
    p = command.params
    no = str(p.get("voucher_no") or "")
    entry = JournalEntry.objects.filter(center_id=command.center_id, voucher_no=no).first()
    facts = [Fact("原凭证", no), Fact("冲正原因", str(p.get("reason", ""))), Fact("金额", money(p.get("total")))]
    postings: list[Posting] = []
    if entry is not None:
        facts.insert(1, Fact("原凭证摘要", entry.description))
        facts.insert(2, Fact("原记账日期", entry.business_date.isoformat()))
        postings = _postings(command.center_id, [
            {"account": ln.account.code, "debit": ln.credit, "credit": ln.debit, "memo": f"冲正 {ln.memo}".strip()}
            for ln in entry.lines.select_related("account").order_by("line_no")])
    result = command.result if isinstance(command.result, dict) else {}
    links = [voucher_link(no, f"原凭证 {no}")]
    if result.get("voucher_no"):
        links.insert(0, voucher_link(str(result["voucher_no"]), f"冲正凭证 {result['voucher_no']}"))
    return Summary(headline=f"冲正记账凭证 {no}（{money(p.get('total'))}）：借贷对调，原凭证的发生额全部冲回",
                   facts=facts, postings=postings, links=links)


def register_all() -> None:
    register("core.policy_set", apply=policy_apply, permission="core.policy.change", describe=policy_describe,
             validate=policy_validate, label="政策参数调整")
    register("ledger.entry_post", apply=entry_post_apply, permission="ledger.entry.manual",
             describe=entry_post_describe, validate=entry_post_validate, amount=entry_post_amount, label="手工记账凭证")
    register("ledger.entry_reverse", apply=entry_reverse_apply, permission="ledger.entry.reverse",
             describe=entry_reverse_describe, validate=entry_reverse_validate,
             amount=lambda p: p.get("total") if isinstance(p.get("total"), int) else None, label="冲正")
    register_renderer("core.policy_set", policy_render)
    register_renderer("ledger.entry_post", entry_post_render)
    register_renderer("ledger.entry_reverse", entry_reverse_render)
