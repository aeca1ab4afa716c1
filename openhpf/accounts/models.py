"""Employers (缴存单位), members (缴存职工) and member accounts (个人账户) — docs/domain.md "Accounts", 条例 Art13–15.

Balances, frozen amount, holds and the year 积数 of a member account live in its ledger sub-account
(ledger.SubAccount), which shares the account's primary key, so set-based work joins them 1:1."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from openhpf.core.codes import (
    EconomicType,
    EmployerStatus,
    FreezeKind,
    IdType,
    Industry,
    MaritalStatus,
    MemberAccountStatus,
    Sex,
)
from openhpf.security.fields import BlindIndexField, EncryptedFieldsMixin, EncryptedTextField


class Employer(EncryptedFieldsMixin, models.Model):
    """缴存单位. account_no = 6-digit center code + 8-digit sequence."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    branch = models.ForeignKey("core.Branch", on_delete=models.PROTECT)
    account_no = models.CharField("单位账号", max_length=20, unique=True)
    legacy_no = models.CharField("原系统单位账号", max_length=40, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("单位名称", max_length=120)
    economic_type = models.CharField("经济类型", max_length=3, choices=EconomicType.choices)
    industry = models.CharField("所属行业", max_length=1, choices=Industry.choices)
    payday = models.PositiveSmallIntegerField("发薪日")
    bank_account = models.ForeignKey(
        "ledger.GLAccount", null=True, blank=True, on_delete=models.PROTECT, verbose_name="受托银行专户"
    )
    employer_ratio = models.DecimalField("单位缴存比例", max_digits=5, decimal_places=4)
    member_ratio = models.DecimalField("个人缴存比例", max_digits=5, decimal_places=4)
    status = models.CharField("单位状态", max_length=2, choices=EmployerStatus.choices, default=EmployerStatus.NORMAL)
    suspense_balance = models.BigIntegerField("暂存款余额（分）", default=0)
    paid_up_to = models.CharField("缴至年月", max_length=6, blank=True)
    contact_name = models.CharField("经办人", max_length=40, blank=True)
    contact_phone = EncryptedTextField("经办人电话", blank=True, purpose="phone", normalize="phone")  # SM4 at rest
    address = models.CharField("单位地址", max_length=200, blank=True)
    # the employer's own bank account (its 开户银行 and 账号: where it pays from and refunds go back to)
    pay_bank_name = models.CharField("单位开户银行", max_length=60, blank=True, default="", db_default="")
    pay_account_no = models.CharField("单位银行账号", max_length=40, blank=True, default="", db_default="")
    opened_date = models.DateField("开户日期")
    closed_date = models.DateField("销户日期", null=True, blank=True)

    class Meta:
        verbose_name = "缴存单位"
        constraints = [
            models.UniqueConstraint(fields=["center", "credit_code"], name="employer_credit_code_unique"),
            models.CheckConstraint(condition=Q(suspense_balance__gte=0), name="employer_suspense_nonneg"),
            models.CheckConstraint(condition=Q(payday__gte=1, payday__lte=31), name="employer_payday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.account_no} {self.name}"


class Member(EncryptedFieldsMixin, models.Model):
    """缴存职工 (the person). One person, one active account (Art13).

    ID number and phone are SM4-GCM encrypted at rest (security.fields) with HMAC-SM3 blind indexes:
    `filter(id_number=…)` / `filter(phone=…)` match exactly through them; birth date and sex are derived at entry."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    name = models.CharField("姓名", max_length=60)
    id_type = models.CharField("证件类型", max_length=2, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = EncryptedTextField("证件号码", purpose="id_number", blind_index="id_number_bidx", normalize="id_number")
    id_number_bidx = BlindIndexField("证件号码盲索引", source="id_number")
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    phone = EncryptedTextField("手机号码", blank=True, purpose="phone", blind_index="phone_bidx", normalize="phone")
    phone_bidx = BlindIndexField("手机号码盲索引", source="phone", db_index=True)
    marital_status = models.CharField("婚姻状况", max_length=2, choices=MaritalStatus.choices, default=MaritalStatus.UNKNOWN)

    class Meta:
        verbose_name = "缴存职工"
        constraints = [models.UniqueConstraint(fields=["id_type", "id_number_bidx"], name="member_id_unique")]
        indexes = [models.Index(fields=["center", "name"])]

    def __str__(self) -> str:
        return self.name


class MemberAccount(models.Model):
    """个人账户. Its primary key is its ledger sub-account's (balances, frozen amount, holds, 积数 live there).

    Status is a state machine (services.py); freezing is an orthogonal flag (FreezeKind) with the frozen
    amount kept on the sub-account; status 06 冻结 is derived for reporting when a full freeze is on."""

    sub = models.OneToOneField("ledger.SubAccount", primary_key=True, on_delete=models.PROTECT, related_name="member_account")
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    branch = models.ForeignKey("core.Branch", on_delete=models.PROTECT)
    account_no = models.CharField("个人账号", max_length=24, unique=True)
    legacy_no = models.CharField("原系统个人账号", max_length=40, blank=True)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="accounts")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="accounts")
    base = models.BigIntegerField("缴存基数（分）")
    employer_ratio = models.DecimalField("单位缴存比例", max_digits=5, decimal_places=4)
    member_ratio = models.DecimalField("个人缴存比例", max_digits=5, decimal_places=4)
    employer_amount = models.BigIntegerField("单位月缴存额（分）")
    member_amount = models.BigIntegerField("个人月缴存额（分）")
    status = models.CharField("账户状态", max_length=2, choices=MemberAccountStatus.choices, default=MemberAccountStatus.NORMAL)
    freeze_kind = models.CharField("冻结标志", max_length=1, choices=FreezeKind.choices, default=FreezeKind.NONE)
    paid_up_to = models.CharField("缴至年月", max_length=6, blank=True)
    opened_date = models.DateField("开户日期")
    sealed_date = models.DateField("封存日期", null=True, blank=True)
    seal_reason = models.CharField("封存原因", max_length=100, blank=True)
    closed_date = models.DateField("销户日期", null=True, blank=True)

    class Meta:
        verbose_name = "个人账户"
        constraints = [
            # one person, one active account (normal or sealed); closed accounts stay as history
            models.UniqueConstraint(
                fields=["member"], condition=Q(status__in=["01", "02"]), name="one_active_account_per_member"
            ),
            models.CheckConstraint(condition=Q(base__gte=0, employer_amount__gte=0, member_amount__gte=0),
                                   name="account_amounts_nonneg"),
        ]
        indexes = [models.Index(fields=["employer", "status"])]

    def __str__(self) -> str:
        return self.account_no

    @property
    def monthly_amount(self) -> int:
        return self.employer_amount + self.member_amount


class RatioReduction(models.Model):
    """An approved 降低缴存比例 for an employer: ratios down to `ratio_floor` for its term only (Art20)."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="ratio_reductions")
    ratio_floor = models.DecimalField("降低后比例下限", max_digits=5, decimal_places=4)
    valid_from = models.DateField()
    valid_to = models.DateField()
    approved_by = models.CharField(max_length=150)
    reference = models.CharField("批准文号", max_length=60, blank=True)

    class Meta:
        verbose_name = "降低缴存比例批准"


class NumberSequence(models.Model):
    """Account-number sequences per center and kind (employer / member), allocated in blocks for bulk work."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    kind = models.CharField(max_length=10)
    last = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["center", "kind"], name="number_sequence_unique")]


class PaidMonths(models.Model):
    """The months an account has paid (缴存月份), one row per account and calendar year: bit m−1 of `months` is
    set when month m is paid, the same bit of `back` when it was paid by 补缴. 缴至年月, the arrears list, 补缴
    candidates and continuity derive from it (paidmonths.py); every path that pays or un-pays a month writes
    it set-based there."""

    pk = models.CompositePrimaryKey("account_id", "year")
    # No database FK (and no index of its own: the key leads with it): a cut-over of a million accounts would
    # queue one deferred FK check per row for its commit. The rows are written set-based from accounts just
    # loaded or looked up, and `hpf verify` (accounts.paid_months) looks for orphans.
    account = models.ForeignKey(MemberAccount, on_delete=models.CASCADE, related_name="paid_years",
                                db_constraint=False, db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    months = models.IntegerField("已缴月份位图", default=0)
    back = models.IntegerField("补缴月份位图", default=0)

    class Meta:
        verbose_name = "已缴月份"


class PaidMonthsAssumed(models.Model):
    """An account whose paid months were not brought by the cut-over (or predate the paid-month store): the
    months from opening to its 缴至年月 were assumed paid without a gap. A clerk lists them
    (`hpf paid-months --assumed`) and checks them against the old system."""

    # no database FK, as for PaidMonths: a cut-over writes one row per account set-based
    account = models.OneToOneField(MemberAccount, primary_key=True, on_delete=models.CASCADE,
                                   related_name="paid_months_assumed", db_constraint=False)
    first_month = models.CharField("推定起始年月", max_length=6)
    last_month = models.CharField("推定截至年月", max_length=6)
    source = models.CharField("来源", max_length=20)  # cutover | migration
    business_date = models.DateField("业务日期")

    class Meta:
        verbose_name = "推定连续缴存的账户"


class PaidMonthsStart(models.Model):
    """The first month an account owes its current employer when it came to it after opening (启封 or 内部转移):
    the month after it came (Art17, as for a new hire). Months before it are not the current employer's
    arrears; an account without a row owes from the month after its opening."""

    account = models.OneToOneField(MemberAccount, primary_key=True, on_delete=models.CASCADE,
                                   related_name="paid_months_start")
    month = models.CharField("起缴年月", max_length=6)
