"""The loan application (item HPF-P-LOAN) on the application engine: the payload, the household, the
eligibility inputs of the item's rule set, and what the reviewer reads.

The payload (validated here; every problem at once):

    {"amount": fen, "months": 1–max, "method": "01" | "02", "monthly_income": fen (the household's),
     "spouse": {"account_no": …} | {"name": …, "remote": {…}} | null,
     "co_borrowers": [{"account_no": …} | {"name": …, "remote": {…}}, …],
     "property": {"contract_no": 网签合同号, "price": fen, "area": "89.50", "kind": "new" | "off_plan" |
                  "second_hand", "address": …, "payee_name": seller or developer, "payee_account": digits,
                  "payee_bank": …},
     "down_payment_application": number of an HPF-P-WD-01 application (optional)}

`remote` is another center's 缴存使用证明 (异地贷款): {"center": …, "certificate_no": …, "months_continuous": n,
"balance": fen, "has_loan": bool}.

Eligibility: the facts are computed once (`household_inputs`) and read by the rule set seeded by `loans/0003`
(every rule's result stored and shown). At submission the blocking rules that the local facts decide are
checked already, so that a request with a contribution gap, a term past the age limit, an amount above a cap
(each named with its figure), a loan outstanding in the household or a 骗提骗贷 record is refused with every
reason at once and nothing is written. At 受理 the registry (认房) and the credit report (征信, with the
borrowers' written consent: the material `credit_consent`) are asked too, and the whole set is evaluated."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django import forms

from openhpf.accounts.models import Member, MemberAccount
from openhpf.applications.models import Application, ApplicationMaterial
from openhpf.applications.rules import evaluate_rules, rule_set_for, rules_of
from openhpf.core.codes import MemberAccountStatus, RepaymentMethod, Sex
from openhpf.core.errors import DomainError
from openhpf.core.formfields import YuanField
from openhpf.core.ids import validate_resident_id
from openhpf.core.masking import mask_id_number, mask_name
from openhpf.core.money import format_fen
from openhpf.ledger.models import SubAccount
from openhpf.verification.models import Status as VStatus
from openhpf.verification.services import verify
from openhpf.withdrawals.handlers import months_continuous

from . import terms
from .calculations import add_months
from .models import FraudFlag, Loan, LoanParty, LoanProduct

ITEM_CODE = "HPF-P-LOAN"
PURCHASE_WITHDRAWAL = "HPF-P-WD-01"
PROPERTY_KINDS = {"new": "新建商品房（现房）", "off_plan": "期房", "second_hand": "二手房"}
OPEN_STATES = (Loan.Status.APPROVED, Loan.Status.ACTIVE)
ROLE_LABELS = dict(LoanParty.Role.choices)


def _on(app: Application) -> date:
    return app.accepted_on or app.center.business_date


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _account(member_id: int | None) -> MemberAccount | None:
    return (MemberAccount.objects.filter(member_id=member_id or 0).select_related("member")
            .order_by("-opened_date", "-pk").first())


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# ---------------------------------------------------------------- the payload


def _party(raw: Any, role: str, center_id: int, problems: list[str]) -> dict[str, Any] | None:
    label = ROLE_LABELS[role]
    if not isinstance(raw, dict):
        problems.append(f"{label}信息格式不正确")
        return None
    no = str(raw.get("account_no") or "").strip()
    if no:
        acct = MemberAccount.objects.filter(center_id=center_id, account_no=no).select_related("member").first()
        if acct is None:
            problems.append(f"{label}的个人账号 {no} 不存在")
            return None
        return {"role": role, "account_no": no, "member_id": acct.member_id}
    remote = raw.get("remote")
    name = str(raw.get("name") or "").strip()[:60]
    if not isinstance(remote, dict):
        problems.append(f"请填写{label}的个人账号，或其他中心出具的缴存使用证明（异地贷款）")
        return None
    months, balance = _int(remote.get("months_continuous")), _int(remote.get("balance"))
    bad = [t for t, ok in (("姓名", bool(name)), ("出具中心", bool(str(remote.get("center") or "").strip())),
                           ("证明编号", bool(str(remote.get("certificate_no") or "").strip())),
                           ("连续缴存月数", months is not None and months >= 0),
                           ("账户余额", balance is not None and balance >= 0),
                           ("有无未结清住房公积金贷款", isinstance(remote.get("has_loan"), bool))) if not ok]
    if bad:
        problems.append(f"{label}的缴存使用证明缺少：{'、'.join(bad)}")
        return None
    return {"role": role, "name": name, "remote": {
        "center": str(remote["center"]).strip()[:60], "certificate_no": str(remote["certificate_no"]).strip()[:40],
        "account_no": str(remote.get("account_no") or "").strip()[:40],
        "months_continuous": months, "balance": balance, "has_loan": remote["has_loan"]}}


def _property(raw: Any, problems: list[str]) -> dict[str, Any]:
    p = raw if isinstance(raw, dict) else {}
    if not isinstance(raw, dict):
        problems.append("请填写所购住房信息")
    price, kind = _int(p.get("price")), str(p.get("kind") or "")
    if not str(p.get("contract_no") or "").strip():
        problems.append("请填写购房合同网签备案号")
    if price is None or price <= 0:
        problems.append("房屋总价应为大于零的金额")
    try:
        area = Decimal(str(p.get("area")))
        if not area.is_finite() or area <= 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.append("建筑面积应为大于零的数（平方米）")
        area = Decimal(0)
    if kind not in PROPERTY_KINDS:
        problems.append("房屋类型应为新建商品房、期房或二手房")
    account, name = str(p.get("payee_account") or "").strip(), str(p.get("payee_name") or "").strip()
    who = "售房人" if kind == "second_hand" else "开发企业"
    if not account.isdigit() or not 6 <= len(account) <= 40:
        problems.append(f"{who}收款账号应为 6 至 40 位数字")
    if not name:
        problems.append(f"请填写{who}收款户名")
    return {"contract_no": str(p.get("contract_no") or "").strip()[:40], "price": price, "area": str(area),
            "kind": kind, "address": str(p.get("address") or "").strip()[:120], "payee_name": name[:120],
            "payee_account": account[:40], "payee_bank": str(p.get("payee_bank") or "").strip()[:60]}


def _down_payment(number: str, app: Application, member_ids: set[int], problems: list[str]) -> str:
    if not number:
        return ""
    wd = Application.objects.filter(center_id=app.center_id, number=number).first()
    if wd is None or wd.item_code != PURCHASE_WITHDRAWAL:
        problems.append(f"首付款提取办件 {number} 不存在或不是购买住房提取")
    elif wd.member_id not in member_ids:
        problems.append(f"首付款提取办件 {number} 不是借款人家庭成员的提取")
    return number


def _product(app: Application, code: str) -> Any:
    try:
        return terms.product_for(center=app.center_id, on=_on(app), product=code)
    except DomainError:
        return None


def _original_age(raw: Any, borrower: MemberAccount | None, app: Application, problems: list[str]) -> int | None:
    """A woman borrower's original retirement age (50 女工人 / 55 女干部), by default the policy's; men: 60."""
    if borrower is None or borrower.member.sex != Sex.FEMALE:
        return None
    if raw in (None, ""):
        return terms.female_original_age(center=app.center_id, on=_on(app))
    if _int(raw) not in terms.ORIGINAL_AGES_FEMALE:
        problems.append("女性借款人的原法定退休年龄应为 50 岁（女工人）或 55 岁（女干部）")
        return None
    return int(raw)


def _commercial(raw: Any, product: Any, problems: list[str]) -> dict[str, Any] | None:
    """组合贷款: the commercial part (bank, contract number, amount, term, monthly payment), required and only
    accepted for a combination product."""
    combination = product is not None and product.kind == LoanProduct.Kind.COMBINATION
    if not raw:
        if combination:
            problems.append("组合贷款须填写商业贷款部分：银行、合同编号、金额、期限、月还款额")
        return None
    if not combination:
        problems.append("只有组合贷款产品可以填写商业贷款部分")
        return None
    if not isinstance(raw, dict):
        problems.append("商业贷款部分格式不正确")
        return None
    amount, months, payment = _int(raw.get("amount")), _int(raw.get("months")), _int(raw.get("payment"))
    bad = [t for t, ok in (("商业贷款银行", bool(str(raw.get("bank") or "").strip())),
                           ("商业贷款合同编号", bool(str(raw.get("contract_no") or "").strip())),
                           ("商业贷款金额", amount is not None and amount > 0),
                           ("商业贷款期限（月）", months is not None and 1 <= months <= 600),
                           ("商业贷款月还款额", payment is not None and payment > 0)) if not ok]
    if bad:
        problems.append(f"组合贷款的商业贷款部分缺少或不正确：{'、'.join(bad)}")
        return None
    return {"bank": str(raw["bank"]).strip()[:60], "contract_no": str(raw["contract_no"]).strip()[:60],
            "amount": amount, "months": months, "payment": payment}


def _guarantors(raw: Any, product: Any, problems: list[str]) -> list[dict[str, Any]]:
    """保证人 (担保方式 03 保证) where the product requires one: name and 18-digit ID number each."""
    rows = raw if isinstance(raw, list) else []
    out = []
    for n, g in enumerate(rows, 1):
        g = g if isinstance(g, dict) else {}
        name, idn = str(g.get("name") or "").strip(), str(g.get("id_number") or "").strip().upper()
        try:
            idn = validate_resident_id(idn, field="guarantors").number
        except DomainError as e:
            problems.append(f"第 {n} 位保证人：{e.message.split('：', 1)[0]}")
            continue
        if not name:
            problems.append(f"第 {n} 位保证人：请填写姓名")
            continue
        out.append({"name": name[:60], "id_number": idn, "guarantee_type": "03"})
    if product is not None and product.guarantor_required and not out and not problems:
        problems.append(f"贷款产品「{product.name}」须提供保证人（担保方式：保证）")
    return out


class LoanApplicationForm(forms.Form):
    """The counter's form (the engine's intake builds its page from it): flat fields, amounts in 元; `unflatten`
    turns them into the payload above. Spouse and co-borrowers here are members of this center."""

    amount = YuanField(label="申请贷款金额（元）", allow_zero=False)
    months = forms.IntegerField(label="贷款期限（月）", min_value=1, max_value=600)
    method = forms.ChoiceField(label="还款方式", choices=[(RepaymentMethod.ANNUITY, "等额本息"),
                                                      (RepaymentMethod.EQUAL_PRINCIPAL, "等额本金")])
    monthly_income = YuanField(label="家庭月收入（元）", allow_zero=False)
    spouse_account_no = forms.CharField(label="配偶个人账号", max_length=24, required=False,
                                        help_text="配偶共同申请时填写")
    co_borrower_account_nos = forms.CharField(label="共同借款人个人账号", max_length=200, required=False,
                                              help_text="多人以空格分隔")
    original_age = forms.TypedChoiceField(label="借款人原法定退休年龄（女性）", coerce=int, required=False,
                                          empty_value=None, choices=[("", "按政策默认"), (50, "50 岁（女工人）"),
                                                                     (55, "55 岁（女干部）")],
                                          help_text="女性借款人按原岗位填写；男性为 60 岁，无须填写")
    remote_role = forms.ChoiceField(label="异地缴存人身份", required=False,
                                    choices=[("", "无"), ("spouse", "配偶"), ("co_borrower", "共同借款人")],
                                    help_text="配偶或共同借款人在其他公积金中心缴存时填写，并上传其缴存使用证明")
    remote_name = forms.CharField(label="异地缴存人姓名", max_length=60, required=False)
    remote_center = forms.CharField(label="异地缴存人所在中心", max_length=60, required=False)
    remote_account_no = forms.CharField(label="异地缴存人个人账号", max_length=40, required=False)
    remote_certificate_no = forms.CharField(label="缴存使用证明编号", max_length=40, required=False)
    remote_months_continuous = forms.IntegerField(label="异地连续缴存月数", min_value=0, required=False)
    remote_balance = YuanField(label="异地账户余额（元）", required=False)
    remote_has_loan = forms.TypedChoiceField(label="异地有无未结清住房公积金贷款", required=False, empty_value=None,
                                             coerce=lambda v: v == "yes", choices=[("", "—"), ("no", "无"), ("yes", "有")])
    commercial_bank = forms.CharField(label="组合贷款：商业贷款银行", max_length=60, required=False)
    commercial_contract_no = forms.CharField(label="组合贷款：商业贷款合同编号", max_length=60, required=False)
    commercial_amount = YuanField(label="组合贷款：商业贷款金额（元）", required=False)
    commercial_months = forms.IntegerField(label="组合贷款：商业贷款期限（月）", min_value=1, max_value=600, required=False)
    commercial_payment = YuanField(label="组合贷款：商业贷款月还款额（元）", required=False)
    guarantor_name = forms.CharField(label="保证人姓名", max_length=60, required=False, help_text="产品要求保证人时填写")
    guarantor_id_number = forms.CharField(label="保证人身份证号码", max_length=18, required=False)
    property_contract_no = forms.CharField(label="购房合同网签备案号", max_length=40)
    property_kind = forms.ChoiceField(label="房屋类型", choices=list(PROPERTY_KINDS.items()))
    property_price = YuanField(label="房屋总价（元）", allow_zero=False)
    property_area = forms.DecimalField(label="建筑面积（平方米）", max_digits=8, decimal_places=2, min_value=Decimal("0.01"))
    property_address = forms.CharField(label="房屋坐落", max_length=120, required=False)
    payee_name = forms.CharField(label="收款人（售房人或开发企业）", max_length=120)
    payee_account = forms.CharField(label="收款账号", max_length=40)
    payee_bank = forms.CharField(label="收款人开户银行", max_length=60, required=False)
    down_payment_application = forms.CharField(label="首付款提取办件编号", max_length=30, required=False)


def unflatten(payload: dict[str, Any]) -> dict[str, Any]:
    """The counter form's flat fields as the payload (a payload already nested is returned as it is)."""
    if "property" in payload or "property_contract_no" not in payload:
        return payload
    spouse = str(payload.get("spouse_account_no") or "").strip()
    co = str(payload.get("co_borrower_account_nos") or "").replace("，", " ").replace(",", " ").split()
    remote = None
    if payload.get("remote_role") in ("spouse", "co_borrower"):
        remote = {"name": payload.get("remote_name") or "", "remote": {
            "center": payload.get("remote_center") or "", "account_no": payload.get("remote_account_no") or "",
            "certificate_no": payload.get("remote_certificate_no") or "",
            "months_continuous": payload.get("remote_months_continuous"), "balance": payload.get("remote_balance"),
            "has_loan": payload.get("remote_has_loan")}}
    commercial = None
    if payload.get("commercial_bank") or payload.get("commercial_amount"):
        commercial = {k: payload.get(f"commercial_{k}") for k in ("bank", "contract_no", "amount", "months", "payment")}
    guarantors = ([{"name": payload.get("guarantor_name") or "", "id_number": payload.get("guarantor_id_number") or "",
                    "guarantee_type": "03"}] if payload.get("guarantor_name") or payload.get("guarantor_id_number")
                  else [])
    return {"amount": payload.get("amount"), "months": payload.get("months"), "method": payload.get("method"),
            "monthly_income": payload.get("monthly_income"), "product": payload.get("product") or "",
            "original_age": payload.get("original_age"),
            "spouse": {"account_no": spouse} if spouse else (remote if payload.get("remote_role") == "spouse" else None),
            "co_borrowers": [{"account_no": n} for n in co] + ([remote] if remote and payload.get("remote_role")
                                                                == "co_borrower" else []),
            "commercial": commercial, "guarantors": guarantors,
            "property": {"contract_no": payload.get("property_contract_no"), "price": payload.get("property_price"),
                         "area": payload.get("property_area"), "kind": payload.get("property_kind"),
                         "address": payload.get("property_address") or "", "payee_name": payload.get("payee_name"),
                         "payee_account": payload.get("payee_account"), "payee_bank": payload.get("payee_bank") or ""},
            "down_payment_application": payload.get("down_payment_application") or ""}


