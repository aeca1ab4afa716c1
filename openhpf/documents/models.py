"""Business archive documents (业务档案): scanned or generated files linked to any business object."""

from __future__ import annotations

import uuid

from django.db import models

from openhpf.core.codes import RetentionClass


class DocType(models.TextChoices):
    """档案类型: what a document is (a local code table, not one of JGJ/T 320)."""

    ID_PROOF = "id_proof", "身份证明"
    HOUSEHOLD_REGISTER = "household", "户口簿"
    APPLICATION = "application", "申请表"
    PURCHASE_CONTRACT = "purchase_contract", "购房合同"
    PROPERTY_CERTIFICATE = "property_cert", "不动产权证书"
    LEASE_CONTRACT = "lease_contract", "租赁合同"
    MARRIAGE_PROOF = "marriage_proof", "婚姻证明"
    INCOME_PROOF = "income_proof", "收入证明"
    EMPLOYMENT_PROOF = "employment_proof", "单位证明"
    LOAN_CONTRACT = "loan_contract", "借款合同"
    MORTGAGE_CONTRACT = "mortgage_contract", "抵押合同"
    BANK_RECEIPT = "bank_receipt", "银行凭证"
    MEDICAL_PROOF = "medical_proof", "医疗证明"
    RETIREMENT_PROOF = "retirement_proof", "退休证明"
    POWER_OF_ATTORNEY = "power_of_attorney", "授权委托书"
    GENERATED_REPORT = "report", "生成报表"
    OTHER = "other", "其他"


def document_upload_to(instance: Document, filename: str) -> str:
    """documents/<center code>/<yyyy>/<mm>/<uuid>: no part of the client's file name reaches the storage path."""
    month = instance.business_date
    return f"documents/{instance.center.code}/{month:%Y}/{month:%m}/{uuid.uuid4().hex}"


class Document(models.Model):
    """One archived file, its SM3 digest (checked by `hpf documents_verify`) and what it belongs to."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField("档案类型", max_length=32, choices=DocType.choices)
    retention = models.CharField("保管期限", max_length=3, choices=RetentionClass.choices)
    file = models.FileField("文件", upload_to=document_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.BigIntegerField("大小（字节）")
    sm3 = models.CharField("SM3摘要", max_length=64)
    # The business object this document belongs to: its model label (app_label.model) and primary key.
    object_type = models.CharField("业务对象类型", max_length=100, blank=True)
    object_id = models.CharField("业务对象标识", max_length=64, blank=True)
    uploaded_by = models.CharField("上传人", max_length=150)
    business_date = models.DateField("业务日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "业务档案"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="document_size_positive"),
            models.CheckConstraint(condition=models.Q(sm3__regex=r"^[0-9a-f]{64}$"), name="document_sm3_hex"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="document_object"),
            models.Index(fields=["center", "business_date"], name="document_center_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.original_name}"


class Receipt(models.Model):
    """业务回单: what a counter transaction did, as printed for the customer and kept for the file. Lines are the
    display text of the moment (amounts in 元, personal data masked as the operator saw it), so a reprint shows
    exactly what was handed over. `token` is the one-time token of the form that issued it: a second submission
    of the same form finds this receipt instead of running the transaction again."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="receipts")
    number = models.CharField("回单编号", max_length=32)
    kind = models.CharField("业务类型代码", max_length=64)
    title = models.CharField("业务名称", max_length=100)
    lines = models.JSONField("回单内容", default=list)  # [[label, value], …]
    amount = models.BigIntegerField("金额（分）", null=True, blank=True)
    object_type = models.CharField("业务对象类型", max_length=100, blank=True)
    object_id = models.CharField("业务对象标识", max_length=64, blank=True)
    back_url = models.CharField("返回地址", max_length=300, blank=True)
    operator = models.CharField("经办人账号", max_length=150)
    operator_name = models.CharField("经办人", max_length=150)
    business_date = models.DateField("业务日期")
    # NULL, not "": receipts issued without a form token must not collide on (center, token)
    token = models.CharField("表单令牌", max_length=64, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField("办理时间", auto_now_add=True)

    class Meta:
        verbose_name = "业务回单"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="receipt_number_unique"),
            models.UniqueConstraint(fields=["center", "token"], name="receipt_token_unique"),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"], name="receipt_object_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
