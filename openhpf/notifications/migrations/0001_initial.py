"""The notification outbox (notifications.Notification)."""

import django.db.models.deletion
from django.db import migrations, models

import openhpf.security.fields


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0004_finance_policy'),
    ]

    operations = [
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(max_length=20, verbose_name='通道')),
                ('kind', models.CharField(max_length=60, verbose_name='消息类型')),
                ('recipient', openhpf.security.fields.EncryptedTextField(blind_index='recipient_bidx', normalize='phone', purpose='phone', verbose_name='接收人')),
                ('recipient_bidx', openhpf.security.fields.BlindIndexField(db_index=True, source='recipient', verbose_name='接收人盲索引')),
                ('payload_json', openhpf.security.fields.EncryptedTextField(blank=True, normalize='text', purpose='notification.payload', verbose_name='参数')),
                ('body', openhpf.security.fields.EncryptedTextField(normalize='text', purpose='notification.body', verbose_name='内容')),
                ('status', models.CharField(choices=[('pending', '待发送'), ('sent', '已发送'), ('failed', '发送失败'), ('expired', '已过期未发送')], default='pending', max_length=10, verbose_name='状态')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='已尝试次数')),
                ('next_attempt_at', models.DateTimeField(verbose_name='下次尝试时间')),
                ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='有效期至')),
                ('last_error', models.CharField(blank=True, max_length=300, verbose_name='最近错误')),
                ('created_at', models.DateTimeField(verbose_name='创建时间')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='发送时间')),
                ('center', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.center', verbose_name='管理中心')),
            ],
            options={
                'verbose_name': '消息通知',
                'ordering': ['-id'],
                'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='notification_due')],
                'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'sent', 'failed', 'expired'])), name='notification_status_known')],
            },
            bases=(openhpf.security.fields.EncryptedFieldsMixin, models.Model),
        ),
    ]
