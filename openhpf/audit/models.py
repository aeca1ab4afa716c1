"""The append-only audit trail and its SM3 hash chain (docs/architecture.md, "Transactions")."""

from __future__ import annotations

from django.db import models


class AuditRecord(models.Model):
    """One audited action, written by a service in the change's own transaction, without a hash.

    The sealer later assigns `seq` in commit order and chains `hash` = SM3(prev_hash ‖ canonical content),
    so concurrent transactions never contend for one chain head."""

    center = models.ForeignKey("core.Center", null=True, blank=True, on_delete=models.PROTECT, db_index=False)
    actor = models.CharField("操作人", max_length=150)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    # the typed actor (core.actors): staff/member/agent/partner/system and its id. NULL, not "", on the rows
    # written before typed actors (and when nobody acted): "unknown" and "none" must stay apart
    actor_kind = models.CharField("操作主体类型", max_length=10, null=True, blank=True)  # noqa: DJ001
    actor_id = models.CharField("操作主体标识", max_length=64, null=True, blank=True)  # noqa: DJ001
    action = models.CharField("操作", max_length=80)
    business_date = models.DateField("业务日期", null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField("记录时间")
    seq = models.BigIntegerField("链序号", null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)
    # the canonical form the hash covers (audit.services.record_content): NULL for rows sealed before form 2
    hash_version = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "审计记录"
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "created_at"]),
            models.Index(fields=["created_at"], name="audit_unsealed", condition=models.Q(seq__isnull=True)),
        ]


class AuditChainHead(models.Model):
    """The single chain head the sealer locks; concurrent services never touch it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


class AuditCheckpoint(models.Model):
    """One sealed batch: its seq range, the Merkle root of its record hashes and the chain head after it.
    The security work signs the root with the center's SM2 key (signature)."""

    first_seq = models.BigIntegerField()
    last_seq = models.BigIntegerField(unique=True)
    merkle_root = models.CharField(max_length=64)
    head_hash = models.CharField(max_length=64)
    signature = models.TextField(blank=True)
    created_at = models.DateTimeField()


class Installation(models.Model):
    """This database's installation id, created once by migration 0004: it names the audit anchor file
    (`<HPF_AUDIT_ANCHOR_DIR>/<installation_id>.anchor`). `anchored_at` records that an anchor was written, so a
    lost anchor file is a breach rather than a fresh start."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    installation_id = models.CharField("安装标识", max_length=36, unique=True)
    created_at = models.DateTimeField()
    anchored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "安装标识"
