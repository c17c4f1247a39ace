"""Warm kernels: each batch worker starts its next notebook's kernel ahead of need.

A notebook's kernel costs a few seconds before its first cell runs: the Python process
starts, then the cells import numpy, pandas, matplotlib and this package. A worker of
:mod:`gotone_analysis.runner.worker` therefore keeps one kernel warm (the pool has as many as
the batch has ``--jobs``): as soon as a notebook takes the warm kernel, the next one is
started and told to import :data:`WARM_IMPORTS` while the current notebook runs.

Each notebook still gets a fresh kernel of its own, never one that ran another notebook.
Before it is handed over, a warm kernel is moved to the task's folder and given the
task's environment (:func:`take`), with silent executions that leave no history and no
variables, so the executed notebook is the same as with a kernel started for it (the
batch's tests compare the published metrics). A warm kernel that died, or did not
answer in time, is shut down and the notebook starts its own, as without the pool.

Neither side idles: the client that waits for a kernel (:func:`owned_manager_class`'s
``client_factory``) returns as soon as the kernel answered, not after 0.2 s of silence
on IOPub as jupyter_client's does; a kernel whose notebook is done is killed at once
(:func:`release`) and its manager shut down at the next notebook, not polled until the
process is gone.

``$GOTONE_WARM_KERNELS=0`` turns the pool off (every notebook starts its own kernel).

Every kernel of a worker, warm or started by papermill, is started by the manager class
of :func:`owned_manager_class`, so it dies with the worker that started it
(:func:`gotone_analysis.processes.die_with_parent`), even when the worker is killed.

Public names: :data:`WARM_IMPORTS`, :data:`WARM_ENV`, :class:`WarmKernel`,
:func:`enabled`, :func:`owned_manager_class`, :func:`prepare_next`, :func:`take`,
:func:`release`, :func:`shutdown_all`.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Mapping

from . import kernel_fork, processes, timings

__all__ = ["WARM_ENV", "WARM_IMPORTS", "WarmKernel", "enabled", "owned_manager_class",
           "prepare_next", "release", "shutdown_all", "take"]

#: Environment variable: ``0`` turns the warm pool off.
WARM_ENV = "GOTONE_WARM_KERNELS"

#: Modules a warm kernel imports while it waits (what every report notebook imports; the
#: fork server's list, :data:`gotone_analysis.kernel_fork.KERNEL_IMPORTS`).
WARM_IMPORTS = kernel_fork.KERNEL_IMPORTS
#: Seconds :func:`take` waits for a warm kernel to finish its imports and the prelude.
READY_TIMEOUT = 120.0

_POOL: list[WarmKernel] = []
#: The class :func:`owned_manager_class` makes, once.
_OWNED: list[type] = []
#: Kernels handed out by :func:`take`, by id of their manager, until :func:`release`.
_TAKEN: dict[int, WarmKernel] = {}
#: Kernels :func:`release` killed, their managers not yet shut down.
_ENDING: list[WarmKernel] = []


def enabled() -> bool:
    """Whether workers keep a warm kernel (``$GOTONE_WARM_KERNELS`` is not ``0``)."""
    return os.environ.get(WARM_ENV, "1") != "0"


def owned_manager_class() -> type:
    """The kernel manager class of a batch's kernels: each kernel dies with its starter.

    A subclass of ``jupyter_client.AsyncKernelManager`` whose ``start_kernel`` starts the
    kernel process with :func:`gotone_analysis.processes.child_preexec`, so the kernel is
    killed when the process that started it (a batch worker) ends, however it ends.
    :class:`WarmKernel` uses it, and the worker passes it to papermill
    (``kernel_manager_class``) for the kernels papermill starts itself. The class is made
    on first use, so importing this module does not import jupyter_client.

    Returns
    -------
    type
        The manager class (the same one on every call).
    """
    if not _OWNED:
        from jupyter_client.manager import AsyncKernelManager
        from traitlets import default

        client_class = _ready_client_class()

        class OwnedKernelManager(AsyncKernelManager):
            """An ``AsyncKernelManager`` whose kernels die with the process that started them."""

            @default("client_factory")
            def _ready_client(self):
                return client_class

            async def start_kernel(self, **kw):
                """Start the kernel as ``AsyncKernelManager`` does, tied to this process."""
                kw.setdefault("preexec_fn", processes.child_preexec())
                return await super().start_kernel(**kw)

            def format_kernel_cmd(self, extra_arguments=None):
                """The kernel spec's command, as a fork of the fork server this worker uses
                when it has one (:func:`gotone_analysis.kernel_fork.kernel_command`)."""
                return kernel_fork.kernel_command(
                    super().format_kernel_cmd(extra_arguments=extra_arguments))

        _OWNED.append(OwnedKernelManager)
    return _OWNED[0]


def _ready_client_class() -> type:
    """``AsyncKernelClient`` whose wait for a ready kernel does not idle for 0.2 s.

    jupyter_client's ``wait_for_ready`` asks for ``kernel_info``, checks that IOPub
    delivers, then reads IOPub until it has been silent for 0.2 s; nbclient calls it before
    every notebook. nbclient reads only the messages of its own requests (it matches
    their parent), so the messages left from ``kernel_info`` need no wait: they are
    drained as they are. The same checks otherwise (a reply on the shell channel, a
    message on IOPub, a dead kernel or the timeout raise as there), with a shorter wait
    for IOPub before asking again. 0.2 s of idle worker per notebook is 12 s of a
    quarter's 60 notebooks.
    """
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_core.utils import ensure_async

    class ReadyClient(AsyncKernelClient):
        """An ``AsyncKernelClient`` that returns as soon as its kernel answered."""

        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:  # IOPub connected? (its first messages can be missed)
                            await ensure_async(self.iopub_channel.get_msg(timeout=0.05))
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(msg)
                            break
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
            while True:  # what has arrived of kernel_info's messages, without waiting
                try:
                    await ensure_async(self.iopub_channel.get_msg(timeout=0))
                except Empty:
                    break

        wait_for_ready = _async_wait_for_ready

    return ReadyClient


def _run(coro_fn, *args, **kwargs):
    from jupyter_core.utils import run_sync

    return run_sync(coro_fn)(*args, **kwargs)


class WarmKernel:
    """A kernel started ahead of need, importing :data:`WARM_IMPORTS` in the background.

    Parameters
    ----------
    kernel_name : str
        Kernel spec (the batch's ``python3``).
    """

    def __init__(self, kernel_name: str = "python3") -> None:
        self.km = owned_manager_class()(kernel_name=kernel_name)
        # a neutral folder that outlives every run; take() moves the kernel to its task,
        # and gives it the task's environment (it must not time itself into the file of
        # the task running now: gotone_analysis.timings)
        env = {k: v for k, v in os.environ.items() if k != timings.TIMINGS_ENV}
        _run(self.km.start_kernel, cwd=tempfile.gettempdir(), env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        code = ("try:\n" + "".join(f"    import {m}\n" for m in WARM_IMPORTS)
                + "except Exception:\n    pass\n")
        # silent: no output, no history, no execution count; the kernel runs it now
        self.kc.execute(code, silent=True, store_history=False)

    def prepare(self, cwd: str, env: Mapping[str, str | None],
                timeout: float = READY_TIMEOUT) -> bool:
        """Move the kernel to ``cwd`` and set (or, for None, unset) ``env``; wait for it.

        Returns
        -------
        bool
            True when the kernel answered ``ok`` within ``timeout`` (its imports are
            done), False otherwise (the caller then shuts it down).
        """
        values = {str(k): (None if v is None else str(v)) for k, v in env.items()}
        prelude = (
            "def _gotone_prelude(os=__import__('os')):\n"
            f"    os.chdir({str(cwd)!r})\n"
            f"    for k, v in {values!r}.items():\n"
            "        if v is None:\n"
            "            os.environ.pop(k, None)\n"
            "        else:\n"
            "            os.environ[k] = v\n"
            "_gotone_prelude()\n"
            "del _gotone_prelude\n"
            # a batch times the notebook's phases from here (gotone_analysis.timings)
            "try:\n"
            "    __import__('gotone_analysis.timings').timings.start()\n"
            "except ImportError:\n"
            "    pass\n"
        )
        try:
            if not _run(self.km.is_alive):
                return False
            msg_id = self.kc.execute(prelude, silent=True, store_history=False)
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                reply = _run(self.kc.get_shell_msg, timeout=left)
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    return reply.get("content", {}).get("status") == "ok"
        except Exception:  # noqa: BLE001 - any trouble: the notebook starts its own kernel
            return False
        finally:
            self.kc.stop_channels()

    def _stop_channels(self) -> None:
        try:
            self.kc.stop_channels()
        except Exception:  # noqa: BLE001 - already closed
            pass

    def kill(self) -> None:
        """Kill the kernel process without waiting for it to end (:func:`release`)."""
        self._stop_channels()
        try:
            _run(self.km.provisioner.kill)
        except Exception:  # noqa: BLE001 - gone already, or never started: shutdown() cleans up
            pass

    def shutdown(self) -> None:
        """Stop the kernel process (at once) and free its ports and files."""
        self._stop_channels()
        try:
            if _run(self.km.is_alive):
                _run(self.km.shutdown_kernel, now=True)
            _run(self.km.cleanup_resources)
        except Exception:  # noqa: BLE001 - best effort: the process may be gone already
            pass


def prepare_next(kernel_name: str = "python3") -> None:
    """Start this worker's next warm kernel unless one is waiting (or the pool is off)."""
    if _POOL or not enabled():
        return
    try:
        _POOL.append(WarmKernel(kernel_name))
    except Exception:  # noqa: BLE001 - no warm kernel: notebooks start their own
        return


def take(cwd: str | os.PathLike, env: Mapping[str, str | None]):
    """The warm kernel's manager, prepared for a task, or None (then start one as usual).

    Parameters
    ----------
    cwd : path
        The task's working folder.
    env : mapping
        Environment variables the task's kernel needs (None: must not be set).

    Returns
    -------
    jupyter_client.AsyncKernelManager or None
        A manager with a live kernel, for ``papermill.execute_notebook(..., km=...)``;
        the caller ends it after the notebook (:func:`release`).
    """
    _reap()
    if not _POOL:
        return None
    warm = _POOL.pop()
    if warm.prepare(str(cwd), env):
        _TAKEN[id(warm.km)] = warm
        return warm.km
    warm.shutdown()
    return None


def release(km) -> None:
    """End a kernel handed out by :func:`take` once its notebook has run.

    The kernel is killed at once, and the worker goes on: its manager is shut down (the
    process reaped, its ports and files freed) at the next :func:`release`, :func:`take`
    or :func:`shutdown_all`, by when it has ended (jupyter_client's shutdown polls every
    0.1 s until the process is gone: idle worker time, every notebook).
    """
    _reap()
    warm = _TAKEN.pop(id(km), None)
    if warm is not None:
        warm.kill()
        _ENDING.append(warm)


def _reap() -> None:
    """Shut down the managers of the kernels :func:`release` killed."""
    while _ENDING:
        _ENDING.pop().shutdown()


def shutdown_all() -> None:
    """Shut down every kernel of this process's pool (a worker's exit)."""
    _reap()
    while _POOL:
        _POOL.pop().shutdown()
    for key in list(_TAKEN):
        _TAKEN.pop(key).shutdown()
