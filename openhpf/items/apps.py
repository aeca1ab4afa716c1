from django.apps import AppConfig


class ItemsConfig(AppConfig):
    """The catalogue's own items run on the application engine: 个人住房公积金缴存使用证明 and 单位缴存信息变更.
    Above contributions and accounts (it reads and changes them through their selectors and services), beside
    finance; it plugs into the engine through `applications.registry.register_handler`."""

    name = "openhpf.items"
    label = "items"
    verbose_name = "事项办理"

    def ready(self) -> None:
        from . import certificate, employer_change

        certificate.register()  # HPF-P-CERT 缴存使用证明: its handler in the engine's registry
        employer_change.register()  # 单位缴存信息变更 (HPF-E-CHANGE)
