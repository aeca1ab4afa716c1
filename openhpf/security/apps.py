from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "openhpf.security"
    label = "security"
    verbose_name = "密码与数据保护"
