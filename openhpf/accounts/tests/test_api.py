"""The accounts API with a staff bearer token: masked reads, commands, errors as 422/404, idempotency keys.

The router is mounted on an API of this module (same auth and DomainError handling as openhpf/api.py), so the
test does not depend on the line the lead adds there."""

from datetime import date
from decimal import Decimal

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from openhpf.accounts.api import router
from openhpf.accounts.models import Employer, MemberAccount
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.api_errors import install
from openhpf.core.error_codes import ErrorCode
from openhpf.core.models import IdempotencyKey
from openhpf.iam.auth import StaffTokenAuth
from openhpf.iam.services import api_token_issue, staff_create
from openhpf.ledger.models import SubAccount, SubLedgerRow
from openhpf.ledger.tests.factories import deposit

from .factories import bad_check_digit, credit_code, make_account, make_employer, resident_id

test_api = NinjaAPI(auth=StaffTokenAuth(), urls_namespace="accounts-api-test")


test_api.add_router("/accounts/", router)
install(test_api)
client = TestClient(test_api)


@pytest.fixture
def token(center):
    user, _ = staff_create(username="apiclerk", password="pw-Api-2026x", center=center, actor=SystemActor("test"))
    grant_role(user, "teller", center=center)
    plaintext, _ = api_token_issue(user=user, name="测试", actor=SystemActor("test"))
    return plaintext


def call(method, path, token, json=None, key=None):
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    fn = getattr(client, method)
    return fn(path, json=json, headers=headers) if json is not None else fn(path, headers=headers)


OPEN = {"name": "张三", "id_number": resident_id(1), "phone": "13912345678", "marital_status": "20",
        "base": 1000000}


@pytest.fixture
def employer(center):
    return make_employer(center, 1)


def test_requires_token(center):
    assert client.get("/accounts/members?q=张").status_code == 401
    assert client.get("/accounts/members?q=张", headers={"Authorization": "Bearer hpf_wrong"}).status_code == 401


def test_staff_without_center_is_forbidden(center):
    user, _ = staff_create(username="nocenter", password="pw-Api-2026x", actor=SystemActor("test"))
    plaintext, _ = api_token_issue(user=user, name="测试", actor=SystemActor("test"))
    assert call("get", "/accounts/members?q=张", plaintext).status_code == 403


def test_employer_register_and_detail(center, token):
    body = {"name": "西湖科技有限公司", "credit_code": credit_code(1), "economic_type": "160", "industry": "I",
            "payday": 10, "employer_ratio": "0.12", "member_ratio": "0.10", "contact_name": "王经办",
            "contact_phone": "13800000000"}
    r = call("post", "/accounts/employers", token, body)
    assert r.status_code == 201, r.json()
    out = r.json()
    assert (out["account_no"], out["status"], out["member_ratio"]) == ("33010000000001", "01", "0.1000")
    assert (out["contact_name"], out["contact_phone"]) == ("王**", "138****0000")
    assert AuditRecord.objects.filter(action="accounts.employer.register", actor="user:apiclerk").count() == 1
    r = call("get", "/accounts/employers/33010000000001", token)
    assert r.status_code == 200 and r.json()["members_normal"] == 0
    assert [e["name"] for e in call("get", "/accounts/employers?q=西湖", token).json()] == ["西湖科技有限公司"]
    r = call("post", "/accounts/employers", token, body)
    assert r.status_code == 409 and r.json()["code"] == "EMPLOYER_EXISTS"
    r = call("post", "/accounts/employers", token, {**body, "credit_code": credit_code(2)[:-1] + "0",
                                                     "employer_ratio": "0.13"})
    assert r.status_code == ErrorCode.of(r.json()["code"]).status and r.status_code in (400, 422)
    assert call("get", "/accounts/employers/33019999999999", token).status_code == 404


def test_employer_suspend_resume_close(center, token, employer):
    no = employer.account_no
    assert call("post", f"/accounts/employers/{no}/suspend", token, {"reason": "停业"}).json()["status"] == "05"
    r = call("post", f"/accounts/employers/{no}/suspend", token, {"reason": "停业"})
    assert r.status_code == 409 and r.json()["code"] == "ILLEGAL_TRANSITION"
    assert call("post", f"/accounts/employers/{no}/resume", token, {}).json()["status"] == "01"
    assert call("post", f"/accounts/employers/{no}/close", token, {"reason": "注销"}).json()["status"] == "04"