def validate(payload: dict[str, Any], app: Application) -> tuple[dict[str, Any], list[str]]:
    """Every problem of the payload, then every blocking rule the local facts decide, at once."""
    problems: list[str] = []
    payload = unflatten(payload)
    amount, months, income = _int(payload.get("amount")), _int(payload.get("months")), _int(payload.get("monthly_income"))
    if amount is None or amount <= 0:
        problems.append("贷款金额应为大于零的金额")
    if months is None or months < 1:
        problems.append("贷款期限应为至少 1 个月的整数")
    method = str(payload.get("method") or "")
    if method not in (RepaymentMethod.ANNUITY, RepaymentMethod.EQUAL_PRINCIPAL):
        problems.append("还款方式应为等额本息（01）或等额本金（02）")
    if income is None or income <= 0:
        problems.append("家庭月收入应为大于零的金额")
    product = str(payload.get("product") or terms.DEFAULT_PRODUCT).strip()
    if _product(app, product) is None:
        problems.append(f"贷款产品 {product} 不存在或尚未生效")
    borrower = _account(app.member_id)
    if borrower is None:
        problems.append("借款人没有个人账户")
    spouse = _party(payload["spouse"], "spouse", app.center_id, problems) if payload.get("spouse") else None
    raw_co = payload.get("co_borrowers") or []
    if not isinstance(raw_co, list):
        problems.append("共同借款人应为列表")
        raw_co = []
    co = [p for p in (_party(r, "co_borrower", app.center_id, problems) for r in raw_co) if p is not None]
    parties = [p for p in [spouse, *co] if p is not None]
    ids = [p["member_id"] for p in parties if "member_id" in p]
    if app.member_id in ids or len(set(ids)) != len(ids):
        problems.append("借款人、配偶和共同借款人不能重复")
    prop = _property(payload.get("property"), problems)
    product_row = _product(app, product)
    clean = {"amount": amount, "months": months, "method": method, "monthly_income": income, "product": product,
             "original_age": _original_age(payload.get("original_age"), borrower, app, problems),
             "commercial": _commercial(payload.get("commercial"), product_row, problems),
             "guarantors": _guarantors(payload.get("guarantors"), product_row, problems),
             "spouse": spouse, "co_borrowers": co, "property": prop,
             "down_payment_application": _down_payment(str(payload.get("down_payment_application") or "").strip(),
                                                       app, {app.member_id or 0, *ids}, problems)}
    if not problems and borrower is not None:
        problems += refusals(household_inputs(app, clean), app)
    return clean, problems


