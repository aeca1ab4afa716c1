"""Checkpoints sealed before checkpoints were signed get the center's SM2 signature now (hpf verify requires one).

Their Merkle roots are still checked against the records by hpf verify, so signing them adds no trust to a
tampered batch: a batch whose records no longer match its root is reported either way."""

from django.db import migrations


def sign_existing(apps, schema_editor):
    from openhpf.security.services import checkpoint_sign

    Checkpoint = apps.get_model("audit", "AuditCheckpoint")
    for cp in Checkpoint.objects.filter(signature="").order_by("last_seq").iterator(chunk_size=500):
        cp.signature = checkpoint_sign(first_seq=cp.first_seq, last_seq=cp.last_seq, merkle_root=cp.merkle_root,
                                       head_hash=cp.head_hash)
        cp.save(update_fields=["signature"])


SEEDS: list = []  # nothing for the test reseed: signs rows that existed


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial"), ("audit", "0002_append_only")]

    operations = [migrations.RunPython(sign_existing, migrations.RunPython.noop, elidable=False)]
