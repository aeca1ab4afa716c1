"""IDOR: a member signed in on the hall cannot reach another member's account, statement, certificate, application
or rating by changing a number in the address (every hall route that takes one is listed here; a new one must be
added, or this test fails). Another's number is "not found", never "forbidden", and nothing of it is shown."""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from openhpf.applications.models import Rating
from openhpf.catalog.models import Channel, IdentityLevel
from openhpf.core.actors import MemberActor
from openhpf.iam.models import MemberPrincipal
from openhpf.items.certificate import certificate_apply, certificate_of_application
from openhpf.items.tests.certificate_fixtures import (  # noqa: F401
    empty_rate_limits_fixture,
    people_fixture,
)

from .test_portal import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_things(people):
    b = people["b"]
    actor = MemberActor(MemberPrincipal.objects.get(member=b.member))
    app = certificate_apply(center=b.center, actor=actor, channel=Channel.WEB, identity_level=IdentityLevel.PASSWORD_CODE,
                            business_date=b.center.business_date, payload={"purpose": "remote_loan", "note": ""})
    return {"account": b, "app": app, "cert": certificate_of_application(app)}


def _probes(b, year: int) -> dict[str, list[tuple[str, str, dict]]]:
    """Each hall route that takes a number → requests with B's numbers (method, path, data)."""
    acct, app, cert = b["account"].account_no, b["app"].number, b["cert"].number
    return {
        "certificate_pdf": [("get", f"/hall/certificates/{cert}.pdf", {})],
        "statement": [("get", f"/hall/statement/{acct}.pdf?year={year}", {})],
        "application": [("get", f"/hall/applications/{app}/", {}),
                        ("post", f"/hall/applications/{app}/", {"level": "very_dissatisfied", "comment": "x"})],
        "withdraw": [("get", "/hall/withdraw/closing/", {})],  # only the listed reasons exist online
    }


def test_another_members_numbers_are_not_found_on_every_hall_route(client, people, b_things):
    a, b = people["a"], b_things["account"]
    sign_in(client, a.account_no, "13900000001")
    year = a.center.business_date.year
    probes = _probes(b_things, year)
    hall = get_resolver().url_patterns
    with_args = {p.name for inc in hall if getattr(inc, "namespace", None) == "hall" for p in inc.url_patterns
                 if "<" in str(p.pattern)}
    assert with_args == set(probes), f"list every hall route that takes a number here: {with_args ^ set(probes)}"
    for name, requests in probes.items():
        for method, path, data in requests:
            r = getattr(client, method)(path, data)
            assert r.status_code == 404, (name, path, r.status_code)
            assert b.account_no not in r.content.decode() and b_things["app"].number not in r.content.decode()
    assert not Rating.objects.exists()
    # numbers in the query string: someone else's account is never shown
    r = client.get(f"/hall/history/?account={b.account_no}")
    assert r.status_code == 404
    r = client.get(f"/hall/ecard/?account={b.account_no}")
    assert b.account_no not in r.content.decode()
    # the lists show only one's own
    assert b_things["app"].number not in client.get("/hall/applications/").content.decode()
    assert b_things["cert"].number not in client.get("/hall/").content.decode()
    # the member API answers the same
    assert client.get(f"/api/v1/member/accounts/{b.account_no}").status_code in (401, 404)


def test_a_signed_out_visitor_and_a_staff_session_reach_no_member_page(client, people, b_things,
                                                                        django_user_model):
    member_pages = ["/hall/history/", "/hall/withdraw/", "/hall/withdraw/rent/", "/hall/applications/",
                    f"/hall/applications/{b_things['app'].number}/", "/hall/me/", "/hall/me/phone/", "/hall/inbox/",
                    f"/hall/statement/{b_things['account'].account_no}.pdf?year=2026"]
    for path in member_pages:
        r = client.get(path)
        assert r.status_code == 302 and r["Location"].endswith("/hall/login/"), path
    staff = django_user_model.objects.create_user("idor_staff", password="pw-Staff-2026", is_staff=True)
    client.force_login(staff)
    for path in member_pages:
        assert client.get(path).status_code == 403, path
