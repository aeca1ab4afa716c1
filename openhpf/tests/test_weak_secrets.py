"""Issue 13 item 8: production settings refuse weak secrets. Each test starts the production settings in a fresh
interpreter with one weak value (the attack: a center deployed with an all-zero key, the development keys, a short
SECRET_KEY or a tiny SM2 private key) and checks that it refuses to start, naming the value."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openhpf.security.crypto import sm2_generate_keypair
from openhpf.settings.keys import SM2_N, secret_key_errors, weak_hex_key, weak_key_errors

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k8Vq-3nT_xw9Lr2Pz7Ys1Hc4Jd6Mb0Fg5Ne8Ua3Wq7Zt2Xv9Rk4Lp1"
GOOD = {
    "HPF_SECRET_KEY": SECRET,
    "HPF_SMS_CHANNEL": "openhpf.notifications.tests.channels.RecordingChannel",
    "DATABASE_URL": "postgres://hpf@db.invalid:5432/hpf",
    "HPF_SM4_KEYS": "k1:3f9a0c51d2e84b7690aa13cd5e7f2b48",
    "HPF_SM4_ACTIVE_KEY_ID": "k1",
    "HPF_BLIND_INDEX_KEY": "8c1d4e7f20a9b35c6d71e08f94a2b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5",
    "HPF_SM2_PRIVATE_KEY": sm2_generate_keypair()[0],
}
VARS = ("HPF_SM4_KEYS", "HPF_SM4_KEY", "HPF_SM4_ACTIVE_KEY_ID", "HPF_BLIND_INDEX_KEY", "HPF_SM2_PRIVATE_KEY",
        "DATABASE_URL", "HPF_SECRET_KEY", "HPF_KEY_DIR")


def _start(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in VARS}
    clean.update(env, HPF_VAR_DIR=str(tmp_path / "var"))
    return subprocess.run([sys.executable, "-c", "import openhpf.settings.production"], env=clean, cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=60)


def test_production_starts_with_good_secrets(tmp_path):
    proc = _start(GOOD, tmp_path)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(("var", "value", "said"), [
    ("HPF_SM4_KEYS", "k1:" + "00" * 16, "one byte repeated"),
    ("HPF_SM4_KEYS", "k1:" + "ab" * 16, "one byte repeated"),
    ("HPF_BLIND_INDEX_KEY", "00" * 32, "one byte repeated"),
    ("HPF_BLIND_INDEX_KEY", "5a" * 40, "one byte repeated"),
    ("HPF_SM2_PRIVATE_KEY", "00" * 32, "outside [1, n-2]"),
    ("HPF_SM2_PRIVATE_KEY", "11" * 32, "one byte repeated"),
    ("HPF_SM2_PRIVATE_KEY", f"{SM2_N - 1:064x}", "outside [1, n-2]"),
    ("HPF_SM2_PRIVATE_KEY", "f" * 64, "outside [1, n-2]"),
    ("HPF_SM2_PRIVATE_KEY", f"{12345:064x}", "below 2^128"),
    ("HPF_SECRET_KEY", "x" * 60, "distinct"),
    ("HPF_SECRET_KEY", "abcd" * 20, "distinct"),
    ("HPF_SECRET_KEY", "Short-but-varied-key-0123456789", "at least 50"),
])
def test_production_refuses_a_weak_secret(tmp_path, var, value, said):
    proc = _start({**GOOD, var: value}, tmp_path)
    assert proc.returncode != 0
    assert said in proc.stderr and "ImproperlyConfigured" in proc.stderr


def test_production_refuses_the_development_keys(tmp_path):
    # the development keys that `hpf` created for this installation, copied into the production environment
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    dev = {"sm4": "5b1e0f6c93a24d87b0c1e2f3a4b5c6d7", "blind_index": "d3" + "1c4f" * 15 + "a9",
           "sm2_private": sm2_generate_keypair()[0]}
    (key_dir / "dev-keys.json").write_text(json.dumps(dev))
    for var, value in (("HPF_SM4_KEYS", "k1:" + dev["sm4"]), ("HPF_BLIND_INDEX_KEY", dev["blind_index"]),
                       ("HPF_SM2_PRIVATE_KEY", dev["sm2_private"].upper())):
        proc = _start({**GOOD, "HPF_KEY_DIR": str(key_dir), var: value}, tmp_path)
        assert proc.returncode != 0 and "development key" in proc.stderr, (var, proc.stderr[-500:])
    assert _start({**GOOD, "HPF_KEY_DIR": str(key_dir)}, tmp_path).returncode == 0


def test_the_rules_one_by_one():
    assert weak_hex_key("00" * 16) and weak_hex_key("FFff" * 8) and not weak_hex_key("0011" * 8)
    assert secret_key_errors(SECRET) == []
    assert secret_key_errors("django-insecure-" + SECRET)
    sk = GOOD["HPF_SM2_PRIVATE_KEY"]
    assert weak_key_errors({}, "", sk, dev_keys=set()) == []
    assert weak_key_errors({}, "", f"{SM2_N - 2:064x}", dev_keys=set()) == []  # the largest allowed
    assert weak_key_errors({}, "", f"{2**128:064x}", dev_keys=set()) == []  # the smallest allowed
    assert weak_key_errors({}, "", f"{2**128 - 1:064x}", dev_keys=set())
    assert weak_key_errors({"k1": "ab" * 16}, "", "", dev_keys=set())