# ---------------------------------------------------------------- the household's facts (the rules' inputs)


def _members(app: Application, payload: dict[str, Any]) -> tuple[list[int], list[int], list[dict[str, Any]]]:
    """(the borrower and the local others, the local others only, the remote proofs)"""
    others = [p["member_id"] for p in [payload.get("spouse"), *(payload.get("co_borrowers") or [])]
              if p and p.get("member_id")]
    remote = [p["remote"] for p in [payload.get("spouse"), *(payload.get("co_borrowers") or [])]
              if p and p.get("remote")]
    return [app.member_id or 0, *others], others, remote


def _open_loans(member_ids: list[int]) -> int:
    return (LoanParty.objects.filter(member_id__in=member_ids, loan__status__in=OPEN_STATES)
            .values("loan").distinct().count())


def household_inputs(app: Application, payload: dict[str, Any], *, homes: int | None = None,
                     verified: bool = False) -> dict[str, Any]:
    """The rule inputs from the local facts; `homes` (认房) from the registry when asked."""
    on, center = _on(app), app.center_id
    everyone, others, remote = _members(app, payload)
    acct = _account(app.member_id)
    assert acct is not None
    balances = sum(int(s.balance_current + s.balance_carried) for s in SubAccount.objects.filter(
        pk__in=MemberAccount.objects.filter(member_id__in=everyone).values("pk")))
    balances += sum(int(r["balance"]) for r in remote)
    history = (LoanParty.objects.filter(member_id__in=everyone).exclude(loan__status=Loan.Status.CANCELLED)
               .values("loan").distinct().count()) + sum(1 for r in remote if r["has_loan"])
    basis = terms.second_home_basis(center=center, on=on)
    second = terms.is_second_home(basis, homes=homes, hpf_loans=history)
    amount, months, method = int(payload["amount"]), int(payload["months"]), payload["method"]
    product = str(payload.get("product") or terms.DEFAULT_PRODUCT)
    paid = months_continuous(acct, on)
    rate = terms.rate_for(second_home=bool(second), months=months, center=center, on=on)
    commercial = payload.get("commercial") or {}
    caps = terms.limits_for(center=center, on=on, couple=payload.get("spouse") is not None,
                            household_balance=balances, price=int(payload["property"]["price"]),
                            second_home=bool(second), monthly_income=int(payload["monthly_income"]), months=months,
                            other_payment=int(commercial.get("payment") or 0),
                            method=method, annual_rate=rate, product=product,
                            contribution_years=(Decimal(paid) / 12).quantize(Decimal("0.01"), rounding=ROUND_DOWN))
    member = acct.member
    inputs: dict[str, Any] = {
        "account_normal": acct.status == MemberAccountStatus.NORMAL,
        "months_continuous": paid,
        "min_months": terms.min_months_continuous(center=center, on=on),
        "borrower_loans": _open_loans([member.pk]),
        "spouse_loans": _open_loans(others) + sum(1 for r in remote if r["has_loan"]),
        "fraud": FraudFlag.objects.filter(member_id__in=everyone, flagged_on__lte=on).exclude(
            lifted_on__lte=on).exists(),
        "end_age": _age(member.birth_date, add_months(on, months)),
        "max_end_age": terms.max_end_age(sex=member.sex, center=center, on=on, birth=member.birth_date,
                                         original_age=payload.get("original_age")),
        "end_age_months": terms.age_months(member.birth_date, add_months(on, months)),
        "max_end_age_months": terms.max_end_age_months(sex=member.sex, birth=member.birth_date, center=center, on=on,
                                                       original_age=payload.get("original_age")),
        "months": months, "max_months": terms.max_months(center=center, on=on, product=product), "amount": amount,
        **{c.code: c.amount for c in caps},
    }
    if verified:
        inputs["homes"] = homes
        inputs["second_home"] = second
    return inputs


