"""Structured logging: one JSON object a line, with the request id; nothing personal or secret in a line.

Every line (the message, its data and any traceback) goes through `redact_log_text` before it is written:
身份证号 and mobile numbers are masked (core.masking.redact_text), the values of personal or secret query
parameters (`q=`, `id_number=`, `phone=`, `token=`, `password=`, `code=` …) and of `Authorization: Bearer …`,
`X-HPF-Push-Token` and cookies/session ids are replaced by `[已脱敏]`. The JSON formatter applies it to what
the project logs, and `RedactingFilter` to any other handler (settings attach it to the development server's
access log, `django.server`)."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from . import context
from .masking import redact_text

REDACTED = "[已脱敏]"
# query or form parameters whose values are personal or secret
SECRET_PARAMS = ("q", "id_number", "idno", "phone", "mobile", "token", "access_token", "password", "secret",
                 "client_secret", "code", "otp", "challenge", "login", "name", "recipient")
_PARAM_RE = re.compile(r"(?i)([?&;](?:" + "|".join(SECRET_PARAMS) + r")=)[^&;\s\"'\\]*")
_BEARER_RE = re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=:-]{6,}")
_HEADER_RE = re.compile(r"(?i)((?:x-hpf-push-token|authorization|cookie|sessionid|csrftoken)[\"']?\s*[:=]\s*[\"']?)"
                        r"[^\s\"',;\\]+")


def redact_log_text(text: str) -> str:
    """A log line with no personal value or secret in it (see the module's docstring)."""
    text = _PARAM_RE.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER_RE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    text = _HEADER_RE.sub(lambda m: m.group(1) + REDACTED, text)
    return redact_text(text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (arguments merged) through `redact_log_text`; for handlers whose formatter is
    not the JSON one (the development server's access log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_log_text(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = context.request_id.get()
        if rid:
            out["request_id"] = rid
        extra = getattr(record, "data", None)
        if isinstance(extra, dict):
            out.update(extra)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return redact_log_text(json.dumps(out, ensure_ascii=False, default=str))
