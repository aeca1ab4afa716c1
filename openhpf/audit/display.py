"""How the audit viewer and its export show a row's `before` and `after`: a table of field label → value, the
values exactly as stored (already masked by audit.redact when written), never a Python dict.

Labels come, in order, from the model of the row's object type (the field's verbose_name), from `FIELD_LABELS`
(the keys services write that are not model fields), and from what other apps registered here for their own
keys (`register_field`: access names roles, say); a key none of them knows is shown as it is. Amounts in fen
under the money keys are shown in 元."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from openhpf.core.money import format_fen, format_ratio

FIELD_LABELS: dict[str, str] = {
    "user": "用户", "username": "用户名", "role": "角色", "roles": "角色", "center": "管理中心", "branch": "网点",
    "status": "状态", "kind": "类型", "key": "幂等键", "params": "参数", "reason": "理由", "fields": "字段",
    "note": "说明", "rows": "行数", "query": "查询条件", "by": "操作人", "action": "事件", "object_type": "对象类型",
    "object_id": "对象编号", "date_from": "起始日期", "date_to": "截止日期", "month": "月份", "name": "名称",
    "account_no": "账号", "employer_no": "单位账号", "voucher_no": "凭证号", "amount": "金额", "balance": "余额",
    "total": "合计", "business_date": "业务日期", "value_date": "起息日期", "ip": "IP 地址", "session": "会话",
    "second_factor": "动态口令", "code": "代码", "message": "信息", "result": "结果", "error": "错误",
    "conflict": "不相容岗位", "title": "名称", "count": "数量", "page": "页码", "id_number": "证件号码",
    "id_number_bidx": "证件号码索引", "phone": "手机号码", "mobile": "手机号码", "bank_ref": "银行流水号",
    "ratio": "比例", "employer_ratio": "单位比例", "member_ratio": "个人比例", "base": "缴存基数",
}
# integers under these keys are fen
MONEY_KEYS = frozenset({"amount", "balance", "total", "principal", "interest", "fee", "employer_amount",
                        "member_amount", "monthly_amount", "available", "frozen", "hold"})

ValueLabel = Callable[[Any], str]
_VALUE_LABELS: dict[str, ValueLabel] = {}


def register_field(key: str, *, label: str | None = None, value: ValueLabel | None = None) -> None:
    """Another app's key: its label, and how its stored value (a code) is named (a role code → its name)."""
    if label:
        FIELD_LABELS[key] = label
    if value is not None:
        _VALUE_LABELS[key] = value


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    before: str
    after: str


def _model_label(object_type: str, key: str) -> str | None:
    if "." not in object_type:
        return None
    try:
        field = apps.get_model(object_type)._meta.get_field(key)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None
    name = getattr(field, "verbose_name", None)  # a reverse relation has none
    return str(name) if name else None


def _is_money(key: str, object_type: str = "") -> bool:
    return key in MONEY_KEYS or key.endswith("_amount") or "（分）" in (_model_label(object_type, key) or "")


def label_of(key: str, object_type: str = "") -> str:
    own = FIELD_LABELS.get(key)
    if own:
        return own
    from_model = _model_label(object_type, key)
    if from_model and from_model != key.replace("_", " "):
        return from_model.replace("（分）", "")  # shown in 元
    return key


def value_text(key: str, value: Any, object_type: str = "") -> str:
    """One stored value as text: a named code, 元 for money, ratios in %, nested values as 「键：值」, '—' for none."""
    if value is None or value == "":
        return "—"
    named = _VALUE_LABELS.get(key)
    if named is not None and isinstance(value, str):
        try:
            return named(value)
        except Exception:  # a code the labeller does not know stays as stored
            return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int) and _is_money(key, object_type):
        return f"{format_fen(value)} 元"
    if key.endswith("ratio") and isinstance(value, str | int | Decimal):
        try:
            return format_ratio(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return str(value)
    if isinstance(value, dict):
        return "；".join(f"{label_of(k)}：{value_text(k, v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return "、".join(value_text(key, v) for v in value) or "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def diff(object_type: str, before: Any, after: Any) -> list[Field]:
    """The rows of the before/after table: every key of either side, in the order written."""
    b = before if isinstance(before, dict) else ({} if before is None else {"value": before})
    a = after if isinstance(after, dict) else ({} if after is None else {"value": after})
    keys = list(dict.fromkeys([*b.keys(), *a.keys()]))
    return [Field(key=k, label=label_of(k, object_type), before=value_text(k, b[k], object_type) if k in b else "",
                  after=value_text(k, a[k], object_type) if k in a else "") for k in keys]


def diff_text(object_type: str, before: Any, after: Any) -> tuple[str, str]:
    """The before and after as one line each (the export's two columns): 「标签：值；…」."""
    rows = diff(object_type, before, after)
    return ("；".join(f"{r.label}：{r.before}" for r in rows if r.before),
            "；".join(f"{r.label}：{r.after}" for r in rows if r.after))
