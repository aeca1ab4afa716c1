"""Every read of another person's data by staff or a partner is in the audit trail, whatever the channel.

THE RULE (docs/personal-data.md). A page or API operation is a personal-data read when, on a seeded center, its
response holds a value, clear or masked, of a field of the classification registry (core/classification.py) of
a person other than the caller. Such a read by staff or a partner writes an audit row; a member or an employer's
agent reading its own data writes none, and sees no one outside its own member or employer.

The test seeds a center through the real generator and services (members with valid 身份证号, names, phones,
balances and history), walks the URL resolver (every Django page and every operation of every NinjaAPI mounted
in it), fills the path parameters from the seeded data, calls each GET with privileged staff users (member and
agent operations as a member and an agent), looks for the seeded members' values in the response, and lists
every personal-data read that wrote no audit row, by URL name or operation id. A path parameter it cannot fill
is an offender too, unless the endpoint is in CANNOT_EXERCISE with its reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from openhpf.accounts.models import Employer, Member, MemberAccount
from openhpf.accounts.tests.factories import resident_id
from openhpf.applications.models import Application, ApplicationMaterial
from openhpf.applications.tests.factories import make_application
from openhpf.approvals.models import PendingCommand
from openhpf.audit.models import AuditRecord
from openhpf.catalog.selectors import item_current
from openhpf.conftest import grant_role
from openhpf.contributions.models import Remittance, RemittanceImport
from openhpf.contributions.relief.flexible import flexible_agreement_sign
from openhpf.contributions.relief.hardship import hardship_apply
from openhpf.core.actors import SystemActor
from openhpf.core.masking import mask
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.demo.simulate import Rates, simulate_months
from openhpf.demo.synthetic import generate_center
from openhpf.documents.models import Receipt
from openhpf.documents.receipts import receipt_issue
from openhpf.iam.auth import AgentTokenAuth, MemberTokenAuth, PartnerTokenAuth
from openhpf.iam.models import Outbox, PartnerClient
from openhpf.iam.services import (
    api_token_issue,
    employer_agent_create,
    member_principal_create,
    portal_login_otp,
    portal_login_password,
    staff_create,
)
from openhpf.jobs.models import Job
from openhpf.ledger.models import JournalEntry, SubAccount, SubLedgerRow
from openhpf.reconciliation.models import Reconciliation

CUTOVER = date(2026, 8, 31)
TEST = SystemActor("test")
PORTAL_PW = "Portal-Pass-2026"

WALK_APPLICATIONS = {"member": "SQ-WALK-MEMBER", "agent": "SQ-WALK-AGENT"}  # the seeded 办件 (see _applications)
# Endpoints that cannot be exercised by a plain GET on a seeded center, each with its reason. Keep it small:
# everything else must be reached, or the test says which parameter it could not fill.
CANNOT_EXERCISE: dict[str, str] = {
    "api:withdrawals.agreed_api.agreements_get": "约定提取协议详情：走查的中心没有约定提取协议（其读取审计由 withdrawals 的 "
                                                 "test_agreed_edges 检查）",
    "api:withdrawals.agreed_api.runs_get": "约定提取批次：走查的中心没有批次；批次只有笔数、金额与原因，不含个人信息",
    "api:withdrawals.agreed_api.runs_items": "约定提取批次明细：同上，只有协议编号、合同号、金额与状态",
    "api:withdrawals.api.batches_get": "提取批量支付：走查的中心没有批量支付；只有办件编号、金额、状态与脱敏的卡号尾号"
                                       "（由 withdrawals 的 test_batch 检查）",
    "hallemp:pay": "单位网厅缴款信息：要先有本单位的汇缴单（servicehall 的 test_employer 覆盖），页面只有金额与中心专户",
    "remit:import_errors": "错误清单下载：只有导入出错的批次才有文件（由 contributions 的导入测试覆盖）",
    "api:contributions.remittance.api.import_errors": "同上，API 的错误清单下载",
    "finance:deposit_withdraw": "定期/通知存款支取：要先经银行存入一笔存款（finance 的测试覆盖），页面不含个人信息",
    "finance:deposit_notify": "通知存款支取通知：要先经银行存入一笔通知存款（finance 的测试覆盖），页面不含个人信息",
    "reconciliation:detail": "对账结果：要先载入银行对账单并跑日终对账（reconciliation 的测试覆盖）",
    "api:reconciliation.api.reconciliation_detail": "同上，API 的对账结果",
    "reconciliation:item_book": "对账差异的补记凭证：要先载入对账单并对账出差异（reconciliation 的 test_console_day 覆盖）",
    "reconciliation:item_reverse": "同上，对账差异的冲正凭证",
    "reconciliation:detail_export": "同上，调节表的 PDF 与 Excel（对方户名、账号按权限脱敏，同对账结果页）",
    "ratings:followup": "差评整改：要先有办结并被差评的办件（applications 的 test_ratings 覆盖），页面不显示申请人",
    "api:loans.risk_api.case": "催收案件详情：走查的中心没有贷款与催收案件（读取审计与脱敏由 loans 的 test_overdue 检查）",
    "api:servicehall.api.certificate_pdf_api": "职工下载本人的缴存使用证明：要先出具一份（items 的 test_certificate 覆盖，"
                                               "下载留痕 items.certificate.download，他人编号 404）",
}


# ---------------------------------------------------------------- the seeded center


@dataclass
class Seed:
    center: Center
    staff: list[tuple[Any, dict[str, str]]]  # (user, API auth header), most privileged first
    member_auth: dict[str, str]
    agent_auth: dict[str, str]
    member: Member
    agent_employer: Employer
    values: dict[int, set[str]] = field(default_factory=dict)  # member pk → text forms of its personal values
    numbers: dict[int, set[int]] = field(default_factory=dict)  # member pk → its distinctive amounts (fen)


def _portal_token(kind: str, login: str, phone: str) -> str:
    r = portal_login_password(kind=kind, login=login, password=PORTAL_PW, ip="127.0.0.1")
    assert r.ok, r.message
    code = re.search(r"\d{6}", Outbox.objects.filter(recipient=phone).order_by("-id").first().body).group(0)
    r = portal_login_otp(kind=kind, challenge=r.challenge, code=code, ip="127.0.0.1")
    assert r.ok, r.message
    return r.token


def _staff(center: Center, username: str, *roles: str) -> tuple[Any, dict[str, str]]:
    user, _ = staff_create(username=username, password="pw-Walk-2026x", center=center, actor=TEST,
                           display_name=f"{username}业务员")
    grant_role(user, *roles, center=center)
    plaintext, _ = api_token_issue(user=user, name="遍历", actor=TEST)
    return user, {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _personal_values(seed: Seed) -> None:
    """The clear and masked text forms of each seeded member's classified fields, and its distinctive amounts
    (balances, bases, detail rows): amounts under 100 元 or shared by two members say nothing of a person."""
    for m in Member.objects.all():
        texts = {m.name, mask("name", m.name), m.id_number, mask("id_number", m.id_number)}
        if m.phone:
            texts |= {m.phone, mask("phone", m.phone)}
        seed.values[m.pk] = {t for t in texts if t and len(t) >= 2}
    owner = dict(MemberAccount.objects.values_list("sub_id", "member_id"))
    numbers: dict[int, set[int]] = {}
    for a in MemberAccount.objects.all():
        numbers.setdefault(a.member_id, set()).update({a.base, a.employer_amount, a.member_amount})
    for s in SubAccount.objects.filter(pk__in=owner):
        numbers.setdefault(owner[s.pk], set()).update({s.balance_current, s.balance_carried, s.balance})
    for sub_id, amount, after in SubLedgerRow.objects.values_list("sub_account_id", "amount", "balance_after"):
        if sub_id in owner:
            numbers.setdefault(owner[sub_id], set()).update({amount, after})
    seen: dict[int, int] = {}
    for ns in numbers.values():
        for n in ns:
            seen[n] = seen.get(n, 0) + 1
    seed.numbers = {k: {n for n in ns if abs(n) >= 10000 and seen[n] == 1} for k, ns in numbers.items()}


def _seed(tmp_path) -> Seed:
    generate_center(employers=4, members=40, seed=23, cutover_date=CUTOVER, out=tmp_path / "gen", actor=TEST)
    center = Center.objects.get()
    simulate_months(center=center, months=1, actor=TEST, seed=23, rates=Rates(late=0.3, overpay=0.3))
    center.refresh_from_db()
    flexible_agreement_sign(center=center, name="灵活就业甲", id_number=resident_id(71), base=600000,
                            ratio="0.10", start=center.business_date, actor=TEST, business_date=center.business_date,
                            phone="13911112222")
    business = _staff(center, "walkbiz", "teller", "reviewer", "finance", "inspector", "leader")
    hardship_apply(employer=Employer.objects.filter(center=center).order_by("account_no").first(), kind="defer",
                   valid_from=center.business_date, valid_to=date(center.business_date.year + 1, 2, 28),
                   reason="停产整顿", vote_date=None, employer_ratio=None, member_ratio=None,
                   documents=[("职工代表大会决议.pdf", b"%PDF-1.4 walk")], actor=business[0],
                   business_date=center.business_date)
    staff = [business, _staff(center, "walksec", "secadmin"), _staff(center, "walkaud", "secauditor"),
             _staff(center, "walksys", "sysadmin")]
    acct = MemberAccount.objects.filter(center=center, status="01").select_related("member").order_by("account_no")[0]
    member_principal_create(member=acct.member, password=PORTAL_PW, actor=TEST)
    employer = Employer.objects.exclude(pk=acct.employer_id).filter(center=center, accounts__isnull=False) \
        .distinct().order_by("account_no").first()
    employer_agent_create(employer=employer, login_id="walkagent", name="赵经办", phone="13788889999",
                          password=PORTAL_PW, actor=TEST)
    seed = Seed(center=center, staff=staff, member=acct.member, agent_employer=employer,
                member_auth={"HTTP_AUTHORIZATION": "Bearer " + _portal_token("member", acct.account_no,
                                                                              acct.member.phone)},
                agent_auth={"HTTP_AUTHORIZATION": "Bearer " + _portal_token("agent", "walkagent", "13788889999")})
    # a 业务回单 naming the member (masked as a counter clerk saw it): reading it is a personal read
    receipt_issue(center=center, kind="accounts.member.seal", title="个人账户封存", actor=business[0],
                  lines=[("个人账号", acct.account_no), ("姓名", mask("name", acct.member.name)),
                         ("证件号码", mask("id_number", acct.member.id_number))],
                  business_date=center.business_date, object=acct)
    _applications(center, acct.member, employer)
    # an application (办件) about the member, with a scanned material: the work queue and its review screen
    make_application(center, acct, business[0])
    _personal_values(seed)
    return seed


def _applications(center: Center, member: Any, employer: Employer) -> None:
    """Two 办件 of the seeded people (one of the portal member, one of a member of the agent's employer), stored as
    the engine stores them, so that the applications reads (staff, member, agent) have something to show."""
    version = item_current("HPF-P-WD-07", center.business_date)
    assert version is not None  # seeded by catalog/0002
    staff_member = MemberAccount.objects.filter(employer=employer).select_related("member").order_by("account_no")[0]
    for number, who, emp in ((WALK_APPLICATIONS["member"], member, None),
                             (WALK_APPLICATIONS["agent"], staff_member.member, employer)):
        Application.objects.create(
            center=center, number=number, item_code="HPF-P-WD-07", item_version=version, channel="counter",
            identity_level=1, applicant_kind="staff", applicant_id="0", applicant_label="user:walkbiz",
            member=who, employer=emp, payload={"amount": 123456, "note": "走查"}, amount=123456, state="submitted")


# ---------------------------------------------------------------- walking the resolver


@dataclass
class Endpoint:
    name: str  # URL name ("accounts:member_detail") or ninja operation id ("api:…")
    route: str  # the URL with <converters>
    params: list[str]
    ninja_auth: list[Any] | None = None  # the auth callbacks of a ninja operation; None for a Django page


def _walk(patterns: list[Any], prefix: str = "", ns: str = "") -> Iterator[Endpoint]:
    for p in patterns:
        if isinstance(p, URLResolver):
            sub_ns = ":".join(x for x in (ns, p.namespace or "") if x)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), sub_ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            params = re.findall(r"<(?:\w+:)?(\w+)>", route)
            path_view = _ninja_path_view(p.callback)
            if path_view is None:
                yield Endpoint(f"{ns}:{p.name}" if ns else str(p.name), route, params)
                continue
            for op in path_view.operations:
                if "GET" in op.methods:
                    view = op.view_func
                    name = f"{view.__module__.removeprefix('openhpf.')}.{view.__name__}"
                    yield Endpoint(f"{ns}:{name}", route, params, list(op.auth_callbacks))


def _ninja_path_view(callback: Callable[..., Any]) -> Any:
    """The ninja PathView behind a URL pattern's view (its closure holds it), or None for a Django view."""
    for cell in getattr(callback, "__closure__", None) or ():
        if type(cell.cell_contents).__name__ == "PathView":
            return cell.cell_contents
    return None


def _fill(ep: Endpoint, seed: Seed, account: MemberAccount, employer: Employer) -> str | None:
    """The URL with its path parameters filled from the seeded data; None when a parameter cannot be filled."""
    route = ep.route
    values: dict[str, Callable[[], Any]] = {
        "employer_no": lambda: employer.account_no,
        "voucher_no": lambda: JournalEntry.objects.filter(center=seed.center).order_by("-pk").first().voucher_no,
        "year": lambda: seed.center.business_date.year,
        "kind": lambda: "balance_sheet",
        "user_id": lambda: seed.staff[0][0].pk,
        "client_id": lambda: PartnerClient.objects.values_list("pk", flat=True).first(),
        "key": lambda: "contribution.base.cap",
        "code": lambda: "HPF-P-WD-07",  # a seeded service item (catalog: public, no personal data)
        "center": lambda: seed.center.code,
        "number": lambda: (
            Application.objects.filter(center=seed.center).order_by("-pk").values_list("number", flat=True).first()
            if ep.route.startswith("applications/")  # the work queue's review screen
            else WALK_APPLICATIONS["agent" if "agent/" in route else "member"] if "applications/" in route
            else Receipt.objects.filter(center=seed.center).order_by("-pk").values_list("number", flat=True).first()),
        "job_id": lambda: Job.objects.filter(kind="audit.chain_verify").values_list("pk", flat=True).first() or 999999,
    }
    for name in ep.params:
        if name == "account_no":
            value: Any = employer.account_no if re.search(r"employers/<(?:\w+:)?account_no>", route) \
                else account.account_no
        elif name == "pk":
            model = next((m for key, m in (("applications/materials", ApplicationMaterial),
                                           ("remittances", Remittance), ("reconciliation", Reconciliation),
                                           ("imports", RemittanceImport), ("approvals", PendingCommand),
                                           ("commands", PendingCommand)) if key in route), None)
            value = model.objects.order_by("-pk").values_list("pk", flat=True).first() if model else None
        else:
            value = values[name]() if name in values else None
        if value is None:
            return None
        route = re.sub(rf"<(?:\w+:)?{name}>", str(value), route, count=1)
    return "/" + route.replace("^", "").replace("$", "")


def _query(ep: Endpoint, seed: Seed, account: MemberAccount, employer: Employer) -> dict[str, str]:
    """Query values for the parameters the reads take (extra ones are ignored by the views)."""
    bd = seed.center.business_date
    q = employer.name[:4] if "employers" in ep.route and "{" not in ep.route.split("employers")[-1] \
        else account.member.id_number
    if "ledger/trial-balance" in ep.route:  # 试算平衡表 of a period: year and month as numbers
        return {"year": str(bd.year), "month": str(bd.month)}
    closed = bd - timedelta(days=1)  # the simulated month: its last day-end moved the date to the next month's 1st
    return {"q": q, "month": f"{closed:%Y-%m}", "upto": f"{bd:%Y%m}", "members": "true", "page_size": "100"}


# ---------------------------------------------------------------- looking for personal values


def _found(body: bytes, content_type: str, seed: Seed, allowed: frozenset[int] | set[int] = frozenset(),
           sent: dict[str, str] | None = None) -> set[int]:
    """The seeded members (pk) whose values the response holds, except those in `allowed` (a value shared with
    an allowed member is theirs too). What the request sent (a search form echoing its query) is not counted."""
    text = body.decode("utf-8", errors="replace")
    ints: set[int] = set()
    if "json" in content_type:
        def collect(v: Any) -> None:
            if isinstance(v, bool):
                return
            if isinstance(v, int):
                ints.add(v)
            elif isinstance(v, dict):
                for x in v.values():
                    collect(x)
            elif isinstance(v, list):
                for x in v:
                    collect(x)
        collect(json.loads(text or "null"))
    for v in (sent or {}).values():
        if len(v) >= 2:
            text = text.replace(v, "")
    out = set()
    shared = {t for pk in allowed for t in seed.values.get(pk, ())}
    for pk, texts in seed.values.items():
        if pk in allowed:
            continue
        texts = texts - shared
        if any(_holds(text, t) for t in texts) or seed.numbers.get(pk, set()) & ints \
                or any(format_fen(n) in text for n in seed.numbers.get(pk, ())):
            out.add(pk)
    return out


def _holds(text: str, value: str) -> bool:
    """`value` stands in `text` as a whole: a masked name 王* is not the start of another one, 王**."""
    return re.search(re.escape(value) + r"(?![*\w])", text) is not None


@dataclass
class Outcome:
    personal: list[str] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)
    unfilled: list[str] = field(default_factory=list)
    own_leaks: list[str] = field(default_factory=list)
    audited_own: list[str] = field(default_factory=list)
    reached: list[str] = field(default_factory=list)


