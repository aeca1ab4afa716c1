"""The audit viewer shows catalogue labels (stored codes outside the catalogue as they are, marked 未编目) and
filters by event and object type through pickers, server-side."""

from django.urls import reverse
from django.utils import timezone

from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import api_token_issue, staff_create


def _table(response) -> str:
    assert response.status_code == 200
    return response.content.decode().split('data-testid="audit-table"')[1]


def test_viewer_shows_labels_and_filters_by_pickers(client, center):
    auditor, _ = staff_create(username="aud1", password="pw-Test-2026x", center=center, actor=SystemActor("test"))
    grant_role(auditor, "secauditor")  # writes access.role.assign (object: a role assignment)
    AuditRecord.objects.create(center=center, actor="user:old", action="legacy.member.peek",
                               object_type="legacy.thing", object_id="9", created_at=timezone.now())
    client.force_login(auditor)

    page = client.get(reverse("audit:list")).content.decode()
    assert 'data-testid="event-picker"' in page and 'data-testid="object-picker"' in page
    assert '<optgroup label="角色授权">' in page and '<option value="access.role.assign">授予角色</option>' in page
    assert '<option value="accounts.memberaccount">个人账户</option>' in page

    table = _table(client.get(reverse("audit:list")))
    assert "设立管理中心" in table and "授予角色" in table and "新建工作人员账号" in table  # labels
    assert "legacy.member.peek" in table and "未编目" in table  # a legacy code, shown as it is

    table = _table(client.get(reverse("audit:list"), {"action": "access.role.assign"}))
    assert "授予角色" in table and "设立管理中心" not in table and "新建工作人员账号" not in table
    table = _table(client.get(reverse("audit:list"), {"action": "iam"}))  # a whole domain
    assert "新建工作人员账号" in table and "授予角色" not in table
    table = _table(client.get(reverse("audit:list"), {"object_type": "core.center"}))
    assert "设立管理中心" in table and "授予角色" not in table and "管理中心" in table
    r = client.get(reverse("audit:list"), {"action": "legacy.member.peek"})
    assert "legacy.member.peek（未编目）</option>" in r.content.decode()  # kept selected in the picker
    assert "legacy.member.peek" in _table(r) and "授予角色" not in _table(r)

    token, _ = api_token_issue(user=auditor, name="t", actor=SystemActor("test"))
    body = client.get("/api/v1/audit/records", {"action": "core", "object_type": "core.center"},
                      HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["total"] == 1
    assert body["items"][0]["action_label"] == "设立管理中心" and body["items"][0]["object_type_label"] == "管理中心"
    body = client.get("/api/v1/audit/records", {"action": "legacy"}, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["total"] == 1 and body["items"][0]["action_label"] is None
    # every query of the trail is itself audited (a read of personal data)
    assert AuditRecord.objects.filter(action="audit.records.view").count() >= 7
