"""The ``gotone`` command: a thin layer over the package.

Subcommands: ``demo-data``, ``validate``, ``run``, ``cache clear``. Each parses its
arguments, calls one package function with plain arguments
(:func:`gotone_analysis.demo.generate`, :func:`gotone_analysis.io.validate_paths`,
:func:`gotone_analysis.runner.run_batch`, :func:`gotone_analysis.cache.clear`) and prints
what it returns; errors in user input exit 2 with a message, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .errors import GotoneError
from .processes import JOB_MEMORY_GIB


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo-data", help="generate the synthetic demo data set")
    p.add_argument("--scale", choices=("small", "full"), default="small")
    p.add_argument("--seed", type=int, default=20100330)
    p.add_argument("--out", default=None, help="output folder (default data/demo)")
    p.set_defaults(func=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .config import default_data_dir
    from .demo import generate

    out = Path(args.out) if args.out else default_data_dir()
    summary = generate(out, scale=args.scale, seed=int(args.seed))
    print(f"synthetic demo data ({summary['scale']}, seed {summary['seed']}) -> "
          f"{summary['out']}")
    for kind, n in sorted(summary["rows"].items()):
        files = sum(1 for f in summary["files"] if f.startswith(kind + "/"))
        print(f"  {kind:<10} {files:>3} files {n:>12,} rows")
    print(f"  {summary['seconds']:.1f} s")
    return 0


def _add_validate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="validate input files against the data contract")
    p.add_argument("--kind", choices=("survey", "kpi", "panel", "benchmark"), default=None,
                   help="input kind (inferred from the folder name when omitted)")
    p.add_argument("--mapping", default=None, help="column-mapping file (vendor -> canonical)")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.set_defaults(func=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import validate_paths

    found = validate_paths(args.paths, kind=args.kind, mapping=args.mapping)
    for line in found.summaries:
        print(line)
    for line in found.warnings:
        print(line, file=sys.stderr)
    for line in found.notes:
        print(f"note: {line}", file=sys.stderr)
    if found.ok:
        return 0
    for msg in found.failures:
        print(msg, file=sys.stderr)
    n = len(found.failures)
    print(f"gotone validate: {n} input{'s' if n != 1 else ''} failed the data contract; "
          "nothing was written", file=sys.stderr)
    return 2


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the quarterly report batch")
    p.add_argument("--quarter", required=True)
    p.add_argument("--scope", default="province",
                   help="province, all, or a comma-separated list of city codes")
    p.add_argument("--reports", default=None, help="comma-separated report names (default all)")
    p.add_argument("--jobs", type=int, default=2,
                   help="notebooks run at once, each in a worker process with its kernels "
                        "(default 2); at most the usable cores of this machine: a larger "
                        "value is lowered to that with a warning. Each busy job needs "
                        f"about {JOB_MEMORY_GIB:.1f} GiB of memory on the small demo, more on "
                        "larger data")
    p.add_argument("--data", default=None, help="data folder (default data/demo)")
    p.add_argument("--out", default=None, help="output folder (default outputs)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--compare-to", default="previous")
    p.add_argument("--min-base", type=int, default=None)
    p.add_argument("--seed", type=int, default=None,
                   help="seed of every random draw of the reports (default the notebooks')")
    p.add_argument("--engine", choices=("duckdb", "spark"), default=None,
                   help="engine that queries the customer panel (default duckdb)")
    p.add_argument("--no-cache", action="store_true",
                   help="compute the once-per-batch shared work in every kernel instead of "
                        "keeping it in <out>/.cache (what is published is the same)")
    p.set_defaults(func=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    import os

    from . import runner

    try:
        batch = runner.run_batch(
            args.quarter, args.scope, args.reports, jobs=args.jobs, data_dir=args.data,
            out_dir=args.out, lang=args.lang, compare_to=args.compare_to,
            min_base=args.min_base, seed=args.seed, engine=args.engine,
            notebook_dir=os.environ.get(runner.NOTEBOOKS_ENV),
            progress=os.environ.get(runner.PROGRESS_ENV, "1") != "0",
            use_cache=not args.no_cache)
    except KeyboardInterrupt:
        return runner.EXIT_INTERRUPTED
    return batch.exit_code


def _add_cache(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cache", help="manage the batch cache of an output folder")
    actions = p.add_subparsers(dest="action", required=True)
    c = actions.add_parser("clear", help="empty <out>/.cache (input records and shared "
                                         "results); the next batch computes them again")
    c.add_argument("--out", default=None, help="output folder (default outputs)")
    c.set_defaults(func=_cmd_cache_clear)


def _cmd_cache_clear(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import cache, runner
    from .config import default_output_dir

    out = Path(args.out) if args.out else default_output_dir()
    files, size = cache.clear(out, lock=out / runner.LOCK_NAME)
    print(f"gotone cache clear: removed {files} file{'s' if files != 1 else ''} "
          f"({size:,} bytes) from {out.name}/{cache.CACHE_NAME}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gotone", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    _add_demo(sub)
    _add_validate(sub)
    _add_run(sub)
    _add_cache(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except GotoneError as exc:
        print(f"gotone {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
