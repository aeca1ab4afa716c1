"""Inline risk checks of every withdrawal (提取风险防控, 嵌入业务流程): the inputs the reasons' rule sets read.

Every reason's `rule_inputs` includes `risk_inputs(app)` (through `handlers.common_inputs`), and every reason's
rule set carries the risk rules below (`RISK_RULES`, seeded by migration `withdrawals/0003`). What a check does when
it fires — block (不予通过), route to manual review (转人工审核) or warn (提示) — is its rule's severity in the rule
set in force, changed like any rule through maker-checker (`applications.rule_set_change`) from an effective
date; the thresholds are effective-dated policy values. Each result is stored on the application with the other
rules' (the engine's RuleEvaluation: inputs and every rule's result).

| check | input(s) | rule (default severity) |
|---|---|---|
| the same property used again | `property_prior`: earlier withdrawals (any member) on the property key of the payload (网签备案合同号 `contract_no`, 不动产权证号 `cert_no`, or `property_key`) | RISK_PROPERTY (manual) |
| a withdrawal while the member's HPF loan is overdue | `loan_overdue` (`loanlink.has_overdue_hpf_loan`) | RISK_LOAN_OVERDUE (block) |
| a rent withdrawal while the registry shows an own home | `own_home` of the rent reasons: 不动产登记 through verification (`sources.owns_home_in_city`) | OWN_HOME (block) |
| frequency | `withdrawals_12m` (paid or under way, every reason) against `max_per_year` (policy `withdrawal.risk.max_per_year`) | RISK_FREQUENCY (manual); the reason's own interval stays FREQUENCY |
| an amount unusual for the member | `amount_unusual`: above `withdrawal.risk.amount_multiple` × the member's average earlier withdrawal, or above `withdrawal.risk.amount_share` of the balance (closing reasons, which pay the whole balance, never) | RISK_AMOUNT (manual) |
| a bank card changed shortly before | `card_recent`: the verified card registered within `withdrawal.risk.card_recent_days` | CARD_RECENT (manual) |

The property bookkeeping of 购买住房 may replace how earlier uses of a property are found: `register_property_history`
takes a function (keys, application) → count; without one, earlier withdrawal applications are read by the keys
of their payloads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q

from openhpf.applications.models import Application, State
from openhpf.core.policy import policy_values

from .cards import card_changed_since
from .loanlink import has_overdue_hpf_loan
from .models import Payout, ReasonConfig

ITEM_PREFIX = "HPF-P-WD-"
PROPERTY_KEYS = ("property_key", "contract_no", "cert_no")  # 房屋标识, 网签备案合同号, 不动产权证号
CARD_RECENT_DAYS = "withdrawal.risk.card_recent_days"
AMOUNT_MULTIPLE = "withdrawal.risk.amount_multiple"
AMOUNT_SHARE = "withdrawal.risk.amount_share"
MAX_PER_YEAR = "withdrawal.risk.max_per_year"
# states in which an earlier application has used (or is using) money or a property: not refused, withdrawn,
# cancelled or ended
LIVE_STATES = (State.APPROVED, State.EXECUTING, State.COMPLETED, State.EXECUTION_FAILED)


def _rule(code: str, expression: str, message: str, severity: str, **inputs: str) -> dict[str, Any]:
    return {"code": code, "expression": expression, "message": message, "severity": severity, "inputs": inputs}


# the risk rules every withdrawal reason's rule set carries (severity: the default a center may change)
RISK_RULES: list[dict[str, Any]] = [
    _rule("CARD_RECENT", "not card_recent", "近期登记或变更过银行卡（未满规定天数），转人工审核", "manual",
          card_recent="flag"),
    _rule("RISK_LOAN_OVERDUE", "not loan_overdue", "本人住房公积金贷款有逾期未还的本息，不能提取", "block",
          loan_overdue="flag"),
    _rule("RISK_PROPERTY", "property_prior == 0", "该房屋（网签备案合同号或不动产权证号）已办理过提取，转人工审核",
          "manual", property_prior="number"),
    _rule("RISK_FREQUENCY", "max_per_year == 0 or withdrawals_12m < max_per_year",
          "近 12 个月提取次数已达上限，转人工审核", "manual", max_per_year="number", withdrawals_12m="number"),
    _rule("RISK_AMOUNT", "not amount_unusual", "提取金额明显高于本人以往提取或占余额比例过高，转人工审核", "manual",
          amount_unusual="flag"),
]
RISK_CODES = frozenset(r["code"] for r in RISK_RULES)
RISK_INPUTS = frozenset(k for r in RISK_RULES for k in r["inputs"])  # what a reason's rule inputs must carry

PropertyHistory = Callable[[list[str], Application], int]
_PROPERTY_HISTORY: list[PropertyHistory] = []


def register_property_history(fn: PropertyHistory) -> None:
    """The property bookkeeping (购买住房 and the like) says how many earlier withdrawals used a property; the
    last registered function answers instead of the payload search below."""
    if fn not in _PROPERTY_HISTORY:
        _PROPERTY_HISTORY.append(fn)


def property_keys(payload: dict[str, Any]) -> list[str]:
    """The keys naming the property of a payload (网签备案合同号, 不动产权证号 …), normalized, without blanks."""
    out: list[str] = []
    for name in PROPERTY_KEYS:
        value = "".join(str(payload.get(name) or "").split()).upper()
        if value and value not in out:
            out.append(value)
    return out


def _payload_history(keys: list[str], app: Application) -> int:
    """Earlier withdrawal applications, of any member, whose payload names one of `keys` and that were not
    refused, withdrawn or cancelled (they used or are using the property)."""
    match = Q()
    for key in keys:
        for name in PROPERTY_KEYS:
            match |= Q(**{f"payload__{name}": key})
    return (Application.objects.filter(match, item_code__startswith=ITEM_PREFIX, state__in=LIVE_STATES)
            .exclude(pk=app.pk).count())


def property_prior(app: Application) -> int:
    keys = property_keys(app.payload or {})
    if not keys:
        return 0
    fn = _PROPERTY_HISTORY[-1] if _PROPERTY_HISTORY else _payload_history
    return int(fn(keys, app))


def _months_back(on: date, months: int) -> date:
    y, m = divmod(on.year * 12 + on.month - 1 - months, 12)
    m += 1
    day = min(on.day, 28)
    return date(y, m, day)


def risk_inputs(app: Application, *, on: date, cfg: ReasonConfig, balance: int) -> dict[str, Any]:
    """The risk inputs of `app` on business date `on` (its reason's configuration `cfg`, the member's balance in
    fen): what RISK_RULES read, plus the figures behind them for the stored snapshot."""
    center = app.center_id
    member_id = int(app.member_id or 0)
    policy = policy_values((CARD_RECENT_DAYS, MAX_PER_YEAR, AMOUNT_MULTIPLE, AMOUNT_SHARE), on=on, center=center)
    days, max_per_year = int(policy[CARD_RECENT_DAYS]), int(policy[MAX_PER_YEAR])
    multiple, share = Decimal(str(policy[AMOUNT_MULTIPLE])), Decimal(str(policy[AMOUNT_SHARE]))
    year_ago = _months_back(on, 12)
    earlier = Payout.objects.filter(application__member_id=member_id).exclude(application_id=app.pk)
    recent = (Application.objects.filter(member_id=member_id, item_code__startswith=ITEM_PREFIX,
                                         state__in=LIVE_STATES, accepted_on__gt=year_ago)
              .exclude(pk=app.pk).count())
    paid = earlier.filter(state=Payout.State.PAID).aggregate(avg=Avg("amount"), n=Count("id"))
    avg = int(paid["avg"] or 0)
    amount = int(app.amount or 0)
    unusual = False
    if not cfg.closes_account and amount > 0:  # a closing reason pays the whole balance by definition
        above_avg = avg > 0 and amount > multiple * avg
        above_share = balance > 0 and amount > share * balance
        unusual = bool(above_avg or above_share)
    return {
        "card_recent": card_changed_since(member_id, on - timedelta(days=days)),
        "card_recent_days": days,
        "loan_overdue": has_overdue_hpf_loan(member_id, on),
        "property_prior": property_prior(app),
        "withdrawals_12m": recent,
        "max_per_year": max_per_year,
        "amount_unusual": unusual,
        "amount_avg_prior": avg,
    }

