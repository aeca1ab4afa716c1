from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "openhpf.approvals"
    label = "approvals"
    verbose_name = "复核审批"
