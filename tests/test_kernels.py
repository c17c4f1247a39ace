"""Warm kernels of the batch workers: started ahead, moved to their task, never leaked."""

from __future__ import annotations

import os

import psutil
import pytest

from gotone_analysis import kernels


@pytest.fixture()
def pool():
    yield
    kernels.shutdown_all()


def _kernel_children() -> set[int]:
    found = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if p.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(p.cmdline()):
                found.add(p.pid)
        except psutil.Error:  # ended meanwhile
            continue
    return found


def test_warm_kernel_is_moved_to_its_task_and_runs_a_notebook(pool, tmp_path):
    import nbformat
    import papermill as pm

    kernels.prepare_next()
    assert len(_kernel_children()) == 1
    env = {"GOTONE_TEST_VALUE": "from-the-task", "GOTONE_TEST_UNSET": None}
    os.environ["GOTONE_TEST_UNSET"] = "leaked"  # the worker's value must not reach it
    try:
        km = kernels.take(tmp_path, env)
    finally:
        os.environ.pop("GOTONE_TEST_UNSET")
    assert km is not None
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import os, sys\n"
        "print(os.getcwd(), os.environ.get('GOTONE_TEST_VALUE'),\n"
        "      os.environ.get('GOTONE_TEST_UNSET'), 'pandas' in sys.modules,\n"
        "      sorted(k for k in globals() if k.startswith('_gotone')))")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    done = pm.execute_notebook(str(src), str(out), kernel_name="python3", km=km,
                               progress_bar=False)
    kernels.release(km)
    cell = done.cells[0]
    text = cell.outputs[0]["text"].split()
    assert text[0] == str(tmp_path)
    assert text[1:] == ["from-the-task", "None", "True", "[]"]  # imports warm, no leftovers
    assert cell.execution_count == 1  # the prelude left no history
    assert _kernel_children() == set()


def test_dead_warm_kernel_is_replaced_by_a_cold_start(pool, tmp_path):
    kernels.prepare_next()
    (pid,) = _kernel_children()
    psutil.Process(pid).kill()
    psutil.Process(pid).wait(10)
    assert kernels.take(tmp_path, {}) is None
    assert _kernel_children() == set()


def test_pool_off_starts_nothing(pool, monkeypatch):
    monkeypatch.setenv(kernels.WARM_ENV, "0")
    kernels.prepare_next()
    assert _kernel_children() == set() and not kernels.enabled()


def test_every_warm_import_exists():
    import importlib

    from gotone_analysis.kernels import WARM_IMPORTS

    for name in WARM_IMPORTS:
        assert importlib.util.find_spec(name) is not None, name


def test_a_released_kernel_is_killed_at_once_and_reaped_later(pool, tmp_path):
    kernels.prepare_next()
    km = kernels.take(tmp_path, {})
    assert km is not None
    (pid,) = _kernel_children()
    launcher = km.provisioner.process.pid
    kernels.release(km)  # killed, not waited for
    psutil.Process(pid).wait(10)
    assert _kernel_children() == set()
    kernels.shutdown_all()  # its manager shut down: the launcher reaped, no zombie left
    assert not psutil.pid_exists(launcher)


def test_the_ready_wait_returns_for_a_live_kernel_and_raises_for_a_dead_one(pool):
    from jupyter_core.utils import run_sync

    km = kernels.owned_manager_class()(kernel_name="python3")
    run_sync(km.start_kernel)()
    try:
        kc = km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=60)
        from jupyter_client.asynchronous import AsyncKernelClient

        assert type(kc).wait_for_ready is not AsyncKernelClient.wait_for_ready
        msg_id = kc.execute("x = 6 * 7", store_history=False)
        reply = run_sync(kc._async_recv_reply)(msg_id, timeout=30)
        assert reply["content"]["status"] == "ok"
        run_sync(km.provisioner.kill)()
        run_sync(km._async_wait)()
        with pytest.raises(RuntimeError, match="died"):
            run_sync(kc.wait_for_ready)(timeout=5)
        kc.stop_channels()
    finally:
        run_sync(km.shutdown_kernel)(now=True)
