"""Customer-panel queries through Ibis: DuckDB over the Parquet files, or Spark.

The panel (``<data>/panel/month=YYYY-MM/*.parquet``, one row per customer and month,
columns of :data:`gotone_analysis.contract.PANEL`) is queried where it lives. Every
function here builds one Ibis expression, lets the engine aggregate it and returns only
the aggregates, as a tidy pandas DataFrame; the unit rows never reach pandas. The same
call gives the same numbers on both engines: engines return counts and sums only, and
every ratio (mean, variance, rate, hazard) is formed afterwards from those sums, so that
Spark's ANSI division by zero and DuckDB's ``inf`` never enter a result.

Engines
-------
``duckdb`` (default, embedded)
    A DuckDB connection reading the Parquet files in place.
``spark`` (the ``spark`` extra, ``pip install .[spark]``)
    One shared Spark session per process, local mode ``local[2]`` on one machine
    (``spark.master`` from the environment, e.g. a cluster, is respected when set by
    ``spark-submit``), a few shuffle partitions, no UI, Arrow transfer on with its
    fallback off (without it a missing text becomes the string ``'NaN'``), partition
    values kept as text (``month=2010-01`` stays ``'2010-01'``). The driver memory is
    fixed when the first session starts. Java 17 or 21 is found at run time
    (``JAVA_HOME`` if set, else ``java`` on the ``PATH``, else a JDK in the usual
    install folders).

Public functions: :func:`connect`, :func:`spark_session`, :func:`panel_table`,
:func:`month_number`, :func:`group_moments`, :func:`segment_month_summary`,
:func:`participation`, :func:`churn_hazard`, :func:`cohort_moments`,
:func:`source_folder`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import UsageError

__all__ = [
    "ENGINES",
    "LEVERS",
    "churn_hazard",
    "cohort_moments",
    "connect",
    "group_moments",
    "month_number",
    "panel_table",
    "participation",
    "segment_month_summary",
    "source_folder",
    "spark_session",
]

#: Engines the panel layer can query.
ENGINES = ("duckdb", "spark")
#: Levers with a monthly participation flag ``part_<lever>`` in the panel.
LEVERS = ("care", "points", "club", "family")
#: Java major versions Spark 4.0 runs on.
SPARK_JAVA_VERSIONS = (17, 21)
#: First month of :func:`month_number` (month 0).
MONTH_ORIGIN = "2008-01"

_SPARK_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
_SESSION: Any = None


# --- engines ---------------------------------------------------------------------------------


def _check_engine(engine: str) -> str:
    name = str(engine).strip().lower()
    if name not in ENGINES:
        raise UsageError(f"unknown panel engine {engine!r}; choose one of {', '.join(ENGINES)}")
    return name


def _java_major(java: str) -> int | None:
    """Major version of a ``java`` executable, or None when it cannot be run."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 and m.group(2) else major


def _find_java_home() -> str | None:
    """A JDK home whose ``java`` is a version Spark runs on, or None (keep the environment).

    ``JAVA_HOME`` wins when set. Otherwise ``java`` on the ``PATH`` if its version suits,
    else the first suitable JDK in the usual install folders.
    """
    if os.environ.get("JAVA_HOME"):
        return None
    candidates = []
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent.parent)
    for pattern in ("/usr/lib/jvm/*", "/usr/local/opt/openjdk*/libexec/openjdk.jdk/Contents/Home",
                    "/Library/Java/JavaVirtualMachines/*/Contents/Home", "/opt/java/*",
                    "/opt/homebrew/opt/openjdk*/libexec/openjdk.jdk/Contents/Home"):
        candidates += sorted(Path(p) for p in glob.glob(pattern))
    for home in candidates:
        java = home / "bin" / "java"
        if java.is_file() and _java_major(str(java)) in SPARK_JAVA_VERSIONS:
            return str(home)
    return None