def _post_only(ep: Endpoint, seed: Seed) -> bool:
    """A page whose parameters the walk cannot fill still answers a GET with a placeholder: 405 says it is no
    GET page (an action taking a POST), so there is nothing to read."""
    url = "/" + re.sub(r"<(?:\w+:)?\w+>", "0", ep.route)
    client = Client()
    client.force_login(seed.staff[0][0])
    return client.get(url).status_code == 405


def _call_staff(ep: Endpoint, url: str, query: dict[str, str], seed: Seed, out: Outcome) -> None:
    for user, header in seed.staff:
        client = Client()
        kwargs: dict[str, Any] = {}
        if ep.ninja_auth is None:
            client.force_login(user)
        else:
            kwargs = header
        before = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        r = client.get(url, query, **kwargs)
        if r.status_code in (401, 403, 405):
            continue
        out.reached.append(ep.name)
        if r.status_code == 400 and b'"type": "missing"' in r.content:  # a required query parameter not filled
            out.unfilled.append(f"{ep.name} (query: {r.content.decode()[:200]})")
            return
        body = b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content
        if _found(body, r.get("Content-Type", ""), seed, sent=query):
            out.personal.append(ep.name)
            rows = AuditRecord.objects.filter(pk__gt=before, actor_kind="staff", actor_user_id=user.pk)
            if not rows.exists():
                out.unaudited.append(ep.name)
        return


