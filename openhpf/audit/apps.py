from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openhpf.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from openhpf.core import auditlog

        from . import checks  # noqa: F401  (registers the audit-chain invariant with hpf verify)
        from .services import actor_label, audit_log

        auditlog.register(audit_log=audit_log, actor_label=actor_label)