def test_open_account_and_read_masked(center, token, employer):
    r = call("post", "/accounts/members", token, {**OPEN, "employer_no": employer.account_no})
    assert r.status_code == 201, r.json()
    out = r.json()
    no = out["account_no"]
    assert (out["name"], out["phone"], out["id_number"]) == ("张*", "139****5678", "330***********" + resident_id(1)[-4:])
    assert (out["employer_amount"], out["member_amount"], out["balance"], out["status"]) == (120000, 120000, 0, "01")
    acct = MemberAccount.objects.get(account_no=no)
    assert SubLedgerRow.objects.filter(sub_account_id=acct.pk, biz_type="03").count() == 1

    deposit(center, SubAccount.objects.get(pk=acct.pk), 50000)
    d = call("get", f"/accounts/members/{no}", token).json()
    assert (d["balance"], d["available"], d["name"]) == (50000, 50000, "张*")
    found = call("post", "/accounts/members/search", token, {"q": resident_id(1)}).json()
    assert [m["account_no"] for m in found] == [no] and found[0]["id_number"].count("*") == 11
    h = call("get", f"/accounts/members/{no}/history?page=1&page_size=1", token).json()
    assert (h["total"], h["pages"], h["items"][0]["biz_type"], h["items"][0]["amount"]) == (2, 2, "01", 50000)
    # the opening's read-back and the GET each show the account: both are reads of personal data
    assert AuditRecord.objects.filter(action="accounts.member_account.view", object_id=str(acct.pk)).count() == 2
    assert AuditRecord.objects.filter(action="accounts.member_account.history", object_id=str(acct.pk)).count() == 1
    assert call("get", "/accounts/members/3301009999999999", token).status_code == 404


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"id_number": bad_check_digit(resident_id(1))}, "ID_CHECKSUM", "id_number"),
        ({"id_number": "330106199002301234"}, "ID_BIRTH_DATE", "id_number"),
        ({"employer_ratio": "0.13"}, "RATIO_TOO_HIGH", "employer_ratio"),
        ({"member_ratio": "0.03"}, "RATIO_TOO_LOW", "member_ratio"),
        ({"base": 3447001}, "BASE_ABOVE_CAP", "base"),
        ({"base": 100}, "BASE_BELOW_FLOOR", "base"),
        ({"employer_no": "33019999999999"}, "EMPLOYER_UNKNOWN", "employer_no"),
    ],
)
def test_open_refused_with_the_codes_status(center, token, employer, change, code, field):
    r = call("post", "/accounts/members", token, {**OPEN, "employer_no": employer.account_no, **change})
    assert r.status_code == ErrorCode.of(code).status, r.json()
    assert (r.json()["code"], r.json()["field"]) == (code, field)
    assert not MemberAccount.objects.exists()


def test_second_account_refused(center, token, employer):
    make_account(center, employer, 1, name="张三")
    r = call("post", "/accounts/members", token, {**OPEN, "employer_no": employer.account_no})
    assert r.status_code == 409 and r.json()["code"] == "ACCOUNT_EXISTS" and "一人一户" in r.json()["message"]


def test_invalid_body_is_400_in_chinese(center, token, employer):
    r = call("post", "/accounts/members", token, {"name": "张三"})
    assert r.status_code == 400 and r.json()["code"] == "INPUT_INVALID" and "必须填写" in r.json()["message"]


def test_account_commands(center, token, employer):
    e2 = make_employer(center, 2)
    acct = make_account(center, employer, 1)
    deposit(center, SubAccount.objects.get(pk=acct.pk), 100000)
    no = acct.account_no
    base = f"/accounts/members/{no}"
    r = call("post", f"{base}/base", token, {"base": 1500000})
    assert r.status_code == 200 and r.json()["employer_amount"] == 180000
    r = call("post", f"{base}/ratio", token, {"employer_ratio": "0.10", "member_ratio": "0.10"})
    assert r.json()["member_amount"] == 150000
    r = call("post", f"{base}/transfer", token, {"employer_no": e2.account_no})
    assert r.json()["employer_no"] == e2.account_no
    r = call("post", f"{base}/freeze", token, {"kind": "2", "amount": 30000, "reason": "协助冻结"})
    assert (r.json()["freeze_kind"], r.json()["frozen_amount"], r.json()["available"]) == ("2", 30000, 70000)
    r = call("post", f"{base}/freeze", token, {"kind": "1", "reason": "再冻结"})
    assert r.status_code == 409 and r.json()["code"] == "ALREADY_FROZEN"
    r = call("post", f"{base}/unfreeze", token, {"reason": "解除"})
    assert r.json()["frozen_amount"] == 0
    r = call("post", f"{base}/seal", token, {"reason": "离职"})
    assert (r.json()["status"], r.json()["seal_reason"]) == ("02", "离职")
    r = call("post", f"{base}/seal", token, {"reason": "离职"})
    assert r.status_code == 409 and r.json()["code"] == "ILLEGAL_TRANSITION" and "封存" in r.json()["message"]
    r = call("post", f"{base}/unseal", token, {"employer_no": employer.account_no, "base": 900000})
    assert (r.json()["status"], r.json()["employer_no"], r.json()["base"]) == ("01", employer.account_no, 900000)
    r = call("post", f"{base}/unseal", token, {"employer_no": "33019999999999"})
    assert r.status_code == 404 and r.json()["code"] == "EMPLOYER_UNKNOWN"
    assert call("post", "/accounts/members/3301009999999999/seal", token, {"reason": "x"}).status_code == 404
    types = list(SubLedgerRow.objects.filter(sub_account_id=acct.pk).order_by("id").values_list("biz_type", flat=True))
    assert types == ["03", "01", "10", "06", "14", "15", "05", "04"]


