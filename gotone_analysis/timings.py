"""Where a report's seconds go: phases timed in its kernel and around it.

A batch (:mod:`gotone_analysis.runner.worker`) names a file in ``$GOTONE_TIMINGS_FILE``
for each notebook it runs. Inside the notebook's kernel the package times its phases
with :func:`phase`:

* ``imports``: modules imported for the first time, by the import timer that
  :func:`start` installs (a warm kernel has imported the common ones before its
  notebook started: :data:`gotone_analysis.kernels.WARM_IMPORTS`, not counted);
* ``data``: input files read, mapped and validated (or read back from the batch's
  cache) and the panel engine's queries;
* ``figures``: drawing a figure and rendering it into the page (the report's figure
  functions and matplotlib's drawing after the cell, :func:`watch_figures`);
* ``publish``: writing the metrics, tables and ledger.

Phases are exclusive: a module imported while a file is read counts to ``imports``
only. Everything else the cells ran is ``compute``: the cells' seconds (papermill's
per-cell durations) less the timed phases (:func:`breakdown`). The worker adds what
happens outside the kernel: ``kernel`` (waiting for the kernel until the first cell
runs) and ``export`` (the published notebook and its reader HTML).

The kernel may be stopped without running exit hooks, so the totals are written to the
file (JSON, atomically replaced) as they grow. Without ``$GOTONE_TIMINGS_FILE`` nothing
is recorded and :func:`phase` costs a clock read.

Public names: :data:`PHASES`, :data:`TIMINGS_ENV`, :func:`phase`, :func:`timed`,
:func:`start`, :func:`stop`, :func:`watch_figures`, :func:`totals`, :func:`read`,
:func:`breakdown`.
"""

from __future__ import annotations

import builtins
import functools
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

__all__ = ["PHASES", "TIMINGS_ENV", "breakdown", "phase", "read", "start", "stop", "timed",
           "totals", "watch_figures"]

#: Environment variable naming the file a kernel writes its phase totals to.
TIMINGS_ENV = "GOTONE_TIMINGS_FILE"

#: The phases of a notebook, in the order they happen.
PHASES = ("kernel", "imports", "data", "compute", "figures", "publish", "export")

#: Phases timed inside the kernel (the others are the worker's or the remainder).
KERNEL_PHASES = ("imports", "data", "figures", "publish")

#: Seconds a record waits before the totals are written again (imports are many).
_WRITE_EVERY = 0.05

_STACK: list[list] = []  # [name, started, seconds of inner phases]
_TOTALS: dict[str, float] = {}
_STATE: dict[str, object] = {}
_MAIN = threading.main_thread().ident


def _target() -> str | None:
    return os.environ.get(TIMINGS_ENV) or None


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Time the block as phase ``name`` (exclusive of inner phases) when recording.

    Only the main thread's phases are timed (a kernel's other threads import too).
    """
    if threading.get_ident() != _MAIN or _target() is None:
        yield
        return
    started = time.perf_counter()
    frame = [name, started, 0.0]
    _STACK.append(frame)
    try:
        yield
    finally:
        _STACK.pop()
        elapsed = time.perf_counter() - started
        _TOTALS[name] = _TOTALS.get(name, 0.0) + elapsed - frame[2]
        if _STACK:
            _STACK[-1][2] += elapsed
        else:
            _write(force=name != "imports")


def timed(name: str) -> Callable:
    """Decorator: every call of the function is timed as phase ``name``."""

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            with phase(name):
                return fn(*args, **kwargs)

        return inner

    return wrap


def _write(force: bool = False) -> None:
    path = _target()
    now = time.perf_counter()
    if path is None or (not force and now - float(_STATE.get("written", 0.0)) < _WRITE_EVERY):
        return
    _STATE["written"] = now
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({k: round(v, 4) for k, v in _TOTALS.items()}, fh)
        os.replace(tmp, path)
    except OSError:  # timing never breaks a report
        pass


def _timed_import(name, globals=None, locals=None, fromlist=(), level=0):
    original = _STATE["import"]
    if _STACK and _STACK[-1][0] == "imports":  # inside a timed import: count once
        return original(name, globals, locals, fromlist, level)
    with phase("imports"):
        return original(name, globals, locals, fromlist, level)


def start() -> bool:
    """Start recording in this process: totals reset, the import timer installed.

    Returns
    -------
    bool
        True when ``$GOTONE_TIMINGS_FILE`` is set (recording), False otherwise.
    """
    _TOTALS.clear()
    _STATE.pop("written", None)
    if _target() is None:
        return False
    if "import" not in _STATE:
        _STATE["import"] = builtins.__import__
        builtins.__import__ = _timed_import
    return True


def stop() -> None:
    """Stop recording in this process: the import timer removed, the totals kept."""
    original = _STATE.pop("import", None)
    if original is not None and builtins.__import__ is _timed_import:
        builtins.__import__ = original


def watch_figures() -> None:
    """Time the inline backend's drawing after each cell as ``figures``; idempotent.

    In a Jupyter kernel matplotlib draws a cell's figures after the cell
    (``flush_figures``, a ``post_execute`` callback): that callback is wrapped in
    :func:`phase`. Does nothing outside a recording kernel.
    """
    if _target() is None or _STATE.get("figures_watched"):
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is None:
        return
    callbacks = ip.events.callbacks.get("post_execute", [])
    for i, cb in enumerate(callbacks):
        if getattr(cb, "__name__", "") == "flush_figures":
            callbacks[i] = timed("figures")(cb)
            _STATE["figures_watched"] = True


def totals() -> dict[str, float]:
    """The phase seconds recorded in this process so far."""
    return dict(_TOTALS)


def read(path: str | os.PathLike) -> dict[str, float]:
    """The phase totals a kernel wrote to ``path`` (empty when it wrote none)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items() if k in KERNEL_PHASES}


def breakdown(cells_seconds: float, kernel: Mapping[str, float], *,
              kernel_wait: float, export: float) -> dict[str, float]:
    """One notebook's seconds by phase.

    Parameters
    ----------
    cells_seconds : float
        The seconds its cells ran (sum of papermill's per-cell durations).
    kernel : mapping
        The kernel's phase totals (:func:`read`).
    kernel_wait : float
        Seconds from the task's start until its first cell ran.
    export : float
        Seconds writing the published notebook and its reader HTML.

    Returns
    -------
    dict
        Seconds of every phase of :data:`PHASES`; ``compute`` is what the cells ran
        outside the timed phases (never below zero).
    """
    inside = {p: float(kernel.get(p, 0.0)) for p in KERNEL_PHASES}
    out = {"kernel": max(kernel_wait, 0.0), **inside,
           "compute": max(cells_seconds - sum(inside.values()), 0.0),
           "export": max(export, 0.0)}
    return {p: round(out[p], 3) for p in PHASES}
