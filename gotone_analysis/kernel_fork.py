"""Kernels forked from a prepared process: a fresh kernel in a fraction of a second.

Starting a notebook's kernel costs about two seconds of processor time: Python starts,
ipykernel starts, then numpy, pandas, scipy, matplotlib and this package are imported.
A batch starts one kernel a notebook (sixty a quarter), so on two cores that is a large
part of a quarter. A batch therefore starts one **fork server** (:func:`start_server`) as it begins, so
that its imports run while the batch checks its inputs: a process that imports ipykernel
and the report modules (:func:`prepared_modules`) once and then waits. Its workers inherit
it (:data:`SERVER_ENV`; a worker without one starts its own). Each kernel a worker starts
is a fork of it, made for that kernel alone, so each notebook still gets a kernel of its
own that never ran another notebook.

How a kernel is started: jupyter_client runs the **launcher** (``python -m
gotone_analysis.kernel_fork <socket> -f <connection file>``, a small process, in place of
``ipykernel_launcher``; :func:`kernel_command`). The launcher hands the server its
standard streams, working folder, environment and the connection file; the server forks;
the child takes them over and runs the IPython kernel. The launcher stays as the kernel's
stand-in for jupyter_client: it passes on the signals it receives (interrupt, terminate),
exits with the kernel's exit status, and when it is killed (a kernel shut down at once,
a worker gone) the kernel ends too: it watches a pipe whose other end only the launcher
holds. When no server answers, the launcher becomes an ordinary kernel
(``ipykernel_launcher``).

``$GOTONE_FORK_KERNELS=0`` turns the server off (every kernel starts from scratch).

Public names: :data:`FORK_ENV`, :data:`SERVER_ENV`, :data:`KERNEL_IMPORTS`, :data:`PREPARED_PACKAGES`,
:data:`PREPARED_LAZY`,
:func:`enabled`, :func:`start_server`, :func:`serving`, :func:`stop_server`, :func:`kernel_command`,
:func:`prepared_modules`, :func:`serve`, :func:`launch`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["FORK_ENV", "KERNEL_IMPORTS", "PREPARED_LAZY", "PREPARED_PACKAGES", "SERVER_ENV", "enabled", "kernel_command",
           "launch", "prepared_modules", "remove_dead_servers", "serve", "serving",
           "start_server", "stop_server"]

#: Environment variable: ``0`` turns the fork server off.
FORK_ENV = "GOTONE_FORK_KERNELS"
#: Prefix of the temporary folder holding a fork server's socket.
FOLDER_PREFIX = "gotone-kernels-"
#: Environment variable naming the socket of the fork server this process forks its kernels from.
SERVER_ENV = "GOTONE_KERNEL_SERVER"
#: The matplotlib backend of a Jupyter kernel (ipykernel sets the same).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Signals the launcher passes on to its kernel.
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
             signal.SIGUSR2)
#: Modules every report notebook imports (a warm kernel imports them too:
#: :data:`gotone_analysis.kernels.WARM_IMPORTS`).
KERNEL_IMPORTS = (
    "numpy", "pandas", "scipy.stats", "matplotlib.pyplot", "gotone_analysis",
    "gotone_analysis.report", "gotone_analysis.plots", "gotone_analysis.labels",
    "gotone_analysis.tables", "gotone_analysis.policy", "gotone_analysis.survey",
    "gotone_analysis.io",
)
#: Packages whose every module the server imports (the report notebooks use them).
PREPARED_PACKAGES = ("gotone_analysis.reports", "gotone_analysis.effects",
                     "gotone_analysis.panel")
#: Modules the panel engine imports when first used, imported in the server too (no
#: connection is made there: a fork never shares an engine's threads).
PREPARED_ENGINE = ("duckdb", "ibis", "ibis.backends.duckdb")
#: Modules the notebooks import on first use, not at the import of the modules above
#: (measured: what a report notebook's kernel imported that the server had not): the CJK
#: font's package and the font tools matplotlib reads it with, Parquet and Arrow's pandas
#: conversion, pandas' and statsmodels' lazily imported parts, the batch cache.
PREPARED_LAZY = (
    "mplfonts", "mplfonts.util.manage", "fontTools.ttLib", "fontTools.pens.recordingPen",
    "fontTools.pens.transformPen", "fontTools.misc.xmlWriter", "PIL.features",
    "matplotlib.backends.backend_agg", "pyarrow.parquet", "pyarrow.pandas_compat",
    "pandas.core.methods.to_dict", "pandas.core.reshape.reshape", "pandas.io.formats.csvs",
    "pandas.io.formats.style", "statsmodels.base.covtype", "ibis.formats.pandas",
    "ibis.backends.duckdb.converter", "gotone_analysis.cache",
)
#: Seconds a launcher waits for the server to fork its kernel.
FORK_TIMEOUT = 120.0

_SERVER: list[tuple[subprocess.Popen, str]] = []


def enabled() -> bool:
    """Whether workers fork their kernels (``$GOTONE_FORK_KERNELS`` is not ``0``)."""
    return os.environ.get(FORK_ENV, "1") != "0"


# --- messages: a 4-byte length, then JSON ----------------------------------------------

def _send(sock: socket.socket, obj, fds: list[int] | None = None) -> None:
    data = json.dumps(obj).encode("utf-8")
    payload = struct.pack("!I", len(data)) + data
    if fds:
        socket.send_fds(sock, [payload], fds)
    else:
        sock.sendall(payload)


def _recv(sock: socket.socket, with_fds: int = 0):
    if with_fds:
        msg, fds, _, _ = socket.recv_fds(sock, 1 << 20, with_fds)
    else:
        msg, fds = b"", []
    while len(msg) < 4:
        more = sock.recv(4 - len(msg))
        if not more:
            raise EOFError("the other side closed the connection")
        msg += more
    size = struct.unpack("!I", msg[:4])[0]
    data = msg[4:]
    while len(data) < size:
        more = sock.recv(size - len(data))
        if not more:
            raise EOFError("the other side closed the connection")
        data += more
    return json.loads(data.decode("utf-8")), list(fds)


# --- the worker's side -----------------------------------------------------------------

def start_server(timeout: float = 60.0) -> str | None:
    """Start this process's fork server and point :data:`SERVER_ENV` at it.

    The server runs the interpreter of this process with the options Jupyter's kernel
    spec gives kernels (``-Xfrozen_modules=off``), so forked kernels behave as started
    ones. The server dies with this process (:func:`gotone_analysis.processes.child_preexec`).

    Returns
    -------
    str or None
        The server's socket path, or None when forking is off or the server did not
        start (kernels then start from scratch).
    """
    from . import processes

    if not enabled() or not hasattr(socket, "send_fds"):
        return None
    remove_dead_servers()
    folder = tempfile.mkdtemp(prefix=FOLDER_PREFIX)
    path = os.path.join(folder, "server.sock")
    env = {**os.environ, "MPLBACKEND": INLINE_BACKEND}
    env.pop(SERVER_ENV, None)
    try:
        proc = subprocess.Popen([sys.executable, "-Xfrozen_modules=off", "-m", __name__,
                                 "serve", path],
                                stdin=subprocess.DEVNULL, env=env,
                                preexec_fn=processes.child_preexec())
    except OSError:
        return None
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            return None
        time.sleep(0.02)
    _SERVER.append((proc, folder))
    os.environ[SERVER_ENV] = path
    return path


def remove_dead_servers(min_age: float = 60.0) -> list[str]:
    """Remove the socket folders of fork servers that are gone (a worker killed).

    A folder counts as dead when it is older than ``min_age`` seconds and nothing
    answers on its socket.

    Returns
    -------
    list of str
        The folders removed.
    """
    import glob
    import shutil

    removed = []
    for folder in glob.glob(os.path.join(tempfile.gettempdir(), f"{FOLDER_PREFIX}*")):
        try:
            if time.time() - os.stat(folder).st_mtime < min_age:
                continue
        except OSError:
            continue
        path = os.path.join(folder, "server.sock")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
            continue  # a live server
        except OSError:
            pass
        finally:
            probe.close()
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def stop_server() -> None:
    """Stop this process's fork server and remove its socket's folder (its kernels keep
    running until shut down: their launchers then stop them)."""
    import shutil

    os.environ.pop(SERVER_ENV, None)
    while _SERVER:
        proc, folder = _SERVER.pop()
        proc.kill()
        proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def serving() -> str | None:
    """The socket of the fork server this process's kernels are forked from
    (:data:`SERVER_ENV`, inherited from the batch or set by :func:`start_server`), or
    None when there is none or forking is off."""
    path = os.environ.get(SERVER_ENV)
    return path if path and enabled() and os.path.exists(path) else None


def kernel_command(cmd: list[str]) -> list[str]:
    """The command that starts a kernel: ``cmd`` (from the kernel spec) as a forked
    kernel when this process has a fork server and ``cmd`` starts an ipykernel
    (``python -m ipykernel_launcher ...``), else ``cmd`` itself."""
    path = serving()
    cmd = list(cmd)
    at = next((i for i in range(1, len(cmd) - 1)
               if cmd[i:i + 2] == ["-m", "ipykernel_launcher"]), None)
    if not path or at is None:
        return cmd
    # the interpreter and its options (-X...), then the launcher instead of ipykernel's
    return [*cmd[:at], "-m", __name__, path, *cmd[at + 2:]]


# --- the server ------------------------------------------------------------------------

def serve(path: str) -> None:
    """Run the fork server on the Unix socket ``path`` (its folder is removed at exit).

    Binds first (launchers may connect at once; they wait in the backlog), imports
    ipykernel and :func:`prepared_modules`, then forks one kernel
    for each launcher and tells the launcher its kernel's exit status when it ends.
    """
    import selectors

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C: the batch decides
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    _prepare()
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    children: dict[int, socket.socket] = {}
    try:
        while True:
            for key, _ in sel.select(timeout=0.2):
                if key.fileobj is listener:
                    conn, _ = listener.accept()
                    pid = _fork_kernel(conn, [listener, sel, *children.values()])
                    if pid:
                        children[pid] = conn
                    else:
                        conn.close()
            while children:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                conn = children.pop(pid, None)
                if conn is not None:
                    try:
                        _send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                    except OSError:
                        pass
                    conn.close()
    finally:
        listener.close()
        try:
            os.unlink(path)
            os.rmdir(os.path.dirname(path))
        except OSError:
            pass


def prepared_modules() -> list[str]:
    """The modules the server imports for its kernels: the warm kernel's
    (:data:`KERNEL_IMPORTS`), the engine's
    (:data:`PREPARED_ENGINE`), those imported on first use (:data:`PREPARED_LAZY`) and
    every module of the packages in
    :data:`PREPARED_PACKAGES` (what the report notebooks import)."""
    import importlib
    import pkgutil

    names = [*KERNEL_IMPORTS, *PREPARED_ENGINE, *PREPARED_LAZY]
    for package in PREPARED_PACKAGES:
        names.append(package)
        try:
            path = importlib.import_module(package).__path__
        except Exception:  # noqa: BLE001 - a kernel imports it again and reports it
            continue
        names += [m.name for m in pkgutil.walk_packages(path, f"{package}.")]
    return names


def _prepare() -> None:
    """What every kernel needs, done once in the server: ipykernel and the report
    modules imported, the CJK font of the figures read."""
    import ipykernel.kernelapp  # noqa: F401

    for name in prepared_modules():
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a kernel imports it again and reports it
            pass
    try:
        from matplotlib import font_manager

        from .plots import style

        font_manager.get_font(style.font_path())
    except Exception:  # noqa: BLE001 - each kernel reads it then
        pass


def _fork_kernel(conn: socket.socket, server_files: list) -> int:
    """Fork the kernel a launcher asked for; the child never returns.

    ``server_files`` are the server's own sockets and selector (its listener, the
    connections to the launchers of other kernels): the child closes them, so no kernel
    holds another kernel's connection open.
    """
    try:
        request, fds = _recv(conn, with_fds=4)
    except (OSError, EOFError, ValueError):
        return 0
    if len(fds) != 4:
        for fd in fds:
            os.close(fd)
        return 0
    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        try:
            _send(conn, {"pid": pid})
        except OSError:
            pass
        return pid
    # the kernel
    code = 1
    try:
        for held in server_files:
            held.close()
        conn.close()
        code = _become_kernel(request, fds)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on the kernel's standard error
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001
            pass
        os._exit(code)
    return 0


def _become_kernel(request: dict, fds: list[int]) -> int:
    import random
    import threading

    stdin, stdout, stderr, lifeline = fds
    for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
        os.dup2(fd, target)
        os.close(fd)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setpgid(0, 0)

    def watch() -> None:  # the launcher holds the other end: it is gone, so is the kernel
        try:
            while os.read(lifeline, 1):
                pass
        except OSError:
            pass
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="gotone-lifeline").start()
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    os.chdir(request["cwd"])
    random.seed()
    if "numpy" in sys.modules:  # the legacy global generator, as a new process has it
        sys.modules["numpy"].random.seed()
    from . import timings

    timings.start()  # a batch times this kernel's phases ($GOTONE_TIMINGS_FILE)
    # ipykernel read $JPY_PARENT_PID when the server imported it: name the parent it
    # watches (the server; the launcher is watched through the lifeline) explicitly
    argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
    sys.argv = ["ipykernel_launcher", *argv]
    from ipykernel import kernelapp

    kernelapp.IPKernelApp.launch_instance(argv=argv)
    return 0


# --- the launcher ----------------------------------------------------------------------

def launch(path: str, argv: list[str]) -> int:
    """Have the server at ``path`` fork a kernel for ``argv`` and stand in for it.

    Returns
    -------
    int
        The kernel's exit status (the launcher exits with it).
    """
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        return _plain_kernel(argv)
    read_end, write_end = os.pipe()
    try:
        _send(sock, {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)},
              fds=[0, 1, 2, read_end])
        os.close(read_end)
        sock.settimeout(FORK_TIMEOUT)
        reply, _ = _recv(sock)
        sock.settimeout(None)
        pid = int(reply["pid"])
    except (OSError, EOFError, ValueError, KeyError):
        sock.close()
        return _plain_kernel(argv)

    def forward(signum, _frame) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for sig in FORWARDED:
        signal.signal(sig, forward)
    # write_end stays open as long as this process lives: the kernel's lifeline
    try:
        reply, _ = _recv(sock)
        return int(reply.get("exit", 1))
    except (OSError, EOFError, ValueError):  # the server is gone: so is the kernel
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return 1


def _plain_kernel(argv: list[str]) -> int:
    """No fork server: become an ordinary ipykernel in this process."""
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])
    return 1  # pragma: no cover


def main(argv: list[str] | None = None) -> int:
    """``serve <socket>`` runs the server; ``<socket> -f <file>`` launches a kernel."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"] and len(argv) == 2:
        serve(argv[1])
        return 0
    if len(argv) >= 3 and Path(argv[0]).suffix == ".sock":
        return launch(argv[0], argv[1:])
    print("usage: python -m gotone_analysis.kernel_fork serve <socket> | <socket> -f <file>",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
