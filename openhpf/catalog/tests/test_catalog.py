"""The service catalogue: the seeded national items, edits through maker-checker with history, the public page
and the public API."""

import importlib
from datetime import date, timedelta

import pytest
from django.urls import reverse

from openhpf.approvals.registry import summary_of, unrendered
from openhpf.approvals.services import command_approve, command_submit
from openhpf.catalog import selectors
from openhpf.catalog.models import Channel, IdentityLevel, ServiceItemVersion
from openhpf.catalog.services import item_check, spec_of
from openhpf.conftest import grant_role
from openhpf.core.errors import DomainError, PermissionDenied

pytestmark = pytest.mark.django_db
SEED = importlib.import_module("openhpf.catalog.migrations.0002_seed_national_items")
CROSS_PROVINCE = {"单位登记开户", "单位及个人缴存信息变更", "购买住房提取", "住房公积金贷款全部还清证明", "提前还清住房公积金贷款",
                  "汇缴", "补缴", "提前退休提取", "住房公积金缴存贷款信息查询", "个人住房公积金缴存使用证明", "正常退休提取", "租房提取",
                  "住房公积金异地转移接续"}


def _leader(django_user_model, name):
    return grant_role(django_user_model.objects.create_user(name, is_staff=True), "leader")


def test_every_seeded_item_passes_the_checks_and_the_cross_province_list_is_complete():
    versions = selectors.items_current(date(2026, 11, 30))
    # the national items of this seed, and the local ones other apps seed beside them (withdrawals/0004)
    assert {c for c, _ in SEED.ITEMS} <= {v.item.code for v in versions} and len(SEED.ITEMS) >= 20
    for v in versions:
        assert item_check(spec_of(v)) == spec_of(v), v.item.code
    assert {v.name for v in versions if v.cross_province} == CROSS_PROVINCE
    by_code = {v.item.code: v for v in versions}
    transfer = by_code["HPF-P-TRANSFER"]
    assert [c["channel"] for c in transfer.channels] == [Channel.COUNTER] and not transfer.fully_online
    for code in ("HPF-P-WD-01", "HPF-P-WD-07"):
        assert by_code[code].legal_limit == 3 and by_code[code].legal_limit_unit == "natural_day"
    assert by_code["HPF-P-LOAN"].legal_limit == 15
    for v in versions:  # online channels of money-paying items need more than password + code
        if v.pays_money:
            assert all(c["min_identity"] > IdentityLevel.PASSWORD_CODE for c in v.channels
                       if c["channel"] in ("web", "mobile", "self_service")), v.item.code


def test_password_and_code_are_not_enough_to_pay_money_online():
    spec = spec_of(selectors.item_current("HPF-P-WD-07", date(2026, 11, 30)))
    spec["channels"] = [{"channel": "mobile", "min_identity": IdentityLevel.PASSWORD_CODE}]
    with pytest.raises(DomainError) as exc:
        item_check(spec)
    assert exc.value.code == "CATALOG_IDENTITY_TOO_WEAK" and exc.value.field == "channels.0.min_identity"


def test_an_edit_goes_through_maker_checker_and_keeps_the_history(center, django_user_model):
    maker, checker = _leader(django_user_model, "maker1"), _leader(django_user_model, "checker1")
    today = center.business_date
    cmd = command_submit(name="catalog.item_change", actor=maker, center=center, business_date=today, params={
        "code": "HPF-P-WD-07", "spec": {"promised_limit": 1}, "reason": "承诺时限压缩为 1 个工作日",
        "effective_from": (today + timedelta(days=1)).isoformat()})
    assert selectors.item_latest("HPF-P-WD-07").version == 1  # nothing changes before the checker approves
    summary = summary_of(cmd, checker)
    assert [(c.label, c.before, c.after) for c in summary.changes] == [("承诺时限", "3", "1")]
    with pytest.raises(DomainError) as own:
        command_approve(command=cmd, actor=maker, business_date=today)  # the maker cannot check their own
    assert own.value.code == "SELF_APPROVAL"
    command_approve(command=cmd, actor=checker, business_date=today)
    history = selectors.item_history("HPF-P-WD-07")
    assert [h.version for h in history] == [2, 1]
    assert history[0].promised_limit == 1 and history[0].command_id == cmd.pk
    assert history[0].approved_by == "user:checker1" and history[0].made_by == "user:maker1"
    # in force from tomorrow: today the public still reads version 1
    assert selectors.item_current("HPF-P-WD-07", today).version == 1
    assert selectors.item_current("HPF-P-WD-07", today + timedelta(days=1)).version == 2
    assert ServiceItemVersion.objects.get(item__code="HPF-P-WD-07", version=1).promised_limit == 3


def test_a_bad_edit_is_refused_at_submission(center, django_user_model):
    maker = _leader(django_user_model, "maker2")
    with pytest.raises(DomainError) as exc:
        command_submit(name="catalog.item_change", actor=maker, center=center, business_date=center.business_date,
                       params={"code": "HPF-P-WD-07", "spec": {"legal_limit": 400}, "reason": "x"})
    assert exc.value.code == "CATALOG_ITEM_INVALID" and exc.value.field == "legal_limit"
    teller = grant_role(django_user_model.objects.create_user("t9", is_staff=True), "teller")
    with pytest.raises(PermissionDenied):
        command_submit(name="catalog.item_change", actor=teller, center=center, business_date=center.business_date,
                       params={"code": "HPF-P-WD-07", "spec": {"promised_limit": 2}, "reason": "x"})


def test_the_command_has_a_renderer():
    assert "catalog.item_change" not in unrendered() and "applications.rule_set_change" not in unrendered()


def test_public_pages_need_no_sign_in(client):
    page = client.get(reverse("catalog:items"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "租房提取" in text and "跨省通办" in text and "全程网办" in text
    detail = client.get(reverse("catalog:item", args=["HPF-P-WD-07"])).content.decode()
    assert "3 日" in detail and "条例第二十五条" in detail and "3 工作日" in detail and "人脸核验" in detail
    assert "顺延" in detail and "<script>" not in detail
    assert client.get(reverse("catalog:items") + "?kind=employer").content.decode().count('data-testid="item"') == 4
    assert client.get(reverse("catalog:item", args=["NOPE"])).status_code == 404


def test_public_api_needs_no_token(client):
    items = client.get("/api/v1/catalog/items").json()
    assert {i["code"] for i in items} >= {"HPF-P-WD-07", "HPF-P-LOAN", "HPF-P-TRANSFER"}
    one = client.get("/api/v1/catalog/items/HPF-P-LOAN").json()
    assert one["legal_limit"] == 15 and one["legal_limit_unit"] == "natural_day" and one["kind_label"] == "个人"
    assert [s["name"] for s in one["review_stages"]] == ["初审", "复审", "审批"]
    missing = client.get("/api/v1/catalog/items/NOPE")
    assert missing.status_code == 404 and missing.json()["code"] == "CATALOG_ITEM_NOT_FOUND"
    assert len(client.get("/api/v1/catalog/items/HPF-P-LOAN/versions").json()) == 1
