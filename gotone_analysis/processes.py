"""A batch's processes: they end with their starter, how many run at once, whether one runs.

A batch's worker processes, and the kernels each worker starts, must not outlive the
process that started them: a batch killed with SIGKILL runs no clean-up of its own, and a
worker left behind would go on executing its notebook (a few hundred MB with its kernels)
and writing into the staging folder of a run that is gone.

* :func:`die_with_parent` asks the operating system to kill the calling process when its
  parent ends (Linux ``PR_SET_PDEATHSIG``); a batch worker calls it when it starts, and
  :func:`child_preexec` makes the same request in a kernel between ``fork`` and ``exec``;
* :func:`parent_alive` is the check for systems without it (and before writing);
* :func:`process_started` and :func:`process_alive` record a process and tell later
  whether it still runs (its id and start time, so a reused id does not count): the batch
  uses them to find the staging folders of runs whose batch is gone;
* :func:`usable_cores` is the most workers a batch runs at once, and
  :data:`JOB_MEMORY_GIB` the memory each busy one needs.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

__all__ = ["JOB_MEMORY_GIB", "child_preexec", "die_with_parent", "parent_alive",
           "process_alive", "process_started", "usable_cores"]

#: Memory (GiB) one busy job of a batch needs on the small demo: its worker process, the
#: kernel running a notebook and the next kernel kept warm. Measured as the peak of their
#: proportional set size (PSS) over every report of 2010Q4: 0.63 GiB with ``--jobs 1``,
#: 1.22 GiB with ``--jobs 2`` (0.97 GiB a job counting each process's shared pages in
#: full). The full-scale panel's readers need several times more (README).
JOB_MEMORY_GIB = 0.6

#: ``prctl`` option: the signal the calling process gets when its parent ends.
_PR_SET_PDEATHSIG = 1


def _load_prctl():
    """libc's ``prctl``, looked up once (never between ``fork`` and ``exec``), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                      ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return prctl


_PRCTL = _load_prctl()


def die_with_parent(parent: int | None = None, signum: int = signal.SIGKILL) -> bool:
    """Have the calling process killed with ``signum`` when its parent process ends.

    On Linux this is ``prctl(PR_SET_PDEATHSIG)``: the request survives ``exec`` and is
    acted on by the operating system, so it holds even when the parent is killed with
    SIGKILL. The parent, for this purpose, is the *thread* that started the process: start
    such processes from a thread that lives as long as the parent (a batch starts its
    workers, and a worker its kernels, from its main thread).

    Parameters
    ----------
    parent : int, optional
        The process id the caller expects as its parent. If the parent has already ended
        (the caller was handed to another parent before the request was made), the caller
        is sent ``signum`` at once.
    signum : int, default SIGKILL
        The signal.

    Returns
    -------
    bool
        True when the request was made; False where the system has no such request
        (then use :func:`parent_alive`).
    """
    done = _PRCTL is not None and _PRCTL(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), signum)
    return done


def child_preexec(signum: int = signal.SIGKILL) -> Callable[[], None]:
    """A ``preexec_fn`` for :class:`subprocess.Popen`: the child dies with this process.

    Call it in the process (and thread) that starts the child; the function it returns
    runs in the child between ``fork`` and ``exec`` and calls :func:`die_with_parent`
    with this process as the expected parent.

    Returns
    -------
    callable
        A function of no arguments, for ``Popen(..., preexec_fn=...)``.
    """
    parent = os.getpid()

    def preexec() -> None:
        die_with_parent(parent, signum)

    return preexec


def parent_alive(parent: int) -> bool:
    """Whether the process that started the caller still runs.

    Returns
    -------
    bool
        True while the caller's parent is still ``parent`` (an orphan is handed to
        another process, e.g. init, when its parent ends).
    """
    return os.getppid() == parent


def process_started(pid: int | None = None) -> float | None:
    """When a process started (seconds since the epoch), to tell it from a reused id.

    Returns
    -------
    float or None
        The start time of process ``pid`` (default this one), None if it does not run.
    """
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def process_alive(pid: int, started: float | None = None) -> bool:
    """Whether process ``pid`` still runs (and is the one that started at ``started``).

    Parameters
    ----------
    pid : int
        The recorded process id.
    started : float, optional
        Its recorded start time (:func:`process_started`); a process with that id but
        another start time is a different one, and does not count.

    Returns
    -------
    bool
        False when no such process runs, it is a zombie, or its id was reused.
    """
    import psutil

    try:
        proc = psutil.Process(int(pid))
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return started is None or abs(proc.create_time() - float(started)) < 1.0
    except (psutil.NoSuchProcess, ValueError, TypeError):
        return False
    except psutil.AccessDenied:  # another user's process with that id: it runs
        return True


def usable_cores() -> int:
    """The cores this process may run on: the most workers a batch runs at once.

    Returns
    -------
    int
        ``len(os.sched_getaffinity(0))`` where the system has it (a container's or
        ``taskset``'s limit), else ``os.cpu_count()``; at least 1.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
