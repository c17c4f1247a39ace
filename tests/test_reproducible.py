"""The same inputs give the same published files, byte for byte, but for times and run ids.

A second batch of the Xiamen demo quarter (English) into a fresh folder is compared with
the session's first one, file by file: HTML pages, executed notebooks, metrics and
status JSON, the index and the workbook (its sheets' XML; the zip's own entry times and
the document's creation time are timestamps).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

#: What may differ between two runs of the same batch: times, durations and run ids.
_VOLATILE = [
    (re.compile(r"\d{8}T\d{6}-[0-9a-f]{8}"), "<run-id>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}| UTC)?"),
     "<time>"),
    (re.compile(r'"duration": [0-9.e+-]+'), '"duration": 0'),
    (re.compile(r'"seconds": [0-9.]+'), '"seconds": 0'),  # how long a report took
    (re.compile(r"text-align:right'>[0-9.]+</td>"), "text-align:right'>0</td>"),
]


def normalised(data: bytes) -> bytes:
    text = data.decode("utf-8")
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return text.encode("utf-8")


def workbook_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: normalised(z.read(n)) for n in sorted(z.namelist())
                if n != "docProps/core.xml"}


def status_parts(path: Path) -> bytes:
    """A scope's status.json without the SHA-256 of its published files (``published``,
    ``workbook_sha256``): those files hold times, and are compared above without them."""
    status = json.loads(path.read_text("utf-8"))
    status.pop("workbook_sha256", None)
    for entry in status.get("reports", {}).values():
        entry.pop("published", None)
    return normalised(json.dumps(status, sort_keys=True).encode("utf-8"))


def test_two_runs_of_the_same_batch_publish_the_same_files(demo_batches, small_demo, tmp_path):
    from gotone_analysis.runner import run_batch

    first = demo_batches["en"]
    second = tmp_path / "again"
    result = run_batch("2010Q4", "xiamen", jobs=2, data_dir=small_demo, out_dir=second,
                       lang="en", progress=False, stream=io.StringIO())
    assert result.exit_code == 0, result.table()
    files = sorted(p.relative_to(first) for p in first.rglob("*")
                   if p.is_file() and not any(part.startswith(".") for part in
                                              p.relative_to(first).parts))
    assert any(f.suffix == ".xlsx" for f in files) and any(f.suffix == ".html" for f in files)
    differ = []
    for rel in files:
        a, b = first / rel, second / rel
        assert b.is_file(), rel
        if rel.suffix == ".xlsx":
            same = workbook_parts(a) == workbook_parts(b)
        elif rel.name == "status.json":
            same = status_parts(a) == status_parts(b)
        else:
            same = normalised(a.read_bytes()) == normalised(b.read_bytes())
        if not same:
            differ.append(str(rel))
    assert differ == []
    metrics = json.loads((second / "2010Q4" / "xiamen" / "metrics.json").read_text("utf-8"))
    assert set(metrics) >= {"brand_equity", "satisfaction", "program_effects"}
