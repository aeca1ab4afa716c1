"""核验: every source's local adapter answers; timeouts, retries and the circuit breaker answer `unavailable`
quickly; 征信 needs written consent; every query is logged with the SM3 of its answer and audited; the console
page lists the log (masked, read-audited) with each source's breaker."""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.codes import RetentionClass
from openhpf.core.errors import DomainError
from openhpf.documents.models import DocType
from openhpf.documents.services import document_store
from openhpf.iam.services import staff_create
from openhpf.security.crypto import sm3_hex
from openhpf.security.fields import blind_index
from openhpf.verification import models as m
from openhpf.verification.adapters import Reply, SourceDown
from openhpf.verification.breaker import breaker_admit
from openhpf.verification.models import SourceState, Status, VerificationQuery
from openhpf.verification.registry import registry_fill_synthetic
from openhpf.verification.services import canonical_answer, verify
from openhpf.verification.sources import source_config

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 30)
ID = "110105198001011234"
OTHER = "110105199002023456"
ACTOR = SystemActor("test")


class CountingAdapter:
    """A test adapter: counts its calls, and fails (SourceDown) while FAIL is set."""

    calls = 0
    fail = 0  # how many of the next calls fail

    def __init__(self, **options):
        pass

    def prepare(self, query):
        def exchange():
            type(self).calls += 1
            if type(self).fail:
                type(self).fail -= 1
                raise SourceDown("连接被拒绝")
            return Reply(Status.CONFIRMED, {"ok": True}, "测试应答")
        return exchange


@pytest.fixture(autouse=True)
def _counting():
    CountingAdapter.calls, CountingAdapter.fail = 0, 0


def _ask(source="property", subject=ID, **kw):
    kw.setdefault("purpose", "测试核验")
    kw.setdefault("requester", ACTOR)
    return verify(source, subject=subject, question=kw.pop("question", {"on": ON}), **kw)


def _consent(center, doc_type=DocType.POWER_OF_ATTORNEY):
    return document_store(center=center, content=b"%PDF-1.4 consent", original_name="授权书.pdf", doc_type=doc_type,
                          retention=RetentionClass.LONG_30Y, actor=ACTOR, business_date=center.business_date)


def test_each_source_answers_from_the_local_registry(center):
    m.PropertyRecord.objects.create(subject=ID, certificate_no="京(2019)不动产权第0001234号", district="朝阳区",
                                    area_m2=Decimal("89.50"), registered_on=date(2019, 5, 1))
    m.MarriageRecord.objects.create(subject=ID, kind="married", spouse=OTHER, registered_on=date(2012, 10, 1))
    m.HouseholdRecord.objects.create(subject=ID, region="110105", relation="户主", household_no="123456789",
                                     moved_in_on=date(2000, 1, 1))
    m.RetirementRecord.objects.create(subject=ID, kind="early", retired_on=date(2026, 6, 1), approved_by="市人社局")
    m.HospitalStay.objects.create(subject=ID, hospital="市第一人民医院", admitted_on=date(2026, 3, 1),
                                  discharged_on=date(2026, 3, 20), total_cost=8_000_000, out_of_pocket=3_200_000)
    m.CreditSummary.objects.create(subject=ID, as_of=date(2026, 11, 1), open_loans=2, housing_loans=1)
    m.CourtListing.objects.create(subject=ID, case_no="（2025）京0105执00123号", court="朝阳区人民法院",
                                  listed_on=date(2025, 8, 1))
    m.FaceResult.objects.create(subject=ID, score=93, live=True)

    a = _ask("property")
    assert a.status == Status.CONFIRMED and a.data["homes"] == 1 and "朝阳区 89.50㎡" in a.summary
    assert "0001234" not in str(a.data)  # the certificate number is masked
    assert _ask("property", question={"on": ON, "certificate_no": "京(2019)不动产权第0001234号"}).status == Status.CONFIRMED
    assert _ask("property", question={"on": ON, "certificate_no": "京(2020)不动产权第0009999号"}).status == Status.DENIED
    assert _ask("property", question={"on": date(2019, 1, 1)}).status == Status.NOT_FOUND  # not registered yet then
    assert _ask("property", subject=OTHER).status == Status.NOT_FOUND
    a = _ask("marriage", question={"on": ON, "spouse": OTHER})
    assert a.status == Status.CONFIRMED and a.data["status"] == "married" and OTHER not in a.summary
    assert _ask("marriage", question={"spouse": ID}).status == Status.DENIED
    assert _ask("household", question={"region": "1101"}).status == Status.CONFIRMED
    assert _ask("household", question={"region": "3301"}).status == Status.DENIED
    a = _ask("retirement")
    assert a.status == Status.CONFIRMED and a.data == {"retired": True, "kind": "early", "retired_on": "2026-06-01"}
    assert _ask("retirement", question={"on": date(2026, 1, 1)}).status == Status.DENIED  # not yet retired
    a = _ask("hospital", question={"on": ON, "since": "2026-01-01"})
    assert a.status == Status.CONFIRMED and a.data["out_of_pocket"] == 3_200_000 and "个人自付 32,000.00 元" in a.summary
    a = _ask("credit", consent=_consent(center), center=center)
    assert a.status == Status.CONFIRMED and a.data["housing_loans"] == 1
    a = _ask("court")
    assert a.status == Status.CONFIRMED and a.data["listed"] is True
    assert _ask("court", subject=OTHER).status == Status.NOT_FOUND
    assert _ask("face").status == Status.CONFIRMED
    assert _ask("face", question={"threshold": 95}).status == Status.DENIED
    assert _ask("face", subject=OTHER).status == Status.NOT_FOUND
    # nothing stored in clear: subjects are SM4-encrypted with a blind index
    assert VerificationQuery.objects.filter(subject_bidx=blind_index("id_number", ID, "id_number")).count() >= 15


