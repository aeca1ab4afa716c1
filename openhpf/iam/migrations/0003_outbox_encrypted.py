"""The development outbox keeps recipient and text SM4 encrypted (a phone number and a one-time code), with a
blind index on the recipient; rows written before are encrypted in place."""

from django.db import migrations, models

import openhpf.security.fields


def encrypt_existing(apps, schema_editor):
    from openhpf.security.fields import ENCRYPTED, blind_index, encrypt_value

    conn = schema_editor.connection
    with conn.cursor() as cur:
        cur.execute("SELECT id, recipient, body FROM iam_outbox")
        rows = [r for r in cur.fetchall() if not ENCRYPTED.match(r[1] or "")]
        cur.executemany(
            "UPDATE iam_outbox SET recipient = %s, recipient_bidx = %s, body = %s WHERE id = %s",
            [(encrypt_value("phone", recipient), blind_index("phone", recipient, "phone"),
              encrypt_value("notification.body", body), pk) for pk, recipient, body in rows])


SEEDS: list = []  # nothing for the test reseed: encrypts rows that existed


class Migration(migrations.Migration):
    dependencies = [("iam", "0002_principals_and_login_security")]

    operations = [
        migrations.AddField(
            model_name="outbox", name="recipient_bidx",
            field=openhpf.security.fields.BlindIndexField(db_index=True, source="recipient", verbose_name="接收人盲索引"),
        ),
        migrations.AlterField(
            model_name="outbox", name="body",
            field=openhpf.security.fields.EncryptedTextField(purpose="notification.body", verbose_name="内容"),
        ),
        migrations.AlterField(
            model_name="outbox", name="purpose", field=models.CharField(max_length=60, verbose_name="用途"),
        ),
        migrations.AlterField(
            model_name="outbox", name="recipient",
            field=openhpf.security.fields.EncryptedTextField(
                blind_index="recipient_bidx", normalize="phone", purpose="phone", verbose_name="接收人"),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
