"""Benchmark: the care-call DiD on ARPU over the full-scale demo panel, engine vs pandas.

The estimate is ``effects.staggered_did`` on the full-scale demo panel (about 80 M
customer-months, 2009-01..2010-12): ATT(g, t) of the care roll-out on ARPU, cohorts the
segments' roll-out months, never-treated controls, varying base period, balanced panel.
It is computed three times, each in its own child process so that each peak resident
memory is its own:

* ours: the panel layer on DuckDB (the default engine): the engine reduces the Parquet
  files to per-cohort moments (each month's rows joined on the customer, under
  ``panel.MOMENTS_MEMORY_LIMIT``), pandas sees one row per cohort;
* pandas: the same call on a pandas DataFrame of the unit-level rows (the four columns
  it needs read from the same files);
* Spark: the panel layer on Spark local mode (``local[2]``).

Prints ``panel_did_seconds``, ``panel_did_peak_gib`` (ours), ``panel_did_speedup``
(pandas seconds / ours), ``panel_did_memory_ratio`` (our peak / pandas peak),
``panel_did_max_abs_diff`` (largest difference of ATT(g,t) estimates and SEs between
ours and pandas; goal 1e-9), the pandas figures, ``panel_spark_seconds`` (the same query
on Spark, session start excluded) and ``panel_spark_start_seconds``. Goals: speed-up
>= 10, memory ratio <= 0.2, estimates equal to 1e-9; Spark has no goal.

Cost as the data grow (:func:`scaling`): the panel queries of a quarter's batch (the
program-effects aggregates every scope shares: the care-call ARPU moments of the
province and of every city, the churn cells, the lever sums; 2010Q4) on DuckDB, timed on
panels of 1/4, 1/2 and all the customers of the full-scale demo (customers chosen by the
last hexadecimal digit of their key, every month of each kept; written once into
``.bench/panel_scaling/``), each size in its own child process, best of
``GOTONE_BENCH_SCALING_REPEAT`` runs (default 2). Prints, per size ``q1``, ``q2``, ``q4``
(quarters of the panel), ``panel_scaling_rows_<size>``, ``panel_scaling_seconds_<size>``
and ``panel_scaling_peak_gib_<size>``, then ``panel_scaling_exponent``: the
least-squares slope of log seconds on log rows (1 is linear; goal <= 1.1), and
``panel_scaling_memory_exponent`` likewise for the peak resident memory.
``GOTONE_BENCH_SCALING=0`` skips it; ``GOTONE_BENCH_PANEL_DID=0`` skips the DiD comparison above.

The full-scale demo is generated once into ``.bench/demo_full`` (ignored by git) and
reused; ``python benchmarks/bench_panel.py [data_dir]`` uses another one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / ".bench" / "demo_full"

_CHILD = r'''
import json, sys, time
from pathlib import Path
mode, data, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
from gotone_analysis import effects, panel
from gotone_analysis.demo.model import PANEL_MONTHS, month_index
periods = [month_index(m) for m in PANEL_MONTHS]
kw = dict(unit="cust_key", time="t", cohort="g", outcome="arpu", periods=periods)
info = {}
if mode == "spark":
    started = time.perf_counter()
    panel.connect("spark")
    info["start_seconds"] = time.perf_counter() - started
started = time.perf_counter()
if mode == "pandas":
    import pandas as pd
    files = sorted((data / "panel").glob("month=*/*.parquet"))
    df = pd.concat([pd.read_parquet(f, columns=["cust_key", "month", "care_start", "arpu"])
                    for f in files], ignore_index=True)
    months = {m: month_index(m) for m in PANEL_MONTHS}
    df["t"] = df["month"].astype(str).map(months).astype("int64")
    df["g"] = df["care_start"].map(months).astype("float64").fillna(0).astype("int64")
    res = effects.staggered_did(df[["cust_key", "t", "g", "arpu"]], **kw)
else:
    # periods as the files' own month text: the engine reads each month's files only
    t = panel.panel_table(data, engine=mode)
    t = t.mutate(g=panel.month_number(t.care_start).fill_null(0))
    res = effects.staggered_did(t.select("cust_key", "month", "g", "arpu"),
                                **dict(kw, time="month", periods=list(PANEL_MONTHS)))
info["seconds"] = time.perf_counter() - started
res.att_gt.to_pickle(out)
print(json.dumps(info))
'''


_SCALING_CHILD = r'''
import json, sys, time
from gotone_analysis import panel
from gotone_analysis.reports.program_effects import tables as program
folder, quarter = sys.argv[1], sys.argv[2]
t = panel.panel_table(folder, engine="duckdb")
times = {}
for name, fn in (("care_arpu_moments", program.care_arpu_moments),
                 ("churn_cells", program.churn_cells), ("lever_sums", program.lever_sums)):
    started = time.perf_counter()
    fn(t, quarter=quarter)
    times[name] = time.perf_counter() - started
print(json.dumps({"seconds": sum(times.values()), "queries": times}))
'''
#: Panel sizes of :func:`scaling`: name -> number of the 16 last key digits kept.
SCALING_SIZES = {"q1": 4, "q2": 8, "q4": 16}


def _full_demo(data: Path | None) -> Path:
    """The full-scale demo folder, generated once (about three minutes) when missing."""
    if data is not None:
        return Path(data)
    target = DEFAULT_DATA
    manifest = target / "MANIFEST.json"
    scale = None
    if (target / ".complete").exists() and manifest.exists():
        scale = json.loads(manifest.read_text()).get("scale")
    if scale != "full":
        target.parent.mkdir(parents=True, exist_ok=True)
        gotone = Path(sys.executable).with_name("gotone")
        cmd = [str(gotone)] if gotone.exists() else [sys.executable, "-m", "gotone_analysis.cli"]
        subprocess.run([*cmd, "demo-data", "--scale", "full", "--out", str(target)],
                       check=True, stdout=subprocess.DEVNULL)
    return target


def _child(mode: str, data: Path, out: Path) -> dict:
    """Run one computation in a child process; its wall time, peak RSS and result file."""
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, mode, str(data), str(out)],
                            stdout=subprocess.PIPE, env=env, text=True)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"the {mode} child failed with exit code {proc.returncode}")
    info = json.loads(stdout.strip().splitlines()[-1])
    info["peak_gib"] = usage.ru_maxrss / 1024**2  # KiB on Linux
    return info


def run(data: Path | None = None, *, spark: bool = True, report=None) -> dict[str, float]:
    """Run ours (DuckDB), pandas and Spark in child processes and compare them.

    Parameters
    ----------
    data : pathlib.Path, optional
        A demo data folder (default: the full-scale demo in ``.bench/demo_full``).
    spark : bool, default True
        Also time the Spark engine.
    report : callable, optional
        Called with each ``(name, value)`` as soon as it is known.

    Returns
    -------
    dict
        The figures (see the module docstring).
    """
    import numpy as np
    import pandas as pd

    out: dict[str, float] = {}

    def put(name, value):
        out[name] = value
        if report is not None:
            report(name, value)

    folder = _full_demo(data)
    with tempfile.TemporaryDirectory(prefix="gotone-bench-panel-") as tmp:
        tmp = Path(tmp)
        ours = _child("duckdb", folder, tmp / "ours.pkl")
        put("panel_did_seconds", round(ours["seconds"], 2))
        put("panel_did_peak_gib", round(ours["peak_gib"], 3))
        base = _child("pandas", folder, tmp / "pandas.pkl")
        a, b = pd.read_pickle(tmp / "ours.pkl"), pd.read_pickle(tmp / "pandas.pkl")
        if len(a) != len(b) or not (a[["cohort", "time"]].to_numpy()
                                    == b[["cohort", "time"]].to_numpy()).all():
            raise RuntimeError("ours and pandas estimated different ATT(g,t) cells")
        diff = float(max(np.nanmax(np.abs(a["estimate"] - b["estimate"])),
                         np.nanmax(np.abs(a["se"] - b["se"]))))
        put("panel_did_pandas_seconds", round(base["seconds"], 2))
        put("panel_did_pandas_peak_gib", round(base["peak_gib"], 3))
        put("panel_did_speedup", round(base["seconds"] / ours["seconds"], 2))
        put("panel_did_memory_ratio", round(ours["peak_gib"] / base["peak_gib"], 3))
        put("panel_did_max_abs_diff", float(f"{diff:.3g}"))
        put("panel_did_cells", len(a))
        if spark:
            sp = _child("spark", folder, tmp / "spark.pkl")
            c = pd.read_pickle(tmp / "spark.pkl")
            put("panel_spark_seconds", round(sp["seconds"], 2))
            put("panel_spark_start_seconds", round(sp["start_seconds"], 2))
            put("panel_spark_max_abs_diff",
                float(f"{float(np.nanmax(np.abs(c['estimate'] - a['estimate']))):.3g}"))
    return out


def _panel_subset(full_panel: Path, digits: int, target: Path) -> Path:
    """The customers of ``full_panel`` whose key ends in one of the first ``digits`` of the
    16 hexadecimal digits, every month of each, written once as ``target/panel`` (the
    layout of the demo's files: ZSTD, row groups of 2**20 rows, one file a month)."""
    import duckdb

    done = target / ".complete"
    if done.exists():
        return target
    if target.exists():
        import shutil

        shutil.rmtree(target)
    (target / "panel").mkdir(parents=True)
    keep = ", ".join(f"'{d}'" for d in "0123456789abcdef"[:digits])
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/gotone-bench-scaling'")
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{full_panel}/*/*.parquet', hive_partitioning=true,"
        f" hive_types_autocast=false) WHERE right(cust_key, 1) IN ({keep}))"
        f" TO '{target / 'panel'}' (FORMAT parquet, COMPRESSION zstd,"
        f" ROW_GROUP_SIZE 1048576, PARTITION_BY (month))")
    con.close()
    done.touch()
    return target


def _rows(folder: Path) -> int:
    import duckdb

    return int(duckdb.sql(f"SELECT count(*) FROM read_parquet('{folder}/panel/*/*.parquet')")
               .fetchone()[0])


