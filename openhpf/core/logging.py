"""Structured logging: one JSON object a line, with the request id."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from . import context


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
        return json.dumps(out, ensure_ascii=False, default=str)
