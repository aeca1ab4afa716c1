"""The one domain error type: a code of the catalogue (openhpf/core/error_codes.py), a Chinese message, the field
or row it concerns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from .error_codes import ErrorCode


class DomainError(Exception):
    """A business rule refused the request. Nothing was written.

    `code` is a member of the catalogue (a string is refused: mypy rejects it, the constructor raises TypeError);
    the API answers with the code's HTTP status. `message` None: the code's template filled with `params`."""

    def __init__(
        self,
        code: ErrorCode,
        message: str | None = None,
        *,
        field: str | None = None,
        row: int | None = None,
        file: str | None = None,
        details: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        if not isinstance(code, ErrorCode):
            raise TypeError(f"DomainError code must be an ErrorCode of openhpf/core/error_codes.py, not {code!r}")
        if message is None:
            message = code.render(**params)
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


class PermissionDenied(DjangoPermissionDenied):
    """The actor may not do this (无权限): a permission it lacks, data outside its scope, or a system actor asked
    to make or check a money movement. Raised by access.check_permission; the API answers HTTP 403 with the
    DomainError payload (code FORBIDDEN) and the console shows its 403 page, each in one place.

    Not a DomainError, so the `except DomainError` of a view (a rule shown beside a form, a "not found" turned
    into 404) never swallows it; it has the same fields, so code that reports either reads them alike."""

    code = ErrorCode.FORBIDDEN

    def __init__(self, message: str = "无权限", *, field: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.row: int | None = None
        self.details = details or {}

    def __str__(self) -> str:  # the console's 403 page shows it as it is
        return self.message

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
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
