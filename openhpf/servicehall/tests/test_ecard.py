"""The electronic HPF card: the member's hall page shows the account and a QR code; the counter reads a card of
its own center back to the member's page (audited) and refuses a forged, expired or foreign one."""

from __future__ import annotations

import time

from django.test import TestCase

from openhpf.accounts.ecard import PURPOSE, ecard_issue
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import MemberActor, SystemActor
from openhpf.core.services import center_create
from openhpf.iam.models import MemberPrincipal
from openhpf.iam.services import staff_create
from openhpf.items.tests.certificate_fixtures import (  # noqa: F401
    MEMBER_PW,
    empty_rate_limits_fixture,
    last_code,
    people_fixture,
)
from openhpf.security.tokens import token_read, token_sign


def _member(account) -> MemberActor:
    return MemberActor(MemberPrincipal.objects.get(member=account.member))


def _clerk(center, name="ecard_teller", role="teller"):
    user, _ = staff_create(username=name, password="pw-Staff-2026", center=center, actor=SystemActor("test"))
    return grant_role(user, role, center=center)


def test_the_hall_shows_the_card_with_a_fresh_code(client, people):
    a = people["a"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/hall/login/", {"login": a.account_no, "password": MEMBER_PW})
    client.post("/hall/login/code/", {"code": last_code("13900000001")})
    page = client.get("/hall/ecard/")
    html = page.content.decode()
    assert page.status_code == 200 and "no-cache" in page["Cache-Control"]
    assert a.account_no in html and "<svg" in html and "张**" in html and "刷新二维码" in html
    part = client.get("/hall/ecard/", HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<div id="ecard-code"') and "<svg" in part
    assert "电子公积金卡" in client.get("/hall/").content.decode()
    # another member's account number is not theirs to show
    assert client.get(f"/hall/ecard/?account={people['b'].account_no}").content.decode().count(people["b"].account_no) == 0


def test_the_counter_reads_the_card_back_to_the_member(client, people, center):
    a = people["a"]
    card = ecard_issue(actor=_member(a), account_no=a.account_no)
    assert token_read(PURPOSE, card.token)["a"] == a.account_no
    client.force_login(_clerk(center))
    assert client.get("/accounts/ecard/").status_code == 200
    r = client.post("/accounts/ecard/", {"token": card.token})
    assert r.status_code == 302 and r["Location"].endswith(f"/accounts/members/{a.account_no}/")
    rec = AuditRecord.objects.filter(action="accounts.ecard.scan").get()
    assert rec.object_id == str(a.pk) and rec.actor_kind == "staff"


def test_a_forged_expired_or_foreign_card_is_refused(client, people, center):
    a = people["a"]
    client.force_login(_clerk(center))
    card = ecard_issue(actor=_member(a), account_no=a.account_no)
    head, body, tag = card.token.split(".")
    forged = f"{head}.{body}.{'A' * len(tag)}"
    other_purpose, _ = token_sign("certificate", {"c": center.code, "a": a.account_no}, ttl_seconds=60)
    expired, _ = token_sign(PURPOSE, {"c": center.code, "a": a.account_no}, ttl_seconds=60, now=time.time() - 600)
    other = center_create(code="330200", name="宁波住房公积金管理中心", business_date=center.business_date,
                          actor=SystemActor("test"))
    foreign, _ = token_sign(PURPOSE, {"c": other.code, "a": a.account_no}, ttl_seconds=60)
    for token, code in ((forged, "ECARD_INVALID"), (other_purpose, "ECARD_INVALID"), ("扫码内容", "ECARD_INVALID"),
                        (expired, "ECARD_EXPIRED"), (foreign, "ECARD_OTHER_CENTER")):
        r = client.post("/accounts/ecard/", {"token": token})
        assert r.status_code == 400 and code in r.content.decode(), (token, code)
    assert not AuditRecord.objects.filter(action="accounts.ecard.scan").exists()


def test_only_staff_who_may_view_accounts_scan(client, people, center):
    card = ecard_issue(actor=_member(people["a"]), account_no=people["a"].account_no)
    client.force_login(_clerk(center, "ecard_sec", "secadmin"))
    assert client.post("/accounts/ecard/", {"token": card.token}).status_code == 403