def _consent(app: Application) -> Any:
    m = ApplicationMaterial.objects.filter(application=app, material_code="credit_consent").select_related(
        "document").order_by("-pk").first()
    return m.document if m is not None else None


def rule_inputs(app: Application) -> dict[str, Any]:
    """At 受理: the registry (认房) for every local member of the household, the credit report (征信) with the
    written consent, then the local facts with the second-home determination over the registry's answer."""
    on, payload = _on(app), app.payload
    everyone, _, _ = _members(app, payload)
    homes: int | None = 0
    overdue: int | None = 0
    housing: int | None = 0
    consent = _consent(app)
    for member in Member.objects.filter(pk__in=everyone).order_by("pk"):
        prop = verify("property", subject=member.id_number, question={"on": on},
                      purpose="个人住房公积金贷款：认定住房套数（认房）")
        if prop.status == VStatus.UNAVAILABLE or homes is None:
            homes = None
        else:
            homes += int(prop.data.get("homes") or 0)
        credit = verify("credit", subject=member.id_number, question={"on": on}, consent=consent,
                        purpose="个人住房公积金贷款：借款人家庭征信查询")
        if credit.status == VStatus.UNAVAILABLE or overdue is None or housing is None:
            overdue = housing = None
        else:
            overdue += int(credit.data.get("overdue_now") or 0)
            housing += int(credit.data.get("housing_loans") or 0)
    return {**household_inputs(app, payload, homes=homes, verified=True), "credit_overdue": overdue,
            "credit_housing_loans": housing}


