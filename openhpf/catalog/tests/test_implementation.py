"""A center's 实施清单: its own implementation of each national item (offered, promised limit, channels, local
materials, place/hours/phone), effective-dated, through maker-checker; the merged view; the public pages and API
with a center; the console page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from openhpf.approvals.registry import summary_of, unrendered
from openhpf.approvals.selectors import commands_pending_page
from openhpf.approvals.services import command_approve, command_submit
from openhpf.audit.models import AuditRecord
from openhpf.catalog import selectors
from openhpf.catalog.models import CenterItemVersion, IdentityLevel
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.services import center_create
from openhpf.iam.models import StaffProfile

pytestmark = pytest.mark.django_db
ITEM = "HPF-P-WD-07"  # 租房提取: counter, 跨省通办代收代办, web and mobile with face verification


def _leader(django_user_model, name, center=None):
    user = grant_role(django_user_model.objects.create_user(name, is_staff=True), "leader", center=center)
    if center is not None:
        StaffProfile.objects.create(user=user, center=center)
    return user


def _publish(center, maker, checker, spec, *, effective_from=None, reason="本中心实施清单"):
    cmd = command_submit(name="catalog.implementation_change", actor=maker, center=center,
                         business_date=center.business_date,
                         params={"code": ITEM, "spec": spec, "reason": reason,
                                 "effective_from": (effective_from or center.business_date).isoformat()})
    command_approve(command=cmd, actor=checker, business_date=center.business_date)
    return cmd


@pytest.fixture
def leaders(center, django_user_model):
    return _leader(django_user_model, "impl_maker", center), _leader(django_user_model, "impl_checker", center)


def test_without_its_own_version_a_center_follows_the_national_item(center):
    here = selectors.item_for_center(ITEM, center, center.business_date)
    national = selectors.item_current(ITEM, center.business_date)
    assert here.implementation is None and here.offered
    assert (here.promised_limit, here.promised_limit_unit) == (3, "working_day")
    assert here.channels == national.channels and here.materials == national.materials
    assert selectors.item_for_center("NOPE", center, center.business_date) is None


def test_a_change_goes_through_maker_checker_and_the_merge_takes_it(center, leaders):
    maker, checker = leaders
    today = center.business_date
    cmd = command_submit(name="catalog.implementation_change", actor=maker, center=center, business_date=today,
                         params={"code": ITEM, "reason": "压缩时限，只开通柜台和手机", "spec": {
                             "promised_limit": 1, "channels": [
                                 {"channel": "counter", "min_identity": IdentityLevel.COUNTER_CHECK},
                                 {"channel": "mobile", "min_identity": IdentityLevel.CERTIFICATE}],
                             "extra_materials": [{"code": "residence", "name": "居住证明"}],
                             "place": "市民中心二楼 B 区", "hours": "工作日 9:00–17:00", "phone": "12329"}})
    assert not CenterItemVersion.objects.exists()  # nothing before the checker approves
    summary = summary_of(cmd, checker)
    labels = {c.label: (c.before, c.after) for c in summary.changes}
    assert labels["承诺时限"] == ("3", "1") and labels["办理地点"] == ("—", "市民中心二楼 B 区")
    assert "网上服务大厅" in labels["开通渠道"][0] and "网上服务大厅" not in labels["开通渠道"][1]
    with pytest.raises(DomainError) as own:
        command_approve(command=cmd, actor=maker, business_date=today)
    assert own.value.code == "SELF_APPROVAL"
    command_approve(command=cmd, actor=checker, business_date=today)
    impl = CenterItemVersion.objects.get()
    assert impl.version == 1 and impl.command_id == cmd.pk and impl.made_by == "user:impl_maker"
    here = selectors.item_for_center(ITEM, center, today)
    assert here.implementation == impl and here.promised_limit == 1
    assert [c["channel"] for c in here.channels] == ["counter", "mobile"]
    assert here.channel_level("mobile") == IdentityLevel.CERTIFICATE and here.channel_level("web") is None
    assert here.materials[-1]["code"] == "residence" and here.materials[-1]["required"] is True
    assert AuditRecord.objects.filter(action="catalog.implementation.change").count() == 1
    # the national item is untouched
    assert selectors.item_latest(ITEM).version == 1 and len(selectors.item_latest(ITEM).channels) == 4


def test_a_change_takes_effect_on_its_date_only(center, leaders):
    maker, checker = leaders
    today = center.business_date
    _publish(center, maker, checker, {"promised_limit": 5})
    _publish(center, maker, checker, {"promised_limit": 2}, effective_from=today + timedelta(days=10))
    assert selectors.item_for_center(ITEM, center, today).promised_limit == 5
    assert selectors.item_for_center(ITEM, center, today + timedelta(days=9)).promised_limit == 5
    assert selectors.item_for_center(ITEM, center, today + timedelta(days=10)).promised_limit == 2
    assert [v.version for v in selectors.implementation_history(center, ITEM)] == [2, 1]
    # another center is not touched by this one's list
    other = center_create(code="330200", name="宁波住房公积金管理中心", business_date=today, actor=SystemActor("t"))
    assert selectors.item_for_center(ITEM, other, today + timedelta(days=10)).promised_limit == 3


@pytest.mark.parametrize(("spec", "field", "text"), [
    ({"channels": [{"channel": "hotline", "min_identity": 4}]}, "channels.0.channel", "基本目录未设"),
    ({"channels": [{"channel": "mobile", "min_identity": 2}]}, "channels.0.min_identity", "高于密码"),
    ({"channels": [{"channel": "counter", "min_identity": 1}, {"channel": "web", "min_identity": 1}]},
     "channels.1.min_identity", "须高于密码加短信验证码"),
    ({"channels": []}, "channels", "至少"),
    ({"channels": [{"channel": "counter", "min_identity": 1}]}, "channels", "全程网办"),
    ({"extra_materials": [{"code": "id_card", "name": "身份证"}]}, "extra_materials", "重复"),
    ({"extra_materials": [{"code": "", "name": "无编码"}]}, "extra_materials.0", "编码和名称"),
    ({"promised_limit": 400}, "promised_limit", "0–365"),
    ({"promised_limit_unit": "hour"}, "promised_limit_unit", "时限单位"),
    ({"hours": "x" * 201}, "hours", "200"),
    ({"color": "red"}, "color", "未知的字段"),
])
def test_a_bad_change_is_refused_at_submission_with_its_field(center, leaders, spec, field, text):
    maker, _ = leaders
    with pytest.raises(DomainError) as exc:
        command_submit(name="catalog.implementation_change", actor=maker, center=center,
                       business_date=center.business_date, params={"code": ITEM, "spec": spec, "reason": "试"})
    assert exc.value.field == field and text in exc.value.message, exc.value.message
    assert exc.value.code in ("CATALOG_IMPLEMENTATION_INVALID", "CATALOG_IDENTITY_TOO_WEAK")


def test_a_channel_weaker_than_the_national_item_is_refused(center, leaders):
    maker, _ = leaders
    with pytest.raises(DomainError) as exc:  # 网上服务大厅 of 单位缴存信息变更 needs password + one-time code
        command_submit(name="catalog.implementation_change", actor=maker, center=center,
                       business_date=center.business_date, params={"code": "HPF-E-CHANGE", "reason": "试", "spec": {
                           "channels": [{"channel": "web", "min_identity": IdentityLevel.COUNTER_CHECK}]}})
    assert exc.value.code == "CATALOG_IMPLEMENTATION_INVALID" and exc.value.field == "channels.0.min_identity"
    assert "不能低于基本目录的「密码加短信验证码」" in exc.value.message


def test_not_before_the_business_date_nor_without_a_reason_nor_by_a_teller(center, leaders, django_user_model):
    maker, _ = leaders
    past = (center.business_date - timedelta(days=1)).isoformat()
    for params, field in (({"code": ITEM, "spec": {}, "reason": "x", "effective_from": past}, "effective_from"),
                          ({"code": ITEM, "spec": {}, "reason": " "}, "reason"),
                          ({"code": "NOPE", "spec": {}, "reason": "x"}, "code")):
        with pytest.raises(DomainError) as exc:
            command_submit(name="catalog.implementation_change", actor=maker, center=center,
                           business_date=center.business_date, params=params)
        assert exc.value.field == field
    teller = grant_role(django_user_model.objects.create_user("t_impl", is_staff=True), "teller", center=center)
    with pytest.raises(PermissionDenied):
        command_submit(name="catalog.implementation_change", actor=teller, center=center,
                       business_date=center.business_date, params={"code": ITEM, "spec": {}, "reason": "x"})
    assert "catalog.implementation_change" not in unrendered()


def test_a_center_may_stop_offering_an_item(center, leaders):
    maker, checker = leaders
    _publish(center, maker, checker, {"offered": False, "channels": []}, reason="本地不开办")
    here = selectors.item_for_center(ITEM, center, center.business_date)
    assert not here.offered
    assert ITEM not in {r.code for r in selectors.items_for_center(center, center.business_date, offered_only=True)}
    assert ITEM in {r.code for r in selectors.items_for_center(center, center.business_date)}


def test_public_pages_show_the_centers_list(client, center, leaders):
    maker, checker = leaders
    _publish(center, maker, checker, {"promised_limit": 1, "place": "市民中心二楼 B 区", "extra_materials": [
        {"code": "residence", "name": "居住证明"}]})
    # the only center is the default; naming it gives the same page
    for url in (reverse("catalog:item", args=[ITEM]), reverse("catalog:item", args=[ITEM]) + "?center=330100"):
        text = client.get(url).content.decode()
        assert "1 工作日" in text and "市民中心二楼 B 区" in text and "居住证明（本中心增补）" in text
        assert "实施清单第 1 版" in text
    listing = client.get(reverse("catalog:items") + "?center=330100").content.decode()
    assert "杭州住房公积金管理中心" in listing and "承诺时限 1 工作日" in listing
    assert client.get(reverse("catalog:items") + "?center=999999").status_code == 404
    _publish(center, maker, checker, {"offered": False, "channels": []}, reason="本地不开办")
    listing = client.get(reverse("catalog:items") + "?center=330100").content.decode()
    assert "租房提取" not in listing
    assert "本中心未开办此事项" in client.get(reverse("catalog:item", args=[ITEM])).content.decode()


def test_public_api_of_a_centers_list(client, center, leaders):
    maker, checker = leaders
    _publish(center, maker, checker, {"promised_limit": 1, "phone": "12329",
                                      "channels": [{"channel": "counter", "min_identity": 1},
                                                   {"channel": "mobile", "min_identity": 4}]})
    rows = client.get("/api/v1/catalog/centers/330100/items").json()
    row = next(r for r in rows if r["code"] == ITEM)
    assert row["center"] == "330100" and row["promised_limit"] == 1 and row["implementation_version"] == 1
    assert row["channels"] == [{"channel": "counter", "min_identity": 1}, {"channel": "mobile", "min_identity": 4}]
    assert row["phone"] == "12329"
    other = next(r for r in rows if r["code"] == "HPF-P-LOAN")
    assert other["implementation_version"] is None and other["promised_limit"] == 10
    one = client.get(f"/api/v1/catalog/centers/330100/items/{ITEM}").json()
    assert one["offered"] is True and one["legal_limit"] == 3
    versions = client.get(f"/api/v1/catalog/centers/330100/items/{ITEM}/versions").json()
    assert [v["version"] for v in versions] == [1]
    missing = client.get("/api/v1/catalog/centers/999999/items")
    assert missing.status_code == 404 and missing.json()["code"] == "CATALOG_CENTER_NOT_FOUND"
    assert client.get("/api/v1/catalog/centers/330100/items/NOPE").json()["code"] == "CATALOG_ITEM_NOT_FOUND"
    on = client.get(f"/api/v1/catalog/centers/330100/items/{ITEM}?on=2026-01-01")
    assert on.status_code == 200 and on.json()["implementation_version"] is None


def test_the_console_page_lists_and_submits_a_change(client, center, leaders, django_user_model):
    maker, checker = leaders
    client.force_login(maker)
    page = client.get(reverse("catalog:implementations"))
    assert page.status_code == 200 and "租房提取" in page.content.decode() and "按基本目录" in page.content.decode()
    url = reverse("catalog:implementation", args=[ITEM])
    assert client.get(url).status_code == 200
    form = {"offered": "on", "promised_limit": "2", "promised_limit_unit": "working_day",
            "ch_counter": "on", "lv_counter": "1", "ch_mobile": "on", "lv_mobile": "3",
            "extra_materials": "residence 居住证明 视情况", "place": "市民中心", "hours": "", "phone": "12329",
            "note": "", "effective_from": center.business_date.isoformat(), "reason": "本中心实施清单首版"}
    done = client.post(url, form)
    assert done.status_code == 200 and 'data-testid="submitted"' in done.content.decode()
    assert "变更待复核" in client.get(reverse("catalog:implementations")).content.decode()
    bad = client.post(url, {**form, "lv_mobile": "2"})  # weaker than the item's 人脸核验: not even a choice
    assert bad.status_code == 422
    bad = client.post(url, {**form, "ch_counter": "", "ch_mobile": ""})  # no channel at all
    assert bad.status_code == 422 and "CATALOG_IMPLEMENTATION_INVALID" in bad.content.decode()
    (cmd,) = commands_pending_page(center=center).items
    command_approve(command=cmd, actor=checker, business_date=center.business_date)
    here = selectors.item_for_center(ITEM, center, center.business_date)
    assert here.promised_limit == 2 and here.materials[-1] == {
        "code": "residence", "name": "居住证明", "format": "scan", "required": False, "replaceable_by": "",
        "note": ""}
    teller = grant_role(django_user_model.objects.create_user("t_page", is_staff=True), "teller", center=center)
    StaffProfile.objects.create(user=teller, center=center)
    client.force_login(teller)
    assert client.get(reverse("catalog:implementations")).status_code == 403
    assert date(2026, 11, 30) == center.business_date
