from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "openhpf.security"
    label = "security"
    verbose_name = "密码与数据保护"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the encrypted-columns invariant with hpf verify)
