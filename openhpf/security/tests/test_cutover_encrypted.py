"""The cut-over writes ciphertext and blind indexes set-based: nothing in plaintext, lookups by ID work."""

import csv
from datetime import date

import pytest
from django.db import connection

from openhpf.accounts import selectors
from openhpf.accounts.cutover import MEMBER_FILE
from openhpf.accounts.models import Member, MemberAccount
from openhpf.core.actors import SystemActor
from openhpf.demo.synthetic import generate_center
from openhpf.security.fields import is_encrypted


@pytest.mark.django_db(transaction=True)
def test_cutover_stores_ciphertext_and_lookups_work(tmp_path):
    _gen, result = generate_center(employers=6, members=120, seed=11, cutover_date=date(2026, 11, 30),
                                  out=tmp_path / "gen", actor=SystemActor("test"), center_code="330300")
    assert result.ok
    with (tmp_path / "gen" / MEMBER_FILE).open(encoding="utf-8-sig") as fh:
        people = list(csv.DictReader(fh))
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone, id_number_bidx, phone_bidx FROM accounts_member")
        raw = cur.fetchall()
        cur.execute("SELECT contact_phone FROM accounts_employer")
        contacts = [r[0] for r in cur.fetchall()]
    dump = repr(raw) + repr(contacts)
    assert not any(p["证件号码"] in dump or p["手机号码"] in dump for p in people)
    assert all(is_encrypted(i) and is_encrypted(p) and len(b) == 32 for i, p, b, _ in raw)
    assert all(is_encrypted(c) for c in contacts if c)
    some = people[17]
    m = Member.objects.get(id_number=some["证件号码"])
    assert (m.name, m.phone) == (some["姓名"], some["手机号码"])
    assert MemberAccount.objects.filter(member=m).count() == 1  # the account joined to its member by blind index
    center = m.center
    hits = selectors.member_search(actor=SystemActor("test"), center=center, q=some["证件号码"])
    assert len(hits) == 1 and hits[0].name.startswith(some["姓名"][0])
    assert selectors.member_search(actor=SystemActor("test"), center=center, q=some["手机号码"])
