"""Classification registry coverage, masking by role, the audited unmask, the watermarked export, the audit
viewer (security auditor only) and data scope between centers."""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.db import models
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from openhpf.access.services import export_watermark, personal_data_unmask
from openhpf.accounts import selectors
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import BUSINESS_DATE, grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.classification import FIELDS, KINDS, NOT_PERSONAL, derived
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.masking import mask
from openhpf.core.services import center_create
from openhpf.iam.services import api_token_issue, staff_create

RAW_ID = "11010119900107123X"
RAW_PHONE = "13812341234"

# A field whose name looks like personal data must be classified (FIELDS) or explained (NOT_PERSONAL).
PERSONAL_NAME = re.compile(
    r"(^|_)(name|id_number|id_no|phone|mobile|tel|birth|address|email|card|bank_card|sex|gender|marital|"
    r"contact|balance|salary|income|base|openid|passport)($|_)")


def test_every_personal_field_is_classified():
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("openhpf."):
            continue
        for f in model._meta.get_fields():
            if not isinstance(f, models.Field) or f.is_relation or f.auto_created:
                continue
            label = f"{model._meta.label}.{f.name}"
            if PERSONAL_NAME.search(f.name) and label not in FIELDS and label not in NOT_PERSONAL:
                missing.append(label)
    assert not missing, ("personal-looking fields missing from openhpf/core/classification.py "
                         f"(FIELDS, or NOT_PERSONAL with a reason): {missing}")
    for label in [*FIELDS, *NOT_PERSONAL]:
        app_model, field = label.rsplit(".", 1)
        model = apps.get_model(app_model)
        model._meta.get_field(field)  # raises if the registry names a field that does not exist
    assert set(FIELDS.values()) <= set(KINDS)


def test_derived_takes_the_highest_level():
    d = derived("accounts.Member.name", "accounts.Member.id_number")
    assert (d.gb_level, d.grade) == ("重要", 3)
    assert derived("org").personal is False


def test_masking_by_grade():
    assert mask("id_number", RAW_ID, clearance=1) == "110***********123X"
    assert mask("phone", RAW_PHONE, clearance=1) == "138****1234"
    assert mask("name", "张三", clearance=1) == "张*"
    assert mask("name", "张三", clearance=2) == "张三"
    assert mask("id_number", RAW_ID, clearance=3) == RAW_ID


@pytest.fixture
def account(center):
    employer = make_employer(center, 1, name="杭州云栖科技有限公司")
    return make_account(center, employer, 1, name="李建国", id_number=RAW_ID, phone=RAW_PHONE)


def _user(center, username, *roles, role_center="same"):
    user, _ = staff_create(username=username, password="pw-Test-2026x", center=center, actor=SystemActor("test"))
    return grant_role(user, *roles, center=center if role_center == "same" else role_center)


def test_selectors_mask_by_role_by_default(center, account):
    teller = _user(center, "t1", "teller")
    d = selectors.member_account_detail(account=account, actor=teller)
    assert (d.name, d.id_number, d.phone) == ("李**", "110***********123X", "138****1234")
    with pytest.raises(PermissionDenied) as denied:
        selectors.member_account_detail(account=account, actor=_user(center, "a1", "secauditor", role_center=None))
    assert denied.value.code == "FORBIDDEN"


def test_unmask_needs_permission_and_reason_and_is_audited(center, account):
    teller = _user(center, "t2", "teller")
    approver = _user(center, "ap", "approver")
    with pytest.raises(PermissionDenied) as denied:
        personal_data_unmask(user=approver, obj=account.member, fields=["id_number"], reason="核对身份")
    assert denied.value.code == "FORBIDDEN"
    with pytest.raises(DomainError) as e:
        personal_data_unmask(user=teller, obj=account.member, fields=["id_number"], reason=" ")
    assert e.value.code == "REASON_REQUIRED"
    with pytest.raises(DomainError) as e:
        personal_data_unmask(user=teller, obj=account.member, fields=["marital_statusx"], reason="核对身份")
    assert e.value.code == "FIELD_UNKNOWN"
    values = personal_data_unmask(user=teller, obj=account.member, fields=["id_number", "phone"], reason="核对身份")
    assert values == {"id_number": RAW_ID, "phone": RAW_PHONE}
    rec = AuditRecord.objects.filter(action="personal_data.unmask").get()
    assert rec.actor == "user:t2" and rec.after == {"fields": ["id_number", "phone"], "reason": "核对身份"}
    assert RAW_ID not in str(rec.after)


