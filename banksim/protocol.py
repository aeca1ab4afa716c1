"""The BDC message contract (docs/bdc-protocol.md) as data: result codes, body fields and their validation."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

# result → (state, message)
RESULTS: dict[str, tuple[str, str]] = {
    "0000": ("S", "交易成功"),
    "2001": ("P", "已受理，处理中"),
    "1001": ("F", "余额不足"),
    "1002": ("F", "账户不存在"),
    "1003": ("F", "账户状态异常（冻结、销户）"),
    "1004": ("F", "银行拒绝交易"),
    "9001": ("F", "报文格式错误"),
    "9009": ("F", "流水号重复且内容不同"),
}

OUTAGE = {"result": "9503", "message": "银行系统暂停服务"}

# Messages that change the bank's state: recorded under their seq (idempotent, answerable by BDC110).
INSTRUCTIONS = frozenset(
    {"BDC001", "BDC002", "BDC101", "BDC102", "BDC103", "BDC104", "BDC105", "BDC106",
     "BDC114", "BDC115", "BDC117", "BDC118", "BDC119", "BDC120"}
)
# Read-only messages: answered afresh every time, never recorded.
QUERIES = frozenset({"BDC107", "BDC108", "BDC110", "BDC113", "BDC116", "BDC121", "BDC123", "BDC124"})
CODES = INSTRUCTIONS | QUERIES
BATCHES = frozenset({"BDC103", "BDC104"})

MAX_PAGE_SIZE = 10_000
MAX_NOTICE_LIMIT = 10_000
MAX_BATCH_ITEMS = 200_000

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RATE_RE = re.compile(r"^\d{1,3}(\.\d{1,6})?$")


class Malformed(Exception):
    """The message breaks the contract's format: answered 9001, nothing done."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = "报文格式错误：" + message


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def account(name: str, v: Any) -> str:
    if not isinstance(v, str) or not v.strip() or len(v) > 40:
        raise Malformed(f"{name} 必须是非空账号（不超过40位）")
    return v


def text(name: str, v: Any) -> str:
    if not isinstance(v, str) or len(v) > 200:
        raise Malformed(f"{name} 必须是字符串（不超过200字）")
    return v


def code_text(name: str, v: Any) -> str:
    if not isinstance(v, str) or not v.strip() or len(v) > 8:
        raise Malformed(f"{name} 必须是非空代码")
    return v


def amount(name: str, v: Any) -> int:
    if not _is_int(v) or v <= 0:
        raise Malformed(f"{name} 必须是正整数（单位：分）")
    return v


def nonneg(name: str, v: Any) -> int:
    if not _is_int(v) or v < 0:
        raise Malformed(f"{name} 必须是非负整数")
    return v


def positive(name: str, v: Any) -> int:
    if not _is_int(v) or v <= 0:
        raise Malformed(f"{name} 必须是正整数")
    return v


def rate(name: str, v: Any) -> str:
    if not isinstance(v, str) or not _RATE_RE.match(v):
        raise Malformed(f"{name} 必须是年利率百分数字符串，如 \"1.50\"")
    try:
        Decimal(v)
    except InvalidOperation:
        raise Malformed(f"{name} 不是有效的利率") from None
    return v


def iso_date(name: str, v: Any) -> str:
    if not isinstance(v, str) or not _DATE_RE.match(v):
        raise Malformed(f"{name} 必须是日期 YYYY-MM-DD")
    try:
        date.fromisoformat(v)
    except ValueError:
        raise Malformed(f"{name} 不是有效日期：{v}") from None
    return v


def seq_text(name: str, v: Any) -> str:
    if not isinstance(v, str) or not v.strip() or len(v) > 32:
        raise Malformed(f"{name} 必须是非空流水号（不超过32位）")
    return v


def notice_days(name: str, v: Any) -> int:
    if not _is_int(v) or v not in (1, 7):
        raise Malformed(f"{name} 只能是 1 或 7")
    return v