def _scaling_child(folder: Path, quarter: str) -> dict:
    proc = subprocess.Popen([sys.executable, "-c", _SCALING_CHILD, str(folder), quarter],
                            stdout=subprocess.PIPE, text=True)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the scaling child on {folder.name} failed")
    info = json.loads(stdout.strip().splitlines()[-1])
    info["peak_gib"] = usage.ru_maxrss / 1024**2
    return info


def slope(x, y) -> float:
    """Least-squares slope of ``log(y)`` on ``log(x)``."""
    import numpy as np

    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    return float(np.polyfit(lx, ly, 1)[0])


def scaling(data: Path | None = None, *, quarter: str = "2010Q4", repeat: int = 2,
            report=None) -> dict[str, float]:
    """Time the quarter's panel queries on DuckDB at 1/4, 1/2 and 1x the full panel.

    Parameters
    ----------
    data : pathlib.Path, optional
        A demo data folder (default: the full-scale demo in ``.bench/demo_full``).
    quarter : str
        The batch's quarter.
    repeat : int
        Runs per size (the fastest counts).
    report : callable, optional
        Called with each ``(name, value)`` as soon as it is known.

    Returns
    -------
    dict
        The figures (see the module docstring).
    """
    out: dict[str, float] = {}

    def put(name, value):
        out[name] = value
        if report is not None:
            report(name, value)

    folder = _full_demo(data)
    work = ROOT / ".bench" / "panel_scaling"
    rows, secs, peaks = [], [], []
    for name, digits in SCALING_SIZES.items():
        sub = folder if digits == 16 else _panel_subset(folder / "panel", digits, work / name)
        n = _rows(sub)
        runs = [_scaling_child(sub, quarter) for _ in range(max(1, int(repeat)))]
        best = min(runs, key=lambda r: r["seconds"])
        put(f"panel_scaling_rows_{name}", n)
        put(f"panel_scaling_seconds_{name}", round(best["seconds"], 2))
        put(f"panel_scaling_queries_{name}",
            ",".join(f"{k}:{v:.1f}" for k, v in best["queries"].items()))
        put(f"panel_scaling_peak_gib_{name}", round(max(r["peak_gib"] for r in runs), 3))
        rows.append(n)
        secs.append(best["seconds"])
        peaks.append(max(r["peak_gib"] for r in runs))
    put("panel_scaling_exponent", round(slope(rows, secs), 3))
    put("panel_scaling_memory_exponent", round(slope(rows, peaks), 3))
    return out


def main(data: str | None = None) -> int:
    """Run the benchmark and print ``name=value`` lines.

    Parameters
    ----------
    data : str, optional
        A demo data folder (default: the full-scale demo in ``.bench/demo_full``).

    Returns
    -------
    int
        0.
    """
    started = time.perf_counter()
    def show(name, value):
        print(f"{name}={value}", flush=True)

    if os.environ.get("GOTONE_BENCH_PANEL_DID", "1") != "0":
        run(Path(data) if data else None, report=show)
    if os.environ.get("GOTONE_BENCH_SCALING", "1") != "0":
        scaling(Path(data) if data else None, report=show,
                repeat=int(os.environ.get("GOTONE_BENCH_SCALING_REPEAT", "2")))
    print(f"panel_bench_total_seconds={round(time.perf_counter() - started, 1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