def test_console_unmask_and_export(client, center, account):
    teller = _user(center, "t3", "teller")
    client.force_login(teller)
    detail = client.get(reverse("accounts:member_detail", args=[account.account_no])).content.decode()
    assert RAW_ID not in detail and "查看明文" in detail
    url = reverse("access:member_unmask", args=[account.account_no])
    assert client.post(url, {"reason": ""}).status_code == 422
    html = client.post(url, {"reason": "柜面核对身份"}).content.decode()
    assert RAW_ID in html and RAW_PHONE in html and "李建国" in html
    # the teller may not export; the inspector may, with a watermark naming who, when and why
    assert client.post(reverse("access:member_export"), {"q": "李", "reason": "稽核抽查"}).status_code == 403
    client.force_login(_user(center, "i1", "inspector"))
    r = client.post(reverse("access:member_export"), {"q": "李", "reason": "稽核抽查"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    cells = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert cells[1].startswith("OpenHPF 导出 · 导出人 user:i1") and "用途 稽核抽查" in cells[1]
    assert account.account_no in cells and RAW_ID not in cells and "110***********123X" in cells
    assert AuditRecord.objects.filter(action="accounts.member.export").count() == 1
    with pytest.raises(DomainError):
        export_watermark(teller, "")


def test_api_unmask(client, center, account):
    teller = _user(center, "t4", "teller")
    token, _ = api_token_issue(user=teller, name="t", actor=SystemActor("test"))
    r = client.post(f"/api/v1/access/members/{account.account_no}/unmask",
                    {"fields": ["id_number"], "reason": "核对"}, content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and r.json() == {"id_number": RAW_ID}


def test_audit_viewer_is_for_the_security_auditor_only(client, center, account):
    auditor = _user(center, "aud", "secauditor", role_center=None)
    sysadmin = _user(center, "sys", "sysadmin", role_center=None)
    teller = _user(center, "t5", "teller")
    client.force_login(teller)
    client.get(reverse("accounts:member_detail", args=[account.account_no]))
    for u in (teller, sysadmin):
        client.force_login(u)
        assert client.get(reverse("audit:list")).status_code == 403
    client.force_login(auditor)
    r = client.get(reverse("audit:list"), {"actor": "user:t5", "action": "accounts.member_account"})
    table = r.content.decode().split('data-testid="audit-table"')[1]  # the pickers list every event's code
    # the events by their catalogue labels, not their codes
    assert r.status_code == 200 and "个人账户详情" in table and "授予角色" not in table
    assert "accounts.member_account.view" not in table
    r = client.get(reverse("audit:list"), {"date_from": BUSINESS_DATE.isoformat(), "date_to": "2000-01-01"})
    assert "没有符合条件的记录" in r.content.decode()
    r = client.post(reverse("console:audit_chain"))  # the chain check: a job with progress
    job_id = r["Location"].split("chain_job=")[1]
    r = client.get(reverse("console:audit_chain_progress", args=[int(job_id)]))
    assert r.status_code == 200 and "审计链完整" in r.content.decode()
    with pytest.raises(NoReverseMatch):  # the old synchronous check is gone
        reverse("audit:verify")
    token, _ = api_token_issue(user=auditor, name="t", actor=SystemActor("test"))
    r = client.get("/api/v1/audit/records", {"action": "accounts.member_account.view"},
                   HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and r.json()["total"] == 1
    assert client.post("/api/v1/audit/verify", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404


def test_staff_of_another_center_cannot_read_the_member(client, center, account):
    other = center_create(code="330200", name="宁波住房公积金管理中心", business_date=BUSINESS_DATE,
                          actor=SystemActor("test"))
    stranger = _user(other, "nb1", "teller")
    client.force_login(stranger)
    assert client.get(reverse("accounts:member_detail", args=[account.account_no])).status_code == 404
    token, _ = api_token_issue(user=stranger, name="t", actor=SystemActor("test"))
    r = client.get(f"/api/v1/accounts/members/{account.account_no}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 404
    with pytest.raises(PermissionDenied) as denied:  # the selector refuses too, whatever center a caller passes
        selectors.member_account_get(center=center, account_no=account.account_no, user=stranger)
    assert denied.value.code == "FORBIDDEN"
    with pytest.raises(PermissionDenied):
        selectors.member_account_detail(account=account, actor=stranger)
