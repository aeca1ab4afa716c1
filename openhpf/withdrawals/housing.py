"""The housing withdrawal reasons on the application engine, and the spouse's joint application.

- HPF-P-WD-01 购买住房: the property is keyed by its 网签备案合同号 and, once issued, its 不动产权证号 (`PropertyUse`).
  The total ≤ price − loans (the declared commercial loan + the HPF loans on that property, from
  `loanlink.member_hpf_loans`, of the member and the spouse) − everything withdrawn earlier for that property,
  whoever withdrew it; the purchase (网签 or 登记) no longer ago than the policy `withdrawal.purchase.window_months`.
- HPF-P-WD-02 建造、翻建、大修: the total ≤ the declared cost (with the planning or building permit number) − what
  was withdrawn earlier for the property (keyed by its 不动产权证号).
- HPF-P-WD-06 偿还购房贷款本息: an HPF loan of the member or the spouse (`loanlink`), or a commercial loan declared
  with the lending bank, the contract number, the year's installments and the outstanding principal. The total ≤
  the year's installments (偿还当年本息) or the outstanding principal (提前还款), less what was withdrawn for the
  same loan contract this calendar year by anyone; the reason's frequency limit (12 months) applies.
- 配偶共同申请 for the three: the application names the spouse's 个人账号 (an account of this center) and each
  account's amount; the spouse is checked against the 民政婚姻 registry (verification), the spouse's written consent
  is a material; both accounts pay, each up to its available balance, each to its own member's card
  (payout.py pays an application from several accounts), the total within the limit.

`validate` lists every problem of the payload at once; `rule_inputs` feeds the item's rule set (seeded by
migration withdrawals/0004, changed through maker-checker), so every rule's result is stored and shown together;
`transition` checks the limit again under the accounts' locks and holds each account's amount on approval,
recording the property use; `execute` pays (payout.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, Sum

from openhpf.accounts.models import MemberAccount
from openhpf.applications.models import Application, State
from openhpf.applications.registry import Handler
from openhpf.core.actors import Actor
from openhpf.core.codes import FreezeKind, MemberAccountStatus
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value
from openhpf.ledger.models import SubAccount
from openhpf.verification.models import Status as Verified
from openhpf.verification.services import verify

from . import handlers as reasons  # the module (handlers.py registers this one's HANDLERS): the common inputs
from . import payout
from .cards import card_changed_since, card_current
from .config import reason_config
from .loanlink import MemberLoan, member_hpf_loans
from .models import LimitKey, Payout, PropertyUse
from .risk import CARD_RECENT_DAYS

PURCHASE = "HPF-P-WD-01"
BUILD = "HPF-P-WD-02"
REPAY = "HPF-P-WD-06"
PROPERTY_ITEMS = (PURCHASE, BUILD)
WINDOW_POLICY = "withdrawal.purchase.window_months"
SPOUSE_CONSENT = "spouse_consent"
BUILD_KINDS = {"build": "建造", "rebuild": "翻建", "overhaul": "大修"}
LOAN_TYPES = {"hpf": "住房公积金贷款", "commercial": "商业银行贷款"}
REPAY_KINDS = {"year": "偿还当年贷款本息", "prepay": "提前偿还贷款本金"}
KEY_MAX = 60
LIVE = (Payout.State.HELD, Payout.State.SENT, Payout.State.PAID, Payout.State.FAILED)  # not released


# ---------------------------------------------------------------- payload helpers


def _money(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(payload: dict[str, Any], key: str, limit: int = KEY_MAX) -> str:
    return str(payload.get(key) or "").strip().upper()[:limit] if key.endswith("_no") else \
        str(payload.get(key) or "").strip()[:limit]


def _member_account(member_id: int | None) -> MemberAccount | None:
    return (MemberAccount.objects.filter(member_id=member_id or 0).select_related("member")
            .order_by("-opened_date", "-pk").first())


def _spouse_account(app: Application) -> MemberAccount | None:
    no = str(app.payload.get("spouse_account_no") or "").strip()
    if not no:
        return None
    return MemberAccount.objects.filter(center_id=app.center_id, account_no=no).select_related("member").first()


def _account_problems(acct: MemberAccount | None, amount: int | None, *, who: str, statuses: list[str]) -> list[str]:
    """The account exists, its status is one the reason allows, and the amount is within its available balance
    (freezes and holds taken off)."""
    if acct is None:
        return [f"{who}没有可提取的个人账户"]
    if acct.status not in statuses:
        label = MemberAccountStatus(acct.status).label if acct.status in MemberAccountStatus.values else acct.status
        return [f"{who}个人账户状态为「{acct.status} {label}」，不在本提取原因允许的范围内"]
    if amount is not None and amount > 0:
        available = int(SubAccount.objects.get(pk=acct.pk).available)
        if amount > available:
            return [f"{who}提取金额 {format_fen(amount)} 元超过可用余额 {format_fen(available)} 元（已扣除冻结和预留）"]
    return []


def _common_validate(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    """The amounts, the accounts and the spouse of a joint application: every problem at once."""
    problems: list[str] = []
    cfg = reason_config(app.item_code, app.center.business_date)
    statuses = list(cfg.statuses)
    amount = _money(payload.get("amount"))
    if amount is None or amount <= 0:
        problems.append("提取金额应为大于零的金额")
    problems += _account_problems(_member_account(app.member_id), amount, who="职工", statuses=statuses)
    clean: dict[str, Any] = {"amount": amount if amount is not None else payload.get("amount"),
                             "spouse_account_no": "", "spouse_amount": 0}
    spouse_no = str(payload.get("spouse_account_no") or "").strip()
    if spouse_no:
        if "spouse" not in cfg.applicants:
            problems.append(f"提取原因「{cfg.name}」不接受配偶共同申请")
        spouse_amount = _money(payload.get("spouse_amount"))
        clean.update(spouse_account_no=spouse_no[:24],
                     spouse_amount=spouse_amount if spouse_amount is not None else payload.get("spouse_amount"))
        spouse = MemberAccount.objects.filter(center_id=app.center_id, account_no=spouse_no).first()
        if spouse is None:
            problems.append(f"配偶个人账号 {spouse_no[:24]} 不是本中心的个人账户")
        elif spouse.member_id == app.member_id:
            problems.append("共同申请的配偶不能是职工本人")
        if spouse_amount is None or spouse_amount <= 0:
            problems.append("配偶账户提取金额应为大于零的金额")
        if spouse is not None and spouse.member_id != app.member_id:
            problems += _account_problems(spouse, spouse_amount, who="配偶", statuses=statuses)
        if app.pk and not app.materials.filter(material_code=SPOUSE_CONSENT).exists():
            problems.append("配偶共同申请须提交配偶同意提取的书面意见")
    elif payload.get("spouse_amount"):
        problems.append("填写了配偶账户提取金额，但未填写配偶个人账号")
    return clean, problems


def _total(payload: dict[str, Any]) -> int:
    return int(_money(payload.get("amount")) or 0) + int(_money(payload.get("spouse_amount")) or 0)


# ---------------------------------------------------------------- the property and its earlier withdrawals


def property_uses(*, contract_no: str = "", certificate_no: str = "", excluding: int | None = None) -> Any:
    """The live uses of a property (their payouts not released), found by either key."""
    keys = Q()
    if contract_no:
        keys |= Q(contract_no=contract_no)
    if certificate_no:
        keys |= Q(certificate_no=certificate_no)
    if not keys:
        return PropertyUse.objects.none()
    qs = PropertyUse.objects.filter(keys, payout__state__in=LIVE)
    return qs.exclude(payout__application_id=excluding) if excluding else qs


def property_withdrawn(*, contract_no: str = "", certificate_no: str = "", excluding: int | None = None) -> int:
    """What was withdrawn (or is held for an approved withdrawal) for the property, by anyone."""
    uses = property_uses(contract_no=contract_no, certificate_no=certificate_no, excluding=excluding)
    return int(uses.aggregate(s=Sum("amount"))["s"] or 0)


def _members(app: Application) -> list[int]:
    spouse = _spouse_account(app)
    return [m for m in (app.member_id, spouse.member_id if spouse is not None else None) if m]


def _loans(app: Application, on: date, *, also: tuple[int, ...] = ()) -> list[MemberLoan]:
    seen: dict[str, MemberLoan] = {}
    for member_id in dict.fromkeys([*_members(app), *also]):
        for loan in member_hpf_loans(member_id, on):
            seen.setdefault(loan.contract_no, loan)
    return list(seen.values())


def hpf_loan_on_property(app: Application, on: date, *, contract_no: str, certificate_no: str) -> int:
    """The HPF loans financing the property — of the member, the spouse and whoever withdrew for it before (a
    spouse's loan counts when the member applies alone): the amount lent (the outstanding principal when the loans
    app does not tell it)."""
    keys = {k for k in (contract_no, certificate_no) if k}
    earlier = tuple(property_uses(contract_no=contract_no, certificate_no=certificate_no)
                    .values_list("member_id", flat=True).distinct())
    return sum(loan.principal or loan.outstanding_principal for loan in _loans(app, on, also=earlier)
               if loan.property_key in keys)


@dataclass(frozen=True)
class Limit:
    """A reason's amount limit for one application: the ceiling and what was used of it by other applications."""

    ceiling: int
    used: int

    @property
    def left(self) -> int:
        return self.ceiling - self.used


