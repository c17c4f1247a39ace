"""Benchmark: a whole quarter (every report, the province and nine cities) on the full-scale demo.

Runs ``gotone run --quarter 2010Q4 --scope all`` (every report notebook) as its own
command on the full-scale demo data (about 80 M customer-months, generated once into
``.bench/demo_full`` as :mod:`bench_panel` does, and reused) and prints:

* ``quarter_full_seconds=`` wall time of the command, from scratch (a fresh output
  folder, and ``--force``);
* ``quarter_full_peak_gib=`` the largest resident set of any one process of the batch
  (the command, its workers, their kernels and anything they start), sampled every
  0.2 s over the process tree with psutil; ``quarter_full_tree_peak_gib=`` the largest
  sum over the tree at one sample;
* ``quarter_<report>_seconds=`` each report's seconds summed over the scopes, from the
  batch's own closing table (one row per notebook, seconds measured in the worker);
* where those seconds went (:func:`phase_lines`): ``quarter_phase_<phase>_seconds=``
  over all notebooks for kernel start, imports, data, compute, figures, publish and
  export, ``quarter_notebook_mean_seconds=``, ``quarter_notebook_fixed_seconds=`` (a
  notebook's mean seconds outside data and compute), ``quarter_<report>_phases=`` and
  ``quarter_kernel_wait_longest=`` (the three longest waits for a kernel);
* ``quarter_rerun_seconds=`` the same command again into the same output folder,
  nothing changed: every report is reused (:mod:`gotone_analysis.runner.reuse`);
  ``quarter_rerun_reused=`` how many were;
* ``quarter_one_file_seconds=`` the command again after one byte of the quarter's KPI
  file changed (in a copy of the data folder of the same name, its other files linked,
  not copied): only the reports reading it run again; ``quarter_one_file_rerun=`` lists
  them (``report/scope``);
* ``batch_speedup=`` the naive loop's seconds over ``quarter_full_seconds``. The naive
  loop is what a user would write: for every notebook, ``papermill`` then ``jupyter
  nbconvert --to html --no-input`` as separate commands, one after the other, without
  the batch's cache. On the full data it would take over an hour, so it is timed on
  the scopes of ``GOTONE_BENCH_NAIVE_SCOPES`` (default the province and one city,
  every report) and scaled to the ten scopes: each report's province time plus nine
  times its mean city time. ``naive_scopes=`` and ``naive_scaled=1`` say so; with
  ``GOTONE_BENCH_NAIVE_SCOPES=all`` the loop runs in full (``naive_scaled=0``). The
  naive loop publishes nothing: its summary notebook runs after the reports it reads,
  as in the batch, and reads the metrics the batch published (``$GOTONE_OUTPUT_DIR``).

Goals on a 2-core machine: ``quarter_full_seconds`` <= 150, ``quarter_full_peak_gib`` <= 6,
``batch_speedup`` >= 8, ``quarter_rerun_seconds`` <= 10, ``quarter_one_file_seconds`` <= 60. Timings on a shared machine are noisy (other work competes for
the two cores): compare runs made in the same conditions.

* ``quarter_spark_cluster_seconds=`` a quarter with ``--engine spark`` on a Spark
  standalone cluster of this machine (``tools/spark_cluster.py``: a master and a worker
  with ``GOTONE_BENCH_SPARK_CORES`` cores, default 2, and 2g), started and stopped by the
  benchmark, and ``spark_cluster_metrics_equal=1`` when every ``metrics.json`` of that
  batch is identical to a DuckDB batch's on the same data (as ``tools/same_metrics.py``
  compares them); ``GOTONE_BENCH_SPARK_CLUSTER=0`` skips it. By default both batches run
  on the small demo (``spark_cluster_data=small``, generated into ``.bench/demo_small``):
  the full-scale panel on a one-machine cluster did not finish its first program-effects
  scope in 34 minutes (the executor spills; see the README), so
  ``GOTONE_BENCH_SPARK_DATA=full`` runs it on the full-scale data only when asked.

Environment: ``GOTONE_BENCH_JOBS`` (default 2), ``GOTONE_BENCH_ENGINE`` (default
``duckdb``), ``GOTONE_BENCH_QUARTER`` (default ``2010Q4``; a range or ``all`` too),
``GOTONE_BENCH_NAIVE_SCOPES`` (``none`` skips the naive loop),
``GOTONE_BENCH_KEEP`` (keep the output folder, printed as ``quarter_out=``).

Usage: ``python benchmarks/bench_quarter.py [data_dir]`` or ``python benchmarks/run.py quarter``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / ".bench" / "demo_full"
SMALL_DATA = ROOT / ".bench" / "demo_small"
SEED = 20100330
QUARTER = "2010Q4"

_GENERATE = (
    "import sys\n"
    "from gotone_analysis.demo import generate\n"
    "generate(sys.argv[1], scale=sys.argv[2], seed=20100330)\n"
)


def ensure_full_demo(data: Path = DEFAULT_DATA, scale: str = "full") -> Path:
    """The demo data of ``scale`` (full by default), generated into ``data`` in a child
    process when absent.

    Returns
    -------
    pathlib.Path
        The data folder.
    """
    if not (data / "MANIFEST.json").exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-c", _GENERATE, str(data), scale], check=True)
    return data


class TreePeak:
    """Sample the resident memory of a process and all its descendants in a thread.

    ``peak_one`` is the largest resident set of any single process seen, ``peak_tree``
    the largest sum over the tree at one sample (bytes).
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval = pid, interval
        self.peak_one = self.peak_tree = 0
        self.peak_name = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for p in procs:
                try:
                    rss = p.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                total += rss
                if rss > self.peak_one:
                    self.peak_one = rss
                    try:
                        self.peak_name = " ".join(p.cmdline()[1:4])[:120]
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        self.peak_name = ""
            self.peak_tree = max(self.peak_tree, total)
            self._stop.wait(self.interval)


