"""Kind and state values as words: the working calendar and idempotency keys."""

from django.db import migrations, models

from openhpf.core.recode import recode

# the calendar seeded by 0002 holds the letters; a test database flushed and reseeded recodes it the same way
CALENDAR = {"H": "holiday", "W": "workday"}


class Migration(migrations.Migration):

    dependencies = [("core", "0006_ingest_policy")]

    operations = [
        *recode(model_name="calendarday", table="core_calendarday", column="kind", old_length=1,
                mapping=CALENDAR,
                field=models.CharField(choices=[("holiday", "法定节假日"), ("workday", "调休工作日")], max_length=20)),
        *recode(model_name="idempotencykey", table="core_idempotencykey", column="state", old_length=1,
                mapping={"P": "in_flight", "D": "done"},
                field=models.CharField(choices=[("in_flight", "处理中"), ("done", "已完成")], default="done",
                                       max_length=20)),
    ]
