"""个人住房公积金缴存使用证明 (item HPF-P-CERT): one issued certificate.

The facts printed on it are kept as they stood when it was issued (`facts`: figures, names of codes, the masked
name and ID number); the full name and ID number are not copied here, they are read from the member's record
when a verifier types the code printed on the certificate. Only the code's SM3 (salted) is stored. The PDF is a
documents.Document (SM3) with a detached SM2 signature (security.DocumentSignature)."""

from __future__ import annotations

from django.db import models


class Purpose(models.TextChoices):
    REMOTE_LOAN = "remote_loan", "异地贷款"
    LOAN = "loan", "本地贷款"
    SETTLEMENT = "settlement", "落户、入学等证明"
    OTHER = "other", "其他"


class Certificate(models.Model):
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("证明编号", max_length=24, unique=True)
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="+", verbose_name="办件")
    member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey("accounts.MemberAccount", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField("用途", max_length=20, choices=Purpose.choices)
    note = models.CharField("备注", max_length=100, blank=True)
    issued_on = models.DateField("出具日期")
    facts = models.JSONField("证明内容", default=dict)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    code_salt = models.CharField("验证码盐值", max_length=32)
    code_hash = models.CharField("验证码摘要", max_length=64)
    issued_by = models.CharField("出具人", max_length=150)
    created_at = models.DateTimeField("出具时间", auto_now_add=True)

    class Meta:
        verbose_name = "缴存使用证明"
        ordering = ["-id"]
        indexes = [models.Index(fields=["member", "issued_on"], name="cert_member")]

    def __str__(self) -> str:
        return self.number
