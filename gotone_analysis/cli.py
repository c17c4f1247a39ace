"""The ``gotone`` command: a thin layer over the package.

Subcommands: ``demo-data``, ``validate``, ``run``. Each parses its arguments and calls
one package function; errors in user input exit 2 with a message, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .errors import GotoneError


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo-data", help="generate the synthetic demo data set")
    p.add_argument("--scale", choices=("small", "full"), default="small")
    p.add_argument("--seed", type=int, default=20100330)
    p.add_argument("--out", default=None, help="output folder (default data/demo)")
    p.set_defaults(func=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import cli_generate

    return cli_generate(args)


def _add_validate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="validate input files against the data contract")
    p.add_argument("--kind", choices=("survey", "kpi", "panel", "benchmark"), default=None,
                   help="input kind (inferred from the folder name when omitted)")
    p.add_argument("--mapping", default=None, help="column-mapping file (vendor -> canonical)")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.set_defaults(func=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import cli_validate

    return cli_validate(args)


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the quarterly report batch")
    p.add_argument("--quarter", required=True)
    p.add_argument("--scope", default="province",
                   help="province, all, or a comma-separated list of city codes")
    p.add_argument("--reports", default=None, help="comma-separated report names (default all)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--data", default=None, help="data folder (default data/demo)")
    p.add_argument("--out", default=None, help="output folder (default outputs)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--compare-to", default="previous")
    p.add_argument("--min-base", type=int, default=None)
    p.add_argument("--seed", type=int, default=None,
                   help="seed of every random draw of the reports (default the notebooks')")
    p.add_argument("--engine", choices=("duckdb", "spark"), default=None,
                   help="engine that queries the customer panel (default duckdb)")
    p.set_defaults(func=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    from .runner import cli_run

    return cli_run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gotone", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    _add_demo(sub)
    _add_validate(sub)
    _add_run(sub)
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
