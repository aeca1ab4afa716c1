"""抵押物: the mortgaged home of an approved loan application, its registration, and the condition for paying.

`collateral_record` (permission `loans.operate`) records or updates the collateral from the registry's answer
(or what the clerk read on the 不动产登记证明): the certificate, the appraised value (the LTV — the loan over the
appraised value — must not exceed the policy `loan.max_ltv`), the registration status, which only moves forward
(未登记 → 抵押预告登记 → 抵押登记), and for a 期房 the developer's 阶段性担保.

`disbursement_condition` says what still stands in the way of paying, by the property's kind:
- 期房: 抵押预告登记 with the developer's 阶段性担保 (policy `loan.off_plan.guarantee`), or 抵押登记;
- 现房 and 二手房: 抵押登记."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from openhpf.access.selectors import check_permission
from openhpf.applications.models import Application, State
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen

from . import terms
from .models import Collateral, LoanContract

R = Collateral.Registration
ORDER = [R.NONE, R.PRELIMINARY, R.REGISTERED]
OPERATE = "loans.operate"


def _bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.LOAN_COLLATERAL_INVALID, detail=detail, field=field)


@transaction.atomic
def collateral_record(*, application: Application, actor: Actor, business_date: date, certificate_no: str,
                      appraised_value: int, registration: str, preliminary_no: str = "", registration_no: str = "",
                      guarantor: str = "", guarantee_no: str = "", guarantee_until: str = "") -> Collateral:
    app = Application.objects.select_for_update().select_related("center").get(pk=application.pk)
    check_permission(actor, OPERATE, center=app.center)
    if app.state not in (State.APPROVED, State.EXECUTION_FAILED):
        raise DomainError(ErrorCode.LOAN_NOT_APPROVED, number=app.number, status=app.get_state_display())
    problems = []
    certificate_no = (certificate_no or "").strip()
    if not certificate_no:
        problems.append(_bad("请填写不动产权证号或预告登记证明号", "certificate_no"))
    if isinstance(appraised_value, bool) or not isinstance(appraised_value, int) or appraised_value <= 0:
        problems.append(_bad("评估价值应为大于零的金额", "appraised_value"))
    if registration not in R.values:
        problems.append(_bad("登记状态应为未登记、抵押预告登记或抵押登记", "registration"))
    if registration == R.PRELIMINARY and not preliminary_no.strip():
        problems.append(_bad("抵押预告登记须填写预告登记证明号", "preliminary_no"))
    if registration == R.REGISTERED and not registration_no.strip():
        problems.append(_bad("抵押登记须填写抵押登记证明号", "registration_no"))
    if problems:
        raise problems[0] if len(problems) == 1 else DomainError(
            ErrorCode.LOAN_COLLATERAL_INVALID, detail="；".join(p.message.split("：", 1)[-1] for p in problems),
            field=problems[0].field)
    principal = int(app.payload["amount"])
    ltv = (Decimal(principal) / Decimal(appraised_value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    top = terms.max_ltv(center=app.center_id, on=business_date)
    if ltv > top:
        raise _bad(f"抵押率 {ltv * 100:.2f}% 超过上限 {top * 100:.2f}%（贷款 {format_fen(principal)} 元，"
                   f"评估价值 {format_fen(appraised_value)} 元）", "appraised_value")
    c = Collateral.objects.select_for_update().filter(application=app).first()
    before = _snapshot(c) if c is not None else None
    if c is not None and ORDER.index(R(registration)) < ORDER.index(R(c.registration)):
        raise _bad(f"登记状态不能从「{c.get_registration_display()}」退回「{R(registration).label}」", "registration")
    c = c or Collateral(center=app.center, application=app)
    c.certificate_no, c.appraised_value, c.ltv, c.registration = certificate_no[:60], appraised_value, ltv, registration
    if registration in (R.PRELIMINARY, R.REGISTERED) and preliminary_no.strip():
        c.preliminary_no = preliminary_no.strip()[:60]
        c.preliminary_on = c.preliminary_on or business_date
    if registration == R.REGISTERED:
        c.registration_no, c.registered_on = registration_no.strip()[:60], c.registered_on or business_date
    c.guarantor, c.guarantee_no = guarantor.strip()[:120], guarantee_no.strip()[:60]
    c.guarantee_until = guarantee_until.strip()[:40]
    c.recorded_by = actor_label(actor)
    c.save()
    audit_log(actor=actor, action=AuditEvent.LOANS_COLLATERAL_RECORD, obj=c, center=app.center_id,
              business_date=business_date, before=before, after={"application": app.number, **_snapshot(c)})
    return c


@transaction.atomic
def collateral_registry_push(*, actor: Actor, contract_no: str, registration: str, certificate_no: str = "",
                             preliminary_no: str = "", registration_no: str = "") -> tuple[Collateral, bool]:
    """不动产登记 pushes a registration status (the registry adapter's partner interface, scope `registry.push`):
    the collateral of the loan contract moves forward as `collateral_record` would move it (预告登记 with its
    number, 抵押登记 with its number, dated the center's business date), also after disbursement. Idempotent: the
    same or an earlier status again changes nothing (returns False). Audited as `loans.collateral.push`."""
    contract = LoanContract.objects.filter(contract_no=(contract_no or "").strip()).first()
    c = (Collateral.objects.select_for_update().select_related("center").filter(application_id=contract.application_id)
         .first() if contract is not None else None)
    if c is None:
        raise DomainError(ErrorCode.LOAN_REGISTRY_PUSH_UNKNOWN, contract_no=contract_no, field="contract_no")
    if registration not in (R.PRELIMINARY, R.REGISTERED):
        raise _bad("推送的登记状态应为抵押预告登记（preliminary）或抵押登记（registered）", "registration")
    if registration == R.PRELIMINARY and not preliminary_no.strip():
        raise _bad("抵押预告登记须填写预告登记证明号", "preliminary_no")
    if registration == R.REGISTERED and not registration_no.strip():
        raise _bad("抵押登记须填写抵押登记证明号", "registration_no")
    if ORDER.index(R(registration)) <= ORDER.index(R(c.registration)):
        return c, False
    before, on = _snapshot(c), c.center.business_date
    if preliminary_no.strip():
        c.preliminary_no, c.preliminary_on = preliminary_no.strip()[:60], c.preliminary_on or on
    if registration == R.REGISTERED:
        c.registration_no, c.registered_on = registration_no.strip()[:60], on
    if certificate_no.strip():
        c.certificate_no = certificate_no.strip()[:60]
    c.registration, c.recorded_by = registration, actor_label(actor)
    c.save()
    audit_log(actor=actor, action=AuditEvent.LOANS_COLLATERAL_PUSH, obj=c, center=c.center_id, business_date=on,
              before=before, after={"contract_no": contract.contract_no if contract else "", **_snapshot(c)})
    return c, True


def _snapshot(c: Collateral) -> dict[str, Any]:
    return {"appraised_value": c.appraised_value, "ltv": str(c.ltv), "registration": c.registration,
            "preliminary_no": c.preliminary_no, "registration_no": c.registration_no, "guarantor": c.guarantor,
            "guarantee_no": c.guarantee_no}


def disbursement_condition(app: Application, on: date) -> list[str]:
    """What still stands in the way of paying (empty: the condition holds)."""
    c = Collateral.objects.filter(application=app).first()
    if c is None:
        return ["尚未登记抵押物"]
    kind = (app.payload.get("property") or {}).get("kind")
    if c.registration == R.REGISTERED:
        return []
    if kind == "off_plan":
        if c.registration != R.PRELIMINARY:
            return ["期房须办妥抵押预告登记"]
        if terms.off_plan_needs_guarantee(center=app.center_id, on=on) and not (c.guarantor and c.guarantee_no):
            return ["期房在抵押登记前须由开发企业提供阶段性担保（担保人与担保合同编号）"]
        return []
    return ["现房、二手房须办妥抵押登记"]


def collateral_of(app: Application) -> Collateral | None:
    return Collateral.objects.filter(application=app).first()
