"""The engine follows the center's 实施清单: an item or a channel the center does not offer is refused, the
center's 承诺时限 in force on the day of 受理 drives promised_due (and the clock's pause and resume) and whether an
item is 即时办结, and the center's required local materials are required at submission."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from openhpf.applications import selectors, services
from openhpf.applications.models import State
from openhpf.applications.registry import Handler, handler_swapped
from openhpf.catalog.models import IdentityLevel
from openhpf.catalog.selectors import item_latest
from openhpf.catalog.services import implementation_make, implementation_spec_of
from openhpf.conftest import business_day
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError

from .conftest import ITEM, store

pytestmark = pytest.mark.django_db
MON = date(2026, 11, 30)  # a Monday
SYSTEM = SystemActor("test")


def _impl(center, spec, on=MON):
    """A version of the center's 实施清单 of ITEM: `spec` laid over the item as the center would follow it."""
    full = {**implementation_spec_of(None, item_latest(ITEM)), **spec}
    return implementation_make(center=center, code=ITEM, spec=full, effective_from=on, actor=SYSTEM, reason="试")


def _accepted(w, on=MON, amount=300_000):
    app = services.application_create(
        center=w["center"], item_code=ITEM, channel="mobile", identity_level=IdentityLevel.FACE, actor=w["member"],
        business_date=on, payload={"amount": amount, "lease_start": "2026-01-01", "months": 6, "has_home": False})
    for code in ("id_card", "bank_card"):
        services.application_attach(application=app, material_code=code, document=store(w["center"], w["teller"], code),
                                    actor=w["teller"], business_date=on)
    services.application_submit(application=app, actor=w["member"], business_date=on)
    return services.application_accept(application=app, actor=w["teller"], business_date=on)


def test_the_centers_promised_limit_drives_promised_due(world, rent_handler):
    _impl(world["center"], {"promised_limit": 1, "promised_limit_unit": "working_day"})
    app = _accepted(world)
    # 3 日 legal (条例第二十五条) stays; the center promises 1 工作日 instead of the item's 3
    assert app.legal_due == date(2026, 12, 3) and app.promised_due == date(2026, 12, 1)


def test_a_center_limit_in_natural_days_counts_natural_days(world, rent_handler):
    _impl(world["center"], {"promised_limit": 6, "promised_limit_unit": "natural_day"})
    app = _accepted(world)
    assert app.promised_due == date(2026, 12, 7)  # 12/6 is a Sunday: moved to the next working day


def test_the_limit_in_force_on_the_day_of_acceptance_applies(world, rent_handler):
    """A change approved today, effective in a week: applications accepted before keep the old promise, those
    accepted from that day take the new one."""
    w = world
    _impl(w["center"], {"promised_limit": 5})
    _impl(w["center"], {"promised_limit": 1}, on=MON + timedelta(days=7))
    before = _accepted(w)
    assert before.promised_due == date(2026, 12, 7)  # 5 工作日 from Monday 11/30
    with business_day(w["center"], MON + timedelta(days=7)):
        after = _accepted(w, on=MON + timedelta(days=7))
    assert after.promised_due == date(2026, 12, 8)  # 1 工作日 from Monday 12/7
    before.refresh_from_db()
    assert before.promised_due == date(2026, 12, 7)  # stored at 受理, not recomputed


def test_a_pause_and_resume_count_the_centers_limit(world, rent_handler):
    w = world
    _impl(w["center"], {"promised_limit": 5})
    app = _accepted(w)
    assert app.state == State.UNDER_REVIEW and app.promised_due == date(2026, 12, 7)
    app = services.application_review(application=app, actor=w["r1"], business_date=date(2026, 12, 2),
                                      decision="correction", problems=["租赁合同不清晰"])
    assert app.promised_remaining == 3  # 2 of 5 working days used (12/1, 12/2)
    app = services.application_correct(application=app, actor=w["member"], business_date=date(2026, 12, 4))
    assert app.promised_due == date(2026, 12, 9)  # 3 working days from Friday 12/4


def test_an_item_the_center_does_not_offer_is_refused(world, rent_handler):
    w = world
    _impl(w["center"], {"offered": False, "channels": []})
    with pytest.raises(DomainError) as exc:
        services.application_create(center=w["center"], item_code=ITEM, channel="counter",
                                    identity_level=IdentityLevel.COUNTER_CHECK, actor=w["teller"], business_date=MON,
                                    member_id=w["a"].member_id)
    assert exc.value.code == "CATALOG_ITEM_NOT_OFFERED" and "租房提取" in exc.value.message
    assert exc.value.field == "item_code"


