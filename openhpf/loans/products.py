"""Loan products and policy (贷款产品与政策): the version in force, the rate in force with the repricing rule, the
amount and term limits of a product for a borrower, and the maker-checker change of a product.

- A product's version in force on a date: the center's own latest version, else the national one (center NULL).
- The rate: the national policy values `loan.rate.<first|second>.<le5|gt5>` (fractions of one, a center may have
  its own row), the band chosen by the contract term; an existing loan takes the rate in force on its repricing
  date (its contract date in the contract's year, then each 1 January).
- The change is the approvals command `loans.product_change` (permission applications.rules, the leader role):
  the maker submits the fields that change, the reason and the effective date; the checker sees each field
  before → after; approval makes the next version of the center's product, in force from its date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q

from openhpf.approvals.registry import Fact, Summary, applying, change_terms, register, register_renderer
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen, format_ratio
from openhpf.core.policy import policy_value

from .calculations import (
    LimitFactor,
    amount_limit,
    rate_band,
    repricing_date,
    term_limit,
)
from .models import LoanProduct
from .retirement import retirement_date

COMMAND = "loans.product_change"
PERMISSION = "applications.rules"
MONEY_FIELDS = ("cap_single", "cap_couple", "uplift_multichild", "uplift_green", "per_year_amount", "min_amount")
RATIO_FIELDS = ("down_first", "down_second", "capacity_ratio")
FIELDS = ("name", "kind", "properties", *MONEY_FIELDS, *RATIO_FIELDS, "multiple_basis", "balance_multiple",
          "max_term_months", "first_period", "remote_allowed", "guarantor_required")
FIELD_LABELS = {f: str(getattr(LoanProduct._meta.get_field(f), "verbose_name", f)).removesuffix("（分）") for f in FIELDS}
MAX_TERM = 360  # 30 years: the longest term of an HPF loan
RETIREMENT_YEARS_KEY = "loan.term.retirement_plus_years"


def _center_id(center: Center | int | None) -> int | None:
    return center.pk if isinstance(center, Center) else center


def product_in_force(code: str, *, on: date, center: Center | int | None = None) -> LoanProduct:
    """The version of `code` in force on `on`: the center's own latest, else the national one."""
    qs = LoanProduct.objects.filter(code=code, effective_from__lte=on).order_by("-effective_from", "-version")
    cid = _center_id(center)
    found = qs.filter(center_id=cid).first() if cid is not None else None
    found = found or qs.filter(center__isnull=True).first()
    if found is None:
        raise DomainError(ErrorCode.LOAN_PRODUCT_UNKNOWN, product=code or "—", on=on.isoformat(), field="product")
    return found


def products_in_force(*, on: date, center: Center | int | None = None) -> list[LoanProduct]:
    cid = _center_id(center)
    codes = sorted(set(LoanProduct.objects.filter(Q(center__isnull=True) | Q(center_id=cid), effective_from__lte=on)
                       .values_list("code", flat=True)))
    return [product_in_force(c, on=on, center=cid) for c in codes]


def product_history(code: str, *, center: Center | int | None = None) -> list[LoanProduct]:
    cid = _center_id(center)
    return list(LoanProduct.objects.filter(Q(center__isnull=True) | Q(center_id=cid), code=code)
                .order_by("-effective_from", "-version"))


# ---- rates ----

def rate_in_force(home: str, months: int, *, on: date, center: Center | int | None = None) -> Decimal:
    """The annual rate in % (Decimal("2.85")) of the band (first/second home, the contract term) in force on `on`."""
    return (Decimal(policy_value(rate_band(home, months), on=on, center=center)) * 100).normalize()


def loan_rate(*, home: str, months: int, contract_date: date, on: date,
              center: Center | int | None = None) -> Decimal:
    """The rate of an existing loan on `on`: the band's rate in force on the repricing date (the next 1 January
    after a change)."""
    return rate_in_force(home, months, on=repricing_date(contract_date, on), center=center)


