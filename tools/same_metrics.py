"""Check that two published output folders hold the same numbers.

Usage::

    python tools/same_metrics.py OLD_OUTPUTS NEW_OUTPUTS [--quarter 2010Q4]

Compares every ``<quarter>/<scope>/metrics.json`` of the two folders byte for byte,
after dropping the fields that name the code that made them (a key containing
``code_version``, at any depth). Prints one line per scope and, for a scope that
differs, the first metric keys that do; exits 0 when every scope of OLD is present in
NEW with identical bytes, 1 otherwise. A restructuring that must not change a published
number is checked by running the same batch before and after it into two folders.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if "code_version" not in k}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def comparable_bytes(path: Path) -> bytes:
    """The bytes of a metrics file as published, less its code-version fields.

    A file without such fields is returned exactly as it is on disk.
    """
    raw = path.read_bytes()
    data = json.loads(raw)
    stripped = _strip(data)
    if stripped == data:
        return raw
    return json.dumps(stripped, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def differing_keys(old: Path, new: Path, most: int = 8) -> list[str]:
    """The first ``most`` dotted metric keys whose values differ between two files."""
    a, b = _strip(json.loads(old.read_text("utf-8"))), _strip(json.loads(new.read_text("utf-8")))
    out: list[str] = []

    def walk(x, y, prefix):
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                walk(x.get(k), y.get(k), f"{prefix}{k}.")
        elif x != y:
            out.append(prefix.rstrip("."))

    walk(a, b, "")
    return out[:most]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--quarter", default="*", help="a quarter YYYYQn (default: every one)")
    args = parser.parse_args(argv)
    files = sorted(args.old.glob(f"{args.quarter}/*/metrics.json"))
    if not files:
        print(f"no metrics.json under {args.old}", file=sys.stderr)
        return 1
    bad = 0
    for old in files:
        rel = old.relative_to(args.old)
        new = args.new / rel
        if not new.is_file():
            print(f"{rel.parent}: missing in {args.new}")
            bad += 1
        elif comparable_bytes(old) == comparable_bytes(new):
            print(f"{rel.parent}: identical")
        else:
            print(f"{rel.parent}: DIFFERS in {', '.join(differing_keys(old, new))}")
            bad += 1
    print(f"{len(files) - bad} identical, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
