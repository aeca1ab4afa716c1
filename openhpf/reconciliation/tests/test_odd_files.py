"""Issue 13 item 7: `hpf recon load` answers an odd file (empty, binary, UTF-16, wrong columns, not JSON, numbers
beyond any BIGINT, NUL characters) with a clear Chinese error and its code, never a traceback, writing nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ..models import BankStatement
from .test_interfaces import NO, acct  # noqa: F401 (the fixture)
from .test_services import D1

HEAD = b"bank_seq,direction,amount,balance\n"
CASES = {
    # name: (content, the code and words of the error)
    "empty.csv": (b"", "FILE_EMPTY", "为空"),
    "binary.csv": (bytes(range(256)) * 20, "FILE_ENCODING", "不是 UTF-8 或 GBK 文本"),
    "utf16.csv": ((HEAD + b"B1,in,100,999\n").decode().encode("utf-16"), "FILE_ENCODING", "UTF-16"),
    "columns.csv": (b"a,b,c\n1,2,3\n", "STATEMENT_FILE_COLUMNS", "缺少列"),
    "huge-amount.csv": (HEAD + b"B1,in,99999999999999999999999,999\n", "STATEMENT_INVALID", "金额超出范围"),
    "huge-balance.csv": (HEAD + b"B1,in,100,-99999999999999999999999\n", "STATEMENT_INVALID", "余额超出范围"),
    "nul.csv": (HEAD + b"B1\x00,in,100,999\n", "FILE_ENCODING", "不是 UTF-8 或 GBK 文本"),
    "garbage.xlsx": (b"PK\x03\x04garbage", "FILE_EMPTY", "没有表头"),
    "binary.ndjson": (bytes(range(256)) * 20, "FILE_ENCODING", "UTF-8"),
    "broken.ndjson": (b"{not json\n", "STATEMENT_FILE_JSON", "不是 JSON"),
    "huge.ndjson": (b'{"bank_seq": "B1", "direction": "in", "amount": 100000000000000000000000, "balance": 1}\n',
                    "STATEMENT_INVALID", "金额超出范围"),
    "nul.ndjson": (b'{"bank_seq": "B\\u00001", "direction": "in", "amount": 100, "balance": 100}\n',
                   "STATEMENT_INVALID", "空字符"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_odd_file_is_refused_with_a_clear_error(center, acct, tmp_path, name):  # noqa: F811
    content, code, words = CASES[name]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as ce:
        call_command("recon", "load", str(path), "--account", NO, "--date", D1.isoformat(), "--no-progress",
                     "--opening", "0", "--closing", "100", stdout=io.StringIO())
    assert f"[{code}]" in str(ce.value) and words in str(ce.value), str(ce.value)
    assert not BankStatement.objects.exists()


def test_balances_beyond_range_on_the_command_line_are_refused(center, acct, tmp_path):  # noqa: F811
    path = tmp_path / "s.csv"
    path.write_bytes(HEAD + b"B1,in,100,100\n")
    with pytest.raises(CommandError) as ce:
        call_command("recon", "load", str(path), "--account", NO, "--date", D1.isoformat(), "--no-progress",
                     "--opening", str(2**63), "--closing", "100", stdout=io.StringIO())
    assert "[STATEMENT_BALANCE]" in str(ce.value) and "超出范围" in str(ce.value)
    assert not BankStatement.objects.exists()
