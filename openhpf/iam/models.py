"""Staff identity: which center a staff member belongs to, and API tokens for partner and script access."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openhpf.security.fields import BlindIndexField, EncryptedFieldsMixin, EncryptedTextField


class StaffProfile(EncryptedFieldsMixin, models.Model):
    """业务人员档案: ties a staff user to the 管理中心 (and 网点) whose data they work on, with the mobile number
    that password-reset codes are sent to (SM4 at rest with a blind index, like members' phones). It is set when
    the user is created; changing it needs the user's own confirmation by a code sent to the new number."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    center = models.ForeignKey("core.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    branch = models.ForeignKey("core.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    display_name = models.CharField("姓名", max_length=50, blank=True)
    mobile = EncryptedTextField("手机号码", blank=True, purpose="phone", blind_index="mobile_bidx", normalize="phone")
    mobile_bidx = BlindIndexField("手机号码盲索引", source="mobile", db_index=True)

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


class StaffSecurity(EncryptedFieldsMixin, models.Model):
    """登录安全状态 of a staff user: lockout, password age, TOTP second factor, the current session.

    A row is created when the user is created through iam (staff_create) or first signs in; a user without one
    (created by other means) has no recorded password age and no second factor."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_security")
    failed_logins = models.PositiveSmallIntegerField("连续失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("须修改密码", default=False)
    # SM4 at rest: it must be readable (TOTP verifies against the secret itself), so it cannot be hashed
    totp_secret = EncryptedTextField("动态口令密钥", blank=True, purpose="iam.totp_secret")
    totp_confirmed_at = models.DateTimeField("动态口令启用时间", null=True, blank=True)
    totp_required = models.BooleanField("强制动态口令", default=False)
    totp_last_step = models.BigIntegerField("最近使用的口令时间步", null=True, blank=True)
    session_key = models.CharField("当前会话", max_length=40, blank=True)
    # a password reset: only the SM3 hash of the one-time code sent to the staff mobile, its expiry and tries
    reset_code_hash = models.CharField(max_length=64, blank=True)
    reset_expires_at = models.DateTimeField("重置码到期时间", null=True, blank=True)
    reset_attempts = models.PositiveSmallIntegerField(default=0)
    # a mobile change waiting for the user's confirmation: the new number (SM4) and the code's hash
    pending_mobile = EncryptedTextField("待确认手机号码", blank=True, purpose="phone", normalize="phone")
    pending_mobile_code_hash = models.CharField(max_length=64, blank=True)
    pending_mobile_expires_at = models.DateTimeField(null=True, blank=True)
    last_login_ip = models.GenericIPAddressField("最近登录 IP", null=True, blank=True)

    class Meta:
        verbose_name = "业务人员登录安全"

    def __str__(self) -> str:
        return f"{self.user_id}"


class PasswordHistory(models.Model):
    """Hashes of a staff user's previous passwords (the last few may not be reused)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "历史密码"
        indexes = [models.Index(fields=["user", "-created_at"], name="iam_pwhist_user")]


class MemberPrincipal(models.Model):
    """缴存职工 login: one per accounts.Member; signs in with 证件号码 or 个人账号, password and a one-time code
    sent to the member's phone. Not a Django user."""

    member = models.OneToOneField("accounts.Member", on_delete=models.CASCADE, related_name="principal")
    password = models.CharField(max_length=128)
    is_active = models.BooleanField("有效", default=True)
    failed_logins = models.PositiveSmallIntegerField("连续失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField("最近登录", null=True, blank=True)

    class Meta:
        verbose_name = "缴存职工登录"

    def __str__(self) -> str:
        return f"member:{self.member_id}"


class EmployerAgent(EncryptedFieldsMixin, models.Model):
    """单位经办人: a person acting for one employer, with their own login id, password and phone."""

    employer = models.ForeignKey("accounts.Employer", on_delete=models.CASCADE, related_name="agents")
    login_id = models.CharField("登录名", max_length=40, unique=True)
    name = models.CharField("姓名", max_length=60)
    # personal data: SM4 at rest with a blind index, like Member.phone
    phone = EncryptedTextField("手机号码", purpose="phone", blind_index="phone_bidx", normalize="phone")
    phone_bidx = BlindIndexField("手机号码盲索引", source="phone", db_index=True)
    password = models.CharField(max_length=128)
    is_active = models.BooleanField("有效", default=True)
    failed_logins = models.PositiveSmallIntegerField("连续失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField("最近登录", null=True, blank=True)

    class Meta:
        verbose_name = "单位经办人"

    def __str__(self) -> str:
        return self.login_id


class PrincipalKind(models.TextChoices):
    MEMBER = "member", "缴存职工"
    AGENT = "agent", "单位经办人"


class OneTimeCode(models.Model):
    """A one-time code (短信验证码) waiting to be entered after the password step. The client holds the
    challenge; only SM3 hashes of the challenge and of challenge+code are stored."""

    kind = models.CharField(max_length=8, choices=PrincipalKind.choices)
    member = models.ForeignKey(MemberPrincipal, null=True, blank=True, on_delete=models.CASCADE)
    agent = models.ForeignKey(EmployerAgent, null=True, blank=True, on_delete=models.CASCADE)
    challenge_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "一次性验证码"


class PortalToken(models.Model):
    """Bearer token of a member or an employer agent after password + one-time code (SM3 hash stored)."""

    kind = models.CharField(max_length=8, choices=PrincipalKind.choices)
    member = models.ForeignKey(MemberPrincipal, null=True, blank=True, on_delete=models.CASCADE, related_name="tokens")
    agent = models.ForeignKey(EmployerAgent, null=True, blank=True, on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "网厅令牌"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="member", member__isnull=False, agent__isnull=True)
                           | models.Q(kind="agent", agent__isnull=False, member__isnull=True)),
                name="iam_portaltoken_one_principal",
            ),
        ]


class PartnerClient(models.Model):
    """合作机构接入方 (a partner system): client credentials, scopes, allowed purposes, IP allow-list."""

    client_id = models.CharField("客户端标识", max_length=64, unique=True)
    name = models.CharField("名称", max_length=100)
    secret_hash = models.CharField(max_length=128)  # Django's salted password hash of the secret
    scopes = models.JSONField("授权范围", default=list)
    purposes = models.JSONField("允许用途", default=list)
    ip_allowlist = models.JSONField("IP 白名单", default=list)  # addresses or CIDR blocks; empty: none allowed
    is_active = models.BooleanField("有效", default=True)
    center = models.ForeignKey("core.Center", null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = "合作机构客户端"

    def __str__(self) -> str:
        return self.client_id


class PartnerToken(models.Model):
    """A client-credentials access token of a partner (SM3 hash stored), with the scopes it was granted."""

    client = models.ForeignKey(PartnerClient, on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    scopes = models.JSONField(default=list)
    purpose = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    issued_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "合作机构令牌"


class Outbox(EncryptedFieldsMixin, models.Model):
    """Messages 'sent' by the development message channel (发件箱); the console shows them to security admins.
    Recipient and text (a one-time code) are SM4 encrypted at rest like every phone number."""

    channel = models.CharField(max_length=20)
    recipient = EncryptedTextField("接收人", purpose="phone", blind_index="recipient_bidx", normalize="phone")
    recipient_bidx = BlindIndexField("接收人盲索引", source="recipient", db_index=True)
    purpose = models.CharField("用途", max_length=60)
    body = EncryptedTextField("内容", purpose="notification.body")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "发件箱"
        ordering = ["-id"]
