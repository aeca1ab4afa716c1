"""五级分类人工认定 (manual classification): a clerk holding `loans.operate` sets a loan's class with a reason and
an expiry; the nightly classification (COB) keeps it until `class_override_until` has passed, then classifies by
overdue days again. Recorded as a manual `LoanClassChange` and audited (`loans.class.override`)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.authz import check_permission
from openhpf.core.codes import LoanClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from .locking import loan_for_write
from .models import Loan, LoanClassChange

OPERATE = "loans.operate"


def _invalid(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.LOAN_CLASS_OVERRIDE_INVALID, detail=detail, field=field)


def class_override_set(*, loan_number: str, to_class: str, reason: str, until: date | None, actor: Actor,
                       business_date: date) -> LoanClassChange:
    """Set the loan's class to `to_class` (01–05) until `until` (after the business date) for `reason`."""
    number = (loan_number or "").strip()
    found = Loan.objects.filter(number=number).values_list("center_id", flat=True).first()
    if found is None:
        raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=number, field="loan_number")
    check_permission(actor, OPERATE, center=found)
    if to_class not in LoanClass.values:
        raise _invalid("请选择五级分类（正常、关注、次级、可疑、损失）", "to_class")
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("请填写人工认定理由", "reason")
    if len(reason) > 200:
        raise _invalid("认定理由不超过 200 个字", "reason")
    if until is None:
        raise _invalid("请填写人工认定有效期", "until")
    if until <= business_date:
        raise _invalid(f"有效期须晚于业务日期 {business_date:%Y-%m-%d}", "until")
    with transaction.atomic():
        loan = loan_for_write(number=number)
        before = {"risk_class": loan.risk_class, "class_override": loan.class_override,
                  "class_override_until": loan.class_override_until.isoformat() if loan.class_override_until
                  else None}
        overdue_days = (business_date - loan.overdue_since).days if loan.overdue_since else 0
        change = LoanClassChange.objects.create(
            loan=loan, on=business_date, from_class=loan.risk_class, to_class=to_class,
            overdue_days=max(0, overdue_days), manual=True, reason=reason, until=until,
            created_by=actor_label(actor))
        loan.risk_class, loan.class_override, loan.class_override_until = to_class, to_class, until
        loan.save(update_fields=["risk_class", "class_override", "class_override_until", "updated_at"])
        audit_log(actor=actor, action=AuditEvent.LOANS_CLASS_OVERRIDE, obj=loan, center=loan.center_id,
                  business_date=business_date, before=before,
                  after={"loan": loan.number, "risk_class": to_class, "class_override_until": until.isoformat(),
                         "reason": reason})
    return change
