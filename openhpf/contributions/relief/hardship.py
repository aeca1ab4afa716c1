"""Hardship relief (条例 Art20): 缓缴 (deferral) and 降低缴存比例 (reduced ratio) for a fixed term.

Flow: the employer applies with its documents (staff-assembly vote, financial statements) through a clerk →
the application is stored and submitted to maker-checker (approvals, command "contributions.hardship.approve")
→ a checker other than the clerk approves, which applies it: a deferral puts the employer in status 03 缓缴; a
reduction records an accounts.RatioReduction (so the accounts rules accept ratios down to its floor for the
term only), snapshots every account's ratios and sets the reduced ones. `hardship_expire(on=…)` (a day-end
step) starts approved terms that begin and ends those past their term: the employer returns to 正常, ratios
return to the snapshot. Months of a deferral are owed later (`deferral_arrears`, for 补缴) and count as
continuous contribution (`continuity_months`, for loan eligibility).

Status moves and the reduction record go through the accounts services (employer_defer, employer_end_deferral,
ratio_reduction_record). Changes applied on behalf of an approved command run as SystemActor("hardship"); the
approval itself (maker and checker) is in the command log and the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from openhpf.access.selectors import check_permission
from openhpf.accounts.models import Employer, MemberAccount, RatioReduction
from openhpf.accounts.paidmonths import AssumedAccount, paid_months_assumed, paid_months_of
from openhpf.accounts.paidmonths import paid_months as paid_months_of_account
from openhpf.accounts.services import (
    employer_change,
    employer_defer,
    employer_end_deferral,
    ratio_reduction_record,
)
from openhpf.approvals.registry import Change, Fact, Link, Summary, register, register_renderer
from openhpf.approvals.services import command_reject, command_submit
from openhpf.audit.services import actor_label, audit_log
from openhpf.core.actors import Actor, SystemActor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import EmployerStatus, MemberAccountStatus, RetentionClass
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_ratio
from openhpf.core.paging import PAGE_SIZE, Page, paginate
from openhpf.core.policy import policy_value
from openhpf.documents.models import DocType
from openhpf.documents.services import document_store

from ..models import HardshipApplication, HardshipRatioSnapshot
from ..months import ym, ym_index, ym_parse, ym_range
from ..remittance.adjustments import _accounts_set_ratio

COMMAND = "contributions.hardship.approve"
SYSTEM = SystemActor("hardship")
HA = HardshipApplication
BACK_PAYMENT_COUNTS = "contribution.continuity.back_payment_counts"
OPEN_STATUSES = (HA.Status.PENDING, HA.Status.APPROVED, HA.Status.ACTIVE)
IN_FORCE = (HA.Status.ACTIVE, HA.Status.ENDED)  # approved and started: its deferral months are real


def _ratio(value: Any, field_name: str) -> Decimal:
    try:
        r = Decimal(str(value).strip())
    except Exception:
        raise DomainError(ErrorCode.RATIO_INVALID, f"缴存比例格式不正确：{value}", field=field_name) from None
    if not r.is_finite() or r <= 0 or r >= 1:
        raise DomainError(ErrorCode.RATIO_INVALID, f"缴存比例应为大于0小于1的小数：{value}", field=field_name)
    return r


# ---------------------------------------------------------------- apply (employer, through a clerk)


def _check_terms(*, kind: str, reason: str, valid_from: date, valid_to: date, business_date: date,
                 vote_date: date | None) -> None:
    """The application's kind, reason and term: at most 12 months, starting no earlier than this month."""
    if kind not in HA.Kind.values:
        raise DomainError(ErrorCode.HARDSHIP_KIND, f"申请类型应为 defer（缓缴）或 reduce（降低缴存比例）：{kind}", field="kind")
    if not (reason or "").strip():
        raise DomainError(ErrorCode.REQUIRED, "请填写申请理由", field="reason")
    if valid_to < valid_from:
        raise DomainError(ErrorCode.TERM_ORDER, "终止日期不能早于起始日期", field="valid_to")
    if valid_from < business_date.replace(day=1):
        raise DomainError(ErrorCode.TERM_PAST, "起始日期不能早于本月", field="valid_from")
    max_months = 12
    if ym_index(ym(valid_to)) - ym_index(ym(valid_from)) + 1 > max_months:
        raise DomainError(ErrorCode.TERM_TOO_LONG, f"缓缴或降比例期限不能超过 {max_months} 个月", field="valid_to")
    if vote_date is not None and vote_date > business_date:
        raise DomainError(ErrorCode.VOTE_DATE, "职工代表大会表决日期不能晚于申请日期", field="vote_date")


