"""The invariant registry behind `hpf verify`: each app registers its checks; tests call run_checks()."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str = ""
    breaches: list[str] = field(default_factory=list)


Check = Callable[[], CheckResult]
_CHECKS: list[tuple[str, Check]] = []
# True while `hpf verify --full` runs: checks that work incrementally (the ledger digests) then redo everything
full_run: ContextVar[bool] = ContextVar("hpf_verify_full", default=False)


def register(name: str) -> Callable[[Check], Check]:
    """Decorator: register an invariant check under a stable name (apps do this in ready())."""

    def deco(fn: Check) -> Check:
        if not any(n == name for n, _ in _CHECKS):
            _CHECKS.append((name, fn))
        return fn

    return deco


def run_checks(only: Iterable[str] | None = None, *, full: bool = False) -> list[CheckResult]:
    """Run the registered checks (or those named in `only`); `full`: the incremental ones redo everything."""
    wanted = set(only) if only else None
    results = []
    token = full_run.set(full)
    try:
        for name, fn in _CHECKS:
            if wanted is not None and name not in wanted:
                continue
            try:
                results.append(fn())
            except Exception as exc:  # a check that cannot run is a breach, not a pass
                results.append(CheckResult(name, False, f"检查无法运行：{exc!r}"))
    finally:
        full_run.reset(token)
    return results


def assert_invariants() -> None:
    """For tests and production code paths: raise AssertionError listing every breach."""
    bad = [r for r in run_checks() if not r.ok]
    if bad:
        raise AssertionError("; ".join(f"{r.name}: {r.detail} {r.breaches[:5]}" for r in bad))
