"""The panel's engines: DuckDB in process, or one shared Spark session.

``duckdb`` (default, embedded)
    A DuckDB connection reading the Parquet files in place.
``spark`` (the ``spark`` extra, ``pip install .[spark]``)
    One shared Spark session per process, a few shuffle partitions, no UI, Arrow
    transfer on with its fallback off (without it a missing text becomes the string
    ``'NaN'``), partition values kept as text (``month=2010-01`` stays ``'2010-01'``).
    The driver memory is fixed when the first session starts. Java 17 or 21 is found at
    run time (``JAVA_HOME`` if set, else ``java`` on the ``PATH``, else a JDK in the
    usual install folders).

Where the Spark session runs its queries (:func:`spark_master`): the ``master``
argument, else the environment variable ``GOTONE_SPARK_MASTER``
(:data:`SPARK_MASTER_ENV`; the batch's kernels inherit it), else a ``spark.master``
set by ``spark-submit``, else local mode ``local[2]`` on this machine. A cluster master
(``spark://host:7077`` standalone, ``yarn``, ``k8s://...``) runs the panel aggregates on
the cluster's executors while the driver, the kernel, keeps everything else; each
kernel is its own application and holds executors only while it queries (dynamic
allocation, :data:`SPARK_CLUSTER_DEFAULTS`), so kernels of one batch never wait on each
other's idle executors. ``sc://host:15002`` opens a Spark Connect session instead (its
client packages, ``pyspark[connect]``, are not part of the pinned environment). The
driver binds to the loopback address only in local mode and for a master on this
machine; for a remote master Spark's own host settings apply (``SPARK_LOCAL_IP``,
``spark.driver.host``).

Public: :data:`ENGINES`, :data:`SPARK_JAVA_VERSIONS`, :data:`SPARK_MASTER_ENV`,
:data:`SPARK_CLUSTER_DEFAULTS`, :func:`find_java_home`, :func:`spark_master`,
:func:`spark_session`, :func:`connect`, :func:`engine_name`.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import UsageError

__all__ = [
    "ENGINES",
    "SPARK_CLUSTER_DEFAULTS",
    "SPARK_JAVA_VERSIONS",
    "SPARK_MASTER_ENV",
    "connect",
    "engine_name",
    "find_java_home",
    "spark_master",
    "spark_session",
]

#: Engines the panel layer can query.
ENGINES = ("duckdb", "spark")
#: Java major versions Spark 4.0 runs on.
SPARK_JAVA_VERSIONS = (17, 21)
#: Environment variable naming the Spark master of the panel engine (e.g. a cluster's
#: ``spark://host:7077``); unset or empty: local mode, or what ``spark-submit`` set.
SPARK_MASTER_ENV = "GOTONE_SPARK_MASTER"
#: Master of local mode, used when nothing else names one.
_LOCAL_MASTER = "local[2]"
#: Settings of a session on a cluster master: executors are asked for only while a query
#: runs and given back when idle (each kernel is its own application, and on a small
#: cluster one kernel's idle executor would otherwise keep the next kernel waiting),
#: one core each.
SPARK_CLUSTER_DEFAULTS = {
    "spark.dynamicAllocation.enabled": "true",
    "spark.dynamicAllocation.shuffleTracking.enabled": "true",
    "spark.dynamicAllocation.initialExecutors": "0",
    "spark.dynamicAllocation.minExecutors": "0",
    "spark.dynamicAllocation.executorIdleTimeout": "10s",
    "spark.dynamicAllocation.shuffleTracking.timeout": "20s",
    "spark.executor.cores": "1",
}

# settings of every SQL session (Spark Connect takes these only)
_SQL_DEFAULTS = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
}
_SPARK_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    **_SQL_DEFAULTS,
}
_LOOPBACK = {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
_SESSION: Any = None


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


def find_java_home() -> str | None:
    """A JDK home whose ``java`` is a version Spark runs on, or None (keep the environment).

    ``JAVA_HOME`` wins when set. Otherwise ``java`` on the ``PATH`` if its version suits,
    else the first suitable JDK in the usual install folders.

    Returns
    -------
    str or None
        The JDK folder (its ``bin/java`` is Java 17 or 21, :data:`SPARK_JAVA_VERSIONS`),
        or None when ``JAVA_HOME`` is already set or no suitable JDK is found.
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


def spark_master(master: str | None = None) -> str | None:
    """The Spark master the panel engine uses.

    Parameters
    ----------
    master : str, optional
        An explicit master; wins over everything else.

    Returns
    -------
    str or None
        ``master``, else ``$GOTONE_SPARK_MASTER`` (:data:`SPARK_MASTER_ENV`) when set and
        not empty, else None: a ``spark.master`` set by ``spark-submit`` applies, or
        local mode ``local[2]``.
    """
    if master and str(master).strip():
        return str(master).strip()
    return os.environ.get(SPARK_MASTER_ENV, "").strip() or None


def _on_this_machine(master: str) -> bool:
    """Whether a master runs here: local mode, or a ``spark://`` URL of a loopback host."""
    if master.startswith("local"):
        return True
    m = re.match(r"spark://(\[[^]]*\]|[^:/,]+)", master)
    return bool(m) and m.group(1).lower() in _LOOPBACK_HOSTS


def _connect_session(url: str, shuffle_partitions: int):
    """A Spark Connect session at ``url`` (``sc://host:port``)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.remote(url)
    for key, value in {**_SQL_DEFAULTS,
                       "spark.sql.shuffle.partitions": str(int(shuffle_partitions))}.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except ImportError as exc:
        raise UsageError("a Spark Connect master (sc://) needs the Spark Connect client: "
                         "pip install 'pyspark[connect]'") from exc


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
        Spark master (:func:`spark_master`): default ``$GOTONE_SPARK_MASTER``, else a
        ``spark.master`` already configured (``spark-submit``), else ``local[2]``. A
        cluster master gets :data:`SPARK_CLUSTER_DEFAULTS`; ``sc://host:port`` opens a
        Spark Connect session.

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
    master = spark_master(master)
    if master is not None and master.startswith("sc://"):
        _SESSION = _connect_session(master, shuffle_partitions)
        return _SESSION
    home = find_java_home()
    if home:
        os.environ["JAVA_HOME"] = home
    elif not os.environ.get("JAVA_HOME") and not shutil.which("java"):
        raise UsageError("the spark engine needs Java 17 or 21 (set JAVA_HOME)")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    conf = SparkConf()
    if master is None:
        master = conf.get("spark.master") if conf.contains("spark.master") else _LOCAL_MASTER
    settings = {**_SPARK_DEFAULTS, "spark.driver.memory": driver_memory,
                "spark.sql.shuffle.partitions": str(int(shuffle_partitions))}
    if not master.startswith("local"):  # a spark-submit --conf of the same key wins
        settings |= {k: v for k, v in SPARK_CLUSTER_DEFAULTS.items() if not conf.contains(k)}
    if _on_this_machine(master):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        settings |= _LOOPBACK
    builder = SparkSession.builder.appName("gotone-panel").master(master)
    for key, value in settings.items():
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


def engine_name(t) -> str:
    """The name of the Ibis backend an expression runs on.

    Parameters
    ----------
    t : ibis expression
        A table or expression bound to a backend.

    Returns
    -------
    str
        The backend's name: ``"duckdb"`` or ``"pyspark"``.
    """
    import ibis

    return ibis.get_backend(t).name