def parse_closing_table(text: str) -> list[dict]:
    """Rows of the batch's closing table (``report  scope  status  seconds  run  error``).

    Returns
    -------
    list of dict
        ``report, scope, status, seconds`` (float, NaN when not run) and ``run``
        (``reused`` or why it ran, with a failed report's error after it) per notebook;
        the quarter column is kept when the table has one.
    """
    rows: list[dict] = []
    lines = text.splitlines()
    head = None
    for i, line in enumerate(lines):
        if line.split()[:2] in (["report", "scope"], ["quarter", "report"]):
            head = i
    if head is None:
        return rows
    names = lines[head].split()
    quarter_col = names[0] == "quarter"
    for line in lines[head + 1:]:
        parts = line.split()
        if not parts or "reports published" in line:
            break
        if quarter_col:
            q, parts = parts[0], parts[1:]
        if len(parts) < 3:
            continue
        try:
            secs = float(parts[3]) if len(parts) > 3 else float("nan")
        except ValueError:
            secs = float("nan")
        row = {"report": parts[0], "scope": parts[1], "status": parts[2], "seconds": secs,
               "run": " ".join(parts[4:])}
        if quarter_col:
            row["quarter"] = q
        rows.append(row)
    return rows


def phase_lines(timings_csv: Path) -> list[str]:
    """``name=value`` lines of where the notebooks' seconds went, from a batch's
    ``.logs/timings.csv`` (:func:`gotone_analysis.runner.batch.write_timings`).

    ``quarter_phase_<phase>_seconds`` sums a phase over every notebook (kernel start,
    imports, data, compute, figures, publish, export:
    :data:`gotone_analysis.timings.PHASES`), ``quarter_notebook_mean_seconds`` and
    ``quarter_notebook_fixed_seconds`` (the mean of everything but data and compute:
    what a notebook costs whatever its analysis), and
    ``quarter_<report>_phases=phase:seconds,...`` each report's sums over its scopes.
    """
    import pandas as pd

    from gotone_analysis.timings import PHASES

    t = pd.read_csv(timings_csv)
    if t.empty:
        return []
    lines = [f"quarter_phase_{p}_seconds={t[p].sum():.1f}" for p in PHASES]
    fixed = t[[p for p in PHASES if p not in ("data", "compute")]].sum(axis=1)
    lines += [f"quarter_notebook_mean_seconds={t['seconds'].mean():.2f}",
              f"quarter_notebook_fixed_seconds={fixed.mean():.2f}"]
    slow = t.nlargest(3, "kernel")
    lines.append("quarter_kernel_wait_longest=" + ",".join(
        f"{r.report}/{r.scope}:{r.kernel:.1f}" for r in slow.itertuples()))
    for rep, rows in t.groupby("report", sort=False):
        lines.append(f"quarter_{rep}_phases="
                     + ",".join(f"{p}:{rows[p].sum():.1f}" for p in PHASES))
    return lines


