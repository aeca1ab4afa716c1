"""Effective-dated policy values: one lookup, "the value in force on date D" (center row over national row)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Q

from .error_codes import ErrorCode
from .errors import DomainError
from .models import Center, PolicyParameter
from .money import format_fen, format_ratio

# Keys and their meaning; the defaults are seeded by migrations core.0002, 0003, 0004, 0006, 0008, 0009 and later ones (0012–0015) (docs/domain.md, with sources there).
KEYS: dict[str, str] = {
    "deposit.rate.carried": "上年结转余额年利率",
    "deposit.rate.current": "当年归集余额年利率",
    "deposit.day_basis": "日利率计息基数（天）",
    "contribution.ratio.min": "缴存比例下限",
    "contribution.ratio.max": "缴存比例上限",
    "contribution.ratio.reduced_min": "降低缴存比例后的下限",
    "contribution.ratio.equal_sides": "单位与个人比例须相同",
    "contribution.base.cap": "缴存基数上限（分）",
    "contribution.base.floor": "缴存基数下限（分）",
    "contribution.rounding": "月缴存额舍入单位（fen/jiao/yuan）",
    "contribution.base.clamp": "年度基数调整超出上下限的处理（clamp 按上下限调整 / reject 拒绝）",
    "contribution.flexible.ratios": "灵活就业人员可选缴存比例（每边）",
    "contribution.backpay.seal_month_owed": "封存当月是否应缴（补缴与逾期汇缴的清册）",
    "contribution.ratio.step": "缴存比例的最小变动单位（每边须为其整数倍）",
    "contribution.deadline.days": "汇缴期限：发放工资之日起的天数（条例第十九条）",
    "contribution.deadline.counting": "汇缴期限的计算方式（calendar 日历日、末日遇休息日或节假日顺延 / working 工作日）",
    "contribution.continuity.back_payment_counts": "补缴月份计入连续缴存月数",
    "withdrawal.order": "提取扣减顺序",
    "withdrawal.rent.monthly_cap": "租房提取每人每月限额（分）",
    "withdrawal.purchase.window_months": "购房提取须在网签备案或不动产登记之日起的月数内申请",
    "withdrawal.hukou_out.closes_account": "户口迁出本市可销户提取（否则办理异地转移接续）",
    "withdrawal.local.caps": "本地提取原因的每次提取限额（按事项编码，金额为分）",
    "withdrawal.risk.card_recent_days": "登记或变更银行卡后转人工审核的天数",
    "withdrawal.risk.amount_multiple": "异常提取金额：超过本人以往提取平均额的倍数",
    "withdrawal.risk.amount_share": "异常提取金额：占账户余额的比例",
    "withdrawal.risk.max_per_year": "12 个月内提取次数上限（达到即转人工审核，0 为不限）",
    "contribution.refund.prior_year_interest": "退缴上年度汇缴时已结利息的处理（recover 冲回 / leave 不冲回）",
    "settlement.interest_notice.keywords": "活期存款结息通知的摘要关键词",
    "loan.rate.first.le5": "首套贷款年利率（5年及以下）",
    "loan.rate.first.gt5": "首套贷款年利率（5年以上）",
    "loan.rate.second.le5": "二套贷款年利率（5年及以下）",
    "loan.rate.second.gt5": "二套贷款年利率（5年以上）",
    "loan.penalty.multiplier": "罚息倍数",
    "loan.term.retirement_plus_years": "贷款到期日不晚于法定退休日期后的年数",
    "loan.classification.days": "五级分类逾期天数界限",
    "liquidity.loan_ratio.warning": "个贷率预警线",
    "liquidity.loan_ratio.critical": "个贷率警报线（资金紧张）",
    "liquidity.reserve.ratio": "最低备付金占缴存余额的比例",
    "liquidity.reserve.min_amount": "最低备付金下限（分）",
    "liquidity.outflow.horizon_days": "流动性预计支出统计天数",
    "value_added.risk_reserve.method": "贷款风险准备金提取方式（income_ratio 按增值收益比例 / loan_balance 补足至个贷余额比例）",
    "value_added.risk_reserve.income_ratio": "贷款风险准备金占增值收益的比例",
    "value_added.risk_reserve.loan_ratio": "贷款风险准备金余额占年末个贷余额的比例",
    "value_added.management_fee.amount": "年度管理费用预算（分）",
    "maker_checker.money_threshold": "需复核的资金金额（分）",
    "ingest.max_rows": "导入文件的数据行上限",
    "ingest.max_bytes": "导入文件的大小上限（字节）",
    "ingest.max_errors_per_rule": "每条校验规则至多列出的错误数",
    "ingest.max_errors": "一个文件的错误总数上限（超过即停止校验）",
    "upload.max_bytes": "上传文件的大小上限（字节）",
    "upload.max_rows": "上传文件的数据行上限",
    "receipt.bank_match.window_days": "银行对账单确认手工登记到账的日期容差（自然日）",
    "service.rating_followup_days": "差评整改期限（评价之日起的工作日数）",
    "contribution.arrears.notice_days": "催缴通知书的缴存期限（业务日期后的日历天数）",
    # the loan application (loans/terms.py; the caps, down payments, multiple and terms are the loan products)
    "loan.min_months_continuous": "申请贷款须连续足额缴存的月数",
    "loan.second_home.basis": "第二套住房认定方式（house_and_loan 认房又认贷 / house_only 认房 / loan_only 认贷）",
    "loan.off_plan.guarantee": "期房贷款须开发企业阶段性担保至抵押登记",
    "loan.max_ltv": "贷款金额占抵押物评估价值的最高比例",
    "loan.female.original_age": "女性借款人原法定退休年龄的默认值（50 女工人 / 55 女干部，柜台按实际岗位填写）",
}
# values in fen (the label says so) and values that are ratios or rates (fractions of one): shown in 元 and %
MONEY_KEYS = frozenset(k for k, label in KEYS.items() if label.endswith("（分）"))
PERCENT_KEYS = frozenset({
    "deposit.rate.carried", "deposit.rate.current", "contribution.ratio.min", "contribution.ratio.max",
    "contribution.ratio.reduced_min", "contribution.ratio.step", "loan.rate.first.le5", "loan.rate.first.gt5", "loan.rate.second.le5",
    "loan.rate.second.gt5", "liquidity.loan_ratio.warning", "liquidity.loan_ratio.critical",
    "liquidity.reserve.ratio", "value_added.risk_reserve.income_ratio", "value_added.risk_reserve.loan_ratio",
    "loan.max_ltv",
    "withdrawal.risk.amount_share",
})


def policy_label(key: str) -> str:
    """The parameter's name as people read it, without the storage unit: '缴存基数上限'."""
    return KEYS.get(key, key).removesuffix("（分）")