def spark_session(*, driver_memory: str = "4g", shuffle_partitions: int = 4,
                  master: str | None = None):
    """Return the process's one Spark session, starting it on the first call.

    Parameters
    ----------
    driver_memory : str, default "4g"
        ``spark.driver.memory``; fixed once the first session has started (later values
        are ignored).
    shuffle_partitions : int, default 4
        ``spark.sql.shuffle.partitions`` (few: the aggregates are small).
    master : str, optional
        Spark master; default ``local[2]`` unless a ``spark.master`` is already configured
        (``spark-submit`` on a cluster).

    Returns
    -------
    pyspark.sql.SparkSession
        The shared session (UI off, Arrow on without fallback, partition values as text).

    Raises
    ------
    UsageError
        PySpark is not installed (the ``spark`` extra) or no Java 17/21 is found.
    """
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UsageError("the spark engine needs PySpark: pip install '.[spark]'") from exc
    home = _find_java_home()
    if home:
        os.environ["JAVA_HOME"] = home
    elif not os.environ.get("JAVA_HOME") and not shutil.which("java"):
        raise UsageError("the spark engine needs Java 17 or 21 (set JAVA_HOME)")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    conf = SparkConf()
    builder = SparkSession.builder.appName("gotone-panel")
    if master or not conf.contains("spark.master"):
        builder = builder.master(master or "local[2]")
    for key, value in {**_SPARK_DEFAULTS, "spark.driver.memory": driver_memory,
                       "spark.sql.shuffle.partitions": str(int(shuffle_partitions))}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _SESSION = session
    return session


def connect(engine: str = "duckdb", *, threads: int | None = None,
            memory_limit: str | None = None, driver_memory: str = "4g",
            shuffle_partitions: int = 4):
    """Return an Ibis connection to the engine that will query the panel.

    Parameters
    ----------
    engine : {"duckdb", "spark"}, default "duckdb"
        DuckDB in process, or the shared Spark session (:func:`spark_session`).
    threads, memory_limit : optional
        DuckDB settings (``threads``, ``memory_limit`` such as ``"2GB"``); DuckDB's
        defaults otherwise.
    driver_memory, shuffle_partitions : optional
        Spark settings, used when the first session starts.

    Returns
    -------
    ibis.BaseBackend
        A new DuckDB connection, or an Ibis backend over the shared Spark session.

    Raises
    ------
    UsageError
        Unknown engine, or the Spark engine without PySpark or Java.
    """
    import ibis

    name = _check_engine(engine)
    if name == "duckdb":
        # spill files go to the system's temporary folder, never the working folder
        # (DuckDB's default for an in-memory database is ./.tmp); one folder a process
        config = {"temp_directory": str(Path(tempfile.gettempdir()) / f"gotone-duckdb-{os.getpid()}")}
        if threads is not None:
            config["threads"] = int(threads)
        if memory_limit is not None:
            config["memory_limit"] = str(memory_limit)
        return ibis.duckdb.connect(**config)
    session = spark_session(driver_memory=driver_memory, shuffle_partitions=shuffle_partitions)
    return ibis.pyspark.connect(session)


def _panel_folder(data) -> Path:
    if hasattr(data, "panel_path"):  # an io.Dataset: validated once, recorded on its run card
        return Path(data.panel_path())
    p = Path(data)
    if (p / "panel").is_dir():
        p = p / "panel"
    if not p.is_dir() or not any(p.rglob("*.parquet")):
        raise UsageError(f"no panel Parquet files under {p.name or p}/ "
                         "(expected panel/month=YYYY-MM/*.parquet)")
    return p


def panel_table(data, *, engine: str = "duckdb", con=None):
    """Return the customer panel of a data folder as an Ibis table (nothing is loaded).

    Parameters
    ----------
    data : str, Path or gotone_analysis.io.Dataset
        A data folder holding ``panel/``, the panel folder itself
        (``month=YYYY-MM/*.parquet``, hive-partitioned), or a ``Dataset`` (its
        ``panel_path()``: validated against the contract the first time).
    engine : {"duckdb", "spark"}, default "duckdb"
        Engine used when ``con`` is not given.
    con : ibis.BaseBackend, optional
        A connection from :func:`connect` (to share it between tables).

    Returns
    -------
    ibis.expr.types.Table
        The panel columns of :data:`gotone_analysis.contract.PANEL`; ``month`` and
        ``care_start`` as text ``'YYYY-MM'``.

    Raises
    ------
    UsageError
        No panel files, unknown engine.
    """
    folder = _panel_folder(data)
    if con is None:
        con = connect(engine)
    if con.name == "duckdb":
        t = con.read_parquet(str(folder / "**" / "*.parquet"), hive_partitioning=True,
                             hive_types_autocast=False, union_by_name=True)
    elif con.name == "pyspark":
        t = con.read_parquet(str(folder), basePath=str(folder), mergeSchema="false")
    else:
        raise UsageError(f"unsupported Ibis backend {con.name!r} for the panel")
    out = t.mutate(month=t.month.cast("string"))
    _SOURCES[id(out)] = (out, folder)
    return out


