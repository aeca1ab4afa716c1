from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openhpf.accounts"
    label = "accounts"
    verbose_name = "单位与个人账户"

    def ready(self) -> None:
        from openhpf.iam.services import register_member_lookup

        from . import (
            checks,  # noqa: F401  (registers the employer 暂存 invariant with hpf verify)
            published,
        )
        from .selectors import member_by_login

        register_member_lookup(member_by_login)
        published.register()  # the views other apps read it through (core.db)
