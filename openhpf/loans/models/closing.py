"""After a loan is settled (已结清): the 贷款结清证明 and the release of the mortgage (解除抵押).

- `LoanSettlementCertificate`: one per settled loan: its number, the PDF (a stored document sealed with the
  center's SM2 key, verifiable like the contract), the date it was issued.
- `CollateralRelease`: one per settled loan: the 解除抵押通知书 sent to the real-estate registry (its number, the
  PDF, the registry exchange that carried it), the date of release."""

from __future__ import annotations

from django.db import models


class LoanSettlementCertificate(models.Model):
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    loan = models.OneToOneField("loans.Loan", on_delete=models.PROTECT, related_name="settlement_certificate")
    number = models.CharField("证明编号", max_length=40, unique=True)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField("出具日期")
    created_by = models.CharField("经办", max_length=150)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "贷款结清证明"


class CollateralRelease(models.Model):
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    loan = models.OneToOneField("loans.Loan", on_delete=models.PROTECT, related_name="collateral_release")
    letter_no = models.CharField("解除抵押通知书编号", max_length=40, unique=True)
    certificate_no = models.CharField("不动产权证号", max_length=60, blank=True)
    registration_no = models.CharField("抵押登记证明号", max_length=60, blank=True)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    registry_query = models.BigIntegerField("登记机构交换记录", null=True, blank=True)
    registry_status = models.CharField("登记机构答复", max_length=20, blank=True)
    released_on = models.DateField("解押日期")
    created_by = models.CharField("经办", max_length=150)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "解除抵押"