def limit_of(app: Application, on: date) -> Limit:
    p = app.payload
    if app.item_code == PURCHASE:
        contract, cert = _text(p, "contract_no"), _text(p, "certificate_no")
        ceiling = (int(_money(p.get("price")) or 0) - int(_money(p.get("commercial_loan")) or 0)
                   - hpf_loan_on_property(app, on, contract_no=contract, certificate_no=cert))
        return Limit(ceiling, property_withdrawn(contract_no=contract, certificate_no=cert, excluding=app.pk))
    if app.item_code == BUILD:
        return Limit(int(_money(p.get("cost")) or 0),
                     property_withdrawn(certificate_no=_text(p, "certificate_no"), excluding=app.pk))
    loan = _repay_loan(app, on)
    ceiling = 0 if loan is None else (loan[0] if p.get("repay") == "year" else loan[1])
    return Limit(ceiling, loan_withdrawn(app, on))


# ---------------------------------------------------------------- 06: the loan repaid


def _repay_loan(app: Application, on: date) -> tuple[int, int] | None:
    """(the year's installments, the outstanding principal) of the loan named, or None when it is not found."""
    p = app.payload
    if p.get("loan_type") == "commercial":
        return int(_money(p.get("installments_this_year")) or 0), int(_money(p.get("outstanding_principal")) or 0)
    contract = _text(p, "loan_contract_no")
    for loan in _loans(app, on):
        if loan.contract_no.upper() == contract:
            return loan.installments_this_year, loan.outstanding_principal
    return None


