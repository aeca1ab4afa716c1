"""Roles as data: permissions, roles (with their permissions) and user↔role assignments per center/branch."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Permission(models.Model):
    """One entry of the permission catalogue (access/catalogue.py), e.g. accounts.view."""

    code = models.CharField("权限代码", max_length=60, unique=True)
    label = models.CharField("权限名称", max_length=100)

    class Meta:
        verbose_name = "权限"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Role(models.Model):
    """角色. `kind` separates the business roles from the three administrators (三员分立)."""

    code = models.CharField("角色代码", max_length=40, unique=True)
    name = models.CharField("角色名称", max_length=40)
    kind = models.CharField("类别", max_length=20)
    clearance = models.PositiveSmallIntegerField("默认可见密级", default=0)
    builtin = models.BooleanField("内置", default=False)
    permissions = models.ManyToManyField(Permission, related_name="roles", blank=True)

    class Meta:
        verbose_name = "角色"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """A user holds a role at a center (and, narrower, a branch). center NULL: every center of the instance
    (a provincial deployment's administrators); branch NULL: the whole center."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    center = models.ForeignKey("core.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("core.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    granted_by = models.CharField("授权人", max_length=150)
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "center", "branch"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role_id}@{self.center_id}/{self.branch_id}"
