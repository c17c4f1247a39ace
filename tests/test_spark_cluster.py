"""A Spark standalone cluster of this machine runs the panel queries with DuckDB's numbers.

``tools/spark_cluster.py`` starts a master and a worker (two JVMs, one worker core) on a
free loopback port; the panel aggregates of the small demo, queried through the cluster
(``GOTONE_SPARK_MASTER``) in a child process, equal DuckDB's; a program-effects batch
with ``--engine spark`` on the cluster publishes the metrics the DuckDB batch publishes;
``stop`` leaves no process of the cluster running.

The cluster's tests are slow (two JVMs, Spark applications and a batch: about five
minutes): deselected by ``make test``, run by ``make test-all`` or
``pytest -m slow tests/test_spark_cluster.py``.
"""

from __future__ import annotations

import importlib.util
import io
import ipaddress
import os
import pickle
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gotone_analysis import panel
from gotone_analysis.panel.engine import find_java_home
from gotone_analysis.reports.program_effects import tables as program

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "spark_cluster.py"
QUARTER = "2010Q4"

_CHILD = r'''
import pickle, sys
from gotone_analysis import panel
from gotone_analysis.reports.program_effects import tables as program
data, out = sys.argv[1], sys.argv[2]
session = panel.spark_session()
t = panel.panel_table(data, engine="spark")
res = {"segment_month": panel.segment_month_summary(t),
       "participation": panel.participation(t, by=["city", "segment"]),
       "churn_hazard": panel.churn_hazard(t, by=["brand", "month"]),
       "care_arpu_moments": program.care_arpu_moments(t, quarter="2010Q4"),
       "churn_cells": program.churn_cells(t, quarter="2010Q4"),
       "lever_sums": program.lever_sums(t, quarter="2010Q4")}
conf = session.sparkContext.getConf()
res["conf"] = {k: conf.get(k) for k in ("spark.master", "spark.dynamicAllocation.enabled",
                                        "spark.driver.host")}
with open(out, "wb") as fh:
    pickle.dump(res, fh)
'''


def _tool(*args: str, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args, "--dir", str(folder)],
                          capture_output=True, text=True, timeout=300)


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_status_and_stop_of_no_cluster(tmp_path):
    """Without a running cluster: status fails, url prints nothing, stop says so."""
    (tmp_path / "master.pid").write_text(f"{os.getpid()}\n")  # a live process, not Spark's
    status = _tool("status", folder=tmp_path)
    assert status.returncode == 1 and "master: not running" in status.stdout
    url = _tool("url", folder=tmp_path)
    assert url.returncode == 1 and url.stdout == ""
    stopped = _tool("stop", folder=tmp_path)
    assert stopped.returncode == 0 and "was not running" in stopped.stdout
    assert _alive(os.getpid()) and not (tmp_path / "master.pid").exists()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A master and a worker started by the project's script; stopped at the end."""
    pytest.importorskip("pyspark")
    if not (os.environ.get("JAVA_HOME") or find_java_home() or shutil.which("java")):
        pytest.skip("no Java for Spark")
    folder = tmp_path_factory.mktemp("spark-cluster")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = _tool("start", "--port", str(port), folder=folder)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        url = started.stdout.strip().splitlines()[-1].removeprefix("GOTONE_SPARK_MASTER=")
        assert url == f"spark://127.0.0.1:{port}"
        pids = {r: int((folder / f"{r}.pid").read_text()) for r in ("master", "worker")}
        yield {"url": url, "folder": folder, "pids": pids}
    finally:
        _tool("stop", folder=folder)


@pytest.mark.slow
def test_status_names_the_master_and_both_processes_listen_on_loopback(cluster):
    import psutil

    status = _tool("status", folder=cluster["folder"])
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"GOTONE_SPARK_MASTER={cluster['url']}" in status.stdout
    assert _tool("url", folder=cluster["folder"]).stdout.strip() == cluster["url"]
    for role, cls in (("master", "deploy.master.Master"), ("worker", "deploy.worker.Worker")):
        proc = psutil.Process(cluster["pids"][role])
        assert cls in " ".join(proc.cmdline())
        listening = [ipaddress.ip_address(c.laddr.ip) for c in proc.net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN]
        assert listening and all((getattr(a, "ipv4_mapped", None) or a).is_loopback
                                 for a in listening), listening
    assert "--cores 1" in " ".join(psutil.Process(cluster["pids"]["worker"]).cmdline())


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    keys = [c for c in want.columns if not pd.api.types.is_float_dtype(want[c])]
    got = got.sort_values(keys, kind="stable").reset_index(drop=True)
    want = want.sort_values(keys, kind="stable").reset_index(drop=True)
    assert len(got) == len(want) > 0
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12)


