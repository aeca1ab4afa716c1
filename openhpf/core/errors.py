"""The one domain error type: stable code, Chinese message, the field or row it concerns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DomainError(Exception):
    """A business rule refused the request. Nothing was written."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        row: int | None = None,
        file: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.field = field
        self.row = row
        self.file = file
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        for k in ("field", "row", "file"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        if self.details:
            out["details"] = self.details
        return out


@dataclass
class ValidationReport(Exception):
    """Many domain errors found together (a file, a batch): all are reported, nothing is written."""

    errors: list[DomainError] = field(default_factory=list)

    def add(self, error: DomainError) -> None:
        self.errors.append(error)

    def __bool__(self) -> bool:  # true when there is something to report
        return bool(self.errors)

    def __str__(self) -> str:
        head = f"{len(self.errors)} 处错误"
        lines = [head]
        for e in self.errors[:50]:
            where = " ".join(
                f"{k}={v}" for k, v in (("file", e.file), ("row", e.row), ("field", e.field)) if v is not None
            )
            lines.append(f"  {where} [{e.code}] {e.message}")
        if len(self.errors) > 50:
            lines.append(f"  … 另有 {len(self.errors) - 50} 处")
        return "\n".join(lines)

    def raise_if_any(self) -> None:
        if self.errors:
            raise self
