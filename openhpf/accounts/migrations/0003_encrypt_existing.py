"""Encrypt the plaintext already in the encrypted columns and fill the blind indexes, chunk by chunk.

Not atomic: each chunk commits, and a value already encrypted is skipped, so an interrupted run resumes."""

from django.db import migrations, transaction

CHUNK = 5000
# table, column, purpose, blind-index column (or None), normalizer
COLUMNS = [
    ("accounts_member", "id_number", "id_number", "id_number_bidx", "id_number"),
    ("accounts_member", "phone", "phone", "phone_bidx", "phone"),
    ("accounts_employer", "contact_phone", "phone", None, "phone"),
]


def encrypt_existing(apps, schema_editor):
    from openhpf.security.fields import blind_index, encrypt_value

    conn = schema_editor.connection
    qn = conn.ops.quote_name
    for table, col, purpose, bidx, norm in COLUMNS:
        last = 0
        while True:
            with transaction.atomic(using=schema_editor.connection.alias), conn.cursor() as cur:
                cur.execute(f"SELECT id, {qn(col)} FROM {qn(table)} WHERE id > %s AND {qn(col)} <> '' "  # noqa: S608 — identifiers from model meta, quoted; values bound
                            f"AND {qn(col)} NOT LIKE %s ORDER BY id LIMIT {CHUNK}", [last, "%:%"])
                rows = cur.fetchall()
                if not rows:
                    break
                if bidx:
                    cur.executemany(f"UPDATE {qn(table)} SET {qn(col)} = %s, {qn(bidx)} = %s WHERE id = %s",  # noqa: S608 — identifiers from model meta, quoted; values bound
                                    [(encrypt_value(purpose, v), blind_index(purpose, v, norm), pk) for pk, v in rows])
                else:
                    cur.executemany(f"UPDATE {qn(table)} SET {qn(col)} = %s WHERE id = %s",  # noqa: S608 — identifiers from model meta, quoted; values bound
                                    [(encrypt_value(purpose, v), pk) for pk, v in rows])
            last = rows[-1][0]


SEEDS: list = []  # nothing for the test reseed: encrypts rows that existed


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("accounts", "0002_encrypted_columns")]

    operations = [migrations.RunPython(encrypt_existing, migrations.RunPython.noop, elidable=False)]