def policy_value_text(key: str, value: Any) -> str:
    """A policy value as people read it: an amount in 元 ('36,000.00 元'), a ratio or rate in % ('12%')."""
    if isinstance(value, bool):
        return "是" if value else "否"
    try:
        if key in MONEY_KEYS:
            return f"{format_fen(int(value))} 元"
        if key in PERCENT_KEYS:
            return format_ratio(Decimal(str(value)))
    except (TypeError, ValueError, ArithmeticError):
        pass
    return str(value)


def _decode(p: PolicyParameter) -> Any:
    v = p.value
    if p.value_type == PolicyParameter.ValueType.DECIMAL:
        return Decimal(str(v))
    if p.value_type == PolicyParameter.ValueType.INTEGER:
        return int(v)
    if p.value_type == PolicyParameter.ValueType.BOOLEAN:
        return bool(v)
    return v


def policy_row(key: str, *, on: date, center: Center | int | None = None) -> PolicyParameter:
    """The row in force on `on`: the center's own latest row, else the national one."""
    center_id = center.pk if isinstance(center, Center) else center
    qs = PolicyParameter.objects.filter(key=key, effective_from__lte=on).order_by("-effective_from")
    if center_id is not None:
        own = qs.filter(center_id=center_id).first()
        if own is not None:
            return own
    row = qs.filter(center__isnull=True).first()
    if row is None:
        raise DomainError(ErrorCode.POLICY_MISSING, f"{on} 没有生效的政策参数：{KEYS.get(key, key)}（{key}）", field=key)
    return row


def policy_value(key: str, *, on: date, center: Center | int | None = None) -> Any:
    return _decode(policy_row(key, on=on, center=center))


def policy_values(keys: Iterable[str], *, on: date, center: Center | int | None = None) -> dict[str, Any]:
    """Several values in force on `on` in one query, each as `policy_value` gives it (the center's own latest row,
    else the national one; POLICY_MISSING for a key with neither)."""
    wanted = list(dict.fromkeys(keys))
    center_id = center.pk if isinstance(center, Center) else center
    scope = Q(center__isnull=True) | Q(center_id=center_id) if center_id is not None else Q(center__isnull=True)
    own: dict[str, PolicyParameter] = {}
    national: dict[str, PolicyParameter] = {}
    for p in (PolicyParameter.objects.filter(scope, key__in=wanted, effective_from__lte=on)
              .order_by("-effective_from", "-pk")):
        (own if p.center_id is not None else national).setdefault(p.key, p)
    out = {}
    for key in wanted:
        row = own.get(key) or national.get(key)
        if row is None:
            raise DomainError(ErrorCode.POLICY_MISSING, f"{on} 没有生效的政策参数：{KEYS.get(key, key)}（{key}）",
                              field=key)
        out[key] = _decode(row)
    return out


def policy_rate(key: str, *, on: date, center: Center | int | None = None) -> Fraction:
    """A rate as an exact rational (1.5% → 3/200) for integer money arithmetic."""
    return Fraction(policy_value(key, on=on, center=center))