def page_size(name: str, v: Any) -> int:
    if not _is_int(v) or not 1 <= v <= MAX_PAGE_SIZE:
        raise Malformed(f"{name} 必须在 1 到 {MAX_PAGE_SIZE} 之间")
    return v


def notice_limit(name: str, v: Any) -> int:
    if not _is_int(v) or not 1 <= v <= MAX_NOTICE_LIMIT:
        raise Malformed(f"{name} 必须在 1 到 {MAX_NOTICE_LIMIT} 之间")
    return v


def items(name: str, v: Any) -> list[dict[str, Any]]:
    if not isinstance(v, list) or not v:
        raise Malformed(f"{name} 必须是非空明细列表")
    if len(v) > MAX_BATCH_ITEMS:
        raise Malformed(f"{name} 超过 {MAX_BATCH_ITEMS} 笔")
    out, seen = [], set()
    for i, it in enumerate(v, 1):
        if not isinstance(it, dict):
            raise Malformed(f"第{i}笔明细必须是对象")
        item = it.get("item")
        if not (_is_int(item) or (isinstance(item, str) and item.strip())):
            raise Malformed(f"第{i}笔明细缺少 item（明细号）")
        if item in seen:
            raise Malformed(f"明细号重复：{item}")
        seen.add(item)
        for key in ("counter_account", "counter_name", "amount"):
            if key not in it:
                raise Malformed(f"第{i}笔明细缺少字段 {key}")
        out.append({
            "item": item,
            "counter_account": account(f"第{i}笔 counter_account", it["counter_account"]),
            "counter_name": text(f"第{i}笔 counter_name", it["counter_name"]),
            "amount": amount(f"第{i}笔 amount", it["amount"]),
        })
    return out


def split_items(name: str, v: Any) -> list[dict[str, Any]]:
    """BDC106 of a batch loan debit: [{"item", "principal", "interest"}], item ids unique."""
    if not isinstance(v, list) or not v:
        raise Malformed(f"{name} 必须是非空明细列表")
    if len(v) > MAX_BATCH_ITEMS:
        raise Malformed(f"{name} 超过 {MAX_BATCH_ITEMS} 笔")
    out, seen = [], set()
    for i, it in enumerate(v, 1):
        if not isinstance(it, dict):
            raise Malformed(f"第{i}笔明细必须是对象")
        item = it.get("item")
        if not (_is_int(item) or (isinstance(item, str) and item.strip())):
            raise Malformed(f"第{i}笔明细缺少 item（明细号）")
        if str(item) in seen:
            raise Malformed(f"明细号重复：{item}")
        seen.add(str(item))
        out.append({"item": str(item), "principal": nonneg(f"第{i}笔 principal", it.get("principal")),
                    "interest": nonneg(f"第{i}笔 interest", it.get("interest"))})
    return out


_TRANSFER = {"amount": amount, "biz_type": code_text, "summary": text}
_BATCH = {"account": account, "biz_type": code_text, "summary": text, "count": positive, "total": amount,
          "items": items}

