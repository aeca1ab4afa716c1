"""The five-tier classification (五级分类) by hand: an override with its reason and expiry. The nightly automatic
classification is the COB's step 66 (cob.py); it keeps an override in force until its last day."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from openhpf.core import authz
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import LoanClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from .locking import loan_for_write
from .models import Loan, LoanClassChange

PERMISSION = "loans.operate"


def class_override_set(*, loan: Loan, to_class: str, reason: str, until: date | None, actor: Actor,
                       business_date: date) -> LoanClassChange:
    """人工认定: the loan is `to_class` from `business_date` until `until` (inclusive; None: until withdrawn), for
    `reason`; the class changes at once and the COB keeps it while the override is in force."""
    authz.check_permission(actor, PERMISSION, center=loan.center_id)
    reason = (reason or "").strip()
    if to_class not in LoanClass.values:
        raise DomainError(ErrorCode.LOAN_CLASS_INVALID, detail=f"分类代码「{to_class}」应为 01 至 05", field="to_class")
    if not reason:
        raise DomainError(ErrorCode.LOAN_CLASS_INVALID, detail="请填写认定理由", field="reason")
    if until is not None and until < business_date:
        raise DomainError(ErrorCode.LOAN_CLASS_INVALID, field="until",
                          detail=f"有效期至 {until} 早于业务日期 {business_date}")
    with transaction.atomic():
        ln = loan_for_write(pk=loan.pk)
        before = {"risk_class": ln.risk_class, "class_override": ln.class_override,
                  "class_override_until": ln.class_override_until}
        overdue_days = (business_date - ln.overdue_since).days if ln.overdue_since else 0
        change = LoanClassChange.objects.create(
            loan=ln, on=business_date, from_class=ln.risk_class, to_class=to_class, overdue_days=max(0, overdue_days),
            manual=True, reason=reason[:200], until=until, created_by=actor_label(actor))
        ln.risk_class, ln.class_override, ln.class_override_until = to_class, to_class, until
        ln.save(update_fields=["risk_class", "class_override", "class_override_until", "updated_at"])
        audit_log(actor=actor, action=AuditEvent.LOANS_CLASS_OVERRIDE, obj=ln, center=ln.center_id,
                  business_date=business_date, before={k: str(v or "") for k, v in before.items()},
                  after={"loan": ln.number, "to_class": to_class, "reason": reason,
                         "until": until.isoformat() if until else ""})
    loan.refresh_from_db()
    return change
