"""Invariant 5: the sealed audit chain is unbroken, no row stays unsealed past the interval, and the database
head is not behind the chain's anchor outside the database."""

from django.conf import settings

from openhpf.core.verify import CheckResult, register

from .anchor import anchor_breaches
from .selectors import audit_chain_breaches, audit_unsealed_overdue


@register("audit.chain")
def check_chain() -> CheckResult:
    checked, breaches = audit_chain_breaches()
    return CheckResult("audit.chain", not breaches, f"已核验封存审计记录 {checked} 条", breaches)


@register("audit.unsealed")
def check_unsealed() -> CheckResult:
    n = audit_unsealed_overdue()
    return CheckResult(
        "audit.unsealed",
        n == 0,
        f"超过封存时限（{settings.HPF_AUDIT_SEAL_INTERVAL} 秒）未封存的审计记录 {n} 条",
    )


@register("audit.anchor")
def check_anchor() -> CheckResult:
    detail, breaches = anchor_breaches()
    return CheckResult("audit.anchor", not breaches, detail, breaches)
