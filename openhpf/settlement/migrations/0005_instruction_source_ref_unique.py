"""An instruction's source reference is unique per (center, source) when set. Before the constraint, repeated
references (a notice deposit withdrawn in several parts, or again after a failed withdrawal) are renumbered as
attempts in the order they were made: the first keeps `<ref>`, the next become `<ref>#2`, `<ref>#3`…"""

from django.db import migrations, models


def number_repeated_refs(apps, schema_editor):
    Instruction = apps.get_model("settlement", "Instruction")
    seen: dict[tuple[int, str, str], int] = {}
    rows = Instruction.objects.exclude(source_ref="").order_by("pk").values_list("pk", "center_id", "source",
                                                                                  "source_ref")
    for pk, center_id, source, ref in rows.iterator():
        n = seen.get((center_id, source, ref), 0) + 1
        seen[(center_id, source, ref)] = n
        if n > 1:
            Instruction.objects.filter(pk=pk).update(source_ref=f"{ref}#{n}")


SEEDS: list = []  # nothing for the test reseed: renumbers existing rows


class Migration(migrations.Migration):

    dependencies = [
        ("settlement", "0004_channel_token_reconcile_from"),
    ]

    operations = [
        migrations.AlterField(
            model_name="instruction",
            name="source_ref",
            field=models.CharField(blank=True, max_length=128, verbose_name="来源业务编号"),
        ),
        migrations.RunPython(number_repeated_refs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="instruction",
            constraint=models.UniqueConstraint(condition=~models.Q(source_ref=""), fields=("center", "source",
                                                                                         "source_ref"),
                                               name="instr_source_ref_unique"),
        ),
    ]