# ---- limits of a product for a borrower ----

def city_cap(product: LoanProduct, *, couple: bool, multichild: bool = False, green: bool = False) -> tuple[int, str]:
    """The city cap with the local uplifts, and how it was reached in 元."""
    base = product.cap_couple if couple else product.cap_single
    parts = [f"{'夫妻双方缴存' if couple else '单方缴存'} {format_fen(base)} 元"]
    total = base
    if multichild and product.uplift_multichild:
        total += product.uplift_multichild
        parts.append(f"多子女家庭上浮 {format_fen(product.uplift_multichild)} 元")
    if green and product.uplift_green:
        total += product.uplift_green
        parts.append(f"绿色建筑上浮 {format_fen(product.uplift_green)} 元")
    return total, " + ".join(parts)


def product_amount_limit(product: LoanProduct, *, home: str, annual_rate: Decimal, months: int, method: str,
                         couple: bool = False, multichild: bool = False, green: bool = False,
                         price: int | None = None, balance: int | None = None,
                         contribution_years: Decimal | None = None,
                         monthly_income: int | None = None) -> tuple[int, list[LimitFactor]]:
    """The amount limit of `product` for a borrower (calculations.amount_limit with the product's values)."""
    cap, basis = city_cap(product, couple=couple, multichild=multichild, green=green)
    by_balance = product.multiple_basis == LoanProduct.MultipleBasis.BALANCE
    return amount_limit(
        annual_rate=annual_rate, months=months, method=method, city_cap=cap, city_cap_basis=basis, price=price,
        min_down_payment=product.down_second if home == "second" else product.down_first,
        balance=balance if by_balance else None, balance_multiple=product.balance_multiple if by_balance else None,
        contribution_years=None if by_balance else contribution_years,
        per_year_amount=None if by_balance else product.per_year_amount,
        monthly_income=monthly_income, capacity_ratio=product.capacity_ratio)


def product_term_limit(product: LoanProduct, *, first_due: date, birth: date | None = None, sex: str = "",
                       original_age: int | None = None, on: date,
                       center: Center | int | None = None) -> tuple[int, list[LimitFactor]]:
    """The longest term: the product's maximum, and maturity ≤ the retirement date + N years (policy)."""
    retirement = None
    years = 0
    if birth is not None and original_age is not None:
        retirement = retirement_date(birth, sex, original_age)
        years = int(policy_value(RETIREMENT_YEARS_KEY, on=on, center=center))
    return term_limit(first_due=first_due, max_term=product.max_term_months, retirement=retirement,
                      years_after_retirement=years)


# ---- the change through maker-checker ----

def _bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.LOAN_PRODUCT_INVALID, detail=detail, field=field)


