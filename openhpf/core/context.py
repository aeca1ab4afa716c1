"""Per-request/per-command context (request id) without threading it through every signature."""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("hpf_request_id", default="")