def _reduced_ratios(*, kind: str, employer: Employer, valid_from: date, employer_ratio: Decimal | str | None,
                    member_ratio: Decimal | str | None) -> tuple[Decimal | None, Decimal | None]:
    """For 降低缴存比例 the two reduced ratios, each below the general minimum and not below the reduced one
    (policies on the first day of the term); (None, None) for 缓缴."""
    center = employer.center
    if kind != HA.Kind.REDUCE:
        return None, None
    if employer_ratio is None or member_ratio is None:
        raise DomainError(ErrorCode.REQUIRED, "降低缴存比例须填写降低后的单位与个人比例", field="employer_ratio")
    er, mr = _ratio(employer_ratio, "employer_ratio"), _ratio(member_ratio, "member_ratio")
    lo = Decimal(str(policy_value("contribution.ratio.min", on=valid_from, center=center)))
    reduced_min = Decimal(str(policy_value("contribution.ratio.reduced_min", on=valid_from, center=center)))
    for r, f in ((er, "employer_ratio"), (mr, "member_ratio")):
        if r >= lo:
            raise DomainError(ErrorCode.RATIO_NOT_REDUCED, f"降低后的比例应低于一般下限 {(lo * 100).normalize():f}%",
                              field=f)
        if r < reduced_min:
            raise DomainError(ErrorCode.RATIO_BELOW_REDUCED,
                              f"降低后的比例不能低于 {(reduced_min * 100).normalize():f}%", field=f)
    return er, mr


def hardship_apply(
    *, employer: Employer, kind: str, valid_from: date, valid_to: date, reason: str, actor: Actor,
    business_date: date, documents: Iterable[tuple[str, bytes]] = (), vote_date: date | None = None,
    employer_ratio: Decimal | str | None = None, member_ratio: Decimal | str | None = None,
) -> HardshipApplication:
    """缓缴/降比例申请: stored with its documents and submitted for approval (maker = `actor`)."""
    check_permission(actor, "accounts.change", center=employer.center_id)
    _check_terms(kind=kind, reason=reason, valid_from=valid_from, valid_to=valid_to, business_date=business_date,
                 vote_date=vote_date)
    reason = (reason or "").strip()
    er, mr = _reduced_ratios(kind=kind, employer=employer, valid_from=valid_from, employer_ratio=employer_ratio,
                             member_ratio=member_ratio)
    docs = list(documents)
    if not docs:
        raise DomainError(ErrorCode.DOCUMENTS_REQUIRED, "须上传申请材料（职工代表大会决议、财务报表等）", field="documents")
    with transaction.atomic():
        e = Employer.objects.select_for_update().get(pk=employer.pk)
        if e.status != EmployerStatus.NORMAL:
            raise DomainError(ErrorCode.EMPLOYER_NOT_NORMAL, f"单位当前状态为「{EmployerStatus(e.status).label}」，不能申请",
                              field="employer")
        clash = HA.objects.filter(employer=e, status__in=OPEN_STATUSES, valid_from__lte=valid_to,
                                  valid_to__gte=valid_from).first()
        if clash is not None:
            raise DomainError(ErrorCode.HARDSHIP_OVERLAP, f"单位已有期限重叠的申请 #{clash.pk}（{clash.get_status_display()}）",
                              field="valid_from")
        app = HA.objects.create(
            center_id=e.center_id, employer=e, kind=kind, employer_ratio=er, member_ratio=mr, valid_from=valid_from,
            valid_to=valid_to, reason=reason[:300], vote_date=vote_date, applied_by=actor_label(actor)[0],
            applied_on=business_date,
        )
        for name, content in docs:
            document_store(center=e.center, content=content, original_name=name, doc_type=DocType.APPLICATION,
                           retention=RetentionClass.LONG_30Y, actor=actor, business_date=business_date, obj=app)
        cmd = command_submit(name=COMMAND, params={"application": app.pk}, actor=actor, center=e.center,
                             business_date=business_date)
        app.command_id = cmd.pk
        app.save(update_fields=["command_id"])
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_HARDSHIP_APPLY, obj=app, center=e.center_id,
                  business_date=business_date,
                  after={"employer": e.account_no, "kind": kind, "valid_from": valid_from, "valid_to": valid_to,
                         "employer_ratio": er, "member_ratio": mr, "documents": len(docs), "command": cmd.pk})
        return app