def loan_withdrawn(app: Application, on: date) -> int:
    """What was withdrawn (or is held) this calendar year for the same loan contract, by anyone."""
    contract = _text(app.payload, "loan_contract_no")
    rows = (Payout.objects.filter(application__center_id=app.center_id, application__item_code=REPAY,
                                  application__payload__loan_contract_no=contract, state__in=LIVE,
                                  application__accepted_on__year=on.year)
            .exclude(application_id=app.pk))
    return int(rows.aggregate(s=Sum("amount"))["s"] or 0)  # the amount to pay is kept from approval on


# ---------------------------------------------------------------- validate


def _date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw or ""))
    except ValueError:
        return None


def validate_purchase(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    clean, problems = _common_validate(payload, app)
    contract, cert = _text(payload, "contract_no"), _text(payload, "certificate_no")
    if not contract:
        problems.append("请填写网签备案合同号")
    bought = _date(payload.get("purchase_date"))
    if bought is None:
        problems.append("网签备案或不动产登记日期格式不正确（应为 YYYY-MM-DD）")
    elif bought > app.center.business_date:
        problems.append("网签备案或不动产登记日期不能晚于业务日期")
    price, loan = _money(payload.get("price")), _money(payload.get("commercial_loan", 0))
    if price is None or price <= 0:
        problems.append("房屋总价应为大于零的金额")
    if loan is None or loan < 0:
        problems.append("商业贷款金额应为零或大于零的金额")
    clean.update(contract_no=contract, certificate_no=cert, purchase_date=str(payload.get("purchase_date") or ""),
                 price=price, commercial_loan=loan)
    return clean, problems


def validate_build(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    clean, problems = _common_validate(payload, app)
    cert, permit = _text(payload, "certificate_no"), _text(payload, "permit_no")
    kind = payload.get("kind")
    if kind not in BUILD_KINDS:
        problems.append("请选择建造、翻建或大修")
    if not cert:
        problems.append("请填写房屋（宅基地）的不动产权证号")
    if not permit:
        problems.append("请填写规划或建设主管部门批准文件编号")
    cost = _money(payload.get("cost"))
    if cost is None or cost <= 0:
        problems.append("工程费用应为大于零的金额")
    clean.update(kind=kind, certificate_no=cert, permit_no=permit, cost=cost)
    return clean, problems


def validate_repay(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    clean, problems = _common_validate(payload, app)
    loan_type, repay = payload.get("loan_type"), payload.get("repay")
    contract = _text(payload, "loan_contract_no")
    if loan_type not in LOAN_TYPES:
        problems.append("请选择贷款类型（住房公积金贷款或商业银行贷款）")
    if repay not in REPAY_KINDS:
        problems.append("请选择偿还当年贷款本息或提前偿还贷款本金")
    if not contract:
        problems.append("请填写借款合同号")
    clean.update(loan_type=loan_type, repay=repay, loan_contract_no=contract)
    if loan_type == "commercial":
        bank = _text(payload, "lender_bank")
        installments, principal = _money(payload.get("installments_this_year")), _money(payload.get("outstanding_principal"))
        if not bank:
            problems.append("请填写贷款银行")
        if installments is None or installments < 0:
            problems.append("当年应还本息应为零或大于零的金额")
        if principal is None or principal < 0:
            problems.append("剩余贷款本金应为零或大于零的金额")
        clean.update(lender_bank=bank, installments_this_year=installments, outstanding_principal=principal)
    elif loan_type == "hpf" and contract:
        app.payload = {**app.payload, **clean}
        if _repay_loan(app, app.center.business_date) is None:
            problems.append(f"职工及配偶名下没有借款合同号为 {contract} 的未结清住房公积金贷款")
    return clean, problems


# ---------------------------------------------------------------- rule inputs


def _spouse_inputs(app: Application, on: date) -> dict[str, Any]:
    spouse = _spouse_account(app)
    if spouse is None:
        return {"joint": False, "spouse_married": False, "spouse_status_allowed": False, "spouse_has_card": False,
                "spouse_card_recent": False, "spouse_frozen_full": False, "spouse_available": 0,
                "spouse_amount": 0}
    member = _member_account(app.member_id)
    assert member is not None
    answer = verify("marriage", subject=member.member.id_number, question={"on": on, "spouse": spouse.member.id_number},
                    purpose="配偶共同申请提取：核对婚姻登记的配偶")
    married: bool | None = None if answer.status == Verified.UNAVAILABLE else answer.status == Verified.CONFIRMED
    sub = SubAccount.objects.get(pk=spouse.pk)
    return {
        "joint": True, "spouse_married": married,
        "spouse_status_allowed": spouse.status in reason_config(app.item_code, on).statuses,
        "spouse_has_card": card_current(spouse.member_id) is not None,
        "spouse_card_recent": card_changed_since(spouse.member_id, date.fromordinal(
            on.toordinal() - int(policy_value(CARD_RECENT_DAYS, on=on, center=app.center_id)))),
        "spouse_frozen_full": spouse.freeze_kind == FreezeKind.FULL,
        "spouse_available": int(sub.available), "spouse_amount": int(_money(app.payload.get("spouse_amount")) or 0),
    }


def _months_between(start: date, on: date) -> int:
    """Whole months from `start` to `on` (a month is complete on the same day of the next month)."""
    return (on.year - start.year) * 12 + on.month - start.month - (1 if on.day < start.day else 0)


def purchase_inputs(app: Application) -> dict[str, Any]:
    on, p = reasons.on_date(app), app.payload
    contract, cert = _text(p, "contract_no"), _text(p, "certificate_no")
    bought = _date(p.get("purchase_date")) or on
    return {**reasons.common_inputs(app), **_spouse_inputs(app, on),
            "amount": int(_money(p.get("amount")) or 0), "total": _total(p),
            "price": int(_money(p.get("price")) or 0), "commercial_loan": int(_money(p.get("commercial_loan")) or 0),
            "hpf_loan": hpf_loan_on_property(app, on, contract_no=contract, certificate_no=cert),
            "earlier_withdrawn": property_withdrawn(contract_no=contract, certificate_no=cert, excluding=app.pk),
            "purchase_age_months": _months_between(bought, on),
            "purchase_window_months": int(policy_value(WINDOW_POLICY, on=on, center=app.center_id))}


def build_inputs(app: Application) -> dict[str, Any]:
    on, p = reasons.on_date(app), app.payload
    return {**reasons.common_inputs(app), **_spouse_inputs(app, on),
            "amount": int(_money(p.get("amount")) or 0), "total": _total(p), "cost": int(_money(p.get("cost")) or 0),
            "earlier_withdrawn": property_withdrawn(certificate_no=_text(p, "certificate_no"), excluding=app.pk)}


def repay_inputs(app: Application) -> dict[str, Any]:
    on = reasons.on_date(app)
    loan = _repay_loan(app, on)
    return {**reasons.common_inputs(app), **_spouse_inputs(app, on),
            "amount": int(_money(app.payload.get("amount")) or 0), "total": _total(app.payload),
            "loan_found": loan is not None,
            "loan_limit": limit_of(app, on).ceiling, "earlier_withdrawn": loan_withdrawn(app, on)}


# ---------------------------------------------------------------- approval: the limit again, the holds, the use


def _limit_keys(app: Application) -> list[str]:
    p = app.payload
    if app.item_code == REPAY:
        return [f"L:{_text(p, 'loan_contract_no')}"]
    return [f"P:{k}" for k in (_text(p, "contract_no"), _text(p, "certificate_no")) if k]


def _lock_limit(app: Application) -> None:
    """Lock the rows of the application's property keys (or loan contract), in order, before its limit is
    checked: approvals for one property (or loan) check it one after the other, whoever applies."""
    for key in sorted(set(_limit_keys(app))):
        LimitKey.objects.get_or_create(center_id=app.center_id, key=key[:80])
        LimitKey.objects.select_for_update().get(center_id=app.center_id, key=key[:80])


def on_transition(app: Application, was: str, now: str, actor: Actor, business_date: date) -> None:
    """On 审核通过: the property's (or loan's) limit rows locked, then each account (in key order, so two
    approvals cannot deadlock), the limit checked again against what other applications have taken meanwhile, each account's amount held and, for 01/02, its
    use of the property recorded. On 作废 / 终止: every hold released (the property's use no longer counts)."""
    if now in (State.CANCELLED, State.CLOSED):
        payout.release_all(app, actor=actor, business_date=business_date, why=State(now).label)
        return
    if now != State.APPROVED:
        return
    _lock_limit(app)
    spouse = _spouse_account(app)
    shares = [(app.member_id, int(app.payload.get("amount") or 0))]
    if spouse is not None:
        shares.append((spouse.member_id, int(app.payload.get("spouse_amount") or 0)))
    accounts = sorted(((payout.account_of(m), amount) for m, amount in shares), key=lambda t: t[0].pk)
    limit = limit_of(app, business_date)
    total = sum(a for _, a in shares)
    if total > limit.left:
        raise DomainError(ErrorCode.WITHDRAWAL_LIMIT_USED, total=format_fen(total), ceiling=format_fen(limit.ceiling),
                          used=format_fen(limit.used), left=format_fen(max(limit.left, 0)), field="amount")
    p = app.payload
    for acct, amount in accounts:
        held = payout.hold_share(app, acct, amount, closes=False, actor=actor, business_date=business_date)
        if app.item_code in PROPERTY_ITEMS:
            PropertyUse.objects.create(center_id=app.center_id, payout=held, member_id=acct.member_id,
                                       item_code=app.item_code, contract_no=_text(p, "contract_no"),
                                       certificate_no=_text(p, "certificate_no"), amount=amount,
                                       recorded_on=business_date)
    contract, cert = _text(p, "contract_no"), _text(p, "certificate_no")
    if contract and cert:  # the certificate is issued: the contract's earlier uses are found by it from now on
        PropertyUse.objects.filter(contract_no=contract, certificate_no="").update(certificate_no=cert)


# ---------------------------------------------------------------- describe


def _yuan(payload: dict[str, Any], key: str) -> str:
    value = _money(payload.get(key))
    return f"{format_fen(value)} 元" if value is not None else "—"


def _joint_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [("职工本人账户提取金额", _yuan(payload, "amount"))]
    if payload.get("spouse_account_no"):
        rows += [("配偶共同申请（配偶个人账号）", str(payload["spouse_account_no"])),
                 ("配偶账户提取金额", _yuan(payload, "spouse_amount")),
                 ("合计提取金额", f"{format_fen(_total(payload))} 元")]
    return rows


def purchase_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [*_joint_rows(payload), ("网签备案合同号", payload.get("contract_no") or "—"),
            ("不动产权证号", payload.get("certificate_no") or "未取得"),
            ("网签备案或登记日期", str(payload.get("purchase_date") or "—")), ("房屋总价", _yuan(payload, "price")),
            ("商业贷款金额", _yuan(payload, "commercial_loan"))]


def build_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [*_joint_rows(payload), ("类别", BUILD_KINDS.get(payload.get("kind") or "", "—")),
            ("不动产权证号", payload.get("certificate_no") or "—"), ("批准文件编号", payload.get("permit_no") or "—"),
            ("工程费用", _yuan(payload, "cost"))]


def repay_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [*_joint_rows(payload), ("贷款类型", LOAN_TYPES.get(payload.get("loan_type") or "", "—")),
            ("提取用途", REPAY_KINDS.get(payload.get("repay") or "", "—")),
            ("借款合同号", payload.get("loan_contract_no") or "—")]
    if payload.get("loan_type") == "commercial":
        rows += [("贷款银行", payload.get("lender_bank") or "—"),
                 ("当年应还本息（申报）", _yuan(payload, "installments_this_year")),
                 ("剩余贷款本金（申报）", _yuan(payload, "outstanding_principal"))]
    return rows


HANDLERS = (
    Handler(item_code=PURCHASE, validate=validate_purchase, rule_inputs=purchase_inputs, execute=payout.execute,
            amount=_total, describe=purchase_rows, transition=on_transition),
    Handler(item_code=BUILD, validate=validate_build, rule_inputs=build_inputs, execute=payout.execute,
            amount=_total, describe=build_rows, transition=on_transition),
    Handler(item_code=REPAY, validate=validate_repay, rule_inputs=repay_inputs, execute=payout.execute,
            amount=_total, describe=repay_rows, transition=on_transition),
)
