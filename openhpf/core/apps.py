from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class CoreConfig(AppConfig):
    name = "openhpf.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from . import db

        # the views other apps publish (core.db.publish_view) are dropped before a migration and made after it
        pre_migrate.connect(db.drop_views, sender=self, dispatch_uid="core.db.drop_views")
        post_migrate.connect(db.create_views, sender=self, dispatch_uid="core.db.create_views")
