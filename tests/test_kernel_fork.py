"""Kernels forked from a fork server (gotone_analysis.kernel_fork)."""

from __future__ import annotations

import os
import sys
import time

import psutil
import pytest

from gotone_analysis import kernel_fork, kernels


def run_sync(fn, *args, **kwargs):
    from jupyter_core.utils import run_sync as sync

    return sync(fn)(*args, **kwargs)


def _command(p: psutil.Process) -> str:
    try:
        return " ".join(p.cmdline())
    except psutil.Error:  # gone, or a zombie
        return ""


@pytest.fixture()
def server(monkeypatch):
    monkeypatch.delenv(kernel_fork.FORK_ENV, raising=False)
    path = kernel_fork.start_server()
    assert path is not None and os.environ[kernel_fork.SERVER_ENV] == path
    (proc,) = [p for p in psutil.Process().children() if "kernel_fork serve" in _command(p)]
    yield proc
    kernels.shutdown_all()
    kernel_fork.stop_server()
    assert not os.path.exists(os.path.dirname(path))  # its socket's folder removed
    assert kernel_fork.SERVER_ENV not in os.environ
    assert not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE


def _start(tmp_path, env=None):
    km = kernels.owned_manager_class()(kernel_name="python3")
    run_sync(km.start_kernel, cwd=str(tmp_path), env={**os.environ, **(env or {})})
    kc = km.client()
    kc.start_channels()
    run_sync(kc.wait_for_ready, timeout=60)
    return km, kc


def _value(kc, expression: str) -> str:
    """``expression`` evaluated in the kernel, read from the shell reply (not the stream)."""
    for _ in range(5):
        reply = run_sync(kc.execute_interactive, "", user_expressions={"v": expression},
                         timeout=60)
        if reply["content"]["status"] != "aborted":  # a kernel still clearing an error's queue
            break
        time.sleep(0.2)
    assert reply["content"]["status"] == "ok", reply["content"]
    return reply["content"]["user_expressions"]["v"]["data"]["text/plain"]


def test_a_kernel_is_a_fresh_fork_with_its_folder_environment_and_prepared_modules(
        server, tmp_path):
    seen = []
    for i in range(2):
        km, kc = _start(tmp_path, {"GOTONE_TEST_VALUE": f"kernel-{i}"})
        launcher = km.provisioner.process.pid
        try:
            run_sync(kc.execute_interactive, "import os, sys, numpy", timeout=60)
            got = _value(kc, "' '.join(map(str, (os.getpid(), os.getppid(), os.getcwd(), "
                             "os.environ.get('GOTONE_TEST_VALUE'), "
                             "'gotone_analysis.reports.scorecard_139.tables' in sys.modules, "
                             "numpy.random.random(), "
                             "len([k for k in globals() if not k.startswith('_')]))))")
        finally:
            kc.stop_channels()
            run_sync(km.shutdown_kernel)
        pid, ppid, cwd, value, prepared, draw, names = got.strip("'").split()
        assert int(ppid) == server.pid  # forked by the server, not started from scratch
        assert int(pid) != launcher  # the launcher only stands in for it
        assert (cwd, value, prepared) == (str(tmp_path), f"kernel-{i}", "True")
        seen.append((pid, draw, int(names)))
    assert seen[0][0] != seen[1][0]  # one kernel each
    assert seen[0][1] != seen[1][1]  # numpy's global generator reseeded, as in a new process
    assert seen[0][2] == seen[1][2]  # nothing left from the other kernel


def test_interrupt_reaches_the_kernel_and_a_killed_launcher_ends_it(server, tmp_path):
    km, kc = _start(tmp_path)
    try:
        pid = int(_value(kc, "__import__('os').getpid()"))
        assert psutil.Process(pid).ppid() == server.pid
        # stop_on_error=False: the interrupt's error must not abort the next request
        kc.execute("import time; time.sleep(60)", stop_on_error=False)
        time.sleep(0.5)
        run_sync(km.interrupt_kernel)
        reply = run_sync(kc.get_shell_msg, timeout=30)
        assert reply["content"].get("ename") == "KeyboardInterrupt"
        assert _value(kc, "6 * 7") == "42"  # still alive after the interrupt
    finally:
        kc.stop_channels()
        run_sync(km.shutdown_kernel, now=True)  # SIGKILL to the launcher
    deadline = time.monotonic() + 10
    while psutil.pid_exists(pid) and time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.1)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_without_a_server_kernels_start_from_their_spec(monkeypatch):
    cmd = [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "k.json"]
    monkeypatch.delenv(kernel_fork.SERVER_ENV, raising=False)
    assert kernel_fork.kernel_command(cmd) == cmd
    monkeypatch.setenv(kernel_fork.SERVER_ENV, "/nonexistent/server.sock")
    assert kernel_fork.kernel_command(cmd) == cmd
    monkeypatch.setenv(kernel_fork.FORK_ENV, "0")
    assert kernel_fork.start_server() is None and not kernel_fork.enabled()


def test_the_launcher_replaces_ipykernel_in_the_command(server):
    cmd = [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "k.json"]
    got = kernel_fork.kernel_command(cmd)
    assert got == [sys.executable, "-Xfrozen_modules=off", "-m", "gotone_analysis.kernel_fork",
                   os.environ[kernel_fork.SERVER_ENV], "-f", "k.json"]
    other = ["Rscript", "kernel.R", "k.json"]
    assert kernel_fork.kernel_command(other) == other


def test_folders_of_dead_servers_are_removed_live_ones_kept(server, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / f"{kernel_fork.FOLDER_PREFIX}dead"
    dead.mkdir()
    (dead / "server.sock").write_text("", encoding="utf-8")  # nothing listens there
    young = tmp_path / f"{kernel_fork.FOLDER_PREFIX}young"
    young.mkdir()
    old = time.time() - 3600
    os.utime(dead, (old, old))
    live = os.path.dirname(os.environ[kernel_fork.SERVER_ENV])
    link = tmp_path / f"{kernel_fork.FOLDER_PREFIX}live"
    link.symlink_to(live)
    os.utime(link, (old, old), follow_symlinks=False)
    os.utime(live, (old, old))
    assert kernel_fork.remove_dead_servers() == [str(dead)]
    assert not dead.exists() and young.exists() and os.path.exists(live)


def test_every_prepared_module_exists():
    import importlib

    for name in kernel_fork.prepared_modules():
        assert importlib.util.find_spec(name) is not None, name
