from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openhpf.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the audit-chain invariant with hpf verify)
