"""Production refuses the development outbox channel and its clear page (issue 13 item 5).

The attack: the outbox channel was the default even under production settings, and its page showed members'
phones and live login codes to the security admin. Loading the production settings module in a child process
(its checks run at import) shows what an operator would see."""

from __future__ import annotations

import os
import subprocess
import sys

PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "openhpf.settings.production",
    "HPF_SECRET_KEY": "x9!Qz" * 12,
    "DATABASE_URL": "postgres://hpf@127.0.0.1:5432/hpf",
}


def _load(**env: str) -> subprocess.CompletedProcess[str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("HPF_") and k != "DJANGO_SETTINGS_MODULE"}
    e.update(PROD_ENV)
    e.update(env)
    return subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=e, capture_output=True,
                          text=True, timeout=120, check=False)


def test_production_refuses_the_outbox_channel():
    r = _load()  # no HPF_SMS_CHANNEL: the default, the outbox channel
    assert r.returncode != 0 and "outbox channel" in r.stderr, r.stderr[-2000:]


def test_production_refuses_the_development_outbox_page():
    r = _load(HPF_SMS_CHANNEL="openhpf.notifications.tests.channels.RecordingChannel", HPF_DEV_OUTBOX="1")
    assert r.returncode != 0 and ("HPF_DEV_OUTBOX" in r.stderr or "outbox" in r.stderr), r.stderr[-2000:]
