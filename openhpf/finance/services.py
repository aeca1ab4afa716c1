"""Writes of the finance app: the year-end 损益 transfer into 增值收益 and the distribution of 增值收益
(条例第二十九条: 贷款风险准备金, 管理费用, 廉租住房补充资金) through maker-checker; the daily liquidity snapshot
lives in liquidity.py (re-exported here).

Year end (docs/domain.md "Accounting"; entries dated 12/31 of the year, so December must still be open):
1. `year_end_close`: Dr 401xx / Cr 311 (业务收入) and Dr 311 / Cr 411xx (业务支出), each leaf's balance at 12/31.
   Idempotent per year: a re-run posts only what is still in the 损益 accounts (nothing when it is all
   transferred). The previous year must have been transferred first.
2. `value_added_distribution_submit` (maker, finance.manage) stores the plan as a `finance.value_added_distribute`
   command; a checker (approvals.approve) approves it and `value_added_distribute` posts, once per year:
   Dr 32101 / Cr 301 贷款风险准备, Dr 32102 / Cr 21904 应付管理费用 (a sub-account of 219 其他应付款: the fee
   is payable to the finance bureau until paid), Dr 32103 / Cr 214 专项应付款 (廉租住房补充资金), then the
   year-end carry that squares 311 and every 321 sub-account (Dr 311 / Cr 321xx, any remainder through 32104
   待分配增值收益), so the next year starts from zero.

Distribution rules (effective-dated policy, read on 12/31 of the year, i.e. the rules in force for that year):
- 贷款风险准备金: `value_added.risk_reserve.method` = "income_ratio" → 增值收益 × `…income_ratio` (60%, HALF_UP);
  "loan_balance" → enough to bring 301 up to `…loan_ratio` (1%) of the year-end loan balance (121 + 122), never
  negative; either way at most the distributable amount.
- 管理费用: `value_added.management_fee.amount` (the year's budget approved by the finance bureau), at most what
  is left after the reserve.
- 廉租住房补充资金: the remainder."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from openhpf.access.selectors import check_permission, is_system_actor
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.registry import (
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
from openhpf.approvals.services import command_submit
from openhpf.audit.services import actor_label, audit_log
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.business_date import rule_dated_scope
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.ledger.models import GLAccount, JournalEntry
from openhpf.ledger.selectors import account_names
from openhpf.ledger.services import Line, chart_seed, entry_post

from .liquidity import liquidity_snapshot  # noqa: F401  (re-exported: the day-end job calls it)
from .models import ValueAddedYear
from .selectors import (
    CARRY_SOURCE,
    CLOSE_COMMAND,
    CLOSE_SOURCE,
    DISTRIBUTE_COMMAND,
    DISTRIBUTE_SOURCE,
    distribution_plan,
    leaf_sums,
    pl_balances,
)

MANAGE = "finance.manage"
MANAGEMENT_FEE_ACCOUNT = "21904"
RISK_RESERVE, MANAGEMENT_FEE, LOWRENT = "32101", "32102", "32103"
UNDISTRIBUTED = "32104"


def _applying() -> Any:
    return applying()


def _require(actor: Actor, center: Center) -> None:
    if is_system_actor(actor) or _applying() is not None:
        return
    check_permission(actor, MANAGE, center=center)


def _signed_line(code: str, debit_minus_credit: int, memo: str = "") -> Line | None:
    if debit_minus_credit > 0:
        return Line(code, debit=debit_minus_credit, memo=memo)
    if debit_minus_credit < 0:
        return Line(code, credit=-debit_minus_credit, memo=memo)
    return None


def _post(center: Center, year: int, lines: list[Line | None], source: str, description: str, actor: Actor) -> JournalEntry | None:
    kept = [ln for ln in lines if ln is not None]
    if not kept:
        return None
    with rule_dated_scope(center=center, on=date(year, 12, 31)):  # the year's vouchers are dated 12/31 by rule
        return entry_post(center=center, business_date=date(year, 12, 31), lines=kept, source=f"{source}:{year}",
                          description=description, actor=actor)


# ---------------------------------------------------------------- 1. year-end transfer of 损益 into 311


def _close_amounts(center: Center, year: int, business_date: date) -> tuple[dict[str, int], dict[str, int]]:
    """The 业务收入 (credit balances) and 业务支出 (debit balances) leaves a year-end transfer moves, by code; refuses
    a year not ended, an earlier year not transferred, and new 损益 after the distribution."""
    ye = date(year, 12, 31)
    if business_date < ye:
        raise DomainError(ErrorCode.YEAR_NOT_ENDED, f"业务日期 {business_date} 尚未到 {year} 年末，不能结转增值收益", field="year")
    earlier = {c: v for c, v in pl_balances(center, date(year - 1, 12, 31)).items() if v}
    if earlier:
        raise DomainError(ErrorCode.PRIOR_YEAR_OPEN, f"{year - 1} 年度及以前的损益尚未结转，请先结转 {year - 1} 年度",
                          field="year", details={"accounts": sorted(earlier)})
    pl = {c: v for c, v in pl_balances(center, ye).items() if v}
    if not pl:
        return {}, {}
    if ValueAddedYear.objects.filter(center=center, year=year, status=ValueAddedYear.Status.DISTRIBUTED).exists():
        raise DomainError(ErrorCode.YEAR_DISTRIBUTED, f"{year} 年度增值收益已分配，新增的损益须冲正后在当期处理", field="year")
    sides = dict(GLAccount.objects.filter(center=center, code__in=list(pl)).values_list("code", "normal_side"))
    income = {c: -v for c, v in pl.items() if sides[c] == "C"}  # credit balance of 业务收入 leaves
    expense = {c: v for c, v in pl.items() if sides[c] == "D"}  # debit balance of 业务支出 leaves
    return income, expense


def year_end_close(*, center: Center, year: int, actor: Actor, business_date: date,
                   expected: dict[str, int] | None = None) -> ValueAddedYear:
    """结转损益: move every 401xx (业务收入) and 411xx (业务支出) balance at 12/31 into 311 增值收益. Only through an
    approved `finance.value_added_close` command (or a system actor); `expected` is what the checker saw."""
    _require(actor, center)
    if not is_system_actor(actor) and _applying() is None:
        raise DomainError(ErrorCode.APPROVAL_REQUIRED, f"年末结转须经复核：请提交复核（{CLOSE_COMMAND}）", field="year",
                          details={"command": CLOSE_COMMAND})
    with transaction.atomic():
        record, _ = ValueAddedYear.objects.get_or_create(center=center, year=year)
        record = ValueAddedYear.objects.select_for_update().get(pk=record.pk)
        income, expense = _close_amounts(center, year, business_date)
        if not income and not expense:
            return record
        rev, exp = sum(income.values()), sum(expense.values())
        if expected is not None and {"revenue": rev, "expense": exp} != expected:
            raise DomainError(ErrorCode.PLAN_CHANGED, "提交复核后账务数据已变化，结转金额不再适用，请重新提交", field="year",
                              details={"expected": expected, "now": {"revenue": rev, "expense": exp}})
        e1 = _post(center, year, [*(_signed_line(c, v) for c, v in sorted(income.items())), _signed_line("311", -rev)],
                   CLOSE_SOURCE, f"结转 {year} 年度业务收入至增值收益", actor)
        e2 = _post(center, year, [_signed_line("311", exp), *(_signed_line(c, -v) for c, v in sorted(expense.items()))],
                   CLOSE_SOURCE, f"结转 {year} 年度业务支出至增值收益", actor)
        vouchers = [e.voucher_no for e in (e1, e2) if e is not None]
        record.revenue += rev
        record.expense += exp
        record.close_vouchers = [*record.close_vouchers, *vouchers]
        record.closed_by = actor_label(actor)[0]
        record.closed_at = timezone.now()
        record.save()
        audit_log(actor=actor, action=AuditEvent.FINANCE_VALUE_ADDED_CLOSE, obj=record, center=center,
                  business_date=business_date,
                  after={"year": year, "revenue": rev, "expense": exp, "value_added": rev - exp, "vouchers": vouchers})
        return record


def _pending(center: Center, name: str, year: int) -> Any:
    return PendingCommand.objects.filter(center=center, name=name, status=PendingCommand.Status.PENDING,
                                         params__year=year).first()


def year_end_close_plan(*, center: Center, year: int, business_date: date) -> dict[str, Any]:
    """What a year-end transfer would post now, as the command's clean summary payload: the year, totals in fen and
    each account with its name (refuses as year_end_close does, and when nothing is left to transfer)."""
    income, expense = _close_amounts(center, year, business_date)
    if not income and not expense:
        raise DomainError(ErrorCode.NOTHING_TO_CLOSE, f"{year} 年度没有待结转的业务收入或业务支出", field="year")
    names = dict(GLAccount.objects.filter(center=center, code__in=[*income, *expense]).values_list("code", "name"))
    rev, exp = sum(income.values()), sum(expense.values())
    return {"center_id": center.pk, "year": year, "revenue": rev, "expense": exp, "value_added": rev - exp,
            "income_accounts": [{"code": c, "name": names[c], "amount": v} for c, v in sorted(income.items())],
            "expense_accounts": [{"code": c, "name": names[c], "amount": v} for c, v in sorted(expense.items())]}


def year_end_close_submit(*, center: Center, year: int, actor: Actor, business_date: date) -> Any:
    """The maker's side of the year-end transfer: store it for a checker (approvals), refused while one waits."""
    check_permission(actor, MANAGE, center=center)
    with transaction.atomic():
        if (found := _pending(center, CLOSE_COMMAND, year)) is not None:
            raise DomainError(ErrorCode.CLOSE_PENDING, f"{year} 年度年末结转已提交（复核命令 #{found.pk}），等待复核",
                              field="year", details={"command": found.pk})
        return command_submit(name=CLOSE_COMMAND, params={"center_id": center.pk, "year": year}, actor=actor,
                              center=center, business_date=business_date)


