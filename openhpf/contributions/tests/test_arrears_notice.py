"""催缴通知书: from the arrears list row to the notice page and its PDF; the figures are the 催缴清单's, the amount in
words, the legal basis and the deadline are printed; bad input is refused in Chinese; an employer owing nothing
gets no notice."""

from __future__ import annotations

from django.urls import reverse

from openhpf.accounts.tests.factories import make_account
from openhpf.conftest import grant_role
from openhpf.contributions.relief.arrears import arrears_list
from openhpf.core.actors import SystemActor
from openhpf.core.policy import policy_value
from openhpf.core.services import policy_set
from openhpf.documents.tests.pdftext import pdf_text
from openhpf.iam.services import staff_create

from .relief_helpers import set_paid
from .test_arrears_relief import _emp


def test_the_notice_of_an_employer_in_arrears(center, client):
    user, _ = staff_create(username="tel9", password="pw-Teller-2026", center=center, actor=SystemActor("test"))
    client.force_login(grant_role(user, "teller", center=center))
    e1 = _emp(center, 1, 15, "202609")
    set_paid(make_account(center, e1, 1), "202609")                 # owes 10, 11
    set_paid(make_account(center, e1, 2, base=500000), "202610")    # owes 11
    e3 = _emp(center, 3, 10, "202611")                              # up to date
    set_paid(make_account(center, e3, 5), "202611")
    listed = arrears_list(center=center, month="2026-11", user=user).employers[0]
    assert listed.amount == 600000

    page = client.get(reverse("relief:arrears"), {"month": "2026-11"}).content.decode()
    url = reverse("relief:employer_arrears_notice", args=[e1.account_no])
    assert f"{url}?month=2026-11" in page

    r = client.get(url, {"month": "2026-11"})
    body = r.content.decode()
    assert r.status_code == 200 and "住房公积金催缴通知书" in body and "6,000.00 元" in body
    assert "人民币陆仟元整" in body and "2026年10月 至 2026年11月" in body and "第三十八条" in body
    assert "2026-12-30" in body  # the default deadline: 30 days after the business date 2026-11-30

    pdf = client.get(url, {"month": "2026-11", "deadline": "2026-12-20", "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for expected in (center.name, "住房公积金催缴通知书", e1.name, e1.account_no, "6,000.00", "人民币陆仟元整",
                     "2026年10月 至 2026年11月", "2 个月", "2 人", "第三十八条", "人民法院强制执行", "2026年12月20日",
                     "经办人", "第 1 页 / 共 1 页"):
        assert expected in text, expected

    for params, message in (({"month": "2026-11", "deadline": "2026-11-30"}, "缴存期限应晚于业务日期"),
                            ({"month": "2026-11", "deadline": "2026-13-01"}, "缴存期限格式不正确"),
                            ({"month": "2026-99"}, "")):
        bad = client.get(url, params)
        assert bad.status_code in (400, 422) and 'role="alert"' in bad.content.decode() and message in \
            bad.content.decode(), params
        assert client.get(url, {**params, "format": "pdf"})["Content-Type"].startswith("text/html")
    none = client.get(reverse("relief:employer_arrears_notice", args=[e3.account_no]), {"month": "2026-11"})
    assert none.status_code == 200 and "没有欠缴，无需催缴" in none.content.decode()
    assert client.get(reverse("relief:employer_arrears_notice", args=["9999999999"])).status_code == 404


def test_the_default_deadline_is_the_policy_value_in_force(center, client):
    """The time limit is an effective-dated policy value (30 days seeded): a center's own value from a date on
    changes the default deadline of the page and of the PDF, and the page says how many days it is."""
    user, _ = staff_create(username="tel8", password="pw-Teller-2026", center=center, actor=SystemActor("test"))
    client.force_login(grant_role(user, "teller", center=center))
    e1 = _emp(center, 1, 15, "202609")
    set_paid(make_account(center, e1, 1), "202609")
    url = reverse("relief:employer_arrears_notice", args=[e1.account_no])
    assert policy_value("contribution.arrears.notice_days", on=center.business_date, center=center) == 30
    policy_set(key="contribution.arrears.notice_days", value=15, value_type="int", center=center,
               effective_from=center.business_date, actor=SystemActor("test"), approved_by="测试依据")
    body = client.get(url, {"month": "2026-11"}).content.decode()
    assert 'value="2026-12-15"' in body and "业务日期后 15 天" in body and "2026-12-30" not in body
    text = pdf_text(client.get(url, {"month": "2026-11", "format": "pdf"}).content)
    assert "2026年12月15日" in text and "2026-12-15" in text
