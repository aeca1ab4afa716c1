"""Member ID number and phone, employer contact phone: SM4-GCM encrypted text with blind indexes (schema)."""

from django.db import migrations

import openhpf.security.fields


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="member", name="member_id_unique"),
        migrations.AddField(
            model_name="member", name="id_number_bidx",
            field=openhpf.security.fields.BlindIndexField(source="id_number", verbose_name="证件号码盲索引"),
        ),
        migrations.AddField(
            model_name="member", name="phone_bidx",
            field=openhpf.security.fields.BlindIndexField(db_index=True, source="phone", verbose_name="手机号码盲索引"),
        ),
        migrations.AlterField(
            model_name="member", name="id_number",
            field=openhpf.security.fields.EncryptedTextField(
                blind_index="id_number_bidx", normalize="id_number", purpose="id_number", verbose_name="证件号码"),
        ),
        migrations.AlterField(
            model_name="member", name="phone",
            field=openhpf.security.fields.EncryptedTextField(
                blank=True, blind_index="phone_bidx", normalize="phone", purpose="phone", verbose_name="手机号码"),
        ),
        migrations.AlterField(
            model_name="employer", name="contact_phone",
            field=openhpf.security.fields.EncryptedTextField(
                blank=True, normalize="phone", purpose="phone", verbose_name="经办人电话"),
        ),
    ]
