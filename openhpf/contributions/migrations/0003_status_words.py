"""Status values as words: roster imports, receipts and remittances; the one-live-remittance index named anew."""

from django.db import migrations, models
from django.db.models import Q

from openhpf.core.recode import recode


class Migration(migrations.Migration):

    dependencies = [("contributions", "0002_remittance")]

    operations = [
        migrations.RemoveConstraint(model_name="remittance", name="remittance_one_live_per_month"),
        *recode(model_name="remittanceimport", table="contributions_remittanceimport", column="status",
                old_length=1, mapping={"V": "validating", "R": "rejected", "A": "accepted"},
                field=models.CharField(choices=[("validating", "校验中"), ("rejected", "校验未通过"),
                                                ("accepted", "已生成汇缴单")], default="validating", max_length=20)),
        *recode(model_name="receipt", table="contributions_receipt", column="status", old_length=1,
                mapping={"M": "matched", "P": "posted", "S": "employer_suspense", "U": "unknown_suspense"},
                field=models.CharField(choices=[("matched", "已匹配待入账"), ("posted", "已入账"),
                                                ("employer_suspense", "单位暂存"),
                                                ("unknown_suspense", "暂收（付款人未明）")], max_length=20)),
        *recode(model_name="remittance", table="contributions_remittance", column="status", old_length=1,
                mapping={"D": "draft", "C": "confirmed", "P": "posted", "R": "refunded", "X": "cancelled"},
                field=models.CharField(choices=[("draft", "编辑中"), ("confirmed", "已确认待到账"), ("posted", "已入账"),
                                                ("refunded", "已退缴"), ("cancelled", "已作废")], default="draft",
                                       max_length=20)),
        migrations.AddConstraint(
            model_name="remittance",
            constraint=models.UniqueConstraint(condition=Q(("biz_type", "01"),
                                                           ("status__in", ("draft", "confirmed", "posted"))),
                                               fields=("employer", "month"), name="remittance_one_live_per_month"),
        ),
    ]
