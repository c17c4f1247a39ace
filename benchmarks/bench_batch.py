"""Benchmark: the quarterly batch against the naive papermill + nbconvert loop.

Prints ``batch_seconds=`` (one quarter x the province and nine cities x every report
notebook through :func:`gotone_analysis.runner.run_batch` with two jobs on the small
demo data), ``naive_seconds=`` (the same notebooks and data, one after the other, each
``papermill in.ipynb out.ipynb -p ...`` then ``jupyter nbconvert --to html --no-input
out.ipynb`` as separate commands) and ``batch_speedup=`` (their ratio), all measured in
the same run. Goal: a speed-up of at least 2 on two cores.

The naive loop publishes nothing, so a report that reads other reports' published
metrics (the summary, :data:`gotone_analysis.config.REPORT_NEEDS`) runs after those, as
in the batch, and reads them where the batch published them (the same quarter, data and
code), named by ``$GOTONE_OUTPUT_DIR`` as the batch names its own output folder.

Usage: ``python benchmarks/bench_batch.py`` or ``python benchmarks/run.py batch``.
Environment: ``GOTONE_BENCH_SCOPES`` (comma-separated, default ``all``) and
``GOTONE_BENCH_JOBS`` (default 2) shorten or widen a run.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gotone_analysis import config, demo
from gotone_analysis.reports.summary.tables import OUTPUT_DIR_ENV
from gotone_analysis.runner import (
    default_notebook_dir,
    find_reports,
    parse_scopes,
    quarterly_reports,
    run_batch,
)

QUARTER = "2010Q4"
SEED = 20100330


def _naive(notebooks: list[Path], scopes: list[str], data_dir: Path, work: Path,
           published: Path) -> float:
    """Run the shell loop a user would write, sequentially; return its seconds.

    The reports that read other reports' metrics run last, reading them from
    ``published`` (the batch's output folder, through ``$GOTONE_OUTPUT_DIR``).
    """
    bindir = Path(sys.executable).parent
    papermill, jupyter = bindir / "papermill", bindir / "jupyter"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOTONE_")}
    env[OUTPUT_DIR_ENV] = str(published)
    start = time.perf_counter()
    for nb in sorted(notebooks, key=lambda nb: nb.stem in config.REPORT_NEEDS):
        for scope in scopes:
            folder = work / scope
            folder.mkdir(parents=True, exist_ok=True)
            out = folder / f"{nb.stem}.ipynb"
            subprocess.run(
                [str(papermill), str(nb), str(out), "-k", "python3", "--no-progress-bar",
                 "-p", "quarter", QUARTER, "-p", "scope", scope, "-p", "data_dir",
                 str(data_dir)],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder,
                env=env)
            subprocess.run([str(jupyter), "nbconvert", "--to", "html", "--no-input", str(out)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           cwd=folder, env=env)
    return time.perf_counter() - start


def main() -> int:
    """Run the benchmark and print ``name=value`` lines.

    Returns
    -------
    int
        0, or 1 when the batch did not publish every report.
    """
    scopes = parse_scopes(os.environ.get("GOTONE_BENCH_SCOPES", "all"))
    jobs = int(os.environ.get("GOTONE_BENCH_JOBS", "2"))
    notebook_dir = default_notebook_dir()
    reports = quarterly_reports(find_reports(notebook_dir))  # as the batch runs
    work = Path(tempfile.mkdtemp(prefix="gotone-bench-batch-"))
    try:
        data_dir = work / "demo"
        demo.generate(data_dir, scale="small", seed=SEED)

        start = time.perf_counter()
        result = run_batch(QUARTER, scopes, reports, jobs=jobs, data_dir=data_dir,
                           out_dir=work / "batch", notebook_dir=notebook_dir,
                           progress=False, stream=io.StringIO())
        batch_seconds = time.perf_counter() - start
        if not result.ok:
            print(result.table().to_string(index=False), file=sys.stderr)
            print("batch_failed=1")
            return 1

        naive_seconds = _naive([notebook_dir / f"{r}.ipynb" for r in reports], scopes,
                               data_dir, work / "naive", work / "batch")
        print(f"batch_notebooks={len(reports) * len(scopes)}")
        print(f"batch_jobs={jobs}")
        print(f"batch_seconds={batch_seconds:.1f}")
        print(f"naive_seconds={naive_seconds:.1f}")
        print(f"batch_speedup={naive_seconds / batch_seconds:.2f}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