#: Tables made by :func:`panel_table` -> (the table, its panel folder), by identity.
_SOURCES: dict[int, tuple[Any, Path]] = {}


def source_folder(table) -> Path | None:
    """The panel folder that a table made by :func:`panel_table` reads.

    Parameters
    ----------
    table : ibis Table
        A table returned by :func:`panel_table` (not one derived from it).

    Returns
    -------
    pathlib.Path or None
        The ``panel/`` folder, or None for any other table. The batch's shared results
        (:mod:`gotone_analysis.cache`) are keyed by that folder's files.
    """
    hit = _SOURCES.get(id(table))
    return hit[1] if hit is not None and hit[0] is table else None


def month_number(month):
    """Months since 2008-01 (0-based), as :func:`gotone_analysis.demo.model.month_index`.

    Parameters
    ----------
    month : ibis string expression, pandas Series or str
        Month(s) as ``'YYYY-MM'``.

    Returns
    -------
    ibis integer expression, pandas Series (``Int64``, missing stays missing) or int
        ``(year - 2008) * 12 + month - 1``.
    """
    y0 = int(MONTH_ORIGIN[:4])
    if isinstance(month, str):
        return (int(month[:4]) - y0) * 12 + int(month[5:7]) - 1
    if isinstance(month, pd.Series):
        s = month.astype("string")
        return ((s.str.slice(0, 4).astype("Int64") - y0) * 12
                + s.str.slice(5, 7).astype("Int64") - 1)
    year = month.substr(0, 4).cast("int64")
    mon = month.substr(5, 2).cast("int64")
    return (year - y0) * 12 + mon - 1


# --- aggregates ------------------------------------------------------------------------------


def _as_table(table):
    import ibis

    if isinstance(table, pd.DataFrame):
        return ibis.memtable(table)
    return table


def _execute(expr) -> pd.DataFrame:
    df = expr.execute()
    return df.reset_index(drop=True)


def _keys(by) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def group_moments(table, *, by: str | Sequence[str] = ("segment", "month"),
                  values: Sequence[str] = ("arpu",)) -> pd.DataFrame:
    """Count, mean and variance of columns by group, computed in the engine.

    Parameters
    ----------
    table : ibis Table or pandas.DataFrame
        The panel (or any table); a DataFrame is queried through DuckDB.
    by : str or sequence of str, default ("segment", "month")
        Grouping columns.
    values : sequence of str, default ("arpu",)
        Numeric columns.

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted by ``by``: the keys, ``n`` (rows), and for each value
        ``v``: ``v_n`` (non-missing), ``v_sum``, ``v_sumsq`` (sum of squares), ``v_mean``
        and ``v_var`` (variance with divisor ``v_n - 1``; NaN below two values). Counts
        ``int64``, the rest ``float64``.
    """
    t = _as_table(table)
    keys = _keys(by)
    aggs = {"n": t.count()}
    for v in values:
        x = t[v].cast("float64")
        aggs[f"{v}_n"] = x.count()
        aggs[f"{v}_sum"] = x.sum()
        aggs[f"{v}_sumsq"] = (x * x).sum()
    out = _execute(t.group_by(keys).aggregate(**aggs).order_by(keys))
    out["n"] = out["n"].astype("int64")
    for v in values:
        n = out[f"{v}_n"].astype("int64")
        s = out[f"{v}_sum"].astype("float64").where(n > 0, 0.0)
        ss = out[f"{v}_sumsq"].astype("float64").where(n > 0, 0.0)
        out[f"{v}_n"], out[f"{v}_sum"], out[f"{v}_sumsq"] = n, s, ss
        nf = n.astype("float64")
        out[f"{v}_mean"] = (s / nf).where(n > 0)
        out[f"{v}_var"] = ((ss - s * s / nf) / (nf - 1.0)).where(n > 1)
    return out


