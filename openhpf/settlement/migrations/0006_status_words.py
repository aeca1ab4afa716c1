"""Status values as words: 专户, instruction (and batch item) states, notice and deposit statuses."""

from django.db import migrations, models

from openhpf.core.recode import recode

INSTRUCTION = {"C": "created", "S": "sent", "P": "processing", "U": "unknown", "K": "succeeded", "F": "failed"}
INSTRUCTION_CHOICES = [("created", "已创建"), ("sent", "已发送"), ("processing", "银行处理中"), ("unknown", "结果未知"),
                       ("succeeded", "成功"), ("failed", "失败")]


class Migration(migrations.Migration):

    dependencies = [("settlement", "0005_instruction_source_ref_unique")]

    operations = [
        *recode(model_name="bankaccount", table="settlement_bankaccount", column="status", old_length=1,
                mapping={"A": "active", "C": "closed"},
                field=models.CharField(choices=[("active", "正常"), ("closed", "已销户")], default="active",
                                       max_length=20)),
        *recode(model_name="instruction", table="settlement_instruction", column="state", old_length=1,
                mapping=INSTRUCTION,
                field=models.CharField(choices=INSTRUCTION_CHOICES, default="created", max_length=20)),
        *recode(model_name="instructionitem", table="settlement_instructionitem", column="state", old_length=1,
                mapping=INSTRUCTION,
                field=models.CharField(choices=INSTRUCTION_CHOICES, default="created", max_length=20)),
        *recode(model_name="notice", table="settlement_notice", column="status", old_length=1,
                mapping={"N": "received", "R": "receipt", "I": "instruction", "Q": "queued", "D": "done"},
                field=models.CharField(choices=[("received", "已接收"), ("receipt", "已登记到账"),
                                                ("instruction", "本中心指令"), ("queued", "待财务处理"),
                                                ("done", "已处理")], default="received", max_length=20)),
        *recode(model_name="deposit", table="settlement_deposit", column="status", old_length=1,
                mapping={"P": "pending", "O": "open", "C": "closed", "F": "failed"},
                field=models.CharField(choices=[("pending", "存入中"), ("open", "存续"), ("closed", "已支取"),
                                                ("failed", "存入失败")], default="pending", max_length=20)),
    ]
