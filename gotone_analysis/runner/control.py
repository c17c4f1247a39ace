"""Signals and process control of a batch: stopping workers and their kernels.

* :func:`on_sigterm` turns SIGTERM into :class:`Terminated` in the main thread, so the
  batch stops as it does on Ctrl-C;
* :func:`signals_deferred` holds Ctrl-C and SIGTERM while one report is published;
* :func:`stop_pool` kills every worker and the kernels it started
  (:func:`kill_tree`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import signal


@contextlib.contextmanager
def signals_deferred():
    """Hold Ctrl-C and SIGTERM while one report is published; act on them after.

    A Python handler runs in the main thread whichever thread the signal reached, so
    the handlers themselves are swapped (blocking the signal in this thread alone
    would not stop it).
    """
    caught: list[int] = []
    sigs = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum))
                for s in sigs}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if caught:
        handler = previous[caught[0]]
        if callable(handler):
            handler(caught[0], None)
        elif handler == signal.SIG_DFL:
            os.kill(os.getpid(), caught[0])


def kill_tree(pid: int) -> None:
    """Kill a worker process and everything it started (its kernels).

    The worker is stopped first so it cannot start another kernel between listing
    its children and killing them.
    """
    import psutil

    try:
        proc = psutil.Process(pid)
        proc.suspend()
        procs = [*proc.children(recursive=True), proc]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(procs, timeout=5)


class Terminated(BaseException):
    """Raised in the main thread when the batch receives SIGTERM."""


def on_sigterm(signum, frame):  # noqa: ARG001 - signal handler signature
    """The batch's SIGTERM handler: raises :class:`Terminated` in the main thread.

    Returns
    -------
    None
        It never returns; it raises.
    """
    raise Terminated()


def stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Kill every worker and its kernels, and drop the tasks not started."""
    for pid in list(getattr(pool, "_processes", {}) or {}):
        kill_tree(pid)
    pool.shutdown(wait=False, cancel_futures=True)

