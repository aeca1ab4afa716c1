"""The ledger asks the registered debit guards before money leaves member accounts (issue 14 item 2): on the
single-entry path (in bounded chunks), on the batch path (set-based), before a hold; never for credits."""

from __future__ import annotations

import pytest

from openhpf.core import db
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.ledger import services
from openhpf.ledger.models import SubAccount
from openhpf.ledger.services import Line, SubRow, batch_post, entry_post, subaccount_set_reserves
from openhpf.ledger.tests.factories import open_account

ACTOR = SystemActor("test")


@pytest.fixture
def asked():
    """A guard that records the accounts it is asked about (and refuses the ones in `refuse`)."""
    seen: list[list[int]] = []
    refuse: set[int] = set()

    def guard(debited):
        ids = sorted(r[0] for r in db.fetch(debited.sql, debited.plist))
        seen.append(ids)
        if refuse & set(ids):
            raise DomainError(ErrorCode.ACCOUNT_FROZEN, "测试：冻结", field="account")

    services.register_debit_guard(guard)
    yield seen, refuse
    services._DEBIT_GUARDS.remove(guard)


def _post(center, rows, total):
    lines = ([Line("10101", debit=total), Line("201", credit=total)] if total > 0
             else [Line("201", debit=-total), Line("10101", credit=-total)])
    return entry_post(center=center, business_date=center.business_date, lines=lines, source="test",
                      description="测试", actor=ACTOR, biz_type=BizType.OTHER, sub_rows=rows)


def test_every_debit_path_asks_the_guards(center, asked):
    seen, refuse = asked
    subs = [open_account(center, n) for n in range(1, 511)]
    _post(center, [SubRow(s.pk, amount_current=100) for s in subs], 100 * len(subs))
    assert seen == []  # credits ask nobody
    _post(center, [SubRow(s.pk, amount_current=-10) for s in subs], -10 * len(subs))
    assert [len(x) for x in seen] == [500, 10]  # chunked, every account asked once
    assert sorted(i for x in seen for i in x) == sorted(s.pk for s in subs)
    seen.clear()
    batch_post(center=center, key="guard-test", biz_type=BizType.OTHER, business_date=center.business_date,
               counter_account="10101", description="测试批量", actor=ACTOR,
               rows=[SubRow(s.pk, amount_current=-1) for s in subs[:3]])
    assert seen == [sorted(s.pk for s in subs[:3])]  # one set-based question
    seen.clear()
    refuse.add(subs[0].pk)
    with pytest.raises(DomainError) as e:
        subaccount_set_reserves(sub_account=subs[0], hold_delta=5)
    assert e.value.code == "ACCOUNT_FROZEN" and SubAccount.objects.get(pk=subs[0].pk).hold_amount == 0
    with pytest.raises(DomainError):
        batch_post(center=center, key="guard-test-2", biz_type=BizType.OTHER, business_date=center.business_date,
                   counter_account="10101", description="测试批量", actor=ACTOR,
                   rows=[SubRow(s.pk, amount_current=-1) for s in subs[:2]])
    assert SubAccount.objects.get(pk=subs[1].pk).balance_current == 100 - 10 - 1  # nothing moved
