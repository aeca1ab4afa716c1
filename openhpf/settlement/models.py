"""Bank settlement (结算应用系统): the center's entrusted bank accounts (专户) and the instructions, notices and
statements exchanged with the banks through the settlement gateway (DOMAIN.md "Bank settlement")."""

from __future__ import annotations

from django.db import models


class BankAccount(models.Model):
    """专户: an account of the center at an entrusted bank, with its own ledger sub-account of 101 (住房公积金存款)
    or 102 (增值收益存款)."""

    class Kind(models.TextChoices):
        FUND = "101", "住房公积金存款专户"
        VALUE_ADDED = "102", "增值收益存款专户"

    class Status(models.TextChoices):
        ACTIVE = "A", "正常"
        CLOSED = "C", "已销户"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="bank_accounts")
    bank_code = models.CharField("银行代码", max_length=12)
    bank_name = models.CharField("开户银行", max_length=60)
    account_no = models.CharField("银行账号", max_length=40, unique=True)
    account_name = models.CharField("户名", max_length=120)
    kind = models.CharField("类别", max_length=3, choices=Kind.choices, default=Kind.FUND)
    gl_account = models.OneToOneField("ledger.GLAccount", on_delete=models.PROTECT, related_name="bank_account")
    status = models.CharField(max_length=1, choices=Status.choices, default=Status.ACTIVE)
    opened_on = models.DateField("开户日期")
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "委托银行专户"
        ordering = ["center", "gl_account__code"]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_no}"
