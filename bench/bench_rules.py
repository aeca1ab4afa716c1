"""Decision rules: the two candidate libraries side by side, and the chosen one against its target.

For 30 rules of the kind a withdrawal or loan item carries (amounts, months, flags, codes, dates), evaluated for
one application: compile time, evaluation time per application (p50/p95 over many applications), and safety
probes (what an expression may reach in the host language). `rule-engine` (pure Python, own grammar, typed
symbols) and `zen-engine` (GoRules' ZEN expression language, Rust core) are compared when both are installed;
the platform ships `rule-engine` (openhpf/applications/rules.py).

Target: the 30-rule set evaluated for one application, p95 ≤ 5 ms (the platform's own evaluator, with its
per-rule result records).

    python -m bench rules [--applications 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time
from typing import Any

TARGET_P95_MS = 5.0

# (rule-engine text, zen text): the same 30 rules in both languages.
RULES: list[tuple[str, str]] = []
for i in range(10):
    RULES.append((f"balance >= {1000 * (i + 1)}", f"balance >= {1000 * (i + 1)}"))
for i in range(5):
    RULES.append((f"months_continuous >= {i + 3} and not has_loan", f"months_continuous >= {i + 3} and not has_loan"))
for i in range(5):
    RULES.append((f"amount <= balance * 0.{9 - i}", f"amount <= balance * 0.{9 - i}"))
for i in range(5):
    RULES.append((f"reason in ['01', '02', '0{i + 3}']", f"reason in ['01', '02', '0{i + 3}']"))
for i in range(5):
    RULES.append((f"age >= 18 and age <= {60 + i} and city == 'BJ'",
                  f"age >= 18 and age <= {60 + i} and city == 'BJ'"))

PROBES = [  # what an expression must not be able to do
    "__import__('os').system('true')",
    "balance.__class__.__mro__",
    "open('/etc/passwd')",
]


def _inputs(rng: random.Random) -> dict[str, Any]:
    return {"balance": rng.randint(0, 50_000), "months_continuous": rng.randint(0, 24), "has_loan": rng.random() < .2,
            "amount": rng.randint(0, 40_000), "reason": rng.choice(["01", "02", "03", "06", "07"]),
            "age": rng.randint(16, 70), "city": rng.choice(["BJ", "SH"])}


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def _measure(name: str, evaluate: Any, apps: list[dict[str, Any]]) -> dict[str, float]:
    for inp in apps[:200]:  # warm-up (caches, allocator)
        evaluate(inp)
    times, cpu = [], []
    for inp in apps:
        t0, c0 = time.perf_counter(), time.thread_time()
        evaluate(inp)
        cpu.append((time.thread_time() - c0) * 1000)
        times.append((time.perf_counter() - t0) * 1000)
    out = {"p50": statistics.median(times), "p95": _pct(times, .95), "max": max(times), "cpu_p95": _pct(cpu, .95)}
    print(f"  {name:<36} wall p50 {out['p50']:.3f} ms  p95 {out['p95']:.3f} ms  max {out['max']:.3f} ms"
          f" | CPU p95 {out['cpu_p95']:.3f} ms")
    return out


def _rule_engine(apps: list[dict[str, Any]]) -> None:
    import rule_engine

    t0 = time.perf_counter()
    ctx = rule_engine.Context(default_value=None)
    compiled = [rule_engine.Rule(text, context=ctx) for text, _ in RULES]
    print(f"  rule-engine compile 30 rules: {(time.perf_counter() - t0) * 1000:.1f} ms")
    _measure("rule-engine evaluate 30 rules", lambda inp: [r.evaluate(inp) for r in compiled], apps)
    for probe in PROBES:
        try:
            value = rule_engine.Rule(probe, context=ctx).evaluate(apps[0])
            print(f"  rule-engine probe {probe!r}: evaluated to {value!r} (no host object reached)")
        except Exception as exc:
            print(f"  rule-engine probe {probe!r}: refused ({type(exc).__name__})")


def _zen(apps: list[dict[str, Any]]) -> None:
    try:
        import zen
    except ImportError:
        print("  zen-engine not installed: skipped (pip install zen-engine to compare)")
        return
    t0 = time.perf_counter()
    compiled = [zen.compile_expression(text) for _, text in RULES]
    print(f"  zen-engine compile 30 rules: {(time.perf_counter() - t0) * 1000:.1f} ms")
    _measure("zen-engine evaluate 30 (compiled)", lambda inp: [e.evaluate(inp) for e in compiled], apps)
    _measure("zen-engine evaluate 30 (uncompiled)", lambda inp: [zen.evaluate_expression(t, inp) for _, t in RULES],
             apps)
    for probe in PROBES:
        try:
            value = zen.evaluate_expression(probe, apps[0])
            print(f"  zen-engine probe {probe!r}: evaluated to {value!r} (no host object reached)")
        except Exception as exc:
            print(f"  zen-engine probe {probe!r}: refused ({type(exc).__name__})")


def _platform(apps: list[dict[str, Any]]) -> tuple[float, float]:
    from openhpf.applications.rules import Rule, evaluate_rules

    rules = [Rule(code=f"R{i:02d}", expression=text, message=f"规则 {i}", severity="block")
             for i, (text, _) in enumerate(RULES)]
    stats = _measure("openhpf evaluate_rules (30, results)", lambda inp: evaluate_rules(rules, inp), apps)
    return stats["p95"], stats["cpu_p95"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench rules")
    parser.add_argument("--applications", type=int, default=2000)
    args = parser.parse_args(argv)
    rng = random.Random(18)
    apps = [_inputs(rng) for _ in range(args.applications)]
    print(f"30 rules × {len(apps)} applications ({dt.date.today()})")
    _rule_engine(apps)
    _zen(apps)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.test")
    django.setup()
    p95, cpu_p95 = _platform(apps)
    ok = p95 <= TARGET_P95_MS
    print(f"target p95 ≤ {TARGET_P95_MS} ms (wall): {'met' if ok else 'MISSED'} ({p95:.3f} ms; CPU time p95 "
          f"{cpu_p95:.3f} ms, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    return 0 if ok else 1
