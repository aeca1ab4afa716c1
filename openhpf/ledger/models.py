"""The double-entry ledger: chart of accounts, periods, journal entries and lines, and the member sub-ledger
(个人明细账) with each account's balances and projected year 积数 (docs/domain.md "Accounting", "Interest")."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from openhpf.core.codes import BizType, GLCategory


class GLAccount(models.Model):
    """会计科目. Only leaf accounts are posted to; 101 has one child per entrusted bank account (专户)."""

    class Side(models.TextChoices):
        DEBIT = "D", "借"
        CREDIT = "C", "贷"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="gl_accounts")
    code = models.CharField("科目代码", max_length=12)
    name = models.CharField("科目名称", max_length=60)
    category = models.CharField(max_length=1, choices=GLCategory.choices)
    normal_side = models.CharField(max_length=1, choices=Side.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    is_leaf = models.BooleanField(default=True)
    bank_name = models.CharField("开户银行", max_length=60, blank=True)
    bank_account_no = models.CharField("银行账号", max_length=40, blank=True)

    class Meta:
        verbose_name = "会计科目"
        constraints = [models.UniqueConstraint(fields=["center", "code"], name="gl_code_unique_in_center")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AccountingPeriod(models.Model):
    """会计期间 (a month). Closed periods are locked: corrections go into the open period as reversals."""

    class Status(models.TextChoices):
        OPEN = "open", "未结账"
        CLOSED = "closed", "已结账"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)
    voucher_seq = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "会计期间"
        constraints = [models.UniqueConstraint(fields=["center", "year", "month"], name="period_unique")]

    @property
    def label(self) -> str:
        return f"{self.year:04d}{self.month:02d}"


class JournalEntry(models.Model):
    """记账凭证. Immutable once posted; a correction is a new entry with reversal_of set."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    period = models.ForeignKey(AccountingPeriod, on_delete=models.PROTECT)
    voucher_no = models.CharField("凭证号", max_length=24)
    business_date = models.DateField("业务日期")
    value_date = models.DateField("起息日")
    source = models.CharField("来源", max_length=60)
    biz_type = models.CharField(max_length=2, choices=BizType.choices, blank=True)
    description = models.CharField("摘要", max_length=200)
    total = models.BigIntegerField("借贷合计（分）")
    reversal_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "记账凭证"
        constraints = [
            models.UniqueConstraint(fields=["center", "voucher_no"], name="voucher_unique_in_center"),
            models.CheckConstraint(condition=Q(total__gte=0), name="entry_total_nonnegative"),
        ]


class JournalLine(models.Model):
    """分录. Exactly one of debit and credit is positive; Σdebit = Σcredit = entry.total per entry."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    account = models.ForeignKey(GLAccount, on_delete=models.PROTECT)
    debit = models.BigIntegerField(default=0)
    credit = models.BigIntegerField(default=0)
    memo = models.CharField(max_length=200, blank=True)
    bank_ref = models.CharField("银行流水/指令号", max_length=60, blank=True, default="", db_default="")

    class Meta:
        verbose_name = "分录"
        constraints = [
            models.UniqueConstraint(fields=["entry", "line_no"], name="line_no_unique"),
            models.CheckConstraint(
                condition=(Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0)), name="line_one_side_positive"
            ),
        ]


class SubAccount(models.Model):
    """个人分户账: the balances behind one member account (the accounts app links its 个人账户 to it 1:1).

    Balances split into 当年归集 (current) and 上年结转 (carried), each with its projected 积数 for the
    interest year starting `year_start`: Σ over the year of the end-of-day balance, kept up to date at every
    posting as amount × days from the value date to 6/30 inclusive. `jishu_base_*` is the part not explained
    by this year's detail rows (opening balance × days in year, or legacy 积数 brought over at cut-over)."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    account_no = models.CharField("个人账号", max_length=24, unique=True)
    balance_current = models.BigIntegerField("当年归集余额", default=0)
    balance_carried = models.BigIntegerField("上年结转余额", default=0)
    frozen_amount = models.BigIntegerField("冻结金额", default=0)
    hold_amount = models.BigIntegerField("在途预留金额", default=0)
    year_start = models.DateField("计息年度起日")
    jishu_current = models.BigIntegerField("当年归集积数", default=0)
    jishu_carried = models.BigIntegerField("上年结转积数", default=0)
    jishu_base_current = models.BigIntegerField(default=0)
    jishu_base_carried = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "个人分户账"
        constraints = [
            models.CheckConstraint(condition=Q(balance_current__gte=0), name="sub_current_nonneg"),
            models.CheckConstraint(condition=Q(balance_carried__gte=0), name="sub_carried_nonneg"),
            models.CheckConstraint(condition=Q(frozen_amount__gte=0, hold_amount__gte=0), name="sub_reserves_nonneg"),
            # Invariant 3: available balance = balance − frozen − holds is never negative.
            models.CheckConstraint(
                condition=Q(balance_current__gte=F("frozen_amount") + F("hold_amount") - F("balance_carried")),
                name="sub_available_nonneg",
            ),
        ]

    @property
    def balance(self) -> int:
        return self.balance_current + self.balance_carried

    @property
    def available(self) -> int:
        return self.balance - self.frozen_amount - self.hold_amount