def test_a_channel_the_center_does_not_open_or_a_weaker_identity_is_refused(world, rent_handler):
    w = world
    _impl(w["center"], {"channels": [{"channel": "counter", "min_identity": 1},
                                     {"channel": "mobile", "min_identity": IdentityLevel.CERTIFICATE}]})
    with pytest.raises(DomainError) as exc:  # the item offers 网上服务大厅; this center does not
        services.application_create(center=w["center"], item_code=ITEM, channel="web",
                                    identity_level=IdentityLevel.CERTIFICATE, actor=w["member"], business_date=MON)
    assert exc.value.code == "APPLICATION_CHANNEL" and exc.value.field == "channel"
    with pytest.raises(DomainError) as exc:  # face verification is the item's minimum, the center asks more
        services.application_create(center=w["center"], item_code=ITEM, channel="mobile",
                                    identity_level=IdentityLevel.FACE, actor=w["member"], business_date=MON)
    assert exc.value.code == "APPLICATION_IDENTITY_LEVEL" and "数字证书" in exc.value.message
    app = services.application_create(center=w["center"], item_code=ITEM, channel="mobile",
                                      identity_level=IdentityLevel.CERTIFICATE, actor=w["member"], business_date=MON)
    assert app.state == State.DRAFT


# ---------------------------------------------------------------- local materials, 即时办结 by the center's list


def _impl_of(center, code, spec, on=MON):
    full = {**implementation_spec_of(None, item_latest(code)), **spec}
    return implementation_make(center=center, code=code, spec=full, effective_from=on, actor=SYSTEM, reason="试")


def test_a_centers_required_local_material_is_required_at_submission(world, rent_handler):
    """The center adds 居住证明 (required) and 租赁备案 (optional): a submission without 居住证明 is refused naming
    it, and nothing is written; attached (and only then) the application goes in."""
    w = world
    _impl(w["center"], {"extra_materials": [
        {"code": "residence", "name": "居住证明", "required": True},
        {"code": "lease_filing", "name": "租赁备案证明", "required": False}]})
    app = services.application_create(
        center=w["center"], item_code=ITEM, channel="mobile", identity_level=IdentityLevel.FACE, actor=w["member"],
        business_date=MON, payload={"amount": 300_000, "lease_start": "2026-01-01", "months": 6, "has_home": False})
    for code in ("id_card", "bank_card"):
        services.application_attach(application=app, material_code=code, document=store(w["center"], w["teller"], code),
                                    actor=w["teller"], business_date=MON)
    events = app.events.count()
    with pytest.raises(DomainError) as exc:
        services.application_submit(application=app, actor=w["member"], business_date=MON)
    assert exc.value.code == "APPLICATION_PROBLEMS"
    assert exc.value.details["problems"] == ["缺少申请材料：居住证明"] and "居住证明" in exc.value.message
    app.refresh_from_db()
    assert app.state == State.DRAFT and app.events.count() == events and app.submitted_at is None
    with pytest.raises(DomainError) as exc:  # a code neither the item nor the center asks for
        services.application_attach(application=app, material_code="nope", document=store(w["center"], w["teller"]),
                                    actor=w["teller"], business_date=MON)
    assert exc.value.code == "APPLICATION_MATERIAL_UNKNOWN"
    services.application_attach(application=app, material_code="residence",
                                document=store(w["center"], w["teller"], "residence"), actor=w["teller"],
                                business_date=MON)
    app = services.application_submit(application=app, actor=w["member"], business_date=MON)
    assert app.state == State.SUBMITTED
    assert selectors.material_names(app)["residence"] == "居住证明"


def _instant_candidate(w, code):
    """An application of `code` by the member, its 身份证 attached and submitted, with a stand-in handler."""
    app = services.application_create(center=w["center"], item_code=code, channel="web", identity_level=2,
                                      actor=w["member"], business_date=MON)
    services.application_attach(application=app, material_code="id_card", document=store(w["center"], w["teller"]),
                                actor=w["teller"], business_date=MON)
    return services.application_submit(application=app, actor=w["member"], business_date=MON)


def _stand_in(code):
    return handler_swapped(Handler(item_code=code, validate=lambda p, a: (p, []), rule_inputs=lambda a: {},
                                   execute=lambda a, actor, d: {}))


def test_instant_follows_the_centers_promised_limit(world):
    """即时办结 is read from the center's 实施清单: 贷款结清证明 (national promise 1 工作日) is instant where the
    center promises 0; 缴存使用证明 (national 0) is not where the center promises 2 工作日."""
    w = world
    assert item_latest("HPF-P-LOAN-CLEAR").promised_limit == 1 and item_latest("HPF-P-CERT").promised_limit == 0
    _impl_of(w["center"], "HPF-P-LOAN-CLEAR", {"promised_limit": 0})
    _impl_of(w["center"], "HPF-P-CERT", {"promised_limit": 2})
    with _stand_in("HPF-P-LOAN-CLEAR"):
        app = _instant_candidate(w, "HPF-P-LOAN-CLEAR")
        assert services.is_instant(services.center_item(app, MON))
        done = services.application_process_instant(application=app, business_date=MON)
        assert done.state == State.COMPLETED and done.promised_due == MON
    with _stand_in("HPF-P-CERT"):
        app = _instant_candidate(w, "HPF-P-CERT")
        assert not services.is_instant(services.center_item(app, MON))
        assert services.application_process_instant(application=app, business_date=MON).state == State.SUBMITTED
