"""Key configuration: environment parsing, development keys with a warning, production refusing without keys."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from openhpf.security import keys as keymod
from openhpf.security.crypto import sm2_generate_keypair

ROOT = Path(__file__).resolve().parents[3]
SM2_SK = sm2_generate_keypair()[0]
REAL = {
    "HPF_SECRET_KEY": "k8Vq-3nT_xw9Lr2Pz7Ys1Hc4Jd6Mb0Fg5Ne8Ua3Wq7Zt2Xv9Rk4Lp1",
    "DATABASE_URL": "postgres://hpf@db.invalid:5432/hpf",
    "HPF_SM4_KEYS": "k1:00112233445566778899aabbccddeeff,k2:ffeeddccbbaa99887766554433221100",
    "HPF_SM4_ACTIVE_KEY_ID": "k2",
    "HPF_BLIND_INDEX_KEY": "8c1d4e7f20a9b35c6d71e08f94a2b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5",
    "HPF_SM2_PRIVATE_KEY": SM2_SK,
    # production refuses the development outbox channel: a real deployment names its SMS gateway adapter
    "HPF_SMS_CHANNEL": "openhpf.notifications.tests.channels.RecordingChannel",
}
KEY_VARS = ("HPF_SM4_KEYS", "HPF_SM4_KEY", "HPF_SM4_ACTIVE_KEY_ID", "HPF_BLIND_INDEX_KEY", "HPF_SM2_PRIVATE_KEY")


def _import_settings(module: str, env: dict[str, str], tmp_path: Path, code: str = "") -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in KEY_VARS and k not in ("DATABASE_URL", "HPF_SECRET_KEY")}
    clean.update(env, HPF_VAR_DIR=str(tmp_path / "var"))
    return subprocess.run(
        [sys.executable, "-c", f"import {module} as s; {code}"], env=clean, cwd=ROOT, capture_output=True,
        text=True, check=False, timeout=60,
    )


def test_production_refuses_to_start_without_keys(tmp_path):
    env = {k: v for k, v in REAL.items() if k not in KEY_VARS}
    proc = _import_settings("openhpf.settings.production", env, tmp_path)
    assert proc.returncode != 0
    for var in ("HPF_SM4_KEYS", "HPF_BLIND_INDEX_KEY", "HPF_SM2_PRIVATE_KEY"):
        assert var in proc.stderr
    assert not (tmp_path / "var" / "keys").exists()  # never falls back to development keys


def test_production_refuses_malformed_keys(tmp_path):
    proc = _import_settings("openhpf.settings.production", {**REAL, "HPF_SM4_ACTIVE_KEY_ID": "k9"}, tmp_path)
    assert proc.returncode != 0 and "k9" in proc.stderr
    proc = _import_settings("openhpf.settings.production", {**REAL, "HPF_SM2_PRIVATE_KEY": "abc"}, tmp_path)
    assert proc.returncode != 0 and "64 hex" in proc.stderr


def test_production_starts_with_real_keys(tmp_path):
    proc = _import_settings("openhpf.settings.production", REAL, tmp_path,
                            "print(s.HPF_SM4_ACTIVE_KEY_ID, sorted(s.HPF_SM4_KEYS))")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "k2 ['k1', 'k2']"
    env = {**{k: v for k, v in REAL.items() if k not in ("HPF_SM4_KEYS", "HPF_SM4_ACTIVE_KEY_ID")},
           "HPF_SM4_KEY": "00112233445566778899aabbccddeeff"}
    proc = _import_settings("openhpf.settings.production", env, tmp_path, "print(s.HPF_SM4_ACTIVE_KEY_ID)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "k1"


def test_development_keys_are_created_once_with_a_warning(settings, tmp_path, caplog):
    settings.HPF_KEY_DIR = tmp_path / "keys"
    settings.HPF_SM4_KEYS = {}
    settings.HPF_SM4_ACTIVE_KEY_ID = ""
    settings.HPF_BLIND_INDEX_KEY = ""
    settings.HPF_SM2_PRIVATE_KEY = ""
    keymod._warned.clear()
    with caplog.at_level(logging.WARNING, logger="openhpf.security"):
        ring = keymod.keyring()
    assert ring.development and ring.active_id == keymod.DEV_SM4_KEY_ID
    path = tmp_path / "keys" / keymod.DEV_KEY_FILE
    assert path.stat().st_mode & 0o077 == 0
    assert any("DEVELOPMENT keys" in r.getMessage() for r in caplog.records)
    stored = json.loads(path.read_text())
    assert ring.active_key.hex() == stored["sm4"]
    settings.HPF_KEY_DIR = tmp_path / "keys"  # reload: the same keys from the file
    assert keymod.keyring().active_key == ring.active_key


def test_configured_keys_win_and_bad_ones_are_refused(settings):
    settings.HPF_SM4_KEYS = {"k1": "00" * 16}
    settings.HPF_SM4_ACTIVE_KEY_ID = "k1"
    settings.HPF_BLIND_INDEX_KEY = "11" * 32
    settings.HPF_SM2_PRIVATE_KEY = SM2_SK
    ring = keymod.keyring()
    assert not ring.development and ring.active_key == bytes(16) and ring.blind_index_key == b"\x11" * 32
    settings.HPF_SM4_KEYS = {"k1": "00"}
    with pytest.raises(ImproperlyConfigured):
        keymod.keyring()