def _money(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(f"{FIELD_LABELS[key]}应为不小于零的金额（分）", key)
    return value


def _ratio(key: str, value: Any) -> str:
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise _bad(f"{FIELD_LABELS[key]}应为 0 至 1 之间的比例（如 0.3 即 30%）", key) from None
    if isinstance(value, float | bool) or not d.is_finite() or not 0 < d < 1 or d != d.quantize(Decimal("0.0001")):
        raise _bad(f"{FIELD_LABELS[key]}应为 0 至 1 之间的比例（如 0.3 即 30%，至多四位小数）", key)
    return str(d)


def _check_field(key: str, value: Any) -> Any:
    if key not in FIELDS:
        raise _bad(f"不能变更的项目：{key}", key)
    if key in MONEY_FIELDS:
        return _money(key, value)
    if key in RATIO_FIELDS:
        return _ratio(key, value)
    if key == "name":
        value = str(value or "").strip()
        if not value or len(value) > 60:
            raise _bad("产品名称不能为空（不超过 60 个字符）", key)
    elif key == "kind" and value not in LoanProduct.Kind.values:
        raise _bad("贷款种类应为 hpf（公积金贷款）或 combination（组合贷款）", key)
    elif key == "properties" and (not isinstance(value, list) or not value
                                  or any(v not in LoanProduct.Property.values for v in value)):
        raise _bad("适用房屋类型应为 new（新房）、second_hand（二手房）、presale（期房）中的一个或多个", key)
    elif key == "multiple_basis" and value not in LoanProduct.MultipleBasis.values:
        raise _bad("额度倍数依据应为 balance（账户余额 × 倍数）或 years（缴存年限 × 每年额度）", key)
    elif key == "balance_multiple":
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            d = Decimal(-1)
        if isinstance(value, float | bool) or not d.is_finite() or not 0 <= d <= 100 or d != d.quantize(Decimal("0.01")):
            raise _bad("账户余额倍数应为 0 至 100 的数（至多两位小数）", key)
        value = str(d)
    elif key == "max_term_months" and (isinstance(value, bool) or not isinstance(value, int)
                                       or not 1 <= value <= MAX_TERM):
        raise _bad(f"最长贷款期限应为 1 至 {MAX_TERM} 个月", key)
    elif key == "first_period" and value not in LoanProduct.FirstPeriod.values:
        raise _bad("首期利息应为 days（按实际天数）或 month（按整月）", key)
    elif key in ("remote_allowed", "guarantor_required") and not isinstance(value, bool):
        raise _bad(f"{FIELD_LABELS[key]}应为是或否", key)
    return value


def _check_whole(values: dict[str, Any]) -> None:
    """The rules across fields, on the version as it would be."""
    if values["cap_single"] <= 0 or values["cap_couple"] < values["cap_single"]:
        raise _bad("最高额度应大于零，夫妻双方缴存的最高额度不低于单方缴存", "cap_couple")
    if values["min_amount"] <= 0 or values["min_amount"] > values["cap_single"]:
        raise _bad("最低贷款额应大于零且不超过单方缴存的最高额度", "min_amount")
    if values["multiple_basis"] == LoanProduct.MultipleBasis.BALANCE and Decimal(str(values["balance_multiple"])) <= 0:
        raise _bad("按账户余额计算额度时，倍数应大于零", "balance_multiple")
    if values["multiple_basis"] == LoanProduct.MultipleBasis.YEARS and values["per_year_amount"] <= 0:
        raise _bad("按缴存年限计算额度时，每年额度应大于零", "per_year_amount")


def _base(code: str, center_id: int | None) -> LoanProduct | None:
    """The version a change starts from: the center's own newest, else the national newest."""
    qs = LoanProduct.objects.filter(code=code).order_by("-version")
    return (qs.filter(center_id=center_id).first() if center_id is not None else None) or \
        qs.filter(center__isnull=True).first()


@transaction.atomic
def product_make(*, code: str, changes: dict[str, Any], effective_from: date, actor: Actor, reason: str,
                 center: Center | int | None, approved_by: str = "", made_by: str = "",
                 command_id: int | None = None) -> LoanProduct:
    """The next version of the center's product: its newest version (or the national one) with `changes`."""
    cid = _center_id(center)
    list(LoanProduct.objects.select_for_update().filter(code=code).order_by("pk").values_list("pk", flat=True))
    last = _base(code, cid)
    if last is None:
        raise DomainError(ErrorCode.LOAN_PRODUCT_UNKNOWN, product=code, on=effective_from.isoformat(), field="product")
    values = {f: getattr(last, f) for f in FIELDS}
    values.update({k: _check_field(k, v) for k, v in changes.items()})
    values.update({f: Decimal(str(values[f])) for f in (*RATIO_FIELDS, "balance_multiple")})
    _check_whole(values)
    own = (LoanProduct.objects.filter(code=code, center__isnull=True) if cid is None else
           LoanProduct.objects.filter(code=code, center_id=cid)).order_by("-version").first()
    product = LoanProduct.objects.create(
        center_id=cid, code=code, version=(own.version if own is not None else 0) + 1, effective_from=effective_from,
        reason=reason[:200], made_by=made_by or actor_label(actor), approved_by=approved_by, command_id=command_id,
        **values)
    audit_log(actor=actor, action=AuditEvent.LOANS_PRODUCT_CHANGE, obj=product,
              before={"version": last.version, "center": last.center_id, **_jsonable(last)},
              after={"version": product.version, "effective_from": effective_from.isoformat(), **_jsonable(product)})
    return product


def _jsonable(p: LoanProduct) -> dict[str, Any]:
    return {f: str(getattr(p, f)) if isinstance(getattr(p, f), Decimal) else getattr(p, f) for f in FIELDS}


def _validate(params: dict[str, Any], actor: Actor, center: Any, business_date: date) -> dict[str, Any]:
    code = str(params.get("code", "")).strip()
    if _base(code, center.pk) is None:
        raise DomainError(ErrorCode.LOAN_PRODUCT_UNKNOWN, product=code or "—", on=business_date.isoformat(),
                          field="code")
    terms = change_terms(params, business_date, bad=_bad)
    checked = {k: _check_field(k, v) for k, v in terms.changes.items()}
    base = _base(code, center.pk)
    values = {f: getattr(base, f) for f in FIELDS} | checked
    _check_whole(values)
    return {"code": code, "center": center.pk, "effective_from": terms.effective_from.isoformat(),
            "reason": terms.reason, "changes": checked}


def _apply(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    cmd = applying()
    product = product_make(code=params["code"], changes=params["changes"], center=params["center"],
                           effective_from=date.fromisoformat(params["effective_from"]), actor=actor,
                           reason=params["reason"], approved_by=actor_label(actor),
                           made_by=actor_label(cmd.maker) if cmd is not None else "",
                           command_id=cmd.pk if cmd is not None else None)
    return {"code": product.code, "version": product.version}


def field_text(key: str, value: Any) -> str:
    """A product value in a clerk's words: 元, %, the names of codes, 是/否."""
    if key in MONEY_FIELDS:
        return f"{format_fen(int(value))} 元"
    if key in RATIO_FIELDS:
        return format_ratio(Decimal(str(value)))
    if key == "properties":
        return "、".join(LoanProduct.Property(v).label if v in LoanProduct.Property.values else v for v in value)
    choices = {"kind": LoanProduct.Kind, "multiple_basis": LoanProduct.MultipleBasis,
               "first_period": LoanProduct.FirstPeriod}
    if key in choices:
        return str(choices[key](value).label) if value in choices[key].values else str(value)
    if key in ("remote_allowed", "guarantor_required"):
        return "是" if value else "否"
    if key == "max_term_months":
        return f"{value} 个月"
    if key == "balance_multiple":
        return f"{Decimal(str(value)).normalize():f} 倍"
    return str(value)


def _describe(params: dict[str, Any]) -> str:
    return f"贷款产品 {params.get('code')} 的新版本，{params.get('effective_from')} 起生效"


def _render(command: Any, viewer: Any) -> Summary:
    p = command.params
    facts = [Fact("产品代码", p.get("code", "")), Fact("生效日期", p.get("effective_from", "")),
             Fact("变更原因", p.get("reason", ""))]
    base = _base(p.get("code", ""), p.get("center"))
    for key, value in (p.get("changes") or {}).items():
        was = field_text(key, getattr(base, key)) if base is not None and key in FIELDS else "—"
        facts.append(Fact(FIELD_LABELS.get(key, key), f"{was} → {field_text(key, value)}"))
    return Summary(headline=_describe(p), facts=facts)


def register_commands() -> None:
    register(COMMAND, apply=_apply, permission=PERMISSION, describe=_describe, validate=_validate,
             label="贷款产品变更")
    register_renderer(COMMAND, _render)