CAP_NAMES = {"cap_highest": "最高贷款额度", "cap_balance": "账户余额倍数额度", "cap_down_payment": "首付比例限额",
             "cap_capacity": "还款能力限额"}


def refusals(inputs: dict[str, Any], app: Application) -> list[str]:
    """The messages of the blocking rules in force that the given inputs decide and fail; a cap's message
    carries its figure."""
    rule_set = rule_set_for(ITEM_CODE, _on(app))
    if rule_set is None:
        return []
    rules = [r for r in rules_of(rule_set) if r.severity == "block" and all(k in inputs for k in r.inputs)]
    out = []
    for rule, result in zip(rules, evaluate_rules(rules, inputs), strict=True):
        if result.holds:
            continue
        caps = [k for k in rule.inputs if k in CAP_NAMES]
        if caps:
            out.append(f"{result.message}：{CAP_NAMES[caps[0]]} {format_fen(int(inputs[caps[0]]))} 元，"
                       f"申请 {format_fen(int(inputs['amount']))} 元")
        elif "end_age_months" in rule.inputs:
            out.append(f"{result.message}：贷款到期时 {terms.months_text(inputs['end_age_months'])}，上限 "
                       f"{terms.months_text(inputs['max_end_age_months'])}")
        elif "end_age" in rule.inputs:
            out.append(f"{result.message}：贷款到期时 {inputs['end_age']} 周岁，上限 {inputs['max_end_age']} 周岁")
        elif "months_continuous" in rule.inputs:
            out.append(f"{result.message}：连续缴存 {inputs['months_continuous']} 个月，须满 {inputs['min_months']} 个月")
        else:
            out.append(result.message)
    return out


