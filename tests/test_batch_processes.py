"""A batch's processes: none outlives a killed batch, and no more run at once than cores."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from gotone_analysis import cli, processes
from gotone_analysis.runner import (
    NOTEBOOKS_ENV,
    OWNER_NAME,
    PROGRESS_ENV,
    STAGING_NAME,
    remove_dead_runs,
    run_batch,
)

TEST_NOTEBOOKS = Path(__file__).parent / "notebooks"




def _describe(procs) -> list[str]:
    out = []
    for p in procs:
        try:
            out.append(f"{p.pid} {' '.join(p.cmdline())[:120]}")
        except psutil.Error:
            out.append(str(p.pid))
    return out


def _command(p: psutil.Process) -> str:
    """A process's command line; "" once it has ended (a short-lived helper may)."""
    try:
        return " ".join(p.cmdline())
    except psutil.Error:
        return ""


def _is_kernel(p: psutil.Process) -> bool:
    """A notebook's kernel or its launcher (a kernel forked from the batch's fork server
    shows the server's command line: gotone_analysis.kernel_fork)."""
    try:
        cmd = " ".join(p.cmdline())
    except psutil.Error:
        return False
    return "ipykernel" in cmd or "kernel_fork" in cmd


def test_a_killed_batch_leaves_no_process_and_the_next_batch_removes_its_staging(
        small_demo: Path, tmp_path: Path):
    out = tmp_path / "out"
    env = {**os.environ, NOTEBOOKS_ENV: str(TEST_NOTEBOOKS), PROGRESS_ENV: "0",
           "GOTONE_TEST_SLEEP_PROVINCE": "120", "GOTONE_TEST_SLEEP_FUZHOU": "120"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gotone_analysis.cli", "run", "--quarter", "2010Q4",
         "--scope", "province,fuzhou", "--reports", "sleepy", "--jobs", "2",
         "--data", str(small_demo), "--out", str(out)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    seen: dict[int, psutil.Process] = {}

    def look() -> None:
        try:
            for p in psutil.Process(proc.pid).children(recursive=True):
                seen.setdefault(p.pid, p)
        except psutil.NoSuchProcess:
            pass

    def working() -> set[str]:
        """The staging folders kernels are working in (one per notebook being run)."""
        folders = set()
        for p in seen.values():
            try:
                if _is_kernel(p) and STAGING_NAME in p.cwd():
                    folders.add(p.cwd())
            except psutil.Error:
                continue
        return folders

    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until both notebooks are being executed
            look()
            if len(working()) == 2:
                break
            assert proc.poll() is None, "the batch ended before its notebooks ran"
            time.sleep(0.2)
        else:
            pytest.fail("the batch's notebooks did not start in time")
        time.sleep(1.0)
        look()
        kinds = " ".join(_command(p) for p in seen.values())
        # workers, the batch's fork server and the kernels (forked) run: one server,
        # started by the batch process, serves both workers
        assert "spawn_main" in kinds and "kernel_fork serve" in kinds
        # (a forked kernel shows its server's command line: it is the server's child)
        forked = [p for p in seen.values() if "kernel_fork serve" in _command(p)]
        servers = [p for p in forked if p.ppid() == proc.pid]
        assert len(servers) == 1
        assert all(p.ppid() == servers[0].pid for p in forked if p is not servers[0])
        assert sum(_is_kernel(p) for p in seen.values()) >= 2
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        # workers, kernels and the resource tracker die with the batch, within seconds
        _, alive = psutil.wait_procs(list(seen.values()), timeout=10)
        assert alive == [], _describe(alive)

        # the dead run's staging stays until the next batch, which removes it; the
        # staging of a run whose batch still runs (in another process) is left alone
        staging = out / STAGING_NAME
        dead = [p.name for p in staging.iterdir()]
        assert len(dead) == 1
        owner = json.loads((staging / dead[0] / OWNER_NAME).read_text(encoding="utf-8"))
        assert owner["pid"] == proc.pid
        live = staging / "live-run"
        live.mkdir()
        (live / OWNER_NAME).write_text(json.dumps(
            {"pid": os.getppid(), "started": psutil.Process(os.getppid()).create_time()}),
            encoding="utf-8")
        result = run_batch("2010Q4", "province", "ok", jobs=1, data_dir=small_demo,
                           out_dir=out, notebook_dir=TEST_NOTEBOOKS, progress=False)
        assert result.exit_code == 0, result.table()
        time.sleep(2.0)  # nothing left behind writes into the dead run's staging
        assert sorted(p.name for p in staging.iterdir()) == ["live-run"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for p in seen.values():  # do not leave a failing run's orphans behind
            try:
                p.kill()
            except psutil.Error:
                pass


def test_remove_dead_runs_keeps_live_runs_only(tmp_path: Path):
    staging = tmp_path / STAGING_NAME
    other = os.getppid()  # a process that runs, not this one
    runs = {"live": {"pid": other, "started": processes.process_started(other)},
            "reused-id": {"pid": other, "started": 1.0},
            "gone": {"pid": 2 ** 22 + 1, "started": 1.0},
            "no-owner": None,
            # this process's earlier batch: it has ended, as the caller holds the lock
            "earlier-here": {"pid": os.getpid(), "started": processes.process_started()}}
    for name, owner in runs.items():
        (staging / name / "2010Q4").mkdir(parents=True)
        if owner is not None:
            (staging / name / OWNER_NAME).write_text(json.dumps(owner), encoding="utf-8")
    assert remove_dead_runs(staging) == ["earlier-here", "gone", "no-owner", "reused-id"]
    assert [p.name for p in staging.iterdir()] == ["live"]
    assert remove_dead_runs(tmp_path / "missing") == []


def test_jobs_are_capped_at_the_usable_cores(fake_data: Path, tmp_path: Path, monkeypatch,
                                             capsys):
    assert processes.usable_cores() >= 1
    # one usable core, as taskset or a container would give this process
    if hasattr(os, "sched_getaffinity"):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    else:
        monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert processes.usable_cores() == 1
    monkeypatch.setenv(NOTEBOOKS_ENV, str(TEST_NOTEBOOKS))
    monkeypatch.setenv(PROGRESS_ENV, "0")
    peak = [0]
    done = threading.Event()

    def count_workers() -> None:
        while not done.is_set():
            workers = 0
            for p in psutil.Process().children():
                try:
                    workers += "spawn_main" in " ".join(p.cmdline())
                except psutil.Error:
                    continue
            peak[0] = max(peak[0], workers)
            time.sleep(0.1)

    watcher = threading.Thread(target=count_workers, daemon=True)
    watcher.start()
    try:
        code = cli.main(["run", "--quarter", "2010Q4", "--scope", "province,fuzhou,xiamen",
                         "--reports", "ok", "--jobs", "100", "--data", str(fake_data),
                         "--out", str(tmp_path / "out")])
    finally:
        done.set()
        watcher.join()
    err = capsys.readouterr().err
    assert code == 0, err
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert len(warnings) == 1, err
    assert "--jobs 100 lowered to 1" in warnings[0] and "usable cores" in warnings[0]
    assert f"{processes.JOB_MEMORY_GIB:.1f} GiB" in warnings[0]
    assert peak[0] == 1  # one worker, not one per task


def test_run_help_documents_the_cap(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "at most the usable cores" in text
    assert f"about {processes.JOB_MEMORY_GIB:.1f} GiB of memory" in text