# ---------------------------------------------------------------- approve (the registered command), reject


def _validate_command(params: dict[str, Any], actor: Actor, center: Any, business_date: date) -> dict[str, Any]:
    app_id = params.get("application")
    app = HA.objects.filter(pk=app_id, center=center).first() if app_id is not None else None
    if app is None or app.status != HA.Status.PENDING:
        raise DomainError(ErrorCode.HARDSHIP_NOT_PENDING, "申请不存在或不在待审批状态", field="application")
    return {"application": app.pk}


def _describe(params: dict[str, Any]) -> str:
    app_id = params.get("application")
    app = HA.objects.select_related("employer").filter(pk=app_id).first() if app_id is not None else None
    if app is None:
        return f"缓缴/降比例申请 #{params.get('application')}"
    what = app.get_kind_display()
    if app.kind == HA.Kind.REDUCE:
        what += f"（单位 {app.employer_ratio}，个人 {app.member_ratio}）"
    return f"{app.employer.account_no} {app.employer.name} {what} {app.valid_from}～{app.valid_to}"


def _apply_command(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    app = hardship_approve_apply(application_id=int(params["application"]), approver=actor,
                                 business_date=business_date)
    return {"application": app.pk, "status": app.status}


def _render(command: Any, viewer: Any) -> Summary:
    app = HA.objects.select_related("employer").filter(pk=command.params.get("application"),
                                                       center_id=command.center_id).first()
    if app is None:
        return Summary(headline="缓缴/降低缴存比例申请（申请已不存在）")
    e = app.employer
    what = app.get_kind_display()
    facts = [Fact("缴存单位", f"{e.account_no} {e.name}"), Fact("申请类型", what),
             Fact("期限", f"{app.valid_from} 至 {app.valid_to}"), Fact("申请理由", app.reason),
             Fact("经办人", app.applied_by)]
    if app.vote_date:
        facts.append(Fact("职工代表大会表决日期", app.vote_date.isoformat()))
    changes = []
    if app.kind == HA.Kind.REDUCE and app.employer_ratio is not None and app.member_ratio is not None:
        before_e = app.prev_employer_ratio if app.prev_employer_ratio is not None else e.employer_ratio
        before_m = app.prev_member_ratio if app.prev_member_ratio is not None else e.member_ratio
        changes = [Change("单位缴存比例", format_ratio(before_e), format_ratio(app.employer_ratio)),
                   Change("个人缴存比例", format_ratio(before_m), format_ratio(app.member_ratio))]
    else:
        changes = [Change("缴存", "按月汇缴", f"{app.valid_from} 至 {app.valid_to} 缓缴")]
    links = [Link("缓缴与降比例", reverse("relief:hardship"))] if command.status == "applied" else []
    return Summary(headline=f"批准 {e.name} {what}（{app.valid_from} 至 {app.valid_to}）", facts=facts,
                   changes=changes, links=links)


def register_commands() -> None:
    register_renderer(COMMAND, _render)
    register(COMMAND, apply=_apply_command, permission="accounts.change", describe=_describe,
             validate=_validate_command, label="缓缴/降低缴存比例审批")


def hardship_approve_apply(*, application_id: int, approver: Actor, business_date: date) -> HardshipApplication:
    """The approval's effect (run by approvals.command_approve, maker ≠ checker enforced there)."""
    with transaction.atomic():
        app = HA.objects.select_for_update().select_related("employer").get(pk=application_id)
        if app.status != HA.Status.PENDING:
            raise DomainError(ErrorCode.HARDSHIP_NOT_PENDING, "申请不在待审批状态", field="application")
        if app.valid_to < business_date:
            raise DomainError(ErrorCode.TERM_PAST, "申请期限已过，不能批准", field="valid_to")
        label = actor_label(approver)[0]
        app.status, app.approved_by, app.approved_on = HA.Status.APPROVED, label, business_date
        if app.kind == HA.Kind.REDUCE:
            assert app.employer_ratio is not None and app.member_ratio is not None
            app.reduction = ratio_reduction_record(
                employer=app.employer, ratio_floor=min(app.employer_ratio, app.member_ratio),
                valid_from=app.valid_from, valid_to=app.valid_to, approved_by=label, reference=f"HS{app.pk}",
                actor=SYSTEM, business_date=business_date)
        app.save(update_fields=["status", "approved_by", "approved_on", "reduction"])
        audit_log(actor=approver, action=AuditEvent.CONTRIBUTIONS_HARDSHIP_APPROVE, obj=app, center=app.center_id,
                  business_date=business_date, before={"status": HA.Status.PENDING}, after={"status": app.status})
        if app.valid_from <= business_date:
            _start(app, business_date)
        return app


def hardship_reject(*, application: HardshipApplication, actor: Actor, reason: str,
                    business_date: date) -> HardshipApplication:
    """不予批准 (or withdrawn by the clerk who applied): the pending command is rejected too."""
    with transaction.atomic():
        app = HA.objects.select_for_update().get(pk=application.pk)
        if app.status != HA.Status.PENDING:
            raise DomainError(ErrorCode.HARDSHIP_NOT_PENDING, "申请不在待审批状态", field="application")
        if app.command_id:
            command_reject(command=app.command_id, actor=actor, reason=reason, business_date=business_date)
        app.status = HA.Status.REJECTED
        app.save(update_fields=["status"])
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_HARDSHIP_REJECT, obj=app, center=app.center_id,
                  business_date=business_date, before={"status": HA.Status.PENDING},
                  after={"status": app.status, "reason": reason})
        return app


