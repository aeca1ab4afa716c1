"""The database refuses changes to a sealed audit row (append-only). Tampering by someone who can drop the
trigger is still caught by the SM3 chain in `hpf verify`."""

from django.db import migrations

PG = r"""
CREATE OR REPLACE FUNCTION hpf_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.seq IS NOT NULL THEN
    RAISE EXCEPTION 'AUDIT_APPEND_ONLY: sealed audit rows are never changed or deleted' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER hpf_audit_append_only BEFORE UPDATE OR DELETE ON audit_auditrecord
  FOR EACH ROW EXECUTE FUNCTION hpf_audit_append_only();
"""
SQLITE = (
    "CREATE TRIGGER hpf_audit_append_only BEFORE UPDATE ON audit_auditrecord WHEN OLD.seq IS NOT NULL "
    "BEGIN SELECT RAISE(ABORT, 'AUDIT_APPEND_ONLY'); END"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS hpf_audit_append_only ON audit_auditrecord")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS hpf_audit_append_only")


SEEDS: list = []  # nothing for the test reseed: database guards


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