# ---------------------------------------------------------------- the payload in a clerk's words


def _party_text(p: dict[str, Any] | None) -> str:
    if not p:
        return "无"
    if p.get("account_no"):
        acct = MemberAccount.objects.filter(account_no=p["account_no"]).select_related("member").first()
        name = mask_name(acct.member.name) if acct else "—"
        return f"{name}（个人账号 {p['account_no']}）"
    r = p.get("remote") or {}
    return (f"{mask_name(p.get('name') or '')}（异地：{r.get('center')} 缴存使用证明 {r.get('certificate_no')}，"
            f"连续缴存 {r.get('months_continuous')} 个月，余额 {format_fen(int(r.get('balance') or 0))} 元，"
            f"{'有' if r.get('has_loan') else '无'}未结清住房公积金贷款）")


def _payee(p: dict[str, Any]) -> str:
    name = p.get("payee_name") or "—"
    return mask_name(name) if p.get("kind") == "second_hand" else name  # a seller of a second-hand home: a person


def describe(payload: dict[str, Any]) -> list[tuple[str, str]]:
    p = payload.get("property") or {}
    method = payload.get("method") or ""
    rows = [("贷款金额", f"{format_fen(int(payload.get('amount') or 0))} 元"),
            ("贷款期限", f"{payload.get('months')} 个月"),
            ("还款方式", RepaymentMethod(method).label if method in RepaymentMethod.values else method),
            ("家庭月收入", f"{format_fen(int(payload.get('monthly_income') or 0))} 元"),
            ("配偶", _party_text(payload.get("spouse")))]
    rows += [("共同借款人", _party_text(c)) for c in payload.get("co_borrowers") or []]
    rows += [("网签备案号", p.get("contract_no") or "—"),
             ("房屋类型", PROPERTY_KINDS.get(p.get("kind") or "", "—")),
             ("房屋总价", f"{format_fen(int(p.get('price') or 0))} 元"), ("建筑面积", f"{p.get('area')} 平方米"),
             ("房屋坐落", p.get("address") or "—"),
             ("收款人", f"{_payee(p)}（{p.get('payee_bank') or ''} {p.get('payee_account') or ''}）"),
             ("首付款提取办件", payload.get("down_payment_application") or "无")]
    if payload.get("original_age"):
        rows.append(("原法定退休年龄", f"{payload['original_age']} 岁"))
    c = payload.get("commercial")
    if c:
        rows.append(("组合贷款商业部分", f"{c['bank']} 合同 {c['contract_no']}，{format_fen(int(c['amount']))} 元，"
                                     f"{c['months']} 个月，月还款 {format_fen(int(c['payment']))} 元"))
    rows += [("保证人", f"{mask_name(g['name'])}（{mask_id_number(g['id_number'])}，保证）")
             for g in payload.get("guarantors") or []]
    return rows
