"""`python -m bench [NAME] [options]`: run the benchmarks (all of them, or the one named).

Each benchmark is a module `bench/bench_<name>.py` with `main(argv: list[str]) -> int` (0 when every target is met)."""

from __future__ import annotations

import importlib
import sys

# run order; a module that does not exist (yet) is skipped
REGISTRY = ["ledger", "cutover", "interest", "remit", "security", "recon", "rules", "queue", "schedules", "wddecision",
            "agreed", "loancob"]
# a benchmark whose module is named otherwise than `bench_<name>`
MODULES = {"wddecision": "wd_decision"}


def main(argv: list[str]) -> int:
    names = REGISTRY
    if argv and not argv[0].startswith("-"):
        names, argv = [argv[0]], argv[1:]
    failed = 0
    for name in names:
        try:
            module = importlib.import_module(f"bench.bench_{MODULES.get(name, name)}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.bench_{MODULES.get(name, name)}":
                raise
            print(f"bench {name}: not present, skipped")
            continue
        print(f"== bench {name}")
        rc = module.main(list(argv))
        failed += 1 if rc else 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