def _close_validate(params: dict[str, Any], actor: Actor, center: Any, business_date: date) -> dict[str, Any]:
    try:
        year = int(params.get("year"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError(ErrorCode.YEAR_FORMAT, "年度格式不正确", field="year") from None
    if int(params.get("center_id") or center.pk) != center.pk:
        raise DomainError(ErrorCode.CENTER_MISMATCH, "只能结转本中心的损益", field="center")
    return year_end_close_plan(center=center, year=year, business_date=business_date)


def _close_describe(p: dict[str, Any]) -> str:
    return (f"{p.get('year')} 年度年末结转：业务收入 {format_fen(int(p.get('revenue') or 0))} 元、"
            f"业务支出 {format_fen(int(p.get('expense') or 0))} 元转入增值收益（311），"
            f"增值收益 {format_fen(int(p.get('value_added') or 0))} 元")


def _close_apply(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    center = Center.objects.get(pk=params["center_id"])
    before = set(ValueAddedYear.objects.filter(center=center, year=int(params["year"]))
                 .values_list("close_vouchers", flat=True).first() or [])
    record = year_end_close(center=center, year=int(params["year"]), actor=actor, business_date=business_date,
                            expected={"revenue": int(params["revenue"]), "expense": int(params["expense"])})
    return {"year": record.year, "status": record.status, "revenue": int(params["revenue"]),
            "expense": int(params["expense"]), "vouchers": [v for v in record.close_vouchers if v not in before]}


# ---------------------------------------------------------------- 2. the distribution plan and its posting


def _pending_distribution(center: Center, year: int) -> Any:
    return _pending(center, DISTRIBUTE_COMMAND, year)


def value_added_distribution_submit(*, center: Center, year: int, actor: Actor, business_date: date) -> Any:
    """The maker's side: store the year's distribution plan for a checker (approvals)."""
    check_permission(actor, MANAGE, center=center)
    if business_date < date(year, 12, 31):
        raise DomainError(ErrorCode.YEAR_NOT_ENDED, f"业务日期 {business_date} 尚未到 {year} 年末", field="year")
    with transaction.atomic():
        if (found := _pending_distribution(center, year)) is not None:
            raise DomainError(ErrorCode.DISTRIBUTION_PENDING, f"{year} 年度增值收益分配方案已提交（复核命令 #{found.pk}），等待复核",
                              field="year", details={"command": found.pk})
        return command_submit(name=DISTRIBUTE_COMMAND, params={"center_id": center.pk, "year": year}, actor=actor,
                              center=center, business_date=business_date)


def _distribute_validate(params: dict[str, Any], actor: Actor, center: Any, business_date: date) -> dict[str, Any]:
    try:
        year = int(params.get("year"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError(ErrorCode.YEAR_FORMAT, "年度格式不正确", field="year") from None
    if int(params.get("center_id") or center.pk) != center.pk:
        raise DomainError(ErrorCode.CENTER_MISMATCH, "只能分配本中心的增值收益", field="center")
    plan = distribution_plan(center=center, year=year)
    return {"center_id": center.pk, "year": year, **plan.amounts(), "rules": plan.rules()}


def _distribute_describe(p: dict[str, Any]) -> str:
    return (f"{p.get('year')} 年度增值收益分配：可供分配 {format_fen(int(p.get('distributable') or 0))} 元，"
            f"贷款风险准备金 {format_fen(int(p.get('risk_reserve') or 0))} 元，"
            f"管理费用 {format_fen(int(p.get('management_fee') or 0))} 元，"
            f"廉租住房补充资金 {format_fen(int(p.get('lowrent_fund') or 0))} 元")


def _distribute_apply(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    center = Center.objects.get(pk=params["center_id"])
    expected = {k: int(params[k]) for k in ("distributable", "risk_reserve", "management_fee", "lowrent_fund")}
    record = value_added_distribute(center=center, year=int(params["year"]), actor=actor, business_date=business_date,
                                    expected=expected)
    return {"year": record.year, "status": record.status, "vouchers": record.distribution_vouchers,
            **{k: getattr(record, k) for k in ("distributable", "risk_reserve", "management_fee", "lowrent_fund")}}


def _fee_account(center: Center) -> None:
    """21904 应付管理费用 under 219 is an account of the national chart (ledger.chart): the ledger's chart seeding
    (idempotent) adds it to a center seeded before the chart listed it. Finance opens no GL account itself."""
    chart_seed(center=center)


def value_added_distribute(*, center: Center, year: int, actor: Actor, business_date: date,
                           expected: dict[str, int] | None = None) -> ValueAddedYear:
    """Post the year's distribution (once). Only through an approved `finance.value_added_distribute` command
    (or a system actor); `expected` is the plan the checker saw: if the ledger moved since, nothing is posted."""
    if not is_system_actor(actor) and _applying() is None:
        raise DomainError(ErrorCode.APPROVAL_REQUIRED, f"增值收益分配须经复核：请提交复核（{DISTRIBUTE_COMMAND}）", field="year")
    with transaction.atomic():
        record = ValueAddedYear.objects.select_for_update().filter(center=center, year=year).first()
        if record is not None and record.status == ValueAddedYear.Status.DISTRIBUTED:
            return record
        plan = distribution_plan(center=center, year=year)
        if expected is not None and plan.amounts() != expected:
            raise DomainError(ErrorCode.PLAN_CHANGED, "提交复核后账务数据已变化，分配方案不再适用，请重新提交", field="year",
                              details={"expected": expected, "now": plan.amounts()})
        _fee_account(center)
        e1 = _post(center, year, [
            _signed_line(RISK_RESERVE, plan.risk_reserve), _signed_line(MANAGEMENT_FEE, plan.management_fee),
            _signed_line(LOWRENT, plan.lowrent_fund), _signed_line("301", -plan.risk_reserve, "提取贷款风险准备金"),
            _signed_line(MANAGEMENT_FEE_ACCOUNT, -plan.management_fee, "提取管理费用"),
            _signed_line("214", -plan.lowrent_fund, "提取廉租住房补充资金"),
        ], DISTRIBUTE_SOURCE, f"{year} 年度增值收益分配", actor)
        # year-end carry: square 311 and every 321 sub-account; what is left (nothing when fully distributed)
        # stays in 32104 待分配增值收益
        after = leaf_sums(center, upto=date(year, 12, 31))
        carry = {c: d - k for c, (d, k) in after.items() if c == "311" or c.startswith("321")}
        lines = [_signed_line(c, -v) for c, v in sorted(carry.items()) if c != UNDISTRIBUTED]
        rest = sum(v for c, v in carry.items() if c != UNDISTRIBUTED)
        lines.append(_signed_line(UNDISTRIBUTED, rest))
        e2 = _post(center, year, lines, CARRY_SOURCE, f"{year} 年度增值收益及其分配年末结转", actor)
        record = record or ValueAddedYear.objects.create(center=center, year=year)
        command = _applying()
        record.status = ValueAddedYear.Status.DISTRIBUTED
        for k, v in plan.amounts().items():
            setattr(record, k, v)
        record.loans_outstanding, record.reserve_before = plan.loans_outstanding, plan.reserve_before
        record.rules = plan.rules()
        record.distribution_vouchers = [e.voucher_no for e in (e1, e2) if e is not None]
        record.command = command
        record.distributed_by = actor_label(actor)[0]
        record.distributed_at = timezone.now()
        record.save()
        audit_log(actor=actor, action=AuditEvent.FINANCE_VALUE_ADDED_DISTRIBUTE, obj=record, center=center,
                  business_date=business_date,
                  after={**asdict(plan), "vouchers": record.distribution_vouchers,
                         "maker": actor_label(command.maker)[0] if command is not None else None})
        return record


def _year_summary(command: Any, *, headline: str, facts: list[Fact], postings: list[Posting]) -> Summary:
    """The summary of a year's command (结转, 分配): the year first, then its facts; the vouchers it posted and
    the year's 增值收益 page once applied."""
    year = command.params.get("year")
    result = command.result if isinstance(command.result, dict) else {}
    links = [voucher_link(str(v)) for v in (result.get("vouchers") or [])]
    if command.status == "applied":
        links.append(Link(f"{year} 年度增值收益", reverse("finance:value_added")))
    return Summary(headline=f"{year} 年度{headline}", facts=[Fact("年度", f"{year} 年"), *facts], postings=postings,
                   links=links)


def _distribute_render(command: Any, viewer: Any) -> Summary:
    p = command.params
    amounts = {k: int(p.get(k) or 0) for k in ("distributable", "risk_reserve", "management_fee", "lowrent_fund")}
    planned = [(RISK_RESERVE, "301", amounts["risk_reserve"], "提取贷款风险准备金"),
               (MANAGEMENT_FEE, MANAGEMENT_FEE_ACCOUNT, amounts["management_fee"], "提取管理费用"),
               (LOWRENT, "214", amounts["lowrent_fund"], "提取廉租住房补充资金")]
    names = account_names(center=command.center_id, codes={c for d, k, _, _ in planned for c in (d, k)})
    names.setdefault(MANAGEMENT_FEE_ACCOUNT, "应付管理费用")
    postings = []
    for debit, credit, amount, memo in planned:
        if amount:
            postings += [Posting("借", debit, names.get(debit, ""), money(amount), memo),
                         Posting("贷", credit, names.get(credit, ""), money(amount), memo)]
    facts = [Fact("可供分配的增值收益", money(amounts["distributable"])),
             Fact("提取贷款风险准备金", money(amounts["risk_reserve"])), Fact("提取管理费用", money(amounts["management_fee"])),
             Fact("提取廉租住房补充资金", money(amounts["lowrent_fund"])),
             Fact("年末结转", "增值收益及其分配科目结平，余额转入待分配增值收益")]
    return _year_summary(command, headline=f"增值收益分配：可供分配 {money(amounts['distributable'])}，批准后记账并年末结转",
                         facts=facts, postings=postings)


def _close_render(command: Any, viewer: Any) -> Summary:
    """年末损益结转: each income and expense account's balance closed into 增值收益 (311)."""
    p = command.params
    postings = []
    for a in p.get("income_accounts") or []:  # income (credit balances) is debited to zero
        postings += [Posting("借", a.get("code", ""), a.get("name", ""), money(int(a.get("amount") or 0)), "结平收入")]
    for a in p.get("expense_accounts") or []:
        postings += [Posting("贷", a.get("code", ""), a.get("name", ""), money(int(a.get("amount") or 0)), "结平支出")]
    va = int(p.get("value_added") or 0)
    names = account_names(center=command.center_id, codes={"311"})
    if va:
        postings.append(Posting("贷" if va > 0 else "借", "311", names.get("311", "增值收益"), money(abs(va)),
                                "转入增值收益"))
    facts = [Fact("业务收入", money(int(p.get("revenue") or 0))), Fact("业务支出", money(int(p.get("expense") or 0))),
             Fact("增值收益", money(va))]
    return _year_summary(command, headline=f"年末损益结转：收入、支出科目结平，增值收益 {money(va)} 转入 311，批准后记账",
                         facts=facts, postings=postings)


def register_commands() -> None:
    register_renderer(DISTRIBUTE_COMMAND, _distribute_render)
    register_renderer(CLOSE_COMMAND, _close_render)
    register(CLOSE_COMMAND, apply=_close_apply, permission=MANAGE, validate=_close_validate,
             describe=_close_describe, amount=lambda p: p.get("revenue"), label="年末损益结转")
    register(DISTRIBUTE_COMMAND, apply=_distribute_apply, permission=MANAGE, validate=_distribute_validate,
             describe=_distribute_describe, amount=lambda p: p.get("distributable"), label="增值收益分配")
