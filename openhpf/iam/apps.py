from django.apps import AppConfig


class IamConfig(AppConfig):
    name = "openhpf.iam"
    label = "iam"
    verbose_name = "身份与权限"

    def ready(self) -> None:
        from openhpf.core import authz

        from .services import staff_center

        authz.register(staff_center=staff_center)  # the staff member's home center, for the platform's checks
