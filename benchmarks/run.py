"""Run every benchmark and print one ``name=value`` line per figure.

Benchmarks measure speed and memory against goals stated in the issues; they are not
tests and assert nothing. Usage: ``python benchmarks/run.py [demo] [batch]`` (default all).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = {"demo": "bench_demo.py", "batch": "bench_batch.py", "drivers": "bench_drivers.py",
           "panel": "bench_panel.py", "quarter": "bench_quarter.py"}


def _load(name: str, filename: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHES)
    unknown = [c for c in chosen if c not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}",
              file=sys.stderr)
        return 2
    for name in chosen:
        print(f"# {name}", flush=True)
        _load(name, BENCHES[name]).main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
