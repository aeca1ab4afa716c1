"""Finance's day at the console (Django test client): a statement uploaded (bad files refused whole, nothing
written), a bank fee booked as a voucher through maker-checker and a voucher no bank executed reversed, and the
day-end run, refused with its whole reason, fixed and re-run."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve, command_reject
from openhpf.conftest import grant_role
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.iam.services import staff_create
from openhpf.jobs.models import Job
from openhpf.ledger.models import JournalLine
from openhpf.settlement.services import bank_account_open

from ..models import BankStatement, Reconciliation, ReconItem
from .test_services import D0, D3, OPENING, SYS, _post

NO = "1202020100000001"


@pytest.fixture
def acct(center):
    a = bank_account_open(center=center, bank_code="102", bank_name="工商银行杭州分行", account_no=NO, account_name="",
                          actor=SYS, business_date=D0)
    _post(center, a, D0, [("in", OPENING, "")], description="期初余额")
    return a


@pytest.fixture
def finance(center):
    user, _ = staff_create(username="fin1", password="pw-Finance-2026", center=center, actor=SYS)
    return grant_role(user, "finance", center=center)


@pytest.fixture
def checker(center):
    user, _ = staff_create(username="chk1", password="pw-Check-2026", center=center, actor=SYS)
    return grant_role(user, "reviewer", center=center)


def _csv(*rows: tuple[str, str, int]) -> bytes:
    """A statement CSV of D3 from OPENING: (bank_seq, 收/付, fen) with running balances in 元."""
    bal, out = OPENING, ["银行流水号,收支方向,金额(元),余额(元),摘要"]
    for seq, d, fen in rows:
        bal += fen if d == "收" else -fen
        out.append(f"{seq},{d},{fen / 100:.2f},{bal / 100:.2f},测试")
    return "\n".join(out).encode("utf-8")


def _upload(client, content: bytes, name: str = "s.csv", **extra):
    data = {"account_no": NO, "date": D3.isoformat(), **extra}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content)
    return client.post(reverse("reconciliation:statement_upload"), data, follow=True)


def _said(res) -> str:
    return " ".join(str(m) for m in get_messages(res.wsgi_request)) or res.content.decode()


def test_statement_upload_shows_counts_in_yuan_and_refuses_bad_input_writing_nothing(center, acct, finance, client):
    client.force_login(finance)
    for content, name, extra, message in (
            (None, "s.csv", {}, "请选择对账单文件"),
            (b"x", "s.txt", {}, "对账单文件应为 CSV、Excel 或 NDJSON"),
            (_csv(("F1", "付", 15_00)), "s.csv", {"opening": "12.345"}, "期初余额格式不正确：12.345"),
            (_csv(("F1", "付", 15_00)), "s.csv", {"date": "2026-13-01"}, "对账单日期格式不正确"),
            (_csv(("B1", "收", 1000_00), ("F1", "付", 15_00)).replace(b"1000985.00", b"1000980.00"), "s.csv", {},
             "对账单未载入")):
        res = _upload(client, content, name, **extra)
        assert res.status_code == 200 and message in _said(res), (message, _said(res))
        assert BankStatement.objects.count() == 0
    res = _upload(client, _csv(("B1", "收", 1000_00), ("F1", "付", 15_00)))
    assert "已载入 工商银行杭州分行 1202020100000001 2026-11-30 对账单：2 笔，收入 1,000.00 元，支出 15.00 元" in _said(res)
    assert BankStatement.objects.get().line_count == 2


def _fee_item(center, acct, client) -> ReconItem:
    _post(center, acct, D3, [("in", 1000_00, "B1")])
    _upload(client, _csv(("B1", "收", 1000_00), ("F1", "付", 15_00)))
    res = client.post(reverse("reconciliation:run"), {"account_no": NO, "date": D3.isoformat()}, follow=True)
    assert "对账完成" in _said(res), _said(res)
    return ReconItem.objects.get(ref_key="F1")


def _token(html: str) -> str:
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', html)
    assert m, html
    return m.group(1)


def test_a_bank_fee_is_booked_through_maker_checker_and_then_matches(center, acct, finance, checker, client):
    client.force_login(finance)
    item = _fee_item(center, acct, client)
    page = client.get(reverse("reconciliation:items")).content.decode()
    url = reverse("reconciliation:item_book", args=[item.pk])
    assert url in page
    form = client.get(url).content.decode()
    assert "41102 归集手续费支出" in form and "15.00 元" in form and "40101" not in form
    token = _token(form)
    for data, message in (({"account": "10101", "description": "手续费"}, "请选择列出的对方科目"),
                          ({"account": "40101", "description": "手续费"}, "请选择列出的对方科目"),
                          ({"account": "41102", "description": ""}, "请填写凭证摘要")):
        res = client.post(url, {**data, "_token": token, "_step": "confirm"})
        assert res.status_code == 400 and message in res.content.decode()
        assert PendingCommand.objects.count() == 0
    data = {"account": "41102", "description": "汇划手续费", "_token": token}
    review = client.post(url, {**data, "_step": "review"}).content.decode()
    assert "借" in review and "41102 归集手续费支出 15.00 元" in review and "贷" in review
    assert f"{acct.gl_account.code} {acct.gl_account.name} 15.00 元" in review and PendingCommand.objects.count() == 0
    res = client.post(url, {**data, "_step": "confirm"})
    assert res.status_code == 302
    assert "补记凭证（已提交复核）" in client.get(res["Location"]).content.decode()
    again = client.post(url, {**data, "_step": "confirm"})  # a double click lands on the same 回单
    assert again["Location"].startswith(res["Location"])
    cmd = PendingCommand.objects.get()
    assert cmd.name == "ledger.entry_post" and cmd.amount == 15_00
    command_approve(command=cmd, actor=checker, business_date=D3)
    line = JournalLine.objects.get(account__code=acct.gl_account.code, credit=15_00)
    assert line.bank_ref == "F1"  # the voucher carries the bank's reference: matched by key
    client.post(reverse("reconciliation:run"), {"account_no": NO, "date": D3.isoformat()})  # the day again
    assert not ReconItem.objects.filter(ref_key="F1", closed_on__isnull=True).exists()
    r = Reconciliation.objects.get(recon_date=D3)
    assert r.status == Reconciliation.Status.BALANCED and r.items_open == 0 and r.matched_by_key == 2


def test_an_item_waiting_for_a_checker_shows_its_command_and_is_not_booked_twice(center, acct, finance, checker,
                                                                                   client):
    from ..services import recon_item_book, recon_item_reverse

    client.force_login(finance)
    item = _fee_item(center, acct, client)
    url = reverse("reconciliation:item_book", args=[item.pk])
    data = {"account": "41102", "description": "汇划手续费", "_token": _token(client.get(url).content.decode())}
    assert client.post(url, {**data, "_step": "confirm"}).status_code == 302
    cmd = PendingCommand.objects.get()
    page = client.get(reverse("reconciliation:items")).content.decode()
    assert "待复核" in page and reverse("approvals:detail", args=[cmd.pk]) in page and url not in page
    assert f"复核单 #{cmd.pk}" in client.get(reverse("reconciliation:detail", args=[item.opened_in_id])).content.decode()
    # a second form (another tab, another clerk): it says so, and is refused on the 核对 page and at 办理
    form = client.get(url).content.decode()
    assert f"复核单 #{cmd.pk}" in form and "复核前不能再次提交" in form
    token = _token(form)
    for step in ("review", "confirm"):
        res = client.post(url, {**data, "_token": token, "_step": step})
        text = res.content.decode()
        assert res.status_code == 400 and f"差异 {item.pk} 已有待复核的命令 #{cmd.pk}" in text and "RECON_ITEM_PENDING" in text
    with pytest.raises(DomainError) as refused:
        recon_item_book(item=item, account="41102", description="再记一次", actor=finance, business_date=D3)
    assert refused.value.code == "RECON_ITEM_PENDING"
    with pytest.raises(DomainError):  # nor reversed meanwhile (it is not a book-side item either way)
        recon_item_reverse(item=item, reason="x", actor=finance, business_date=D3)
    assert PendingCommand.objects.count() == 1
    # rejected by the checker: the way out is open again
    command_reject(command=cmd, actor=checker, reason="科目有误", business_date=D3)
    page = client.get(reverse("reconciliation:items")).content.decode()
    assert url in page and "待复核" not in page
    again = recon_item_book(item=item, account="41102", description="汇划手续费", actor=finance, business_date=D3,
                            token="t2")
    assert recon_item_book(item=item, account="41102", description="汇划手续费", actor=finance, business_date=D3,
                           token="t2").pk == again.pk  # a replay of the same token
    assert PendingCommand.objects.filter(status="pending").count() == 1
    # approved: the voucher is posted; until the next reconciliation matches it the item says so, and is not
    # booked a second time
    command_approve(command=again, actor=checker, business_date=D3)
    page = client.get(reverse("reconciliation:items")).content.decode()
    assert "已记账" in page and reverse("approvals:detail", args=[again.pk]) in page and url not in page
    with pytest.raises(DomainError) as refused:
        recon_item_book(item=item, account="41102", description="再记一次", actor=finance, business_date=D3)
    assert refused.value.code == "RECON_ITEM_BOOKED"
    client.post(reverse("reconciliation:run"), {"account_no": NO, "date": D3.isoformat()})  # matched by key
    assert not ReconItem.objects.filter(ref_key="F1", closed_on__isnull=True).exists()


def test_a_voucher_no_bank_executed_is_reversed_through_maker_checker(center, acct, finance, client):
    client.force_login(finance)
    entry = _post(center, acct, D3, [("out", 200_00, "S9")])
    fee = _fee_item(center, acct, client)
    item = ReconItem.objects.get(ref_key="S9")
    url = reverse("reconciliation:item_reverse", args=[fee.pk])
    res = client.post(url, {"reason": "银行未执行", "_token": _token(client.get(url).content.decode())})
    assert res.status_code == 400 and f"差异 {fee.pk} 不是本中心已记而银行未记的凭证，不能冲正" in res.content.decode()
    url = reverse("reconciliation:item_book", args=[item.pk])
    res = client.post(url, {"account": "41102", "description": "x", "_token": _token(client.get(url).content.decode())})
    assert res.status_code == 400 and "不是银行已记而账面未记的款项，不能补记凭证" in res.content.decode()
    url = reverse("reconciliation:item_reverse", args=[item.pk])
    token = _token(client.get(url).content.decode())
    res = client.post(url, {"reason": "", "_token": token, "_step": "confirm"})
    assert res.status_code == 400 and "请填写冲正原因" in res.content.decode() and PendingCommand.objects.count() == 0
    review = client.post(url, {"reason": "银行未执行该笔付款", "_token": token}).content.decode()
    assert entry.voucher_no in review and PendingCommand.objects.count() == 0
    res = client.post(url, {"reason": "银行未执行该笔付款", "_token": token, "_step": "confirm"})
    assert "冲正凭证（已提交复核）" in client.get(res["Location"]).content.decode()
    cmd = PendingCommand.objects.get()
    assert cmd.name == "ledger.entry_reverse" and cmd.params["voucher_no"] == entry.voucher_no


def test_dayend_is_refused_with_its_whole_reason_then_fixed_and_rerun(center, acct, finance, client):
    client.force_login(finance)
    page = client.get(reverse("reconciliation:dayend")).content.decode()
    assert "未对账" in page and "尚无对账单，请下载或上传后对账" in page and "可以日终" not in page
    run = reverse("reconciliation:dayend_run")
    res = client.post(run, {"step": "start"}, follow=True)
    assert "请勾选确认后再运行日终" in _said(res) and Job.objects.count() == 0
    live = client.post(run, {"step": "start", "confirm": "yes"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-vals=\'{"step": "run"}\'' in live and 'hx-trigger="every 1s"' in live and Job.objects.count() == 0
    out = client.post(run, {"step": "run"}, HTTP_HX_REQUEST="true").content.decode()
    assert "DAYEND_UNRECONCILED" in out and "2026-11-30 对账未平，日终不能结束" in out
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    steps = client.get(reverse("reconciliation:dayend_progress")).content.decode()
    assert job.error in steps and "every 1s" not in steps  # the whole message; no polling once it stopped
    assert Center.objects.get(pk=center.pk).business_date == D3

    _post(center, acct, D3, [("in", 1000_00, "B1")])
    _upload(client, _csv(("B1", "收", 1000_00)))
    client.post(reverse("reconciliation:run"), {"account_no": NO, "date": D3.isoformat()})
    page = client.get(reverse("reconciliation:dayend")).content.decode()
    assert "可以日终" in page and "重新运行日终" in page
    res = client.post(run, {"step": "run"}, follow=True)
    assert "日终 2026-11-30 完成，业务日期已推进到 2026-12-01" in _said(res)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and Job.objects.count() == 1  # the same job, continued
    assert str(Center.objects.get(pk=center.pk).business_date) == "2026-12-01"


def test_reading_staff_cannot_run_dayend(center, acct, client):
    user, _ = staff_create(username="insp9", password="pw-Inspect-2026", center=center, actor=SYS)
    client.force_login(grant_role(user, "inspector", center=center))
    assert client.get(reverse("reconciliation:dayend")).status_code == 200
    assert client.post(reverse("reconciliation:dayend_run"), {"step": "run"}).status_code == 403
    assert Job.objects.count() == 0


def test_the_item_queue_pages_with_the_true_total(center, acct, finance, client):
    client.force_login(finance)
    first = _fee_item(center, acct, client)
    ReconItem.objects.bulk_create(
        # in pairs that cancel (bank received / bank paid the same amount): the 调节表 stays balanced
        ReconItem(center=center, bank_account=acct, opened_in=first.opened_in, opened_on=D3, side=first.side,
                  reason=ReconItem.Reason.BANK_IN if i % 2 else ReconItem.Reason.BANK_OUT,
                  direction="in" if i % 2 else "out", amount=100 + i // 2, ref_key=f"X{i}", line_date=D3,
                  statement_line=first.statement_line, journal_line=first.journal_line)
        for i in range(560))
    res = client.get(reverse("reconciliation:items"), {"page": "999"})  # past the end: the last page
    page = res.context["page"]
    assert page.total == 561 and page.page == page.pages == 12 and len(res.context["rows"]) == 11
    html = res.content.decode()
    assert "共 561 笔" in html and "第 12 / 12 页 · 第 551–561 条，共 561 笔" in html and "仅显示前" not in html
    res = client.get(reverse("reconciliation:items"), {"page": "2"}, HTTP_HX_REQUEST="true")  # the partial pages too
    html = res.content.decode()
    assert "<html" not in html and f'hx-get="{reverse("reconciliation:items")}?page=1" hx-target="#items"' in html
