"""A housing loan (个人住房公积金贷款) and its repayment schedule.

- `Loan`: one contract's loan: the borrower (the member whose account is the primary one), the terms in force
  (principal, annual rate in %, months, repayment method, first due date), the state, the outstanding principal.
  Money in fen. Rate changes (the 1 January repricing) and prepayments re-schedule the remaining installments.
- `LoanInstallment`: one period of the schedule (期次), due date, principal and interest due, the balance after it.
  Narrow on purpose: 20 million rows for a megacity's book. The amounts paid against it arrive with servicing."""

from __future__ import annotations

from django.db import models

from openhpf.core.codes import LoanClass, RepaymentMethod


class Loan(models.Model):
    class Status(models.TextChoices):
        APPROVED = "approved", "已审批待放款"
        ACTIVE = "active", "还款中"
        SETTLED = "settled", "已结清"
        WRITTEN_OFF = "written_off", "已核销"
        CANCELLED = "cancelled", "已撤销"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("贷款账号", max_length=32, unique=True)
    contract_no = models.CharField("借款合同编号", max_length=40, blank=True, db_index=True)
    borrower = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="loans")
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="loan")
    product_code = models.CharField("贷款产品", max_length=20, blank=True)
    principal = models.BigIntegerField("贷款金额（分）")
    annual_rate = models.DecimalField("年利率（%）", max_digits=7, decimal_places=4)
    months = models.PositiveSmallIntegerField("贷款期限（月）")
    method = models.CharField("还款方式", max_length=2, choices=RepaymentMethod.choices)
    first_due = models.DateField("首次还款日")
    disbursed_on = models.DateField("放款日期", null=True, blank=True)
    maturity = models.DateField("到期日", null=True, blank=True)
    outstanding = models.BigIntegerField("贷款余额（分）", default=0)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.APPROVED)
    risk_class = models.CharField("五级分类", max_length=2, choices=LoanClass.choices, default=LoanClass.NORMAL)
    # servicing (models/servicing.py): principal overdue (the part of `outstanding` in 122), the interest
    # fallen due and unpaid, the first unpaid due date, the schedule version in force, a manual class override,
    # the collateral's last known status, and the COB lock (the business date whose close of business holds it)
    overdue_principal = models.BigIntegerField("逾期本金（分）", default=0)
    overdue_interest = models.BigIntegerField("欠息（分）", default=0)
    overdue_since = models.DateField("最早未还应还日", null=True, blank=True)
    schedule_version = models.PositiveSmallIntegerField("还款计划版本", default=1)
    class_override = models.CharField("人工认定分类", max_length=2, choices=LoanClass.choices, blank=True)
    class_override_until = models.DateField("人工认定有效期至", null=True, blank=True)
    collateral_status = models.CharField("抵押物状态", max_length=10, blank=True)
    written_off = models.BigIntegerField("已核销本金（分）", default=0)
    offset_allowed = models.BooleanField("合同约定逾期可强制冲还", default=True, db_default=True)  # from the parties' HPF balances
    cob_date = models.DateField("日终处理中（营业日）", null=True, blank=True)
    settled_on = models.DateField("结清日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "个人住房贷款"
        indexes = [models.Index(fields=["center", "status"], name="loan_center_status"),
                   models.Index(fields=["borrower", "status"], name="loan_borrower_status")]

    def __str__(self) -> str:
        return self.number


class LoanInstallment(models.Model):
    id = models.BigAutoField(primary_key=True)
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments", db_index=False)
    period = models.PositiveSmallIntegerField("期次")
    due_date = models.DateField("应还日期")
    principal = models.BigIntegerField("应还本金（分）")
    interest = models.BigIntegerField("应还利息（分）")
    balance = models.BigIntegerField("本期后贷款余额（分）")

    class Meta:
        verbose_name = "还款计划"
        constraints = [models.UniqueConstraint(fields=["loan", "period"], name="loan_installment_period")]
        # the COB's due step and the reminders find the day's installments by date, not by scanning schedules
        indexes = [models.Index(fields=["due_date", "loan"], name="loan_installment_due")]

    @property
    def payment(self) -> int:
        return self.principal + self.interest
