"""From the approved application to the disbursed loan: contract, signatures, collateral, disbursement; and the
骗提骗贷 record the eligibility rules read.

The application itself (borrower, spouse, co-borrowers, property, income, amount, term, method) is the engine's
`applications.Application` and its payload (validated by `loans.handlers`); these models hold what follows it.

- `FraudFlag`: a member recorded for 骗提骗贷 (obtaining withdrawals or loans by deceit) from a date, until lifted.
- `LoanContract`: one per approved application: 借款合同 number, the terms as approved (principal, rate, months,
  method, first due date, first/second home), the contract PDF (a stored document sealed with the center's SM2
  key once every borrower has signed), its state.
- `ContractSignature`: one borrower's signature: electronic (the signer's signature over the contract's SM3,
  recorded with its evidence) or on paper scanned at the counter (the scan stored as a document).
- `Collateral`: the mortgaged home: certificate, appraised value, LTV, registration (none → 预告登记 → 抵押登记),
  and the developer's 阶段性担保 for a 期房 until 抵押登记.
- `Disbursement`: the payment of the loan to the seller's or developer's account through the settlement gateway,
  its instruction, bank reference, the voucher, and the linked down-payment withdrawal."""

from __future__ import annotations

from django.db import models

from openhpf.security.fields import BlindIndexField, EncryptedFieldsMixin, EncryptedTextField


class FraudFlag(models.Model):
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("认定事由", max_length=200)
    flagged_on = models.DateField("认定日期")
    lifted_on = models.DateField("解除日期", null=True, blank=True)
    recorded_by = models.CharField("登记人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "骗提骗贷记录"
        indexes = [models.Index(fields=["member", "flagged_on"], name="loan_fraud_member")]


class HomeOrder(models.TextChoices):
    FIRST = "first", "首套住房"
    SECOND = "second", "第二套住房"


class LoanContract(models.Model):
    class Status(models.TextChoices):
        DRAFTED = "drafted", "待签订"
        SIGNED = "signed", "已签订"
        CANCELLED = "cancelled", "已作废"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="loan_contract")
    loan = models.OneToOneField("loans.Loan", on_delete=models.PROTECT, related_name="contract")
    contract_no = models.CharField("借款合同编号", max_length=40, unique=True)
    principal = models.BigIntegerField("贷款金额（分）")
    annual_rate = models.DecimalField("年利率（%）", max_digits=7, decimal_places=4)
    months = models.PositiveSmallIntegerField("贷款期限（月）")
    method = models.CharField("还款方式", max_length=2)
    first_due = models.DateField("首次还款日")
    home_order = models.CharField("住房套数认定", max_length=10, choices=HomeOrder.choices)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFTED)
    signed_on = models.DateField("签订日期", null=True, blank=True)
    drawn_on = models.DateField("生成日期")
    created_by = models.CharField("经办人", max_length=150)
    # 组合贷款: the commercial part is the bank's loan, referenced here (the HPF part is this contract's)
    commercial_bank = models.CharField("商业贷款银行", max_length=60, blank=True)
    commercial_contract_no = models.CharField("商业贷款合同编号", max_length=60, blank=True)
    commercial_amount = models.BigIntegerField("商业贷款金额（分）", default=0)
    commercial_months = models.PositiveSmallIntegerField("商业贷款期限（月）", default=0)
    commercial_payment = models.BigIntegerField("商业贷款月还款额（分）", default=0)

    class Meta:
        verbose_name = "借款合同"