def _call_portal(ep: Endpoint, url: str, query: dict[str, str], seed: Seed, out: Outcome) -> None:
    agent = any(isinstance(a, AgentTokenAuth) for a in ep.ninja_auth or ())
    header = seed.agent_auth if agent else seed.member_auth
    own = set(MemberAccount.objects.filter(employer=seed.agent_employer).values_list("member_id", flat=True)) \
        if agent else {seed.member.pk}
    before = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    r = Client().get(url, query, **header)
    if r.status_code != 200:
        out.unfilled.append(f"{ep.name} (HTTP {r.status_code} as {'agent' if agent else 'member'})")
        return
    out.reached.append(ep.name)
    if _found(r.content, r.get("Content-Type", ""), seed, allowed=own, sent=query):
        out.own_leaks.append(ep.name)
    if AuditRecord.objects.filter(pk__gt=before, actor_kind__in=("member", "agent")).exists():
        out.audited_own.append(ep.name)


@pytest.mark.django_db(transaction=True)
def test_every_personal_data_read_by_staff_is_audited_and_portals_see_only_their_own(tmp_path):
    seed = _seed(tmp_path)
    with_rows = SubLedgerRow.objects.values("sub_account_id")
    account = MemberAccount.objects.filter(center=seed.center, status="01", sub_id__in=with_rows) \
        .exclude(member=seed.member).order_by("account_no").first()
    employer = account.employer
    out = Outcome()
    endpoints = list({(ep.name, ep.route): ep for ep in _walk(get_resolver().url_patterns)}.values())
    for ep in endpoints:
        if ep.name in CANNOT_EXERCISE:
            continue
        portal = ep.ninja_auth is not None and any(isinstance(a, MemberTokenAuth) for a in ep.ninja_auth)
        partner = ep.ninja_auth is not None and any(isinstance(a, PartnerTokenAuth) for a in ep.ninja_auth)
        url = _fill(ep, seed, account, employer)
        if url is None:
            if not _post_only(ep, seed):
                out.unfilled.append(f"{ep.name} (path: {ep.route})")
            continue
        query = _query(ep, seed, account, employer)
        if portal:
            own = MemberAccount.objects.filter(member=seed.member).order_by("account_no").first()
            _call_portal(ep, _fill(ep, seed, own, employer) or url, query, seed, out)
        elif not partner:
            _call_staff(ep, url, query, seed, out)

    names = {ep.name for ep in endpoints}
    # the walk sees the site: the console pages, the staff API and the portal channels
    assert {"accounts:member_detail", "api:accounts.api.member_get", "api:servicehall.api.my_accounts",
            "api:contributions.relief.api.transactions"} <= set(out.reached), sorted(names)
    assert set(CANNOT_EXERCISE) <= names, set(CANNOT_EXERCISE) - names
    assert "accounts:member_detail" in out.personal  # the detection sees personal data where it is
    problems = []
    if out.unaudited:
        problems.append(f"personal-data reads by staff that wrote no audit row: {sorted(set(out.unaudited))}")
    if out.unfilled:
        problems.append(f"endpoints the walk could not exercise (fill them or list them in CANNOT_EXERCISE): "
                        f"{sorted(set(out.unfilled))}")
    if out.own_leaks:
        problems.append(f"member/agent reads holding someone outside their own data: {sorted(set(out.own_leaks))}")
    if out.audited_own:
        problems.append(f"a member or agent reading its own data was audited: {sorted(set(out.audited_own))}")
    assert not problems, "\n".join(problems)