def test_idempotency_key_replays_stored_result(center, token, employer):
    body = {**OPEN, "employer_no": employer.account_no}
    r1 = call("post", "/accounts/members", token, body, key="open-0001")
    r2 = call("post", "/accounts/members", token, body, key="open-0001")
    assert r1.status_code == r2.status_code == 201 and r1.json() == r2.json()
    assert MemberAccount.objects.count() == 1
    stored = IdempotencyKey.objects.get(key="open-0001")
    assert (stored.command, stored.center_id, stored.created_by.username, stored.principal_kind, stored.path) == (
        "accounts.api.member_open", center.pk, "apiclerk", "staff", "/accounts/members")
    r = call("post", "/accounts/members", token, {**body, "phone": "13912345679"}, key="open-0001")
    assert r.status_code == 422 and r.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert MemberAccount.objects.count() == 1
    no = r1.json()["account_no"]
    # a key is scoped to the path too: the same key on another command is that command's own key
    s1 = call("post", f"/accounts/members/{no}/seal", token, {"reason": "离职"}, key="open-0001")
    s2 = call("post", f"/accounts/members/{no}/seal", token, {"reason": "离职"}, key="open-0001")
    assert s1.status_code == s2.status_code == 200 and s2.json()["status"] == "02"
    assert SubLedgerRow.objects.filter(biz_type="05").count() == 1


def test_failed_command_is_not_stored(center, token, employer):
    r = call("post", "/accounts/members", token, {**OPEN, "employer_no": employer.account_no, "base": 1},
             key="bad-0001")
    assert r.status_code == 422 and not IdempotencyKey.objects.exists()
    r = call("post", "/accounts/members", token, {**OPEN, "employer_no": employer.account_no}, key="bad-0001")
    assert r.status_code == 201


def test_business_date_is_the_centers(center, token, employer):
    from openhpf.core.services import center_advance_business_date

    center_advance_business_date(center=center, to=date(2026, 12, 1), actor=SystemActor("test"))
    r = call("post", "/accounts/members", token, {**OPEN, "employer_no": employer.account_no})
    assert r.json()["opened_date"] == "2026-12-01"
    assert Employer.objects.count() == 1


def test_employer_change_and_contact_phone_rules(center, token, employer):
    no = employer.account_no
    r = call("post", f"/accounts/employers/{no}/change", token, {"payday": 20, "contact_phone": "0571-87654321"})
    assert r.status_code == 200, r.json()
    employer.refresh_from_db()
    assert (employer.payday, employer.contact_phone, employer.employer_ratio) == (20, "0571-87654321", Decimal("0.12"))
    assert AuditRecord.objects.filter(action="accounts.employer.change").count() == 1
    r = call("post", f"/accounts/employers/{no}/change", token, {"contact_phone": "12345"})
    assert r.status_code == 400 and r.json()["code"] == "PHONE_FORMAT" and "带区号的固定电话" in r.json()["message"]
    r = call("post", "/accounts/employers", token, {
        "name": "坏电话有限公司", "credit_code": credit_code(5), "economic_type": "160", "industry": "I", "payday": 10,
        "employer_ratio": "0.12", "member_ratio": "0.12", "contact_phone": "87654321"})
    assert r.status_code == 400 and r.json()["code"] == "PHONE_FORMAT"
    employer.refresh_from_db()
    assert employer.contact_phone == "0571-87654321" and not Employer.objects.filter(name="坏电话有限公司").exists()
    assert AuditRecord.objects.filter(action="accounts.employer.change").count() == 1
def test_member_merge(center, token, employer):
    src = make_account(center, employer, 1)
    dst = make_account(center, make_employer(center, 2), 1, id_type="03", id_number="E1234567",
                       birth_date=date(1990, 1, 1), sex="1")
    src = MemberAccount.objects.get(pk=src.pk)
    MemberAccount.objects.filter(pk=src.pk).update(status="02")
    deposit(center, SubAccount.objects.get(pk=src.pk), 120000)
    r = call("post", f"/accounts/members/{src.account_no}/merge", token, {"into": src.account_no, "reason": "重复开户"})
    assert (r.status_code, r.json()["code"]) == (422, "MEMBER_MERGE_SAME_ACCOUNT")
    r = call("post", f"/accounts/members/{src.account_no}/merge", token, {"into": "3301009999999999", "reason": "重复开户"})
    assert (r.status_code, r.json()["field"]) == (404, "into")
    r = call("post", f"/accounts/members/{src.account_no}/merge", token, {"into": dst.account_no, "reason": "重复开户"},
             key="merge-1")
    assert r.status_code == 200, r.json()
    assert (r.json()["account_no"], r.json()["balance"]) == (dst.account_no, 120000)
    assert MemberAccount.objects.get(pk=src.pk).status == "03"
    again = call("post", f"/accounts/members/{src.account_no}/merge", token, {"into": dst.account_no, "reason": "重复开户"},
                 key="merge-1")
    assert again.json() == r.json() and SubAccount.objects.get(pk=dst.pk).balance == 120000
