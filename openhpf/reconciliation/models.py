"""日终对账 (daily bank reconciliation): bank statements (BDC113 账户明细) per 专户 and day, the reconciliation of
each day against the ledger lines of the account's GL sub-account, its open items (未达账项 and differences)
and the 银行存款余额调节表 (docs/architecture.md, invariant 4)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Direction(models.TextChoices):
    """收支方向, as on the bank statement: money into (in) or out of (out) the center's account."""

    IN = "in", "收入"
    OUT = "out", "支出"


class BankStatement(models.Model):
    """银行对账单: one 专户's statement for one day, loaded whole or not at all. `digest` (SM3 over the header
    and every line) makes a repeated load of the same statement a no-op."""

    class Source(models.TextChoices):
        GATEWAY = "gateway", "结算网关（BDC113）"
        FILE = "file", "对账单文件"
        API = "api", "接口"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    bank_account = models.ForeignKey("settlement.BankAccount", on_delete=models.PROTECT, related_name="statements")
    stmt_date = models.DateField("对账单日期")
    opening_balance = models.BigIntegerField("期初余额（分）")
    closing_balance = models.BigIntegerField("期末余额（分）")
    line_count = models.BigIntegerField("笔数", default=0)
    total_in = models.BigIntegerField("收入合计（分）", default=0)
    total_out = models.BigIntegerField("支出合计（分）", default=0)
    digest = models.CharField("内容摘要（SM3）", max_length=64)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.GATEWAY)
    business_date = models.DateField("业务日期")
    loaded_by = models.CharField(max_length=150)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "银行对账单"
        constraints = [
            models.UniqueConstraint(fields=["bank_account", "stmt_date"], name="statement_one_per_day"),
            models.CheckConstraint(condition=Q(total_in__gte=0, total_out__gte=0, line_count__gte=0),
                                   name="statement_totals_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_account_id} {self.stmt_date}"


class StatementLine(models.Model):
    """对账单明细: one line of a bank statement (BDC113 lines). `ref` is the center's instruction `seq` when the
    line comes from an instruction of the center (empty for money others sent), so the matching key of a line
    is its ref, else its bank_seq."""

    # No database FK (a million lines a day would queue a deferred check per row); lines are only ever
    # written and deleted together with their statement by services.statement_load.
    statement = models.ForeignKey(BankStatement, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                                  related_name="lines")
    line_no = models.IntegerField("行号")
    bank_seq = models.CharField("银行流水号", max_length=40)
    direction = models.CharField("收支方向", max_length=3, choices=Direction.choices)
    amount = models.BigIntegerField("金额（分）")
    balance = models.BigIntegerField("余额（分）")
    counter_account = models.CharField("对方账号", max_length=40, blank=True)
    counter_name = models.CharField("对方户名", max_length=200, blank=True)
    summary = models.CharField("摘要", max_length=200, blank=True)
    ref = models.CharField("指令流水号", max_length=60, blank=True)

    class Meta:
        verbose_name = "对账单明细"
        constraints = [models.UniqueConstraint(fields=["statement", "line_no"], name="statement_line_no_unique")]

    @property
    def key(self) -> str:
        return self.ref or self.bank_seq


class Reconciliation(models.Model):
    """日终对账 of one 专户 for one day, with its 银行存款余额调节表:

        bank closing + 单位已收银行未收 − 单位已付银行未付 = book balance + 银行已收单位未收 − 银行已付单位未付

    The four sums are over the items open at the end of the day (金额不符 items counted on their own side and
    direction). BALANCED when the two adjusted balances agree and every open item is explained or a timing
    difference (未达账项 that arose this day); else UNEXPLAINED, and day-end cannot close."""

    class Status(models.TextChoices):
        BALANCED = "balanced", "平衡"
        UNEXPLAINED = "unexplained", "存在未说明差异"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    bank_account = models.ForeignKey("settlement.BankAccount", on_delete=models.PROTECT,
                                     related_name="reconciliations")
    recon_date = models.DateField("对账日期")
    statement = models.OneToOneField(BankStatement, on_delete=models.PROTECT, related_name="reconciliation")
    prev = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField("业务日期")
    run_by = models.CharField(max_length=150)
    run_at = models.DateTimeField(auto_now=True)
    duration_ms = models.BigIntegerField("耗时（毫秒）", default=0)
    # the highest journal line id this run saw: a later run takes lines posted afterwards with an earlier date
    book_watermark = models.BigIntegerField(default=0)
    statement_lines = models.BigIntegerField("对账单笔数", default=0)
    book_lines = models.BigIntegerField("账面笔数（含上日未达）", default=0)
    carried_items = models.BigIntegerField("带入的上日未达账项", default=0)
    matched_by_key = models.BigIntegerField("按流水号勾对（对）", default=0)
    matched_by_sum = models.BigIntegerField("按流水号合计勾对（笔）", default=0)
    matched_by_amount = models.BigIntegerField("按方向金额勾对（对）", default=0)
    cancelled = models.BigIntegerField("冲正相抵（笔）", default=0)
    carried_closed = models.BigIntegerField("本日勾销的上日未达账项", default=0)
    items_new = models.BigIntegerField("本日新增差异", default=0)
    opening_gap = models.BigIntegerField("期初余额与上一对账单期末之差（分）", null=True, blank=True)
    bank_closing = models.BigIntegerField("银行对账单余额（分）", default=0)
    book_closing = models.BigIntegerField("单位账面余额（分）", default=0)
    bank_in_open = models.BigIntegerField("银行已收单位未收（分）", default=0)
    bank_out_open = models.BigIntegerField("银行已付单位未付（分）", default=0)
    book_in_open = models.BigIntegerField("单位已收银行未收（分）", default=0)
    book_out_open = models.BigIntegerField("单位已付银行未付（分）", default=0)
    mismatch_items = models.BigIntegerField("金额不符（笔）", default=0)
    items_open = models.BigIntegerField("未达账项与差异（笔）", default=0)
    items_unexplained = models.BigIntegerField("未说明（笔）", default=0)
    difference = models.BigIntegerField("调节后差额（分）", default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.UNEXPLAINED)

    class Meta:
        verbose_name = "日终对账"
        constraints = [models.UniqueConstraint(fields=["bank_account", "recon_date"], name="recon_one_per_day")]
        indexes = [models.Index(fields=["center", "recon_date"], name="recon_center_date")]

    @property
    def is_balanced(self) -> bool:
        return self.status == self.Status.BALANCED

    @property
    def adjusted_bank(self) -> int:
        """调节后银行余额 = bank closing + 单位已收银行未收 − 单位已付银行未付."""
        return self.bank_closing + self.book_in_open - self.book_out_open

    @property
    def adjusted_book(self) -> int:
        """调节后单位账面余额 = book balance + 银行已收单位未收 − 银行已付单位未付."""
        return self.book_closing + self.bank_in_open - self.bank_out_open


class ItemSide(models.TextChoices):
    """ReconItem.Side (module level so that the model's constraint can name its members)."""

    BANK = "bank", "银行方"
    BOOK = "book", "单位方"


class ReconItem(models.Model):
    """An open item of the reconciliation (未达账项 or 差异): one statement line (bank side) or one ledger line
    (book side) that did not match, with its reason. It stays open, carried into the next days, until a later
    day matches it (closed, 已勾对) or finance resolves it (已核销); finance may explain it meanwhile."""

    class Reason(models.TextChoices):
        BANK_IN = "BI", "银行已收单位未收"
        BANK_OUT = "BO", "银行已付单位未付"
        BOOK_IN = "KI", "单位已收银行未收"
        BOOK_OUT = "KO", "单位已付银行未付"
        AMOUNT = "AM", "金额不符"

    Side = ItemSide

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        EXPLAINED = "explained", "已说明"
        RESOLVED = "resolved", "已核销"

    class Close(models.TextChoices):
        MATCHED = "matched", "已勾对"
        SUPERSEDED = "superseded", "转为金额不符"
        RESOLVED = "resolved", "已核销"

    TIMING_REASONS = (Reason.BANK_IN, Reason.BANK_OUT, Reason.BOOK_IN, Reason.BOOK_OUT)

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    bank_account = models.ForeignKey("settlement.BankAccount", on_delete=models.PROTECT, related_name="recon_items")
    opened_in = models.ForeignKey(Reconciliation, on_delete=models.PROTECT, related_name="items_opened")
    opened_on = models.DateField("发现日期")
    reason = models.CharField("原因", max_length=2, choices=Reason.choices)
    side = models.CharField("方", max_length=20, choices=Side.choices)
    direction = models.CharField("收支方向", max_length=3, choices=Direction.choices)
    amount = models.BigIntegerField("金额（分）")
    ref_key = models.CharField("流水号/指令号", max_length=60, blank=True)
    statement_line = models.ForeignKey(StatementLine, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    journal_line = models.ForeignKey("ledger.JournalLine", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    line_date = models.DateField("发生日期")
    status = models.CharField("处理状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    note = models.TextField("说明", blank=True)
    explained_by = models.CharField(max_length=150, blank=True)
    explained_on = models.DateField(null=True, blank=True)
    explained_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField("勾销日期", null=True, blank=True)
    closed_in = models.ForeignKey(Reconciliation, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="items_closed")
    close_kind = models.CharField(max_length=20, choices=Close.choices, blank=True)

    class Meta:
        verbose_name = "未达账项与差异"
        indexes = [models.Index(fields=["bank_account", "closed_on"], name="reconitem_account_open")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reconitem_amount_positive"),
            models.CheckConstraint(
                condition=(Q(side=ItemSide.BANK, statement_line__isnull=False, journal_line__isnull=True)
                           | Q(side=ItemSide.BOOK, statement_line__isnull=True, journal_line__isnull=False)),
                name="reconitem_one_line"),
        ]

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def is_timing_on(self, day) -> bool:
        """A 未达账项 that arose on `day` is a timing difference (在途) that day; carried over, it needs a note."""
        return self.reason in self.TIMING_REASONS and self.opened_on == day


class ReconMatch(models.Model):
    """勾对结果: which statement line matched which ledger line, and by which rule. Pairs (rules key and amount)
    carry both lines; group matches (sum, by the key's totals) and cancellations (cancel, a reversal and its
    original, or a bank line and its return) carry one line per row."""

    class Rule(models.TextChoices):
        KEY = "key", "流水号、方向、金额相同"
        SUM = "sum", "同一流水号合计相同"
        CANCEL = "cancel", "冲正相抵"
        AMOUNT = "amount", "方向金额相同（无流水号的凭证）"

    # Plain references (a million rows a day): no database FKs; the one index (to replace a day's result) is made
    # per vendor in migration 0002: BRIN on PostgreSQL (rows arrive in reconciliation order), btree on SQLite.
    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.DO_NOTHING, db_constraint=False,
                                       db_index=False, related_name="+")
    rule = models.CharField(max_length=20, choices=Rule.choices)
    statement_line = models.ForeignKey(StatementLine, null=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                       db_index=False, related_name="+")
    journal_line = models.ForeignKey("ledger.JournalLine", null=True, on_delete=models.DO_NOTHING,
                                     db_constraint=False, db_index=False, related_name="+")

    class Meta:
        verbose_name = "勾对结果"