class ContractSignature(models.Model):
    class Way(models.TextChoices):
        ELECTRONIC = "electronic", "可靠电子签名"
        PAPER = "paper", "纸质签字（柜台扫描）"

    contract = models.ForeignKey(LoanContract, on_delete=models.CASCADE, related_name="signatures")
    member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField("身份", max_length=12)
    signer_name = models.CharField("签署人", max_length=60)
    way = models.CharField("签署方式", max_length=10, choices=Way.choices)
    contract_sm3 = models.CharField("所签合同 SM3", max_length=64)
    evidence = models.CharField("签名凭据", max_length=200, blank=True)
    scan = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    signed_on = models.DateField("签署日期")
    recorded_by = models.CharField("记录人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "借款合同签署"
        constraints = [models.UniqueConstraint(fields=["contract", "role", "signer_name"], name="loan_sig_once")]


class Collateral(models.Model):
    class Registration(models.TextChoices):
        NONE = "none", "未登记"
        PRELIMINARY = "preliminary", "抵押预告登记"
        REGISTERED = "registered", "抵押登记"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="loan_collateral")
    certificate_no = models.CharField("不动产权证号或预告登记证明号", max_length=60)
    appraised_value = models.BigIntegerField("评估价值（分）")
    ltv = models.DecimalField("抵押率", max_digits=7, decimal_places=4)
    registration = models.CharField("登记状态", max_length=12, choices=Registration.choices,
                                    default=Registration.NONE)
    preliminary_no = models.CharField("预告登记证明号", max_length=60, blank=True)
    preliminary_on = models.DateField("预告登记日期", null=True, blank=True)
    registration_no = models.CharField("抵押登记证明号", max_length=60, blank=True)
    registered_on = models.DateField("抵押登记日期", null=True, blank=True)
    guarantor = models.CharField("阶段性担保人（开发企业）", max_length=120, blank=True)
    guarantee_no = models.CharField("阶段性担保合同编号", max_length=60, blank=True)
    guarantee_until = models.CharField("阶段性担保期限", max_length=40, blank=True)
    recorded_by = models.CharField("登记人", max_length=150)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "贷款抵押物"


class Disbursement(models.Model):
    class State(models.TextChoices):
        SENT = "sent", "已提交银行"
        PAID = "paid", "已放款"
        FAILED = "failed", "放款失败"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="loan_disbursement")
    loan = models.OneToOneField("loans.Loan", on_delete=models.PROTECT, related_name="disbursement")
    amount = models.BigIntegerField("放款金额（分）")
    payee_account = models.CharField("收款账号", max_length=40)
    payee_name = models.CharField("收款户名", max_length=120)
    payee_kind = models.CharField("收款人类别", max_length=12)
    instruction_seq = models.CharField("结算指令流水号", max_length=40, blank=True)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.SENT)
    bank_seq = models.CharField("银行流水号", max_length=40, blank=True)
    paid_on = models.DateField("放款日期", null=True, blank=True)
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    down_payment_application = models.CharField("首付款提取办件编号", max_length=30, blank=True)
    message = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "贷款发放"


class LoanGuarantor(EncryptedFieldsMixin, models.Model):
    """A guarantor (保证人) where the product requires one (`LoanProduct.guarantor_required`): a person who
    guarantees the loan (担保方式 03 保证), beyond the developer's 阶段性担保 recorded with the collateral. The ID
    number is SM4-encrypted with a blind index, shown masked."""

    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT,
                                     related_name="loan_guarantors")
    name = models.CharField("保证人姓名", max_length=60)
    id_number = EncryptedTextField("保证人证件号码", purpose="id_number", blind_index="id_number_bidx",
                                   normalize="id_number")
    id_number_bidx = BlindIndexField("保证人证件号码盲索引", source="id_number", db_index=True)
    guarantee_type = models.CharField("担保方式", max_length=2, default="03")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "贷款保证人"
        constraints = [models.UniqueConstraint(fields=["application", "id_number_bidx"], name="loan_guarantor_once")]


class LoanParty(models.Model):
    """A member of this center who is a party to a loan: the borrower, the spouse, a co-borrower. It is how the
    household rules find a member's loans whatever their role (a spouse already borrowing), and how withdrawals
    see the loans a member repays."""

    class Role(models.TextChoices):
        BORROWER = "borrower", "借款人"
        SPOUSE = "spouse", "配偶"
        CO_BORROWER = "co_borrower", "共同借款人"

    loan = models.ForeignKey("loans.Loan", on_delete=models.CASCADE, related_name="parties")
    member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("身份", max_length=12, choices=Role.choices)

    class Meta:
        verbose_name = "贷款当事人"
        constraints = [models.UniqueConstraint(fields=["loan", "member"], name="loan_party_once")]
        indexes = [models.Index(fields=["member"], name="loan_party_member")]