# ---------------------------------------------------------------- start and end of a term


def _start(app: HardshipApplication, on: date) -> None:
    e = Employer.objects.select_for_update().get(pk=app.employer_id)
    if app.kind == HA.Kind.DEFER:
        employer_defer(employer=e, actor=SYSTEM, business_date=on, reason=f"缓缴申请 #{app.pk}")
    else:
        assert app.employer_ratio is not None and app.member_ratio is not None
        app.prev_employer_ratio, app.prev_member_ratio = e.employer_ratio, e.member_ratio
        HardshipRatioSnapshot.objects.bulk_create(
            [HardshipRatioSnapshot(application=app, account_id=pk, employer_ratio=er, member_ratio=mr)
             for pk, er, mr in MemberAccount.objects.filter(employer=e, status=MemberAccountStatus.NORMAL)
             .values_list("pk", "employer_ratio", "member_ratio").order_by("pk")], batch_size=5000)
        # the employer's defaults go through the accounts rules: accepted because the reduction is in force
        employer_change(employer=e, employer_ratio=app.employer_ratio, member_ratio=app.member_ratio, actor=SYSTEM,
                        business_date=on)
        _accounts_set_ratio(employer=e, er=app.employer_ratio, mr=app.member_ratio, business_date=on, actor=SYSTEM)
    app.status = HA.Status.ACTIVE
    app.save(update_fields=["status", "prev_employer_ratio", "prev_member_ratio"])
    audit_log(actor=SYSTEM, action=AuditEvent.CONTRIBUTIONS_HARDSHIP_START, obj=app, center=app.center_id, business_date=on,
              before={"status": HA.Status.APPROVED}, after={"status": app.status})


def _end(app: HardshipApplication, on: date) -> None:
    e = Employer.objects.select_for_update().get(pk=app.employer_id)
    if app.kind == HA.Kind.DEFER:
        if e.status == EmployerStatus.DEFERRED:
            employer_end_deferral(employer=e, actor=SYSTEM, business_date=on, reason=f"缓缴期满 #{app.pk}")
    else:
        er0, mr0 = app.prev_employer_ratio, app.prev_member_ratio
        assert er0 is not None and mr0 is not None
        if e.status not in (EmployerStatus.CLOSED,):
            employer_change(employer=e, employer_ratio=er0, member_ratio=mr0, actor=SYSTEM, business_date=on)
        snap = HardshipRatioSnapshot._meta.db_table
        pairs = (HardshipRatioSnapshot.objects.filter(application=app).values_list("employer_ratio", "member_ratio")
                 .distinct())
        for er, mr in pairs:
            _accounts_set_ratio(
                employer=e, er=er, mr=mr, business_date=on, actor=SYSTEM,
                only=Relation(f"SELECT account_id FROM {snap} WHERE application_id = %s "  # noqa: S608 — own table name from model meta; values bound
                              "AND employer_ratio = %s AND member_ratio = %s", (app.pk, er, mr)))
        lo = Decimal(str(policy_value("contribution.ratio.min", on=on, center=app.center_id)))
        # accounts opened or moved in during the term: back to the employer's restored defaults
        _accounts_set_ratio(
            employer=e, er=er0, mr=mr0, business_date=on, actor=SYSTEM, below=lo,
            exclude=Relation(f"SELECT account_id FROM {snap} WHERE application_id = %s", (app.pk,)))  # noqa: S608 — own table name from model meta; values bound
    app.status, app.ended_on = HA.Status.ENDED, on
    app.save(update_fields=["status", "ended_on"])
    audit_log(actor=SYSTEM, action=AuditEvent.CONTRIBUTIONS_HARDSHIP_END, obj=app, center=app.center_id, business_date=on,
              before={"status": HA.Status.ACTIVE}, after={"status": app.status})