# code → {field: validator} (all required)
BODY: dict[str, dict[str, Any]] = {
    "BDC001": {},
    "BDC002": {},
    "BDC101": {"account": account, "payee_account": account, "payee_name": text, **_TRANSFER},
    "BDC102": {"account": account, "payer_account": account, "payer_name": text, **_TRANSFER},
    "BDC103": _BATCH,
    "BDC104": _BATCH,
    "BDC105": {"account": account, "payer_account": account, "payer_name": text, **_TRANSFER,
               "loan_account": account},
    "BDC106": {"orig_seq": seq_text, "principal": nonneg, "interest": nonneg},
    "BDC107": {"orig_seq": seq_text},
    "BDC108": {"orig_seq": seq_text},
    "BDC110": {"orig_seq": seq_text},
    "BDC113": {"account": account, "date": iso_date},
    "BDC114": {"account": account, "amount": amount, "term_months": positive, "rate": rate, "summary": text},
    "BDC115": {"account": account, "deposit_no": account, "demand_rate": rate},
    "BDC116": {"deposit_no": account},
    "BDC117": {"account": account, "amount": amount, "notice_days": notice_days, "rate": rate},
    "BDC118": {"deposit_no": account, "amount": amount, "withdraw_date": iso_date},
    "BDC119": {"deposit_no": account},
    "BDC120": {"account": account, "deposit_no": account, "amount": amount, "demand_rate": rate},
    "BDC121": {"account": account},
    "BDC123": {"account": account},
    "BDC124": {},
}
# code → {field: (validator, default)}: optional fields (documented in the Simulator notes)
OPTIONAL: dict[str, dict[str, tuple[Any, Any]]] = {
    "BDC113": {"page": (positive, 1), "page_size": (page_size, 1000)},
    "BDC124": {"after": (nonneg, 0), "limit": (notice_limit, 100), "account": (account, None)},
    "BDC117": {"summary": (text, "")},
    # 本息分解 that moves the interest to the center's 增值收益 专户; `items` for a batch loan debit (BDC104 biz 05)
    "BDC106": {"interest_account": (account, None), "items": (split_items, None)},
}


def validate_envelope(env: Any) -> tuple[str, str, str, str, dict[str, Any]]:
    """(code, seq, center, date, body) of a well-formed envelope, else Malformed."""
    if not isinstance(env, dict):
        raise Malformed("报文不是 JSON 对象")
    for key in ("code", "seq", "center", "date", "body"):
        if key not in env:
            raise Malformed(f"缺少字段 {key}")
    code = env["code"]
    if not isinstance(code, str) or code not in CODES:
        raise Malformed(f"未知交易码 {code}")
    seq = seq_text("seq", env["seq"])
    center = env["center"]
    if not isinstance(center, str) or not center.strip() or len(center) > 12:
        raise Malformed("center 必须是非空机构代码")
    day = iso_date("date", env["date"])
    if not isinstance(env["body"], dict):
        raise Malformed("body 必须是 JSON 对象")
    return code, seq, center, day, env["body"]


def validate_body(code: str, body: dict[str, Any]) -> dict[str, Any]:
    """The body's fields checked and normalised (optional ones defaulted), else Malformed."""
    out: dict[str, Any] = {}
    for key, check in BODY[code].items():
        if key not in body:
            raise Malformed(f"缺少字段 body.{key}")
        out[key] = check(key, body[key])
    for key, (check, default) in OPTIONAL.get(code, {}).items():
        out[key] = check(key, body[key]) if body.get(key) is not None else default
    if code in BATCHES:
        if out["count"] != len(out["items"]):
            raise Malformed(f"count={out['count']} 与明细笔数 {len(out['items'])} 不符")
        if out["total"] != sum(i["amount"] for i in out["items"]):
            raise Malformed("total 与明细金额合计不符")
        if any(i["counter_account"] == out["account"] for i in out["items"]):
            raise Malformed("明细对方账号不能是本方账号")
    for mine, theirs in (("account", "payee_account"), ("account", "payer_account")):
        if theirs in out and out[theirs] == out[mine]:
            raise Malformed("收付款账号相同")
    return out


def digest(code: str, body: Any) -> str:
    """Fingerprint of a message's content (code + body), to tell a true repeat of a seq from a different one."""
    canon = json.dumps([code, body], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()


def answer(code: str, seq: str, result: str, *, message: str | None = None, bank_seq: str = "",
           body: dict[str, Any] | None = None, duplicate: bool = False) -> dict[str, Any]:
    state, default_message = RESULTS[result]
    return {"code": code, "seq": seq, "result": result, "message": message or default_message,
            "bank_seq": bank_seq, "state": state, "duplicate": duplicate, "body": body or {}}