class SubLedgerRow(models.Model):
    """个人明细账: one row per business event on an account, with the running balance after it.
    Non-money events (open, seal, freeze…) are rows with amount 0 and no journal entry."""

    # No database FK on these two: a million-row batch would queue two deferred FK checks per row at commit.
    # The posting validates every account set-based before inserting, and hpf verify checks for orphans.
    sub_account = models.ForeignKey(SubAccount, on_delete=models.PROTECT, db_index=False, db_constraint=False)
    # indexed per vendor in migration 0002: BRIN on PostgreSQL (rows arrive in entry order), btree on SQLite
    entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    biz_type = models.CharField("业务类型", max_length=2, choices=BizType.choices)
    business_date = models.DateField("业务日期")
    value_date = models.DateField("起息日")
    amount = models.BigIntegerField("发生额")
    amount_current = models.BigIntegerField("当年归集发生额")
    amount_carried = models.BigIntegerField("上年结转发生额")
    balance_after = models.BigIntegerField("余额")
    reference = models.CharField("业务流水", max_length=40, blank=True)

    class Meta:
        verbose_name = "个人明细账"
        indexes = [models.Index(fields=["sub_account", "id"], name="subledger_account_id")]


class PostingBatch(models.Model):
    """A bulk posting (many sub-ledger rows, one balanced GL entry). The key makes it idempotent; rows are
    staged in a table of their own so staging resumes after a crash and the apply runs once."""

    class Status(models.TextChoices):
        STAGING = "staging", "暂存中"
        POSTED = "posted", "已记账"
        FAILED = "failed", "失败"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    key = models.CharField(max_length=120, unique=True)
    biz_type = models.CharField(max_length=2, choices=BizType.choices)
    business_date = models.DateField()
    counter_account = models.ForeignKey(GLAccount, on_delete=models.PROTECT)
    description = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.STAGING)
    rows_staged = models.BigIntegerField(default=0)
    rows_posted = models.BigIntegerField(default=0)
    total_amount = models.BigIntegerField(default=0)
    # True when no account appears twice (the usual monthly batch): the apply then skips the running-balance
    # window and the GROUP BY. None: not known (staging resumed after a crash), checked in SQL.
    unique_accounts = models.BooleanField(null=True)
    entry = models.OneToOneField(JournalEntry, null=True, blank=True, on_delete=models.PROTECT)
    bank_ref = models.CharField(max_length=60, blank=True, default="", db_default="")
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    @property
    def stage_table(self) -> str:
        return f"ledger_stage_{self.pk}"


class EntryDigest(models.Model):
    """The SM3 digest of one journal entry over the entry, its lines and its sub-ledger rows (ledger.digests),
    computed by the audit sealer after the entry committed; each batch's root is sealed into the audit chain, so
    a row rewritten later (even with the database's triggers off) no longer matches. Written only by the sealer."""

    entry_id = models.BigIntegerField(primary_key=True)
    digest = models.CharField(max_length=64)
    batch = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = "记账凭证摘要"


class DigestMark(models.Model):
    """The last digest batch `hpf verify` recomputed without a breach: the next run starts after it (--full
    recomputes every batch)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    batch = models.BigIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
