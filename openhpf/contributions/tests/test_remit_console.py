"""The remittance screens of the console: the 汇缴单 list (filters, true paging, employer names, type), the roster
upload with its preview (errors by row and column, nothing created) and 确认 (回单), the template download, the
汇缴 and 补缴 counter transactions, and no money in 分 or ratios in ‱ on any of them."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import business_day, grant_role
from openhpf.contributions.models import Remittance, RemittanceImport
from openhpf.contributions.remittance import services
from openhpf.contributions.remittance.backpay import back_payment_candidates, owed_lines
from openhpf.contributions.remittance.fileimport import roster_rows
from openhpf.contributions.remittance.views import _kept_file
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.core.errors import DomainError
from openhpf.documents.models import Receipt as DocReceipt
from openhpf.iam.services import staff_create

SYS = SystemActor("test")


@pytest.fixture
def teller(center):
    user, _ = staff_create(username="remit_teller", password="pw-Remit-2026", center=center, actor=SYS)
    return grant_role(user, "teller", center=center)


@pytest.fixture
def world(center):
    emp = make_employer(center, 1)
    accts = [make_account(center, emp, i) for i in range(1, 6)]
    return emp, accts


@pytest.fixture
def tclient(client, teller):
    client.force_login(teller)
    return client


def _csv(rows) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


# words with 分 that are not money: 部分, 分页, 分配, 百分比
_NOT_MONEY = re.compile(r"部分|分页|分配|百分")


def assert_yuan_and_percent(html: str) -> None:
    """No money in 分 and no ratio in ‱ or 万分之 on a rendered page (the visible text, tags stripped)."""
    text = _NOT_MONEY.sub("", re.sub(r"<[^>]+>", " ", html))
    assert "‱" not in text and "万分之" not in text, text
    assert "分" not in text, [text[max(0, i - 30): i + 10] for i in [text.index("分")]]


# ---------------------------------------------------------------- the list


def _remittances(center, n: int) -> list[Remittance]:
    """n employers of one account each, a confirmed 汇缴单 of 2026-11 each, and one 补缴 of 2026-10."""
    out = []
    for i in range(n):
        e = make_employer(center, 10 + i)
        make_account(center, e, 100 + i)
        r = services.remittance_create(employer=e, month="2026-11", actor=SYS, business_date=center.business_date)
        out.append(services.remittance_confirm(remittance=r, actor=SYS, business_date=center.business_date))
    return out


def test_list_pages_through_every_remittance_with_names_and_type(center, tclient, world):
    emp, _ = world
    months = [f"{2020 + i // 12}{i % 12 + 1:02d}" for i in range(53)]
    Remittance.objects.bulk_create(Remittance(center=center, employer=emp, month=m, status=Remittance.Status.CONFIRMED,
                                              lines=1, total=240000, business_date=center.business_date,
                                              created_by="test") for m in months)
    rows = list(Remittance.objects.order_by("pk"))
    r = tclient.get("/contributions/remittances/")
    assert r.status_code == 200
    page = r.context["page"]
    assert page.total == 53 and page.pages == 2 and len(page.items) == 50
    html = r.content.decode()
    assert "第 1 / 2 页 · 第 1–50 条，共 53 张" in html and emp.name in html and "汇缴" in html and "2,400.00" in html
    r = tclient.get("/contributions/remittances/?page=2")
    assert [x.pk for x in r.context["page"].items] == [x.pk for x in rows[:3]][::-1]
    assert_yuan_and_percent(r.content.decode())


def test_list_filters_employer_months_type_and_status(center, tclient, world):
    emp, _ = world
    with business_day(center, date(2026, 10, 31)):
        r10 = services.remittance_create(employer=emp, month="2026-10", actor=SYS, business_date=center.business_date)
    r11 = services.remittance_create(employer=emp, month="2026-11", actor=SYS, business_date=center.business_date)
    services.remittance_confirm(remittance=r11, actor=SYS, business_date=center.business_date)
    other = _remittances(center, 1)[0]
    got = lambda q: [x.pk for x in tclient.get(f"/contributions/remittances/?{q}").context["page"].items]  # noqa: E731
    assert got(f"employer={emp.account_no}") == [r11.pk, r10.pk]
    assert got("from=2026-11&to=2026-11") == [other.pk, r11.pk]
    assert got("to=2026-10") == [r10.pk]
    assert got("status=draft") == [r10.pk]
    assert got(f"type={BizType.BACK_PAYMENT}") == []
    assert got(f"type={BizType.REMITTANCE}&employer={emp.account_no}&status=confirmed") == [r11.pk]
    r = tclient.get("/contributions/remittances/?from=2026-12&to=2026-01")
    assert r.status_code == 200 and "起始年月不能晚于终止年月" in r.content.decode()
    r = tclient.get("/contributions/remittances/?from=2026-13")
    assert "年月格式不正确" in r.content.decode()


def test_menu_has_remittances_after_members(tclient):
    html = tclient.get("/").content.decode()
    menu = html[html.index('aria-label="主菜单"'):]
    assert 0 < menu.index("个人") < menu.index(">汇缴<") and 'href="/contributions/remittances/"' in menu


def test_detail_shows_yuan_and_percent(center, tclient, world):
    emp, _ = world
    r = services.remittance_create(employer=emp, month="2026-11", actor=SYS, business_date=center.business_date)
    html = tclient.get(f"/contributions/remittances/{r.pk}/").content.decode()
    assert "12%" in html and f"{emp.account_no} {emp.name}" in html and "元" in html
    assert_yuan_and_percent(html)


# ---------------------------------------------------------------- the upload: preview first


def _upload(tclient, rows, **extra):
    return tclient.post("/contributions/remittances/upload/",
                        {"month": "2026-11", "_step": "preview", "file": SimpleUploadedFile("r.csv", _csv(rows)), **extra})


def test_upload_with_errors_lists_them_by_row_and_column_and_creates_nothing(center, tclient, world):
    rows = list(roster_rows(center=center, month="2026-11"))
    rows[2][7] = "1.00"  # 单位月缴额 of the 2nd data row
    rows[3][5] = "150%"  # 单位比例 of the 3rd
    r = _upload(tclient, rows)
    html = r.content.decode()
    assert r.status_code == 200 and "校验未通过" in html and "未生成任何汇缴单" in html
    errs = {(e["row"], e["column"]) for e in r.context["result"].first_errors}
    assert (3, "单位月缴额") in errs and (4, "单位比例") in errs
    assert "单位月缴额 1.00 元应为" in html and "150%" in html
    assert not Remittance.objects.exists()
    assert_yuan_and_percent(html)


def test_upload_preview_then_confirm_creates_and_issues_a_receipt(center, tclient, world):
    rows = list(roster_rows(center=center, month="2026-11"))
    r = _upload(tclient, rows)
    html = r.content.decode()
    res = r.context["result"]
    assert res.previewed and res.accepted_rows == 5 and res.total == 5 * 2 * 120000
    assert "预览（尚未生成汇缴单）" in html and "12,000.00" in html
    assert not Remittance.objects.exists()  # the preview creates nothing
    assert _kept_file(RemittanceImport.objects.get(pk=res.import_id)) is not None
    assert_yuan_and_percent(html)
    # the 确认 needs the tick box
    r = tclient.post("/contributions/remittances/upload/", {"_step": "confirm", "import": res.import_id})
    assert r.status_code == 422 and "请勾选" in r.content.decode() and not Remittance.objects.exists()
    confirm = {"_step": "confirm", "import": res.import_id, "_ack": "1"}
    r = tclient.post("/contributions/remittances/upload/", confirm)
    assert r.status_code == 302 and "/documents/receipts/" in r["Location"]
    rem = Remittance.objects.get()
    assert rem.status == Remittance.Status.CONFIRMED and rem.total == 1_200_000 and rem.lines == 5
    receipt = tclient.get(r["Location"])
    assert "12,000.00" in receipt.content.decode()
    # a double submission lands on the first 回单
    r2 = tclient.post("/contributions/remittances/upload/", confirm)
    assert r2.status_code == 302 and r2["Location"] == r["Location"] and Remittance.objects.count() == 1
    assert rem.source_import_id is not None
    assert RemittanceImport.objects.get(pk=rem.source_import_id).status == RemittanceImport.Status.ACCEPTED
    preview = RemittanceImport.objects.get(pk=res.import_id)
    assert preview.status == RemittanceImport.Status.PREVIEWED and _kept_file(preview) is None  # copy removed


def test_upload_confirm_of_an_unknown_preview_writes_nothing(tclient):
    r = tclient.post("/contributions/remittances/upload/", {"_step": "confirm", "import": "999999", "_ack": "1"})
    assert r.status_code == 404 and "清册预览不存在" in r.content.decode() and not Remittance.objects.exists()


def test_upload_page_says_what_each_column_takes_and_offers_the_template(tclient):
    html = tclient.get("/contributions/remittances/upload/").content.decode()
    assert "各列填写要求" in html and "百分比，如 12% 或 0.12" in html and "金额（元）" in html
    r = tclient.get("/contributions/remittances/upload/template/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert [c.value for c in wb["缴存清册"][1]][:4] == ["单位账号", "姓名", "证件号码", "个人账号"]
    assert wb["填写说明"].max_row >= 10


# ---------------------------------------------------------------- 补缴 candidates (the paid-month store)


@pytest.fixture
def past(center):
    """An employer whose 3 accounts were opened on 2026-08-10: 2026-09 and 2026-10 are owed by all three."""
    emp = make_employer(center, 2)
    accts = [make_account(center, emp, i) for i in range(11, 14)]
    MemberAccount.objects.filter(pk__in=[a.pk for a in accts]).update(opened_date=date(2026, 8, 10))
    return emp, accts


def test_back_candidates_are_the_months_unpaid_accounts_with_what_they_owe(center, past, teller):
    emp, accts = past
    rows, total = back_payment_candidates(employer=emp, month="202610", business_date=center.business_date,
                                          actor=teller)
    assert total == 3 and [c.account_no for c in rows] == sorted(a.account_no for a in accts)
    assert {(c.employer_amount, c.member_amount) for c in rows} == {(120000, 120000)}
    assert "*" in rows[0].name  # masked for a teller
    assert AuditRecord.objects.filter(action="contributions.back_payment.candidates").count() == 1
    # one of them back-paid for October (a live 补缴单): it owes nothing more for the month
    services.back_payment_create(employer=emp, month="2026-10", back_kind="adhoc", reason="漏缴",
                                 lines=[(accts[0].account_no, 120000, 120000)], actor=SYS,
                                 business_date=center.business_date)
    rows, _ = back_payment_candidates(employer=emp, month="202610", business_date=center.business_date, actor=teller)
    assert [c.account_no for c in rows] == sorted(a.account_no for a in accts[1:])
    with pytest.raises(DomainError) as e:
        owed_lines(employer=emp, month="202610", account_nos=[accts[1].account_no, accts[0].account_no])
    assert e.value.row == 2 and "已缴足" in e.value.message
    assert owed_lines(employer=emp, month="202610", account_nos=[accts[2].account_no]) == [
        (accts[2].account_no, 120000, 120000)]



# ---------------------------------------------------------------- 汇缴 at the counter


def _token(html: str) -> str:
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', html)
    assert m, "the form carries a one-time token"
    return m.group(1)


def _counter(tclient, url: str, data: dict, *, ack: bool = True):
    """GET the form, POST 核对, POST 办理: the three responses."""
    form = tclient.get(url)
    token = _token(form.content.decode())
    review = tclient.post(url, {**data, "_token": token, "_step": "review"})
    done = tclient.post(url, {**data, "_token": token, "_step": "confirm", **({"_ack": "1"} if ack else {})})
    return form, review, done, token


MONTH_URL = "/contributions/remittances/month/"
BACK_URL = "/contributions/remittances/back/"


def test_remit_month_previews_totals_then_creates_confirms_and_issues_a_receipt(center, tclient, world):
    emp, _ = world
    form, review, done, token = _counter(tclient, MONTH_URL, {"employer_no": emp.account_no, "month": "2026-11"})
    assert form.status_code == 200 and 'type="month"' in form.content.decode()
    html = review.content.decode()
    assert review.status_code == 200 and "5 人" in html and "单位 12% / 个人 12%（5 人）" in html
    assert "6,000.00 元" in html and "12,000.00 元" in html and emp.name in html
    assert_yuan_and_percent(html)
    assert done.status_code == 302 and done["Location"].startswith("/documents/receipts/")
    r = Remittance.objects.get()
    assert (r.status, r.lines, r.total, r.biz_type) == (Remittance.Status.CONFIRMED, 5, 1_200_000, BizType.REMITTANCE)
    receipt = DocReceipt.objects.get()
    assert receipt.kind == "contributions.remit.month" and receipt.amount == 1_200_000
    assert ["合计", "12,000.00 元"] in receipt.lines and receipt.object_id == str(r.pk)
    # a double submission (the same form again) lands on the first 回单 and creates nothing
    again = tclient.post(MONTH_URL, {"employer_no": emp.account_no, "month": "2026-11", "_token": token,
                                     "_step": "confirm", "_ack": "1"})
    assert again.status_code == 302 and again["Location"].startswith(done["Location"])
    assert Remittance.objects.count() == 1 and DocReceipt.objects.count() == 1


def test_remit_month_preview_writes_nothing(center, tclient, world):
    emp, _ = world
    form = tclient.get(MONTH_URL)
    r = tclient.post(MONTH_URL, {"employer_no": emp.account_no, "month": "2026-11", "_token": _token(form.content.decode()),
                                 "_step": "review"})
    assert r.status_code == 200 and not Remittance.objects.exists() and not DocReceipt.objects.exists()
    assert not AuditRecord.objects.filter(action="contributions.remittance.create").exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"employer_no": "999999999", "month": "2026-11"}, "单位账号 999999999 不存在"),
    ({"month": "2026-13"}, "年月格式不正确"),
    ({"employer_no": ""}, "这个字段是必填项"),
])
def test_remit_month_bad_input_says_why_and_writes_nothing(center, tclient, world, data, message):
    emp, _ = world
    _, review, done, _ = _counter(tclient, MONTH_URL, {"employer_no": emp.account_no, "month": "2026-11", **data})
    assert review.status_code == 400 and message in review.content.decode()
    assert done.status_code == 400 and not Remittance.objects.exists() and not DocReceipt.objects.exists()


def test_remit_month_twice_is_refused_with_the_service_message(center, tclient, world):
    emp, _ = world
    _counter(tclient, MONTH_URL, {"employer_no": emp.account_no, "month": "2026-11"})
    _, review, done, _ = _counter(tclient, MONTH_URL, {"employer_no": emp.account_no, "month": "2026-11"})
    assert review.status_code == 400 and "的汇缴单已存在" in review.content.decode() and "REMITTANCE_EXISTS" in review.content.decode()
    assert done.status_code == 400 and Remittance.objects.count() == 1 and DocReceipt.objects.count() == 1


def test_remit_month_without_the_tick_box_does_nothing(center, tclient, world):
    emp, _ = world
    _, _, done, _ = _counter(tclient, MONTH_URL, {"employer_no": emp.account_no, "month": "2026-11"}, ack=False)
    assert done.status_code == 400 and "请勾选" in done.content.decode() and not Remittance.objects.exists()


# ---------------------------------------------------------------- 补缴 at the counter


def test_back_pay_lists_candidates_previews_then_creates_with_a_receipt(center, tclient, past):
    emp, accts = past
    page = tclient.get(f"{BACK_URL}?employer={emp.account_no}&month=2026-10")
    html = page.content.decode()
    assert page.status_code == 200 and "未缴人员（共 3 人）" in html and accts[0].account_no in html
    assert "1,200.00" in html and "12%" in html
    assert_yuan_and_percent(html)
    data = {"employer_no": emp.account_no, "month": "2026-10", "back_kind": "adhoc",
            "accounts": f"{accts[0].account_no}\n{accts[2].account_no}", "reason": "单位漏报两人"}
    _, review, done, token = _counter(tclient, BACK_URL, data)
    html = review.content.decode()
    assert review.status_code == 200 and "个别补缴" in html and "2 人" in html and "4,800.00 元" in html
    assert f"{accts[0].account_no}（单位 1,200.00 元 / 个人 1,200.00 元）" in html and "单位漏报两人" in html
    assert_yuan_and_percent(html)
    assert done.status_code == 302
    r = Remittance.objects.get()
    assert (r.biz_type, r.back_kind, r.status, r.total, r.reason) == (
        BizType.BACK_PAYMENT, "adhoc", Remittance.Status.CONFIRMED, 480_000, "单位漏报两人")
    receipt = DocReceipt.objects.get()
    assert receipt.kind == "contributions.remit.back" and receipt.amount == 480_000 and ["补缴原因", "单位漏报两人"] in receipt.lines
    pdf = tclient.get(f"/documents/receipts/{receipt.number}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    again = tclient.post(BACK_URL, {**data, "_token": token, "_step": "confirm", "_ack": "1"})
    assert again.status_code == 302 and Remittance.objects.count() == 1 and DocReceipt.objects.count() == 1
    # the list shows it as 补缴
    listed = tclient.get(f"/contributions/remittances/?type={BizType.BACK_PAYMENT}").content.decode()
    assert "补缴（个别补缴）" in listed and emp.name in listed


def test_back_pay_full_takes_the_months_unpaid_roster(center, tclient, past):
    emp, _ = past
    _, review, done, _ = _counter(tclient, BACK_URL, {"employer_no": emp.account_no, "month": "2026-09",
                                                      "back_kind": "full", "reason": "缓缴期满补缴"})
    assert review.status_code == 200 and "3 人" in review.content.decode() and "7,200.00 元" in review.content.decode()
    assert done.status_code == 302
    r = Remittance.objects.get()
    assert (r.back_kind, r.lines, r.total, r.month) == ("full", 3, 720_000, "202609")


@pytest.mark.parametrize(("data", "message"), [
    ({"reason": ""}, "这个字段是必填项"),
    ({"back_kind": "full"}, "全额补缴按该月名册补缴全部未缴人员"),
    ({"accounts": ""}, "个别补缴须填写补缴人员的个人账号"),
    ({"accounts": "000000000"}, "不属于该单位"),
    ({"month": "2026-11"}, "应早于当前月份"),
    ({"month": "2026-07"}, "不在本单位的缴存期内"),
])
def test_back_pay_bad_input_says_why_and_writes_nothing(center, tclient, past, data, message):
    emp, accts = past
    base = {"employer_no": emp.account_no, "month": "2026-10", "back_kind": "adhoc", "accounts": accts[0].account_no,
            "reason": "漏缴"}
    _, review, done, _ = _counter(tclient, BACK_URL, {**base, **data})
    assert review.status_code == 400 and message in review.content.decode(), review.content.decode()[-3000:]
    assert done.status_code == 400 and not Remittance.objects.exists() and not DocReceipt.objects.exists()


def test_the_employer_page_links_open_the_forms_with_the_employer_filled_in(center, tclient, past):
    emp, accts = past
    html = tclient.get(f"/contributions/employers/{emp.account_no}/remit/").content.decode()
    assert f'name="employer_no" value="{emp.account_no}"' in html and 'value="2026-11"' in html
    html = tclient.get(f"/contributions/employers/{emp.account_no}/back/?month=2026-10").content.decode()
    assert f'name="employer_no" value="{emp.account_no}"' in html and accts[0].account_no in html
