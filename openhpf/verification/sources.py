"""Each source's configuration: which adapter answers for it and how patiently it is asked.

`settings.HPF_VERIFICATION_SOURCES` maps a source code (models.Source) to overrides of `DEFAULTS`, and
`settings.HPF_VERIFICATION_DEFAULTS` overrides the defaults of every source:

    HPF_VERIFICATION_SOURCES = {
        "property": {"adapter": "myorg.bdc.RealEstateAdapter", "options": {"url": "https://…"}, "timeout": 5},
        "credit": {"timeout": 8, "attempts": 1},
    }

- adapter: the dotted path of a class (adapters.Adapter); its `options` are its keyword arguments;
- timeout: seconds one exchange may take (a real deadline: the exchange runs in a worker thread);
- attempts, backoff: tries of an exchange that failed (connection refused, 5xx …) with exponential backoff
  (backoff, 2×backoff … seconds, capped at 4×); a timeout is not tried again;
- breaker_failures, breaker_cooldown: the circuit breaker opens after that many failed queries in a row and lets
  one trial query through after the cool-down (seconds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from .models import Source

LOCAL = "openhpf.verification.adapters.LocalRegistryAdapter"
DEFAULTS: dict[str, Any] = {"adapter": LOCAL, "options": {}, "timeout": 3.0, "attempts": 2, "backoff": 0.2,
                            "breaker_failures": 5, "breaker_cooldown": 60.0}
# 征信业管理条例 第十八条: a credit report needs the person's written consent
CONSENT_REQUIRED = frozenset({Source.CREDIT})


@dataclass(frozen=True)
class SourceConfig:
    source: str
    adapter: str
    options: dict[str, Any] = field(default_factory=dict)
    timeout: float = 3.0
    attempts: int = 2
    backoff: float = 0.2
    breaker_failures: int = 5
    breaker_cooldown: float = 60.0

    @property
    def label(self) -> str:
        return Source(self.source).label

    def make_adapter(self) -> Any:
        return import_string(self.adapter)(**self.options)


def source_check(source: str) -> Source:
    if source not in Source.values:
        raise DomainError(ErrorCode.VERIFICATION_SOURCE_UNKNOWN, source=source, field="source")
    return Source(source)


def source_config(source: str) -> SourceConfig:
    src = source_check(source)
    merged = {**DEFAULTS, **getattr(settings, "HPF_VERIFICATION_DEFAULTS", {}),
              **getattr(settings, "HPF_VERIFICATION_SOURCES", {}).get(src.value, {})}
    return SourceConfig(source=src.value, adapter=str(merged["adapter"]), options=dict(merged["options"] or {}),
                        timeout=float(merged["timeout"]), attempts=max(1, int(merged["attempts"])),
                        backoff=float(merged["backoff"]), breaker_failures=max(1, int(merged["breaker_failures"])),
                        breaker_cooldown=float(merged["breaker_cooldown"]))


def source_label(source: str) -> str:
    return Source(source).label if source in Source.values else source
