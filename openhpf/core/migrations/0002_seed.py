"""Seed the national policy defaults of docs/domain.md and the working-day calendar known to chinese-calendar."""

from datetime import date, timedelta

from django.db import migrations

from openhpf.core.seed_data import POLICY_DEFAULTS


def seed_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.bulk_create(
        [
            PolicyParameter(
                center=None, key=k, value_type=t, value=v, effective_from=date.fromisoformat(d),
                approved_by="system:seed", source=src,
            )
            for k, t, v, d, src in POLICY_DEFAULTS
        ]
    )


def seed_calendar(apps, schema_editor):
    """Holidays and make-up working days for the years chinese-calendar knows (it raises for others)."""
    import chinese_calendar

    CalendarDay = apps.get_model("core", "CalendarDay")
    zh = {h.value: h.chinese for h in chinese_calendar.Holiday}
    rows = []
    for year in range(2004, 2100):
        start = date(year, 1, 1)
        try:
            chinese_calendar.is_holiday(start)
        except NotImplementedError:
            break
        d = start
        while d.year == year:
            weekend = d.weekday() >= 5
            on_holiday, name = chinese_calendar.get_holiday_detail(d)
            if on_holiday and not weekend:
                rows.append(CalendarDay(date=d, kind="H", name=zh.get(name, name or "")))
            elif not on_holiday and weekend:
                rows.append(CalendarDay(date=d, kind="W", name=f"{zh.get(name, name)}调休" if name else "调休"))
            d += timedelta(days=1)
    CalendarDay.objects.bulk_create(rows, batch_size=500)


# seeds the national policy values and the working calendar (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed_policy, seed_calendar]


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [
        migrations.RunPython(seed_policy, migrations.RunPython.noop),
        migrations.RunPython(seed_calendar, migrations.RunPython.noop),
    ]