def test_every_query_is_logged_with_the_sm3_of_its_answer_and_audited(center):
    m.FaceResult.objects.create(subject=ID, score=90)
    a = _ask("face", application_number="SQ2026113000000001", center=center)
    row = VerificationQuery.objects.get(pk=a.query_id)
    assert row.answer_sm3 == a.sm3 == sm3_hex(canonical_answer("face", "confirmed", a.data))
    assert len(row.answer_sm3) == 64 and row.status == "confirmed" and row.center_id == center.pk
    assert row.subject_masked == "110***********1234" and row.subject_bidx == blind_index("id_number", ID, "id_number")
    assert (row.requester_kind, row.requester_label, row.purpose) == ("system", ACTOR.label, "测试核验")
    assert row.application_number == "SQ2026113000000001" and row.attempts == 1
    audit = AuditRecord.objects.get(action="verification.query.ask", object_id=str(row.pk))
    assert audit.after is not None and audit.after["answer_sm3"] == a.sm3 and ID not in str(audit.after)
    with pytest.raises(DomainError) as exc:
        _ask("face", purpose=" ")
    assert exc.value.code == "VERIFICATION_PURPOSE_REQUIRED"
    with pytest.raises(DomainError) as exc:
        _ask("palmistry")
    assert exc.value.code == "VERIFICATION_SOURCE_UNKNOWN"
    with pytest.raises(TypeError):
        _ask("face", requester="system")  # a string is not an actor


@override_settings(HPF_VERIFICATION_SOURCES={"credit": {"adapter": f"{__name__}.CountingAdapter"}})
def test_credit_without_written_consent_is_refused_and_nothing_is_queried(center):
    with pytest.raises(DomainError) as exc:
        _ask("credit", center=center)
    assert exc.value.code == "VERIFICATION_NO_CONSENT" and "征信业管理条例第十八条" in exc.value.message
    with pytest.raises(DomainError) as exc:
        _ask("credit", center=center, consent=_consent(center, DocType.BANK_RECEIPT))
    assert exc.value.code == "VERIFICATION_CONSENT_INVALID" and "授权委托书" in exc.value.message
    with pytest.raises(DomainError) as exc:
        _ask("credit", center=center, consent=999_999)
    assert exc.value.code == "VERIFICATION_CONSENT_INVALID"
    assert CountingAdapter.calls == 0 and not VerificationQuery.objects.exists()
    doc = _consent(center)
    a = _ask("credit", center=center, consent=doc.pk)
    assert a.status == Status.CONFIRMED and CountingAdapter.calls == 1
    assert VerificationQuery.objects.get().consent.startswith(f"document:{doc.pk}:")


@override_settings(HPF_VERIFICATION_SOURCES={"property": {"options": {"delay": 2.0}, "timeout": 0.2}})
def test_a_source_slower_than_its_timeout_answers_unavailable_quickly(center):
    started = time.monotonic()
    a = _ask("property")
    assert time.monotonic() - started < 1.5  # the 2-second exchange was not waited for
    assert a.status == Status.UNAVAILABLE and a.unavailable and "0.2 秒未应答" in a.reason
    assert a.problem == "不动产登记信息核验暂不可用，转人工审核"
    row = VerificationQuery.objects.get(pk=a.query_id)
    assert row.status == "unavailable" and row.answer_sm3 == "" and 150 <= row.duration_ms < 1500
    assert row.attempts == 1  # a timeout is not tried again
    assert SourceState.objects.get(source="property").failures == 1


@override_settings(HPF_VERIFICATION_SOURCES={"face": {"adapter": f"{__name__}.CountingAdapter", "attempts": 3,
                                                      "backoff": 0.01}})
def test_a_refused_exchange_is_tried_again_with_backoff(center):
    CountingAdapter.fail = 2
    a = _ask("face")
    assert a.status == Status.CONFIRMED and CountingAdapter.calls == 3
    assert VerificationQuery.objects.get(pk=a.query_id).attempts == 3
    assert SourceState.objects.get(source="face").failures == 0
    CountingAdapter.fail = 5
    a = _ask("face")
    assert a.status == Status.UNAVAILABLE and "连接被拒绝" in a.reason and CountingAdapter.calls == 6


