"""Status and kind values as words: reconciliations, items (side, status, close kind) and match rules; the
item's one-line check named anew. The match table is recoded in place (its hand-made index stays)."""

from django.db import migrations, models
from django.db.models import Q

from openhpf.core.recode import recode


class Migration(migrations.Migration):

    dependencies = [("reconciliation", "0002_match_index")]

    operations = [
        migrations.RemoveConstraint(model_name="reconitem", name="reconitem_one_line"),
        *recode(model_name="reconciliation", table="reconciliation_reconciliation", column="status", old_length=1,
                mapping={"B": "balanced", "U": "unexplained"},
                field=models.CharField(choices=[("balanced", "平衡"), ("unexplained", "存在未说明差异")],
                                       default="unexplained", max_length=20, verbose_name="状态")),
        *recode(model_name="reconitem", table="reconciliation_reconitem", column="side", old_length=1,
                mapping={"B": "bank", "K": "book"},
                field=models.CharField(choices=[("bank", "银行方"), ("book", "单位方")], max_length=20,
                                       verbose_name="方")),
        *recode(model_name="reconitem", table="reconciliation_reconitem", column="status", old_length=1,
                mapping={"O": "open", "E": "explained", "R": "resolved"},
                field=models.CharField(choices=[("open", "待处理"), ("explained", "已说明"), ("resolved", "已核销")],
                                       default="open", max_length=20, verbose_name="处理状态")),
        *recode(model_name="reconitem", table="reconciliation_reconitem", column="close_kind", old_length=1,
                mapping={"M": "matched", "A": "superseded", "R": "resolved"},
                field=models.CharField(blank=True, choices=[("matched", "已勾对"), ("superseded", "转为金额不符"),
                                                            ("resolved", "已核销")], max_length=20)),
        *recode(model_name="reconmatch", table="reconciliation_reconmatch", column="rule", old_length=1,
                mapping={"K": "key", "S": "sum", "C": "cancel", "A": "amount"},
                field=models.CharField(choices=[("key", "流水号、方向、金额相同"), ("sum", "同一流水号合计相同"),
                                                ("cancel", "冲正相抵"), ("amount", "方向金额相同（无流水号的凭证）")],
                                       max_length=20)),
        migrations.AddConstraint(
            model_name="reconitem",
            constraint=models.CheckConstraint(
                condition=Q(Q(("journal_line__isnull", True), ("side", "bank"), ("statement_line__isnull", False)),
                            Q(("journal_line__isnull", False), ("side", "book"), ("statement_line__isnull", True)),
                            _connector="OR"),
                name="reconitem_one_line"),
        ),
    ]
