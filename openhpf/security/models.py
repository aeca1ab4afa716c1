"""Detached SM2 signatures of archived documents (the documents app keeps the file and its SM3 digest)."""

from __future__ import annotations

from django.db import models


class DocumentSignature(models.Model):
    """The center's SM2 signature over a document's SM3 digest (the 32 digest bytes are the signed message,
    user id 1234567812345678), with the public key that verifies it. A document may be re-signed (new row)."""

    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="signatures")
    sm3 = models.CharField("签名时的SM3摘要", max_length=64)
    signature = models.CharField("SM2签名（r‖s）", max_length=128)
    public_key = models.CharField("验签公钥", max_length=130)
    signed_by = models.CharField("签名人", max_length=150)
    signed_at = models.DateTimeField("签名时间")

    class Meta:
        verbose_name = "档案电子签名"
        indexes = [models.Index(fields=["document", "signed_at"], name="docsig_document")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.signed_at:%Y-%m-%d}"