@override_settings(HPF_VERIFICATION_SOURCES={"court": {"adapter": f"{__name__}.CountingAdapter", "attempts": 1,
                                                       "breaker_failures": 3, "breaker_cooldown": 60}})
def test_the_breaker_opens_after_n_failures_answers_without_calling_then_half_opens(center):
    CountingAdapter.fail = 99
    for _ in range(3):
        assert _ask("court").status == Status.UNAVAILABLE
    state = SourceState.objects.get(source="court")
    opened = state.opened_at
    assert opened is not None and (state.state, state.failures) == ("open", 3) and CountingAdapter.calls == 3
    assert AuditRecord.objects.filter(action="verification.source.open").count() == 1
    started = time.monotonic()
    a = _ask("court")  # open: answered at once, the source is not called
    assert a.status == Status.UNAVAILABLE and "熔断中" in a.reason and CountingAdapter.calls == 3
    assert time.monotonic() - started < 0.5
    # after the cool-down one trial goes out; it fails: open again for another cool-down
    SourceState.objects.filter(source="court").update(opened_at=opened - timedelta(seconds=61))
    assert _ask("court").status == Status.UNAVAILABLE and CountingAdapter.calls == 4
    assert SourceState.objects.get(source="court").state == "open"
    assert _ask("court").status == Status.UNAVAILABLE and CountingAdapter.calls == 4
    # the next trial succeeds: closed, failures reset
    CountingAdapter.fail = 0
    SourceState.objects.filter(source="court").update(opened_at=opened - timedelta(seconds=200))
    assert _ask("court").status == Status.CONFIRMED and CountingAdapter.calls == 5
    state = SourceState.objects.get(source="court")
    assert (state.state, state.failures) == ("closed", 0)
    assert AuditRecord.objects.filter(action="verification.source.close").count() == 1


@override_settings(HPF_VERIFICATION_SOURCES={"court": {"adapter": f"{__name__}.CountingAdapter", "attempts": 1,
                                                       "breaker_failures": 1, "breaker_cooldown": 60}})
def test_only_one_trial_goes_out_while_half_open(center):
    CountingAdapter.fail = 1
    _ask("court")
    row = SourceState.objects.get(source="court")
    assert row.opened_at is not None
    SourceState.objects.filter(pk=row.pk).update(opened_at=row.opened_at - timedelta(seconds=61))
    cfg = source_config("court")
    assert breaker_admit(cfg) == (True, "")  # this process takes the trial
    admitted, why = breaker_admit(cfg)  # another process meanwhile: refused
    assert not admitted and "试探" in why


def test_the_synthetic_fill_gives_every_subject_records_once(center):
    subjects = [ID, OTHER, "330106196001015678"]
    assert registry_fill_synthetic(subjects, on=ON, seed=7, actor=ACTOR) == 3
    assert registry_fill_synthetic(subjects, on=ON, seed=7, actor=ACTOR) == 0
    assert m.HouseholdRecord.objects.count() == 3 and m.CreditSummary.objects.count() == 3
    assert m.RetirementRecord.objects.filter(subject="330106196001015678").exists()  # 66 years old
    assert _ask("household", subject=OTHER).status == Status.CONFIRMED
    assert AuditRecord.objects.filter(action="verification.registry.fill").count() == 2


def test_the_console_page_lists_the_log_masked_and_read_audited_with_the_breakers(center, client):
    m.FaceResult.objects.create(subject=ID, score=90)
    _ask("face", center=center)
    _ask("property", subject=OTHER, center=center)
    leader, _ = staff_create(username="lead1", password="pw-Leader-2026x", center=center, actor=ACTOR)
    grant_role(leader, "leader", center=center)
    client.force_login(leader)
    page = client.get("/verification/").content.decode()
    assert "110***********1234" in page and ID not in page and OTHER not in page
    assert "人脸核验" in page and "熔断条件" in page and "共 2 次查询" in page
    page = client.get("/verification/?source=face&status=confirmed").content.decode()
    assert "共 1 次查询" in page
    page = client.get(f"/verification/?from={date.today() + timedelta(days=1)}").content.decode()
    assert "共 0 次查询" in page
    assert "起始日期应为" in client.get("/verification/?from=yesterday").content.decode()
    assert AuditRecord.objects.filter(action="verification.query.list").count() == 4
    teller, _ = staff_create(username="teller9", password="pw-Teller-2026x", center=center, actor=ACTOR)
    grant_role(teller, "teller", center=center)
    client.force_login(teller)
    assert client.get("/verification/").status_code == 403


def test_the_demo_command_fills_the_registry_for_the_centers_members(center):
    employer = make_employer(center, 1)
    accounts = [make_account(center, employer, n) for n in (1, 2, 3)]
    out = StringIO()
    call_command("verification_seed", center=center.code, stdout=out)
    assert "新填充 3 名职工" in out.getvalue()
    for a in accounts:
        assert _ask("household", subject=a.member.id_number).status == Status.CONFIRMED
    call_command("verification_seed", center=center.code, stdout=out)
    assert "新填充 0 名职工" in out.getvalue() and m.HouseholdRecord.objects.count() == 3
