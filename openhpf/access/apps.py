from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reseed(sender, app_config=None, using="default", apps=None, **kwargs):
    """A test flush empties the seeded catalogue; put it back (only when it is gone, so edits survive)."""
    if app_config is None or app_config.label != "access" or apps is None:
        return
    try:
        permission = apps.get_model("access", "Permission")
    except LookupError:
        return
    if not permission.objects.using(using).exists():
        from .catalogue import sync

        sync(apps)


class AccessConfig(AppConfig):
    name = "openhpf.access"
    label = "access"
    verbose_name = "角色与权限"

    def ready(self) -> None:
        post_migrate.connect(_reseed, sender=self)
        from openhpf.core import authz

        from . import decorators, selectors

        authz.register(has_permission=selectors.has_permission, check_permission=selectors.check_permission,
                       is_system_actor=selectors.is_system_actor, scope_queryset=selectors.scope_queryset,
                       user_clearance=selectors.user_clearance, permission_required=decorators.permission_required,
                       staff_required=decorators.staff_required)
        # the audit viewer names roles in before/after, not their codes
        from openhpf.audit.display import register_field

        from .catalogue import ROLE_BY_CODE

        register_field("role", value=lambda code: ROLE_BY_CODE[code].name if code in ROLE_BY_CODE else code)
