"""Admin views of staff profiles and API tokens (read-mostly; tokens are issued by `hpf api_token`)."""

from django.contrib import admin

from .models import ApiToken, StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "center", "branch")
    list_select_related = ("user", "center", "branch")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
