"""The withdrawal reasons on the application engine: one Handler per catalogue item built so far.

- HPF-P-WD-03 离休退休 (closing): the whole balance plus interest to date; proven by the retirement record (人社 or
  the 退休证 checked at the counter), age only a plausibility warning; the account closes (05).
- HPF-P-WD-07 房租: amount ≤ the policy cap `withdrawal.rent.monthly_cap` × months, no own home in the city
  (declared), 3 months' continuous contribution, the frequency limit of the reason's configuration.

Each handler's `validate` lists every problem of the payload at once; `rule_inputs` feeds the item's rule set
(seeded by migration, changed through maker-checker), so every rule's result is stored and shown together;
`transition` holds the money on approval, `execute` pays it (payout.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.paidmonths import paid_months
from openhpf.applications.models import Application
from openhpf.applications.registry import Handler, register_handler
from openhpf.core.codes import FreezeKind, MemberAccountStatus
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value
from openhpf.ledger.models import SubAccount

from . import housing, payout
from .cards import card_current
from .config import reason_config
from .forms import RentForm, RetirementForm
from .models import Payout
from .risk import risk_inputs
from .sources import RETIREMENT_PROOFS, owns_home_in_city, retirement_proven

RETIREMENT = "HPF-P-WD-03"
RENT = "HPF-P-WD-07"
RENT_CAP_POLICY = "withdrawal.rent.monthly_cap"
NEVER = 999  # months since a withdrawal that never happened


def _on(app: Application) -> date:
    return app.accepted_on or app.center.business_date


on_date = _on  # the day an application's rules are read for (its 受理 day), for the other reasons' modules


def _account(member_id: int | None) -> MemberAccount | None:
    return (MemberAccount.objects.filter(member_id=member_id or 0).select_related("member")
            .order_by("-opened_date", "-pk").first())


def months_continuous(account: MemberAccount, on: date) -> int:
    """Months paid without a gap, counted back from this month (or last month, when this one is not paid yet):
    the months actually paid (accounts.paidmonths), 补缴 included as the policy says they count."""
    paid = paid_months(account)
    y, m = on.year, on.month
    if f"{y:04d}{m:02d}" not in paid:
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    n = 0
    while f"{y:04d}{m:02d}" in paid:
        n += 1
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return n


def months_since_last(*, member_id: int | None, item_code: str, on: date) -> int:
    last = (Payout.objects.filter(account__member_id=member_id or 0, application__item_code=item_code,
                                  state=Payout.State.PAID).order_by("-paid_on").values_list("paid_on", flat=True).first())
    if last is None:
        return NEVER
    return (on.year - last.year) * 12 + on.month - last.month


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def common_inputs(app: Application) -> dict[str, Any]:
    """The inputs every withdrawal rule set may use."""
    on = _on(app)
    cfg = reason_config(app.item_code, on)
    acct = _account(app.member_id)
    if acct is None:
        return {"status_allowed": False}
    sub = SubAccount.objects.get(pk=acct.pk)
    balance = int(sub.balance_current + sub.balance_carried)
    return {
        **risk_inputs(app, on=on, cfg=cfg, balance=balance),
        "status_allowed": acct.status in cfg.statuses,
        "frozen_full": acct.freeze_kind == FreezeKind.FULL,
        "frozen_any": acct.freeze_kind != FreezeKind.NONE,
        "balance": balance,
        "available": int(sub.available),
        "months_continuous": months_continuous(acct, on),
        "months_since_last": months_since_last(member_id=app.member_id, item_code=app.item_code, on=on),
        "frequency_months": int(cfg.frequency_months),
        "has_card": card_current(acct.member_id) is not None,
        "age": _age(acct.member.birth_date, on),
    }


# ---------------------------------------------------------------- 07 房租


def rent_cap(app_or_center: Any, on: date, months: int) -> int:
    center = getattr(app_or_center, "center_id", app_or_center)
    return int(policy_value(RENT_CAP_POLICY, on=on, center=center)) * months


def validate_rent(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    problems = []
    amount, months = payload.get("amount"), payload.get("months")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        problems.append("提取金额应为大于零的金额")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 12:
        problems.append("租房月数应为 1 至 12 的整数")
    if not isinstance(payload.get("no_own_home"), bool):
        problems.append("请确认本人及配偶在本市有无自有住房（个人承诺）")
    acct = _account(app.member_id)
    if acct is None or acct.status not in (MemberAccountStatus.NORMAL, MemberAccountStatus.SEALED):
        problems.append("职工没有可提取的个人账户")
    elif isinstance(amount, int) and not isinstance(amount, bool) and amount > 0:
        available = SubAccount.objects.get(pk=acct.pk).available
        if amount > available:
            problems.append(f"提取金额 {format_fen(amount)} 元超过可用余额 {format_fen(available)} 元（已扣除冻结和预留）")
    clean = {"amount": amount, "months": months, "no_own_home": payload.get("no_own_home"),
             "lease_registered": bool(payload.get("lease_registered"))}
    return clean, problems


def rent_inputs(app: Application) -> dict[str, Any]:
    on = _on(app)
    p = app.payload
    return {**common_inputs(app), "amount": int(p.get("amount") or 0),
            "rent_cap": rent_cap(app, on, int(p.get("months") or 0)),
            "own_home": owns_home_in_city(member=app.member, payload=p, on=on)}


def rent_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [("提取金额", f"{format_fen(int(payload.get('amount') or 0))} 元"),
            ("租房月数", f"{payload.get('months')} 个月"),
            ("本市无自有住房（承诺）", "是" if payload.get("no_own_home") else "否"),
            ("租赁登记备案", "是" if payload.get("lease_registered") else "否")]


# ---------------------------------------------------------------- 03 离休退休 (closing)


def validate_retirement(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    problems = []
    proof = payload.get("retirement_proof")
    if proof not in RETIREMENT_PROOFS:
        problems.append("请选择离退休的证明方式（人社退休信息或退休证）")
    raw = str(payload.get("retirement_date") or "")
    try:
        date.fromisoformat(raw)
    except ValueError:
        problems.append("离退休日期格式不正确（应为 YYYY-MM-DD）")
    if proof == "certificate" and not str(payload.get("certificate_no") or "").strip():
        problems.append("请填写退休证编号")
    acct = _account(app.member_id)
    balance = 0
    if acct is None or acct.status not in (MemberAccountStatus.NORMAL, MemberAccountStatus.SEALED):
        problems.append("职工没有可提取的个人账户")
    else:
        sub = SubAccount.objects.get(pk=acct.pk)
        balance = int(sub.balance_current + sub.balance_carried)
    clean = {"retirement_proof": proof, "retirement_date": raw,
             "certificate_no": str(payload.get("certificate_no") or "").strip()[:40], "balance": balance}
    return clean, problems


def retirement_inputs(app: Application) -> dict[str, Any]:
    return {**common_inputs(app), "retired": retirement_proven(member=app.member, payload=app.payload, on=_on(app))}


def retirement_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [("证明方式", RETIREMENT_PROOFS.get(payload.get("retirement_proof") or "", "—")),
            ("离退休日期", str(payload.get("retirement_date") or "—")),
            ("受理时账户余额", f"{format_fen(int(payload.get('balance') or 0))} 元（另计利息至支付前一日）")]


HANDLERS = (
    Handler(item_code=RENT, validate=validate_rent, rule_inputs=rent_inputs, execute=payout.execute,
            amount=lambda p: p.get("amount"), describe=rent_rows, form=RentForm,
            transition=payout.on_transition),
    Handler(item_code=RETIREMENT, validate=validate_retirement, rule_inputs=retirement_inputs, execute=payout.execute,
            amount=lambda p: p.get("balance"), describe=retirement_rows, form=RetirementForm,
            transition=payout.on_transition),
)


def register_handlers() -> None:
    for h in (*HANDLERS, *housing.HANDLERS):  # 01, 02, 06 and the spouse's joint application (housing.py)
        register_handler(h)
