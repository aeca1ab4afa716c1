from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "openhpf.catalog"
    label = "catalog"
    verbose_name = "服务事项目录"

    def ready(self) -> None:
        from .commands import register_all

        register_all()  # catalog.item_change through maker-checker (approvals)
