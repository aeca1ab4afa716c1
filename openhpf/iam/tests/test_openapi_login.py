"""Issue 13 item 9 (OpenAPI): the OpenAPI document, a map of every operation and field, was public. Under
production settings (HPF_OPENAPI_LOGIN_REQUIRED, on by default there) it needs a staff sign-in or staff token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.test import Client, override_settings

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import api_token_issue, staff_create

ROOT = Path(__file__).resolve().parents[3]
SYS = SystemActor("test")


@override_settings(HPF_OPENAPI_LOGIN_REQUIRED=True)
def test_the_document_needs_a_staff_sign_in(center):
    anonymous = Client()
    got = anonymous.get("/api/v1/openapi.json")
    assert got.status_code == 401 and got.json()["code"] == "UNAUTHENTICATED" and "paths" not in got.json()
    page = anonymous.get("/api/v1/docs")
    assert page.status_code == 302 and page["Location"].startswith("/login/?next=")
    assert anonymous.get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer hpf_forged").status_code == 401
    member_token = anonymous.get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer hpm_whatever")
    assert member_token.status_code == 401

    user, _ = staff_create(username="doc1", password="pw-Docs-2026-xy", center=center, actor=SYS)
    grant_role(user, "teller", center=center)
    token, _ = api_token_issue(user=user, name="t", actor=SYS)
    assert "paths" in anonymous.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"bearer {token}").json()
    signed_in = Client()
    signed_in.force_login(user)
    assert signed_in.get("/api/v1/openapi.json").status_code == 200
    assert signed_in.get("/api/v1/docs").status_code == 200


def test_production_turns_it_on_by_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HPF_") and k != "DATABASE_URL"}
    env.update({
        "HPF_VAR_DIR": str(tmp_path / "var"),
        "HPF_SMS_CHANNEL": "openhpf.notifications.tests.channels.RecordingChannel",
        "HPF_SECRET_KEY": "k8Vq-3nT_xw9Lr2Pz7Ys1Hc4Jd6Mb0Fg5Ne8Ua3Wq7Zt2Xv9Rk4Lp1",
        "DATABASE_URL": "postgres://hpf@db.invalid:5432/hpf",
        "HPF_SM4_KEY": "3f9a0c51d2e84b7690aa13cd5e7f2b48",
        "HPF_BLIND_INDEX_KEY": "8c1d4e7f20a9b35c6d71e08f94a2b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5",
        "HPF_SM2_PRIVATE_KEY": "5b1e0f6c93a24d87b0c1e2f3a4b5c6d75b1e0f6c93a24d87b0c1e2f3a4b5c6d7",
    })
    code = "import openhpf.settings.production as p, openhpf.settings.dev as d; " \
           "print(p.HPF_OPENAPI_LOGIN_REQUIRED, d.HPF_OPENAPI_LOGIN_REQUIRED)"
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "False"]