def participation(table, *, by: str | Sequence[str] = ("segment", "month"),
                  levers: Sequence[str] = LEVERS) -> pd.DataFrame:
    """Share of customer-months taking part in each lever, by group, in the engine.

    Parameters
    ----------
    table : ibis Table or pandas.DataFrame
        The panel (columns ``part_<lever>``, 0/1).
    by : str or sequence of str, default ("segment", "month")
        Grouping columns.
    levers : sequence of str, default :data:`LEVERS`
        Levers (``part_<lever>`` columns).

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per group and lever sorted by ``by`` then lever order: the keys,
        ``lever``, ``n`` (customer-months), ``n_part`` (taking part), ``rate``
        (``n_part / n``).
    """
    t = _as_table(table)
    keys = _keys(by)
    aggs = {"n": t.count()}
    for lv in levers:
        aggs[f"p_{lv}"] = t[f"part_{lv}"].cast("int64").sum()
    wide = _execute(t.group_by(keys).aggregate(**aggs).order_by(keys))
    parts = []
    for i, lv in enumerate(levers):
        d = wide[keys].copy()
        d["lever"] = lv
        d["n"] = wide["n"].astype("int64")
        d["n_part"] = wide[f"p_{lv}"].fillna(0).astype("int64")
        d["_order"] = i
        parts.append(d)
    out = pd.concat(parts, ignore_index=True)
    out["rate"] = out["n_part"] / out["n"]
    out = out.sort_values([*keys, "_order"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)


def churn_hazard(table, *, by: str | Sequence[str] = ("segment", "month")) -> pd.DataFrame:
    """Monthly churn hazard of the customers at risk, by group, in the engine.

    A customer is at risk in a month when the panel has a row for them in that month
    (a customer who left in an earlier month has none); ``churned = 1`` means they left
    at the end of the month. The hazard is ``churned / at_risk``.

    Parameters
    ----------
    table : ibis Table or pandas.DataFrame
        The panel.
    by : str or sequence of str, default ("segment", "month")
        Grouping columns (include ``month`` for a monthly hazard).

    Returns
    -------
    pandas.DataFrame
        One row per group sorted by ``by``: the keys, ``at_risk``, ``churned`` (both
        ``int64``) and ``hazard`` (``float64``).
    """
    t = _as_table(table)
    keys = _keys(by)
    out = _execute(t.group_by(keys).aggregate(at_risk=t.count(),
                                              churned=t.churned.cast("int64").sum())
                   .order_by(keys))
    out["at_risk"] = out["at_risk"].astype("int64")
    out["churned"] = out["churned"].fillna(0).astype("int64")
    out["hazard"] = out["churned"] / out["at_risk"]
    return out


def segment_month_summary(table, *, by: str | Sequence[str] = ("segment", "month"),
                          levers: Sequence[str] = LEVERS) -> pd.DataFrame:
    """Customers, churn, ARPU moments and participation by segment and month, in one query.

    Parameters
    ----------
    table : ibis Table or pandas.DataFrame
        The panel.
    by : str or sequence of str, default ("segment", "month")
        Grouping columns.
    levers : sequence of str, default :data:`LEVERS`
        Participation flags to count.

    Returns
    -------
    pandas.DataFrame
        One row per group sorted by ``by``: the keys, ``customers`` (customer-months),
        ``churned``, ``churn_hazard``, ``arpu_n``, ``arpu_sum``, ``arpu_sumsq``,
        ``arpu_mean``, ``arpu_var`` (divisor ``n - 1``), and for each lever ``n_<lever>``
        and ``rate_<lever>`` (share of the group's customer-months taking part).
    """
    t = _as_table(table)
    keys = _keys(by)
    x = t.arpu.cast("float64")
    aggs = {"customers": t.count(), "churned": t.churned.cast("int64").sum(),
            "arpu_n": x.count(), "arpu_sum": x.sum(), "arpu_sumsq": (x * x).sum()}
    for lv in levers:
        aggs[f"n_{lv}"] = t[f"part_{lv}"].cast("int64").sum()
    out = _execute(t.group_by(keys).aggregate(**aggs).order_by(keys))
    for c in ("customers", "churned", "arpu_n", *(f"n_{lv}" for lv in levers)):
        out[c] = out[c].fillna(0).astype("int64")
    n = out["arpu_n"].astype("float64")
    s = out["arpu_sum"].astype("float64").where(out["arpu_n"] > 0, 0.0)
    ss = out["arpu_sumsq"].astype("float64").where(out["arpu_n"] > 0, 0.0)
    out["arpu_sum"], out["arpu_sumsq"] = s, ss
    out["churn_hazard"] = out["churned"] / out["customers"]
    out["arpu_mean"] = (s / n).where(n > 0)
    out["arpu_var"] = ((ss - s * s / n) / (n - 1.0)).where(n > 1)
    for lv in levers:
        out[f"rate_{lv}"] = out[f"n_{lv}"] / out["customers"]
    order = [*keys, "customers", "churned", "churn_hazard", "arpu_n", "arpu_sum",
             "arpu_sumsq", "arpu_mean", "arpu_var",
             *(c for lv in levers for c in (f"n_{lv}", f"rate_{lv}"))]
    return out[order]


# --- per-cohort moments for the staggered DiD -------------------------------------------------


def _pairs(k: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(k) for b in range(a, k)]


def _tidy_moments(cohorts, n, sums, cross, periods, dropped: int) -> pd.DataFrame:
    """Long frame (cohort, time_a, time_b, n, sum_a, sum_b, sum_ab) from per-cohort arrays."""
    k = len(periods)
    ia, ib = np.array(_pairs(k)).T if k else (np.array([], int), np.array([], int))
    per = np.asarray(periods, dtype=object)
    frames = []
    for c, nc, s, x in zip(cohorts, n, sums, cross, strict=True):
        frames.append(pd.DataFrame({
            "cohort": [c] * len(ia), "time_a": per[ia], "time_b": per[ib],
            "n": np.full(len(ia), int(nc), dtype="int64"),
            "sum_a": s[ia].astype("float64"), "sum_b": s[ib].astype("float64"),
            "sum_ab": x[ia, ib].astype("float64"),
        }))
    cols = ["cohort", "time_a", "time_b", "n", "sum_a", "sum_b", "sum_ab"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    out = out.sort_values(["cohort", "time_a", "time_b"], kind="stable").reset_index(drop=True)
    out.attrs["dropped_units"] = int(dropped)
    return out


def _restore_dtype(values: pd.Series, like: pd.Series):
    """Per-period labels back in the dtype of the input column."""
    try:
        return values.astype(like.dtype)
    except (TypeError, ValueError):
        return values


def _cohort_moments_pandas(df: pd.DataFrame, unit, time, cohort, outcome, periods):
    """Unit-level reference path: pivot to units x periods in numpy, then sums and X'X."""
    d = df[[unit, time, cohort, outcome]]
    if periods is None:
        periods = sorted(d[time].dropna().unique().tolist())
    periods = list(periods)
    d = d[d[time].isin(periods)]
    codes, uniques = pd.factorize(d[unit], sort=False)
    col = pd.Index(periods).get_indexer(d[time])
    y = np.full((len(uniques), len(periods)), np.nan)
    vals = pd.to_numeric(d[outcome], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    y[codes, col] = vals
    coh = np.empty(len(uniques), dtype=object)
    coh[codes] = d[cohort].to_numpy(dtype=object)
    keep = ~np.isnan(y).any(axis=1) & pd.notna(coh)
    dropped = int((~keep).sum())
    y, coh = y[keep], coh[keep]
    coh_s = pd.Series(coh)
    groups = sorted(pd.unique(coh_s.dropna()).tolist())
    cohorts, ns, sums, cross = [], [], [], []
    for g in groups:
        yg = y[(coh_s == g).to_numpy()]
        cohorts.append(g)
        ns.append(len(yg))
        sums.append(yg.sum(axis=0))
        cross.append(yg.T @ yg)
    out = _tidy_moments(cohorts, ns, sums, cross, periods, dropped)
    out["cohort"] = _restore_dtype(out["cohort"], d[cohort])
    for c in ("time_a", "time_b"):
        out[c] = _restore_dtype(out[c], d[time])
    return out


#: DuckDB memory cap while :func:`cohort_moments` runs (its joins spill beyond it).
MOMENTS_MEMORY_LIMIT = "2GB"


def _wide_by_join(t, unit, time, cohort, outcome, periods, by):
    """The balanced units in wide form (DuckDB's plan): each period's rows, joined.

    Each period's rows (non-missing outcome) become one relation ``(unit, by.., y_i)``;
    the inner join of the ``k`` relations on the unit (and ``by``) keeps one row per
    unit with an outcome in every period. A filter ``time == p`` on a column of the
    files lets the engine skip the files and row groups of other periods (hive
    partitions, Parquet statistics), so each relation reads only its own period.
    """
    t = t.filter(t[outcome].notnull())
    keys = [unit, *by]
    wide = None
    for i, p in enumerate(periods):
        s = t.filter(t[time] == p)
        cols = {c: s[c] for c in keys}
        cols[f"y{i}"] = s[outcome].cast("float64")
        if i == 0:
            cols["_cohort"] = s[cohort]
        part = s.select(**cols)
        wide = part if wide is None else wide.join(part, keys)
    return wide


def _wide_by_group(t, unit, time, cohort, outcome, periods, by):
    """The same wide rows by ``GROUP BY unit`` (Spark's plan).

    One conditional aggregate per period gives each unit's outcome in that period (the
    sum over its rows of ``time == p ? y : 0``, exact); a unit with ``k`` outcomes is
    balanced. A distributed engine aggregates this in partial sums on every executor,
    where ``k`` joins would each shuffle (or broadcast) a whole period.
    """
    y = t[outcome].cast("float64")
    per_unit = {"_cohort": t[cohort].max(), "_seen": y.count()}
    for i, p in enumerate(periods):
        per_unit[f"y{i}"] = (t[time] == p).ifelse(y, 0.0).sum()
    u = t.group_by([unit, *by]).aggregate(**per_unit)
    return u.filter(u._seen == len(periods))


def _moments_query(t, unit, time, cohort, outcome, periods, by, chunk: int, chunks: int):
    """One engine query: per-cohort sums and cross-products for one chunk of the units."""
    if chunks > 1:
        h = t[unit].hash() % chunks
        t = t.filter(((h + chunks) % chunks) == chunk)
    wide_rows = _wide_by_join if _engine_name(t) == "duckdb" else _wide_by_group
    wide = wide_rows(t, unit, time, cohort, outcome, periods, by)
    k = len(periods)
    aggs = {"_n": wide.count()}
    for i in range(k):
        aggs[f"s{i}"] = wide[f"y{i}"].sum()
    for a, b in _pairs(k):
        aggs[f"x{a}_{b}"] = (wide[f"y{a}"] * wide[f"y{b}"]).sum()
    return _execute(wide.group_by([*by, "_cohort"]).aggregate(**aggs))


@contextlib.contextmanager
def _memory_capped(t, limit: str | None):
    """DuckDB's ``memory_limit`` lowered to ``limit`` (never raised) while the block runs."""
    import ibis

    con = ibis.get_backend(t)
    if limit is None or con.name != "duckdb":
        yield
        return
    raw = con.con
    before = raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    raw.execute(f"SET memory_limit = '{_smaller_limit(before, limit)}'")
    try:
        yield
    finally:
        raw.execute(f"SET memory_limit = '{before}'")


_UNITS = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def _engine_name(t) -> str:
    import ibis

    return ibis.get_backend(t).name


def _limit_bytes(text: str) -> float:
    m = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", str(text))
    if not m:
        raise UsageError(f"not a memory size: {text!r} (e.g. '2GB')")
    unit = (m.group(2) or "B").upper()
    if unit not in _UNITS:
        raise UsageError(f"not a memory size: {text!r} (e.g. '2GB')")
    return float(m.group(1)) * _UNITS[unit]


def _smaller_limit(current: str, cap: str) -> str:
    return cap if _limit_bytes(cap) < _limit_bytes(current) else current


def cohort_moments(table, *, unit: str, time: str, cohort: str, outcome: str,
                   periods: Sequence | None = None, by: str | Sequence[str] | None = None,
                   chunks: int | None = None,
                   memory_limit: str | None = MOMENTS_MEMORY_LIMIT) -> pd.DataFrame:
    """Per-cohort sums and cross-products of a balanced panel's outcome, by pair of periods.

    Every ATT(g, t) of a staggered difference-in-differences without covariates, and the
    covariance of their influence functions, are linear in these moments (a long
    difference ``Y_t - Y_b`` and a product of two such differences expand into sums of
    ``Y`` and of ``Y_a * Y_b``). On an Ibis table the engine computes them in one query.
    On DuckDB the rows of each period (outcome present) are joined on the unit, which
    leaves the balanced units in wide form; on Spark ``GROUP BY unit`` with one
    conditional aggregate per period gives the same wide rows (partial sums on every
    executor instead of ``k`` shuffled joins, which exhaust a local driver's memory on
    the full panel). ``GROUP BY cohort`` then gives the sums and sums of products; only
    one row per cohort comes back (and one count of the distinct units).
    When ``time`` is a column of the files (``'YYYY-MM'`` text, the panel's ``month``),
    each period's relation reads only that period's files and row groups; a computed
    period column (``month_number(month)``) makes every period scan all of them, several
    times slower on the full panel.

    Parameters
    ----------
    table : ibis Table or pandas.DataFrame
        Long panel, one row per unit and period. A DataFrame is computed in pandas and
        numpy (the unit-level reference path).
    unit, time, cohort, outcome : str
        Column names: unit key; period (integers, or ``'YYYY-MM'`` text); first treated
        period (0 = never treated), constant within a unit; numeric outcome. One row
        per unit and period (the panel's key).
    periods : sequence, optional
        Periods to use (default: every distinct ``time`` value of the table).
    by : str or sequence of str, optional
        Columns (e.g. ``"city"``) that split the panel into separate panels computed in
        the same query: the moments of each group are those of its rows alone, as if
        the table had been filtered to the group first (a unit whose ``by`` value
        changes between periods is balanced in no group).
    chunks : int, optional
        Split the units (by a hash of ``unit``) into this many queries run one after
        the other and add their moments (default one query). Ignored for a DataFrame.
    memory_limit : str or None, default :data:`MOMENTS_MEMORY_LIMIT`
        On DuckDB, the connection's ``memory_limit`` is lowered to this while the
        query runs (the joins spill to the connection's temporary folder beyond it;
        the full-scale panel then peaks at about 2.4 GB instead of 3.4 GB, a few
        seconds slower); None leaves it.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per cohort and pair of periods ``time_a <= time_b`` (sorted by
        ``cohort, time_a, time_b``): ``cohort``, ``time_a``, ``time_b``, ``n`` (balanced
        units of the cohort), ``sum_a`` (sum of ``Y[time_a]``), ``sum_b``, ``sum_ab``
        (sum of ``Y[time_a] * Y[time_b]``; a sum of squares when the periods are equal).
        Only units with a non-missing outcome in every period are kept (a balanced panel,
        as R ``did`` by default); ``attrs["dropped_units"]`` counts the others (and
        units with a missing cohort, which are left out). Cohorts
        with no balanced unit have no rows. Sums are ``float64``. With ``by``, the
        ``by`` columns come first (sorted by them, then as above) and a column
        ``dropped_units`` gives each group's own count (``attrs`` has the total).
    """
    by = _keys(by) if by is not None else []
    if isinstance(table, pd.DataFrame):
        if not by:
            return _cohort_moments_pandas(table, unit, time, cohort, outcome, periods)
        return _moments_by_group_pandas(table, unit, time, cohort, outcome, periods, by)
    t = table
    if periods is None:
        got = _execute(t.select(time).distinct())[time]
        periods = sorted(got.dropna().tolist())
    periods = list(periods)
    if not periods:
        return _tidy_moments([], [], [], [], [], 0)
    k = len(periods)
    t = t.filter(t[time].isin(periods))
    chunks = 1 if chunks is None else int(chunks)
    with _memory_capped(t, memory_limit):
        parts = [_moments_query(t, unit, time, cohort, outcome, periods, by, i, chunks)
                 for i in range(chunks)]
        if by:
            units = _execute(t.group_by(by).aggregate(_units=t[unit].nunique()))
        else:
            units = pd.DataFrame({"_units": [int(t[unit].nunique().execute())]})
    keys = [*by, "_cohort"]
    res = parts[0] if len(parts) == 1 else \
        pd.concat(parts).groupby(keys, dropna=False, as_index=False).sum(min_count=1)
    res = res[res["_cohort"].notna() & (res["_n"].fillna(0) > 0)]
    schema = table.schema()
    if not by:
        out = _moments_frame(res, k, periods, int(units["_units"].sum()))
        return _typed(out, schema, cohort, time)
    frames, dropped = [], 0
    for key, grp in units.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        sel = np.ones(len(res), dtype=bool)
        for c, v in zip(by, key, strict=True):
            sel &= (res[c] == v).to_numpy() if pd.notna(v) else res[c].isna().to_numpy()
        one = _moments_frame(res[sel], k, periods, int(grp["_units"].sum()))
        dropped += one.attrs["dropped_units"]
        frames.append(_with_group(one, by, key))
    out = _by_frame(frames, by, dropped)
    return _typed(out, schema, cohort, time)


def _moments_frame(res: pd.DataFrame, k: int, periods, units: int) -> pd.DataFrame:
    """The tidy moments of one panel from its per-cohort engine row(s)."""
    dropped = units - int(res["_n"].sum())
    res = res.sort_values("_cohort", kind="stable")
    sums, cross = [], []
    for _, row in res.iterrows():
        sums.append(np.array([row[f"s{i}"] for i in range(k)], dtype="float64"))
        x = np.zeros((k, k))
        for a, b in _pairs(k):
            x[a, b] = x[b, a] = row[f"x{a}_{b}"]
        cross.append(x)
    return _tidy_moments(res["_cohort"].tolist(), res["_n"].astype("int64").tolist(), sums,
                         cross, periods, dropped)


def _typed(out: pd.DataFrame, schema, cohort: str, time: str) -> pd.DataFrame:
    """Cohort and period columns back in the engine column's types."""
    try:
        out["cohort"] = out["cohort"].astype(schema[cohort].to_pandas())
        for c in ("time_a", "time_b"):
            out[c] = out[c].astype(schema[time].to_pandas())
    except (TypeError, ValueError, KeyError):
        pass
    return out


def _with_group(one: pd.DataFrame, by, key) -> pd.DataFrame:
    """One group's moments with its ``by`` values and dropped count as columns."""
    one.insert(0, "dropped_units", int(one.attrs["dropped_units"]))
    for c, v in reversed(list(zip(by, key, strict=True))):
        one.insert(0, c, v)
    return one


def _by_frame(frames, by, dropped: int) -> pd.DataFrame:
    cols = [*by, "dropped_units", "cohort", "time_a", "time_b", "n", "sum_a", "sum_b",
            "sum_ab"]
    frames = [f for f in frames if not f.empty]
    out = pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
    out.attrs["dropped_units"] = int(dropped)
    return out


def _moments_by_group_pandas(df, unit, time, cohort, outcome, periods, by):
    """The unit-level path of ``cohort_moments(by=...)``: each group's rows alone."""
    if periods is None:
        periods = sorted(df[time].dropna().unique().tolist())
    frames, dropped = [], 0
    for key, grp in df.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        one = _cohort_moments_pandas(grp, unit, time, cohort, outcome, periods)
        dropped += one.attrs["dropped_units"]
        frames.append(_with_group(one, by, key))
    return _by_frame(frames, by, dropped)
