from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openhpf.accounts"
    label = "accounts"
    verbose_name = "单位与个人账户"
