"""Encrypted columns at rest: raw reads show ciphertext, exact lookups work through blind indexes, rotation."""

import base64

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from openhpf.accounts import selectors
from openhpf.accounts.models import Employer, Member
from openhpf.accounts.tests.factories import make_account, make_employer, resident_id
from openhpf.core.actors import SystemActor
from openhpf.security import crypto
from openhpf.security.fields import blind_index, decrypt_value, encrypt_value, key_id_of
from openhpf.security.keys import keyring
from openhpf.security.services import encrypted_column_problems, keys_rotate


def _raw(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@pytest.fixture
def world(center):
    e = make_employer(center, 1, contact_phone="0571-88886666")
    a1 = make_account(center, e, 1, name="张三", phone="13912345678")
    a2 = make_account(center, e, 2, name="李四", phone="")
    return {"e": e, "a1": a1, "a2": a2}


def test_raw_database_reads_show_no_plaintext(world):
    rows = _raw("SELECT id_number, id_number_bidx, phone, phone_bidx FROM accounts_member ORDER BY id")
    id1 = resident_id(1)
    assert id1 not in str(rows) and "13912345678" not in str(rows)
    stored_id, bidx, _phone, _phone_bidx = rows[0]
    ring = keyring()
    assert stored_id.startswith(ring.active_id + ":") and len(bidx) == 32
    blob = base64.b64decode(stored_id.split(":", 1)[1])
    assert crypto.sm4_gcm_decrypt(ring.active_key, blob, b"id_number").decode() == id1
    assert rows[1][2] == "" and rows[1][3] == ""  # a blank phone stays blank
    (contact,) = _raw("SELECT contact_phone FROM accounts_employer")[0]
    assert "88886666" not in contact and decrypt_value("phone", contact) == "0571-88886666"
    m = Member.objects.get(pk=world["a1"].member_id)
    assert (m.id_number, m.phone) == (id1, "13912345678")  # the model sees plaintext
    assert Employer.objects.get().contact_phone == "0571-88886666"


def test_exact_lookups_go_through_the_blind_index(world):
    a1 = world["a1"]
    assert Member.objects.get(id_number=resident_id(1)).pk == a1.member_id
    assert Member.objects.filter(id_number=resident_id(1).lower()).count() == 1  # normalized like the entry
    assert Member.objects.filter(phone="139 1234 5678").count() == 1
    assert Member.objects.filter(id_number__in=[resident_id(1), resident_id(2)]).count() == 2
    assert Member.objects.filter(id_number=resident_id(9)).count() == 0
    assert selectors.member_by_id_number(resident_id(2)).pk == world["a2"].member_id
    assert [r.account_no for r in selectors.member_search(actor=SystemActor("test"), center=a1.center, q=resident_id(1))] \
        == [a1.account_no]
    with pytest.raises(FieldError):
        list(Member.objects.filter(id_number__startswith="3301"))


def test_update_fields_keeps_the_blind_index_current(world):
    m = Member.objects.get(pk=world["a1"].member_id)
    m.phone = "13700000001"
    m.save(update_fields=["phone"])
    assert Member.objects.filter(phone="13700000001").get().pk == m.pk
    assert not Member.objects.filter(phone="13912345678").exists()


def test_account_open_finds_the_existing_member_by_id(center, world):

    e2 = make_employer(center, 2)
    before = Member.objects.count()
    with pytest.raises(Exception) as exc:  # one person, one active account
        make_account(center, e2, 1, name="张三")
    assert getattr(exc.value, "code", "") == "ACCOUNT_EXISTS"
    assert Member.objects.count() == before


def test_value_codec_and_unique_constraint(world):
    v = encrypt_value("id_number", "X1")
    assert key_id_of(v) == keyring().active_id and decrypt_value("id_number", v) == "X1"
    assert encrypt_value("id_number", "X1") != v  # randomized
    assert blind_index("id_number", " x1 ", "id_number") == blind_index("id_number", "X1", "id_number")
    assert blind_index("phone", "X1") != blind_index("id_number", "X1")  # per-purpose subkeys
    from django.db import IntegrityError, transaction

    m = Member.objects.get(pk=world["a1"].member_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(center=m.center, name="冒名", id_type=m.id_type, id_number=m.id_number,
                              birth_date=m.birth_date, sex=m.sex)


def test_rotate_keys_reencrypts_everything_and_loses_nothing(world, settings):
    plain_before = {(m.pk, m.id_number, m.phone) for m in Member.objects.all()}
    contact_before = list(Employer.objects.values_list("contact_phone", flat=True))
    old_id = keyring().active_id
    old_key = keyring().active_key.hex()
    settings.HPF_SM4_KEYS = {old_id: old_key, "k2": "00112233445566778899aabbccddeeff"}
    settings.HPF_SM4_ACTIVE_KEY_ID = "k2"
    assert keyring().active_id == "k2"
    keys_rotate(actor=SystemActor("test"), chunk=1)  # one row per chunk: exercises resumption across chunks
    result = keys_rotate(actor=SystemActor("test"))  # nothing left to do: resumable and idempotent
    assert result.total == 0
    ids = [r[0] for r in _raw("SELECT id_number FROM accounts_member")]
    phones = [r[0] for r in _raw("SELECT phone FROM accounts_member WHERE phone <> ''")]
    assert all(v.startswith("k2:") for v in ids + phones)
    assert {(m.pk, m.id_number, m.phone) for m in Member.objects.all()} == plain_before
    assert list(Employer.objects.values_list("contact_phone", flat=True)) == contact_before
    assert Member.objects.filter(id_number=resident_id(1)).exists()  # blind index unchanged
    assert encrypted_column_problems() == []
    # the old key can now leave the keyring
    settings.HPF_SM4_KEYS = {"k2": "00112233445566778899aabbccddeeff"}
    assert {(m.pk, m.id_number, m.phone) for m in Member.objects.all()} == plain_before
    _rotate_back(settings, old_id, old_key, "k2", "00112233445566778899aabbccddeeff")


def _rotate_back(settings, old_id, old_key, new_id, new_key):
    """Back under the development key, so the after-test `hpf verify` (with default settings) holds."""
    settings.HPF_SM4_KEYS = {old_id: old_key, new_id: new_key}
    settings.HPF_SM4_ACTIVE_KEY_ID = old_id
    keys_rotate(actor=SystemActor("test"))


def test_rotate_keys_command(world, settings):
    old_id, old_key = keyring().active_id, keyring().active_key.hex()
    settings.HPF_SM4_KEYS = {old_id: old_key, "k3": "ffeeddccbbaa99887766554433221100"}
    settings.HPF_SM4_ACTIVE_KEY_ID = "k3"
    call_command("rotate_keys", "--chunk", "2")
    assert all(v.startswith("k3:") for (v,) in _raw("SELECT id_number FROM accounts_member"))
    _rotate_back(settings, old_id, old_key, "k3", "ffeeddccbbaa99887766554433221100")


@pytest.mark.breaks_invariants
def test_verify_reports_plaintext_and_unknown_keys(world):
    with connection.cursor() as cur:
        cur.execute("UPDATE accounts_member SET phone = '13800000000' WHERE id = %s", [world["a1"].member_id])
        cur.execute("UPDATE accounts_member SET id_number = 'zz9:AAAA' WHERE id = %s", [world["a2"].member_id])
    problems = encrypted_column_problems()
    assert any("未加密" in p for p in problems) and any("zz9" in p for p in problems)


def test_data_migration_encrypts_plaintext_rows_and_resumes(world):
    """accounts 0003 on rows written before encryption (plaintext, empty blind index): encrypted in chunks,
    blind indexes filled, and running it again changes nothing."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    mig = importlib.import_module("openhpf.accounts.migrations.0003_encrypt_existing")
    m1 = world["a1"].member_id
    with connection.cursor() as cur:
        cur.execute("UPDATE accounts_member SET id_number = %s, phone = %s, id_number_bidx = '', phone_bidx = '' "
                    "WHERE id = %s", [resident_id(1), "13912345678", m1])
        cur.execute("UPDATE accounts_employer SET contact_phone = '0571-88886666'")
    assert _raw("SELECT id_number FROM accounts_member WHERE id = %s", [m1])[0][0] == resident_id(1)
    editor = SimpleNamespace(connection=connection)
    mig.encrypt_existing(apps, editor)
    stored = _raw("SELECT id_number, phone FROM accounts_member WHERE id = %s", [m1])[0]
    assert resident_id(1) not in stored[0] and "13912345678" not in stored[1]
    assert Member.objects.get(id_number=resident_id(1)).phone == "13912345678"
    assert Member.objects.get(phone="13912345678").pk == m1
    assert Employer.objects.get().contact_phone == "0571-88886666"
    before = _raw("SELECT id_number, phone FROM accounts_member ORDER BY id")
    mig.encrypt_existing(apps, editor)
    assert _raw("SELECT id_number, phone FROM accounts_member ORDER BY id") == before
    assert encrypted_column_problems() == []