def hardship_expire(*, center: Any, on: date, actor: Actor = SYSTEM) -> dict[str, int]:
    """Day-end step for business date `on`: start approved terms that have begun, end those whose term is over
    (valid_to < on). Idempotent: a second run finds nothing to do."""
    check_permission(actor, "accounts.change", center=center)
    started = ended = 0
    with transaction.atomic():
        for app in HA.objects.select_for_update().filter(center=center, status=HA.Status.APPROVED,
                                                         valid_from__lte=on).order_by("pk"):
            if app.valid_to < on:  # approved but never started before its end: nothing to undo
                app.status, app.ended_on = HA.Status.ENDED, on
                app.save(update_fields=["status", "ended_on"])
                continue
            _start(app, on)
            started += 1
        for app in HA.objects.select_for_update().filter(center=center, status=HA.Status.ACTIVE,
                                                         valid_to__lt=on).order_by("pk"):
            _end(app, on)
            ended += 1
    return {"started": started, "ended": ended}


# ---------------------------------------------------------------- what a deferral leaves behind


@dataclass(frozen=True)
class MemberOwed:
    account_no: str
    months: list[str]
    monthly_amount: int
    amount: int


@dataclass(frozen=True)
class DeferralArrears:
    """Months of approved deferral not yet paid by the employer, with what each member is owed (for 补缴)."""

    employer_no: str
    months: list[str]
    total: int
    members: list[MemberOwed] = field(default_factory=list)


def deferral_months(employer: Employer | int, *, upto: str | None = None) -> list[str]:
    """The months (YYYYMM) covered by the employer's approved and started deferrals, up to `upto`."""
    months: set[str] = set()
    for vf, vt in HA.objects.filter(employer=employer, kind=HA.Kind.DEFER, status__in=IN_FORCE).values_list(
            "valid_from", "valid_to"):
        last = ym(vt)
        if upto is not None and last > upto:
            last = upto
        months.update(ym_range(ym(vf), last))
    return sorted(months)


def deferral_arrears(employer: Employer, *, upto: str | date | None = None) -> DeferralArrears:
    """What the employer owes for its deferral months (at the current monthly amounts of its normal accounts):
    the deferral months each member has not paid (the paid-month store). The back-payment (补缴) service
    clears these."""
    upto_ym = ym(upto) if isinstance(upto, date) else (ym_parse(upto, "upto") if upto else
                                                        ym(employer.center.business_date))
    deferred = deferral_months(employer, upto=upto_ym)
    members = []
    if deferred:
        rows = list(MemberAccount.objects.filter(employer=employer, status=MemberAccountStatus.NORMAL)
                    .order_by("account_no").values_list("pk", "account_no", "employer_amount", "member_amount"))
        paid = paid_months_of(pk for pk, *_ in rows)
        for pk, account_no, ea, ma in rows:
            owed = [m for m in deferred if m not in paid.get(pk, {})]
            if owed:
                members.append(MemberOwed(account_no, owed, ea + ma, (ea + ma) * len(owed)))
    months = sorted({m for x in members for m in x.months})
    return DeferralArrears(employer_no=employer.account_no, months=months, total=sum(m.amount for m in members),
                           members=members)


