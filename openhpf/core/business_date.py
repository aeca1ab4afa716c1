"""Which business date a write may carry: the center's own, or an earlier one through the audited back-value path.

Every voucher and posting batch is dated with a business date, and a sub-ledger row without its own value date
takes it as its value date. A date other than the center's current business date, earlier or later, is refused
(`BUSINESS_DATE_NOT_CURRENT`): the ledger checks it where vouchers and batches are made
(`ledger.services`), the command line where `--business-date` is read (`core.cli_options.common`).

The one way to write on an earlier date is `back_value(...)`: a person holding `ledger.back_value` names the
date and gives a reason; the grant is audited (`core.back_value`) before anything is written, and holds for that
center and that date only, inside the `with` block. A closed accounting period stays closed (the ledger refuses
it); a later date is never allowed. A process whose voucher date is fixed by rule (the cut-over on its cut-over
date, the year-end 结转 on 12/31), under its own permission and audit row, uses `rule_dated_scope`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from .actors import Actor, staff_user_of
from .audit_events import AuditEvent
from .auditlog import audit_log
from .authz import check_permission
from .error_codes import ErrorCode
from .errors import DomainError, PermissionDenied
from .models import Center

BACK_VALUE_PERMISSION = "ledger.back_value"

# (center id, date) a write may carry besides the center's business date, while a back-value block runs
_ALLOWED: ContextVar[tuple[int, date] | None] = ContextVar("hpf_back_value", default=None)


def _center_id(center: Center | int) -> int:
    return center.pk if isinstance(center, Center) else int(center)


def current_business_date(center: Center | int) -> date:
    """The center's business date as stored now (not as a caller's possibly stale Center object holds it)."""
    return Center.objects.values_list("business_date", flat=True).get(pk=_center_id(center))


def business_date_check(center: Center | int, business_date: date, *, field: str = "business_date") -> None:
    """Refuse a write dated other than the center's current business date, unless a back-value block for this
    center and date is running."""
    current = current_business_date(center)
    if business_date == current:
        return
    if business_date < current and _ALLOWED.get() == (_center_id(center), business_date):
        return
    raise DomainError(
        ErrorCode.BUSINESS_DATE_NOT_CURRENT,
        f"业务日期 {business_date} 不是中心当前业务日期 {current}：业务只能按当前业务日期办理；"
        f"补记往日业务须经补记（倒起息）流程，由具有补记权限的业务人员说明原因后办理",
        field=field, details={"business_date": business_date.isoformat(), "current": current.isoformat()},
    )


def _person(actor: Actor) -> Any:
    person = staff_user_of(actor)
    if person is None:
        raise PermissionDenied("补记往日业务须由具有补记权限的业务人员本人办理（命令行用 --as 用户名）", field="actor")
    return person


@contextmanager
def back_value(*, center: Center, business_date: date, actor: Actor, reason: str) -> Iterator[date]:
    """The audited back-value path: inside the block, writes of `center` may carry `business_date`, a day
    before the center's business date. The person behind `actor` needs `ledger.back_value` at the center; the
    reason is required; the grant is written to the audit trail first."""
    check_permission(_person(actor), BACK_VALUE_PERMISSION, center=center)
    if not (reason or "").strip():
        raise DomainError(ErrorCode.REASON_REQUIRED, "补记往日业务须填写原因", field="reason")
    current = current_business_date(center)
    if business_date >= current:
        raise DomainError(ErrorCode.BACK_VALUE_DATE, f"补记日期 {business_date} 应早于中心当前业务日期 {current}",
                          field="business_date")
    audit_log(actor=actor, action=AuditEvent.CORE_BACK_VALUE, obj=center, center=center, business_date=current,
              after={"business_date": business_date, "reason": reason.strip()})
    token = _ALLOWED.set((center.pk, business_date))
    try:
        yield business_date
    finally:
        _ALLOWED.reset(token)


@contextmanager
def rule_dated_scope(*, center: Center, on: date) -> Iterator[None]:
    """A process whose voucher date is fixed by rule, not chosen by a person, writing on that earlier date: the
    cut-over's opening balances on its cut-over date, the month's interest accrual on its last day, the year-end
    结转损益 and 增值收益 distribution on 12/31.
    Each runs under its own permission (and maker-checker) and writes its own audit row; a later date is refused
    and a closed period stays closed."""
    if on > current_business_date(center):
        raise DomainError(ErrorCode.BUSINESS_DATE_NOT_CURRENT, f"记账日期 {on} 晚于中心当前业务日期", field="business_date")
    token = _ALLOWED.set((center.pk, on))
    try:
        yield
    finally:
        _ALLOWED.reset(token)
