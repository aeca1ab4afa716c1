"""One bank simulator process per test module (started with the venv's python, no Django); each test opens its
own accounts so tests do not see each other's money."""

from __future__ import annotations

import itertools

import pytest

from banksim.client import SimProcess

DAY = "2026-11-30"
_accounts = itertools.count(1)


@pytest.fixture(scope="module")
def sim():
    with SimProcess(date=DAY) as s:
        yield s


@pytest.fixture(autouse=True)
def _no_faults_left(request):
    yield
    if "sim" in request.fixturenames:
        request.getfixturevalue("sim").clear_faults()


@pytest.fixture
def new_account(sim):
    """Open an account at the simulated bank: new_account(balance=..., status=..., name=...) -> account number."""

    def make(balance: int = 0, **extra) -> str:
        no = f"62220{next(_accounts):011d}"
        sim.open_account(no, name=extra.pop("name", f"账户{no[-4:]}"), bank_code="ICBC", balance=balance, **extra)
        return no

    return make


def lines(sim, account: str, day: str = DAY, page_size: int = 10000) -> list[dict]:
    """Every statement line of `account` on `day` (all pages)."""
    out, page = [], 1
    while True:
        body = sim.bdc("BDC113", {"account": account, "date": day, "page": page, "page_size": page_size})["body"]
        out += body["lines"]
        if page >= body["pages"]:
            return out
        page += 1


def balance(sim, account: str) -> int:
    return sim.bdc("BDC123", {"account": account})["body"]["balance"]