def paid_months(account: MemberAccount, *, on: date | None = None) -> set[str]:
    """Months the account has paid (the paid-month store). 补缴 months are left out when the center's policy
    `contribution.continuity.back_payment_counts` in force `on` that day says they do not count."""
    months = paid_months_of_account(account)
    if on is not None and not policy_value(BACK_PAYMENT_COUNTS, on=on, center=account.center_id):
        return {m for m, back in months.items() if not back}
    return set(months)


def continuity_months(account: MemberAccount, upto: date | str) -> int:
    """连续缴存月数: consecutive months ending at `upto` (inclusive) in which the account paid, or its employer
    was in an approved deferral (条例 Art20, 建金〔2022〕45号: a deferral does not break continuity). Whether
    补缴 months count is a policy value. Hardship uses it now; withdrawals and loans read it here."""
    last = ym(upto) if isinstance(upto, date) else ym_parse(upto, "upto")
    on = Center.objects.get(pk=account.center_id).business_date
    covered = paid_months(account, on=on) | set(deferral_months(account.employer_id, upto=last))
    first = ym(account.opened_date)
    n, i = 0, ym_index(last)
    while i >= ym_index(first):
        m = f"{i // 12:04d}{i % 12 + 1:02d}"
        if m not in covered:
            break
        n += 1
        i -= 1
    return n


@dataclass(frozen=True)
class PaidMonthSummary:
    """An account's paid months for a clerk: each month 'paid' or 'back' (补缴), 缴至年月, continuity up to a
    month, and whether the months up to some month were assumed at the cut-over (to be checked)."""

    account_no: str
    paid_up_to: str
    months: dict[str, str]
    continuity: int
    assumed: AssumedAccount | None


def paid_month_summary(account: MemberAccount, *, upto: date | str) -> PaidMonthSummary:
    months = paid_months_of_account(account)
    return PaidMonthSummary(account_no=account.account_no, paid_up_to=account.paid_up_to,
                            months={m: "back" if back else "paid" for m, back in sorted(months.items())},
                            continuity=continuity_months(account, upto), assumed=paid_months_assumed(account))


# 缓缴到期提醒: an employer is told a month ahead that its deferral or reduced ratio ends, so it can budget for
# the full contributions again (and apply for an extension in time); 30 days is that month.
EXPIRY_NOTICE_DAYS = 30


def hardship_query(*, center: Any, user: Any, status: str | None = None, kind: str | None = None,
                   employer_no: str = "", expiring_within: int | None = None) -> Any:
    """Applications of the center, newest first, as a queryset to page (the console's list); codes checked;
    `expiring_within`: only those in force whose term ends within that many days of the business date (缓缴到期)."""
    check_permission(user, "accounts.view", center=center)
    if status and status not in HA.Status.values:
        raise DomainError(ErrorCode.INPUT_INVALID, f"申请状态代码不正确：{status}", field="status")
    if kind and kind not in HA.Kind.values:
        raise DomainError(ErrorCode.INPUT_INVALID, f"申请类型代码不正确：{kind}", field="kind")
    qs = HA.objects.filter(center=center).select_related("employer").order_by("-pk")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if employer_no:
        qs = qs.filter(employer__account_no=employer_no.strip())
    if expiring_within is not None:
        bd = center.business_date
        qs = qs.filter(status=HA.Status.ACTIVE, valid_to__gte=bd, valid_to__lte=bd + timedelta(days=expiring_within))
    return qs


def hardship_page(*, center: Any, user: Any, status: str | None = None, kind: str | None = None,
                  employer_no: str = "", expiring_within: int | None = None, page: Any = 1,
                  page_size: int = PAGE_SIZE) -> Page[HardshipApplication]:
    """Applications of the center, newest first, a page at a time with the true total (the API's list)."""
    return paginate(hardship_query(center=center, user=user, status=status, kind=kind, employer_no=employer_no,
                                   expiring_within=expiring_within), page, page_size)


def hardship_expiring_count(*, center: Any, user: Any, within: int = EXPIRY_NOTICE_DAYS) -> int:
    """The 待办 count of 缓缴到期: what the hardship list shows with expiring=within, over all its pages."""
    return hardship_query(center=center, user=user, expiring_within=within).count()


def reduction_in_force(employer: Employer, on: date) -> bool:
    return RatioReduction.objects.filter(Q(employer=employer), valid_from__lte=on, valid_to__gte=on).exclude(
        approved_by="").exists()

