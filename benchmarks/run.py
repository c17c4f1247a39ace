"""Run every benchmark and print one ``name=value`` line per figure.

Benchmarks measure speed and memory against goals stated in the issues; they are not
tests and assert nothing. Usage: ``python benchmarks/run.py [demo] [batch] [--option ...]``
(default: every benchmark but the coverage study, ``coverage``, which runs only when
named; ``make coverage``). Options after the names (``--seeds 4``) go to the benchmarks
named, e.g. ``python benchmarks/run.py coverage --seeds 4``.

A benchmark that fails (raises, or returns non-zero) does not stop the others: its error
goes to standard error with a ``<name>_failed=1`` line, the next one runs, and the
command exits 1 at the end, naming the benchmarks that failed.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = {"demo": "bench_demo.py", "batch": "bench_batch.py", "drivers": "bench_drivers.py",
           "panel": "bench_panel.py", "quarter": "bench_quarter.py",
           "coverage": "bench_coverage.py"}
#: Benchmarks run only when named (they take long): the coverage study.
ON_REQUEST = ("coverage",)


def _load(name: str, filename: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # so that worker processes find its functions
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    first = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    names, options = argv[:first], argv[first:]  # names first, then the options
    chosen = names or [b for b in BENCHES if b not in ON_REQUEST]
    unknown = [c for c in chosen if c not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}",
              file=sys.stderr)
        return 2
    failed: list[str] = []
    for name in chosen:
        print(f"# {name}", flush=True)
        try:
            module = _load(name, BENCHES[name])
            code = module.main(options) if options else module.main()
        except Exception as exc:  # noqa: BLE001 - report it, run the next benchmark
            traceback.print_exc(file=sys.stderr)
            if isinstance(exc, subprocess.CalledProcessError) and exc.stderr:
                err = exc.stderr if isinstance(exc.stderr, str) else exc.stderr.decode(
                    "utf-8", "replace")
                print(err[-4000:], file=sys.stderr)
            code = 1
        if code:
            failed.append(name)
            print(f"{name}_failed=1", flush=True)
        sys.stderr.flush()
    if failed:
        print(f"benchmarks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