def print_phases(out: Path) -> None:
    """Print :func:`phase_lines` of the batch that published into ``out``."""
    from gotone_analysis.runner.batch import LOGS_NAME, TIMINGS_NAME

    path = out / LOGS_NAME / TIMINGS_NAME
    if not path.exists():
        print("quarter_phases_missing=1")
        return
    for line in phase_lines(path):
        print(line)


def run_quarter(data: Path, out: Path, *, jobs: int = 2, engine: str = "duckdb",
                quarter: str = QUARTER, scope: str = "all", force: bool = False,
                env: dict[str, str] | None = None) -> dict:
    """Run ``gotone run`` once as a command and measure it (``--force`` with ``force``).

    ``env`` adds variables to the command's environment (e.g. ``GOTONE_SPARK_MASTER``).

    Returns
    -------
    dict
        ``seconds``, ``peak_one`` and ``peak_tree`` (bytes), ``peak_name``, ``rows``
        (:func:`parse_closing_table`), ``returncode``, ``stdout``, ``stderr``.
    """
    gotone = Path(sys.executable).parent / "gotone"
    cmd = [str(gotone), "run", "--quarter", quarter, "--scope", scope, "--jobs", str(jobs),
           "--data", str(data), "--out", str(out), "--engine", engine]
    cmd += ["--force"] if force else []
    env = {**os.environ, "GOTONE_PROGRESS": "0", **(env or {})}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=str(ROOT))
    with TreePeak(proc.pid) as peak:
        stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_one": peak.peak_one, "peak_tree": peak.peak_tree,
            "peak_name": peak.peak_name, "rows": parse_closing_table(stdout),
            "returncode": proc.returncode, "stdout": stdout, "stderr": stderr}


