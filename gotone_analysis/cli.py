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
import textwrap
from collections.abc import Sequence

from .errors import GotoneError
from .processes import JOB_MEMORY_GIB

#: What ``gotone --help`` says the command is (plain text, no markup).
DESCRIPTION = ("gotone: the GoTone quarterly analysis suite. Generates the synthetic demo "
               "data, checks input files against the data contract, runs and publishes "
               "the quarterly reports (brand equity, satisfaction, program effects, the "
               "139 scorecard, data quality and the one-page summary) and manages the "
               "batch cache.")

#: Exit codes of every subcommand, shown under each help.
EXIT_CODES = """exit codes:
  0    success (run: every report published)
  1    run: a report failed (the others are published; the failed one keeps its last
       good copy)
  2    bad parameters or input data, an output folder that cannot be written or is
       busy with another batch, a file that could not be published (nothing is run or
       the batch stops; the last good reports stay)
  130  interrupted (Ctrl-C)"""

_MAIN_EPILOG = """examples:
  gotone demo-data
  gotone validate data/demo/survey data/demo/kpi data/demo/benchmark data/demo/panel
  gotone run --quarter 2010Q4 --scope all
  gotone cache clear --out outputs

'gotone <command> --help' explains each command's options.

""" + EXIT_CODES

_RUN_EPILOG = """examples:
  gotone run --quarter 2010Q4                       the province, every report, in Chinese
  gotone run --quarter 2010Q4 --scope all --jobs 2  the province and the nine cities
  gotone run --quarter 2010Q4 --scope fuzhou,xiamen --reports summary,satisfaction
  gotone run --quarter 2009Q1:2010Q4 --scope all    every quarter of a range
  gotone run --quarter all --lang en --out outputs-en
  gotone run --quarter 2010Q4 --compare-to year_ago --min-base 50
  gotone run --quarter 2010Q4 --scope all --force   run every report again, none reused
  gotone run --month 2010-05 --scope all            the 139 scorecard as of May's end
  gotone run --month all --scope all                every month the KPI files hold

A report already published in the output folder is reused, not run, while nothing it
is made from changed and its published files are intact (--force runs it anyway). The
closing table says per report 'reused' or why it ran; its last line names the index
page (<out>/index.html) by its full path.

""" + EXIT_CODES