@pytest.mark.slow
def test_panel_queries_on_the_cluster_equal_duckdb(cluster, small_demo, tmp_path):
    out = tmp_path / "spark.pkl"
    env = {**os.environ, panel.SPARK_MASTER_ENV: cluster["url"]}
    before = set((cluster["folder"] / "work").glob("app-*"))
    child = subprocess.run([sys.executable, "-c", _CHILD, str(small_demo), str(out)], env=env,
                           capture_output=True, text=True, timeout=900)
    assert child.returncode == 0, child.stderr[-4000:]
    with open(out, "rb") as fh:
        got = pickle.load(fh)
    assert got.pop("conf") == {"spark.master": cluster["url"],
                               "spark.dynamicAllocation.enabled": "true",
                               "spark.driver.host": "127.0.0.1"}
    # the application ran executors on the worker
    apps = set((cluster["folder"] / "work").glob("app-*")) - before
    assert len(apps) == 1 and any(p.is_dir() for p in next(iter(apps)).iterdir())
    t = panel.panel_table(small_demo, engine="duckdb")
    want = {"segment_month": panel.segment_month_summary(t),
            "participation": panel.participation(t, by=["city", "segment"]),
            "churn_hazard": panel.churn_hazard(t, by=["brand", "month"]),
            "care_arpu_moments": program.care_arpu_moments(t, quarter=QUARTER),
            "churn_cells": program.churn_cells(t, quarter=QUARTER),
            "lever_sums": program.lever_sums(t, quarter=QUARTER)}
    assert set(got) == set(want)
    for name, frame in want.items():
        _same(got[name], frame)


@pytest.mark.slow
def test_batch_on_the_cluster_publishes_duckdbs_metrics(cluster, small_demo, tmp_path,
                                                        monkeypatch):
    from gotone_analysis.runner import run_batch

    spec = importlib.util.spec_from_file_location("same_metrics",
                                                  ROOT / "tools" / "same_metrics.py")
    same = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(same)
    before = set((cluster["folder"] / "work").glob("app-*"))
    outs = {}
    for engine in ("duckdb", "spark"):
        if engine == "spark":  # the kernels inherit it
            monkeypatch.setenv(panel.SPARK_MASTER_ENV, cluster["url"])
        outs[engine] = tmp_path / engine
        result = run_batch(QUARTER, "province,nanping", ["program_effects"], jobs=2,
                           data_dir=small_demo, out_dir=outs[engine], engine=engine,
                           progress=False, stream=io.StringIO())
        assert result.exit_code == 0, result.table()
    assert len(set((cluster["folder"] / "work").glob("app-*")) - before) >= 1
    files = sorted(outs["duckdb"].glob(f"{QUARTER}/*/metrics.json"))
    assert len(files) == 2
    for f in files:
        other = outs["spark"] / f.relative_to(outs["duckdb"])
        assert same.comparable_bytes(f) == same.comparable_bytes(other), \
            same.differing_keys(f, other)


@pytest.mark.slow
def test_stop_ends_the_master_the_worker_and_its_executors(cluster):
    import psutil

    worker = psutil.Process(cluster["pids"]["worker"])
    children = [p.pid for p in worker.children(recursive=True)]
    stopped = _tool("stop", folder=cluster["folder"])
    assert stopped.returncode == 0 and "worker, master" in stopped.stdout
    for pid in [*cluster["pids"].values(), *children]:
        assert not _alive(pid), pid
    assert _tool("status", folder=cluster["folder"]).returncode == 1
    assert not list(cluster["folder"].glob("*.pid"))
