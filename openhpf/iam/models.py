"""Staff identity: which center a staff member belongs to, and API tokens for partner and script access."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StaffProfile(models.Model):
    """业务人员档案: ties a staff user to the 管理中心 (and 网点) whose data they work on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    center = models.ForeignKey("core.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    branch = models.ForeignKey("core.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    display_name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = "业务人员档案"

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


class ApiToken(models.Model):
    """An API bearer token. Only the SM3 hash is stored; the plaintext is shown once when issued."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("前缀", max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