def _para(text: str) -> str:
    """A description wrapped for a terminal (the raw formatter keeps the epilogs' layout)."""
    return textwrap.fill(text, 79)


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=30)


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo-data", help="generate the synthetic demo data set",
                       description=_para("Write the synthetic demo data set (seeded, "
                                   "deterministic): survey waves, KPI and benchmark files, "
                                   "the customer panel and one vendor delivery."),
                       epilog="examples:\n  gotone demo-data\n  gotone demo-data --scale "
                              "full --out data/full\n\n" + EXIT_CODES,
                       formatter_class=_formatter)
    p.add_argument("--scale", choices=("small", "full"), default="small",
                   help="small (a quick demo, the default) or full (about 80 M "
                        "customer-months, for timing)")
    p.add_argument("--seed", type=int, default=20100330,
                   help="seed of the generator (default %(default)s)")
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
    p = sub.add_parser("validate", help="validate input files against the data contract",
                       description=_para("Check input files against the data contract and report "
                                   "every problem at once (file, column, rule, rows); "
                                   "nothing is written."),
                       epilog="examples:\n  gotone validate data/demo/survey data/demo/kpi\n"
                              "  gotone validate --mapping vendor/mapping.yaml "
                              "vendor/survey_2011Q1.csv\n\n" + EXIT_CODES,
                       formatter_class=_formatter)
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
    p = sub.add_parser("run", help="run and publish the quarterly reports",
                       description=_para("Run every report notebook of the quarter(s) and scope(s) "
                                   "and publish the reader pages, metrics, workbooks and the "
                                   "index page into the output folder. Parameters and every "
                                   "input file are checked before any notebook runs."),
                       epilog=_RUN_EPILOG, formatter_class=_formatter)
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--quarter", metavar="QUARTERS",
                      help="the survey wave(s) to publish: a quarter (2010Q4), a range "
                           "(2010Q1:2010Q4, every quarter of it the survey files hold), a "
                           "comma-separated list (2010Q3,2010Q4) or 'all' (every quarter the "
                           "survey files hold)")
    when.add_argument("--month", metavar="MONTHS",
                      help="instead of --quarter: the month(s) whose 139 scorecard and "
                           "monthly summary to publish from the KPI counts, into "
                           "<out>/YYYY-MM/<scope>/: a month (2010-05), a range "
                           "(2010-01:2010-12, every month of it the KPI files hold), a "
                           "comma-separated list or 'all' (every month the KPI files hold); "
                           "--compare-to then means the previous month, the same month a "
                           "year ago or a month YYYY-MM")
    p.add_argument("--scope", default="province", metavar="SCOPES",
                   help="'province' (the default), 'all' (the province and the nine "
                        "cities) or comma-separated city codes (fuzhou, xiamen, quanzhou, "
                        "zhangzhou, putian, sanming, nanping, longyan, ningde)")
    p.add_argument("--reports", default=None, metavar="NAMES",
                   help="comma-separated report names (default all: summary, "
                        "brand_equity, satisfaction, program_effects, scorecard_139, "
                        "data_quality)")
    p.add_argument("--jobs", type=int, default=2, metavar="N",
                   help="notebooks run at once, each in a worker process with its kernels "
                        "(default 2); at most the usable cores of this machine: a larger "
                        "value is lowered to that with a warning. Each busy job needs "
                        f"about {JOB_MEMORY_GIB:.1f} GiB of memory on the small demo, more on "
                        "larger data")
    p.add_argument("--data", default=None, metavar="FOLDER",
                   help="data folder laid out like data/demo (default data/demo)")
    p.add_argument("--out", default=None, metavar="FOLDER",
                   help="output folder (default outputs); one batch at a time may write "
                        "to it")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of every page, the index and the workbooks: zh Chinese "
                        "(the default) or en English")
    p.add_argument("--compare-to", default="previous", metavar="WHEN",
                   help="the quarter every change is measured against: 'previous' (the "
                        "default), 'year_ago' or an earlier quarter YYYYQn")
    p.add_argument("--min-base", type=int, default=None, metavar="N",
                   help="smallest number of respondents a published estimate may rest on; "
                        "smaller cells are shown as a dash (default the reports' policy)")
    p.add_argument("--seed", type=int, default=None,
                   help="seed of every random draw of the reports, e.g. bootstrap "
                        "replicates (default the notebooks')")
    p.add_argument("--engine", choices=("duckdb", "spark"), default=None,
                   help="engine that queries the customer panel (default duckdb; spark "
                        "for a cluster that holds the panel)")
    p.add_argument("--no-cache", action="store_true",
                   help="compute the once-per-batch shared work in every kernel instead of "
                        "keeping it in <out>/.cache (what is published is the same)")
    p.add_argument("--force", action="store_true",
                   help="run every report again. Without it a published report is reused "
                        "(left in place, not run) while its notebook, the code, its "
                        "parameters and the SHA-256 of every input file it reads are those "
                        "it was made from and its published files are intact; the closing "
                        "table and the index say, per report, 'reused' or why it ran")
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
            use_cache=not args.no_cache, force=args.force, month=args.month)
    except KeyboardInterrupt:
        return runner.EXIT_INTERRUPTED
    return batch.exit_code


def _add_cache(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cache", help="manage the batch cache of an output folder",
                       epilog="examples:\n  gotone cache clear --out outputs\n\n" + EXIT_CODES,
                       formatter_class=_formatter)
    actions = p.add_subparsers(dest="action", required=True)
    c = actions.add_parser("clear", help="empty <out>/.cache (input records and shared "
                                         "results); the next batch computes them again",
                           description=_para("Empty <out>/.cache (input records and shared "
                                       "results); refused while a batch runs there. The "
                                       "next batch computes them again."),
                           epilog="examples:\n  gotone cache clear --out outputs\n\n"
                                  + EXIT_CODES, formatter_class=_formatter)
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
    parser = argparse.ArgumentParser(prog="gotone", description=_para(DESCRIPTION),
                                     epilog=_MAIN_EPILOG, formatter_class=_formatter)
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
