"""Kind and state values as words: the working calendar and idempotency keys."""

from django.db import migrations, models

from openhpf.core.recode import recode, recode_sql

CALENDAR = {"H": "holiday", "W": "workday"}


def recode_calendar(apps, schema_editor):
    """The calendar 0002 seeds holds the letters: a test database flushed and reseeded recodes it as this does."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(recode_sql("core_calendarday", "kind", CALENDAR))


# rerun by the test reseed after a flush (openhpf/conftest.py), after 0002's calendar
SEEDS = [recode_calendar]


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