def _tool(name: str):
    """A script of ``tools/`` as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"gotone_tool_{name}",
                                                  ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def same_metrics(reference: Path, other: Path, quarter: str = "*") -> tuple[int, list[str]]:
    """Compare every ``metrics.json`` of ``reference`` with ``other``'s, as
    ``tools/same_metrics.py`` does (byte for byte, code-version fields left out).

    Returns
    -------
    tuple
        The number of metrics files of ``reference``, and one line per file that is
        missing in ``other`` or differs (empty when every one is identical).
    """
    tool = _tool("same_metrics")
    files = sorted(reference.glob(f"{quarter}/*/metrics.json"))
    bad = []
    for old in files:
        rel = old.relative_to(reference)
        new = other / rel
        if not new.is_file():
            bad.append(f"{rel.parent}: missing")
        elif tool.comparable_bytes(old) != tool.comparable_bytes(new):
            bad.append(f"{rel.parent}: differs in {', '.join(tool.differing_keys(old, new))}")
    return len(files), bad


def spark_cluster_quarter(data: Path, reference: Path, work: Path, *, jobs: int = 2,
                          quarter: str = QUARTER, cores: int = 1) -> dict:
    """The same quarter with ``--engine spark`` on a Spark standalone cluster of this machine.

    Starts a master and a worker with ``tools/spark_cluster.py`` (``cores`` worker
    cores, 2g; a free port; logs under ``work``), runs the batch with
    ``GOTONE_SPARK_MASTER`` pointing at it, stops the cluster, and compares every
    ``metrics.json`` with the DuckDB batch in ``reference`` (:func:`same_metrics`).

    Returns
    -------
    dict
        :func:`run_quarter`'s figures, plus ``master``, ``files`` and ``differ``.
    """
    cluster = _tool("spark_cluster")
    folder = work / "spark-cluster"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    master = cluster.start(folder, port=port, cores=cores)
    try:
        res = run_quarter(data, work / "outputs-spark-cluster", jobs=jobs, engine="spark",
                          quarter=quarter, env={"GOTONE_SPARK_MASTER": master})
        res["applications"] = len(list((folder / "work").glob("app-*")))
    finally:
        cluster.stop(folder)
    res["master"] = master
    q = quarter if ":" not in quarter and "," not in quarter and quarter != "all" else "*"
    res["files"], res["differ"] = same_metrics(reference, work / "outputs-spark-cluster", q)
    return res


def one_file_changed(data: Path, work: Path, quarter: str = QUARTER) -> tuple[Path, Path]:
    """A copy of ``data`` whose KPI file of ``quarter``'s year has one byte changed.

    The copy has the same folder name (the reports' parameters name the data folder by
    it); its other files are hard links where the file system allows (no copy of the
    panel), the KPI file a new file
    with its last digit changed (another digit, so the file stays valid).

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The copied data folder and its changed file.
    """
    copy = work / "one-file" / data.name
    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:  # another file system: a copy
            shutil.copy2(src, dst)

    shutil.copytree(data, copy, copy_function=link)
    year = quarter[:4] if quarter[:4].isdigit() else ""
    kpi = sorted((copy / "kpi").glob(f"kpi_{year}*")) or sorted((copy / "kpi").glob("kpi_*"))
    target = kpi[-1]
    raw = bytearray(target.read_bytes())
    i = len(raw) - 1
    while not chr(raw[i]).isdigit():
        i -= 1
    raw[i] = ord("1") if raw[i] != ord("1") else ord("2")
    target.unlink()  # a new file: the original, linked, stays as it was
    target.write_bytes(bytes(raw))
    return copy, target


def naive_loop(notebooks: list[Path], scopes: list[str], data: Path, work: Path,
               published: Path, quarter: str = QUARTER) -> dict[tuple[str, str], float]:
    """The shell loop a user would write: papermill, then nbconvert, one notebook at a time.

    Parameters
    ----------
    notebooks : list of Path
        Report notebooks.
    scopes : list of str
        Scopes to run.
    data : Path
        Data folder.
    work : Path
        Where the executed notebooks and pages go.
    published : Path
        Output folder of a batch on the same data (the summary reads its metrics; the
        reports it reads run before it).

    Returns
    -------
    dict
        ``(report, scope)`` -> seconds of the two commands.
    """
    bindir = Path(sys.executable).parent
    papermill, jupyter = bindir / "papermill", bindir / "jupyter"
    from gotone_analysis.config import REPORT_NEEDS
    from gotone_analysis.reports.summary.tables import OUTPUT_DIR_ENV

    env = {k: v for k, v in os.environ.items() if not k.startswith("GOTONE_")}
    env[OUTPUT_DIR_ENV] = str(published)
    out: dict[tuple[str, str], float] = {}
    for nb in sorted(notebooks, key=lambda nb: nb.stem in REPORT_NEEDS):
        for scope in scopes:
            folder = work / scope
            folder.mkdir(parents=True, exist_ok=True)
            executed = folder / f"{nb.stem}.ipynb"
            started = time.perf_counter()
            subprocess.run(
                [str(papermill), str(nb), str(executed), "-k", "python3", "--no-progress-bar",
                 "-p", "quarter", quarter, "-p", "scope", scope, "-p", "data_dir", str(data)],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder,
                env=env)
            subprocess.run([str(jupyter), "nbconvert", "--to", "html", "--no-input",
                            str(executed)], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, cwd=folder, env=env)
            out[(nb.stem, scope)] = time.perf_counter() - started
    return out


def scale_naive(times: dict[tuple[str, str], float], scopes_all: list[str]) -> float:
    """Naive seconds of every scope from a subset: each report's province time plus its
    mean city time for every city (all measured scopes when the subset is complete).

    Returns
    -------
    float
    """
    from gotone_analysis.config import PROVINCE

    total = 0.0
    for rep in sorted({r for r, _ in times}):
        mine = {s: t for (r, s), t in times.items() if r == rep}
        cities = [t for s, t in mine.items() if s != PROVINCE]
        city_mean = sum(cities) / len(cities) if cities else mine.get(PROVINCE, 0.0)
        for s in scopes_all:
            total += mine.get(s, city_mean if s != PROVINCE else city_mean)
    return total


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print ``name=value`` lines.

    Returns
    -------
    int
        0, or 1 when the batch did not publish every report.
    """
    from gotone_analysis import config
    from gotone_analysis.runner import (
        default_notebook_dir,
        find_reports,
        parse_scopes,
        quarterly_reports,
    )

    argv = argv or []
    data = ensure_full_demo(Path(argv[0]) if argv else DEFAULT_DATA).resolve()
    jobs = int(os.environ.get("GOTONE_BENCH_JOBS", "2"))
    engine = os.environ.get("GOTONE_BENCH_ENGINE", "duckdb")
    quarter = os.environ.get("GOTONE_BENCH_QUARTER", QUARTER)
    naive_scopes = os.environ.get("GOTONE_BENCH_NAIVE_SCOPES",
                                  f"{config.PROVINCE},{config.CITY_CODES[0]}")
    work = Path(tempfile.mkdtemp(prefix="gotone-bench-quarter-"))
    keep = os.environ.get("GOTONE_BENCH_KEEP") == "1"
    try:
        out = work / "outputs"
        res = run_quarter(data, out, jobs=jobs, engine=engine, quarter=quarter, force=True)
        print(f"quarter_jobs={jobs}")
        print(f"quarter_engine={engine}")
        print(f"quarter_notebooks={len(res['rows'])}")
        print(f"quarter_full_seconds={res['seconds']:.1f}", flush=True)
        print(f"quarter_full_peak_gib={res['peak_one'] / 1024**3:.2f}")
        print(f"quarter_full_tree_peak_gib={res['peak_tree'] / 1024**3:.2f}")
        print(f"quarter_full_peak_process={res['peak_name']!r}")
        by_report: dict[str, float] = {}
        for r in res["rows"]:
            by_report[r["report"]] = by_report.get(r["report"], 0.0) + (
                0.0 if r["seconds"] != r["seconds"] else r["seconds"])
        for rep, secs in by_report.items():
            print(f"quarter_{rep}_seconds={secs:.1f}")
        print_phases(out)
        failed = [r for r in res["rows"] if r["status"] != "ok"]
        if res["returncode"] != 0 or failed:
            print(res["stdout"][-4000:], file=sys.stderr)
            print(res["stderr"][-4000:], file=sys.stderr)
            print(f"quarter_failed={len(failed)}")
        again = run_quarter(data, out, jobs=jobs, engine=engine, quarter=quarter)
        print(f"quarter_rerun_seconds={again['seconds']:.1f}")
        print(f"quarter_rerun_reused={sum(r['run'] == 'reused' for r in again['rows'])}")
        copy, changed = one_file_changed(data, work, quarter)
        one = run_quarter(copy, out, jobs=jobs, engine=engine, quarter=quarter)
        rerun = [f"{r['report']}/{r['scope']}" for r in one["rows"] if r["run"] != "reused"]
        print(f"quarter_one_file_changed={changed.relative_to(copy).as_posix()}")
        print(f"quarter_one_file_seconds={one['seconds']:.1f}")
        print(f"quarter_one_file_rerun={','.join(rerun)}", flush=True)
        failed += [r for r in again["rows"] + one["rows"] if r["status"] != "ok"]
        if keep:
            print(f"quarter_out={out}")
        if engine == "duckdb" and os.environ.get("GOTONE_BENCH_SPARK_CLUSTER", "1") != "0":
            if res["returncode"] != 0 or failed:
                print("spark_cluster_skipped=the DuckDB batch failed")
            else:
                cores = int(os.environ.get("GOTONE_BENCH_SPARK_CORES", "2"))
                if os.environ.get("GOTONE_BENCH_SPARK_DATA", "small") == "full":
                    sc_data, reference = copy, out  # what ``out`` holds now
                    print("spark_cluster_data=full")
                else:
                    sc_data = ensure_full_demo(SMALL_DATA, "small").resolve()
                    reference = work / "outputs-duckdb-small"
                    small = run_quarter(sc_data, reference, jobs=jobs, quarter=quarter)
                    print("spark_cluster_data=small")
                    print(f"quarter_small_duckdb_seconds={small['seconds']:.1f}", flush=True)
                sc = spark_cluster_quarter(sc_data, reference, work, jobs=jobs,
                                           quarter=quarter, cores=cores)
                print(f"spark_cluster_worker_cores={cores}")
                sc_failed = [r for r in sc["rows"] if r["status"] != "ok"]
                print(f"quarter_spark_cluster_seconds={sc['seconds']:.1f}", flush=True)
                print(f"quarter_spark_cluster_peak_gib={sc['peak_one'] / 1024**3:.2f}")
                print(f"quarter_spark_cluster_applications={sc['applications']}")
                print(f"spark_cluster_metrics_files={sc['files']}")
                for line in sc["differ"]:
                    print(f"spark cluster: {line}", file=sys.stderr)
                equal = int(sc["files"] > 0 and not sc["differ"] and not sc_failed
                            and sc["returncode"] == 0)
                print(f"spark_cluster_metrics_equal={equal}", flush=True)
                if sc["returncode"] != 0 or sc_failed:
                    print(sc["stdout"][-4000:], file=sys.stderr)
                    print(sc["stderr"][-4000:], file=sys.stderr)
                    print(f"quarter_spark_cluster_failed={len(sc_failed)}")
                if not equal:
                    return 1
        if naive_scopes.strip().lower() == "none" or ":" in quarter or quarter == "all":
            return 0 if not failed and res["returncode"] == 0 else 1
        notebook_dir = default_notebook_dir()
        reports = quarterly_reports(find_reports(notebook_dir))  # as the batch runs
        subset = parse_scopes(naive_scopes)
        times = naive_loop([notebook_dir / f"{r}.ipynb" for r in reports], subset, data,
                           work / "naive", out, quarter)
        all_scopes = list(config.SCOPES)
        naive_total = scale_naive(times, all_scopes)
        scaled = len(subset) < len(all_scopes)
        print(f"naive_scopes={','.join(subset)}")
        print(f"naive_measured_seconds={sum(times.values()):.1f}")
        print(f"naive_scaled={int(scaled)}")
        for rep in reports:
            mine = {s: t for (r, s), t in times.items() if r == rep}
            print(f"naive_{rep}_seconds=" + ",".join(f"{s}:{t:.1f}" for s, t in mine.items()))
        print(f"naive_seconds={naive_total:.1f}")
        print(f"batch_speedup={naive_total / res['seconds']:.2f}")
        return 0 if not failed and res["returncode"] == 0 else 1
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
