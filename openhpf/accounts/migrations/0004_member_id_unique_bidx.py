"""One person per ID: the unique constraint moves to (id_type, id_number_bidx)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_encrypt_existing")]

    operations = [
        migrations.AddConstraint(
            model_name="member",
            constraint=models.UniqueConstraint(fields=("id_type", "id_number_bidx"), name="member_id_unique"),
        ),
    ]
