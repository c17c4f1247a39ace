"""Start, stop and check a Spark standalone cluster on this machine: one master, one worker.

Usage::

    python tools/spark_cluster.py start [--port 7077] [--cores 1] [--memory 2g] [--dir DIR]
    python tools/spark_cluster.py status [--dir DIR]
    python tools/spark_cluster.py url [--dir DIR]
    python tools/spark_cluster.py stop [--dir DIR]

(``make spark-cluster`` and ``make spark-cluster-stop`` run the first and the last.)

The master (``org.apache.spark.deploy.master.Master``) and the worker
(``org.apache.spark.deploy.worker.Worker``) are two Java processes started with the
``spark-class`` of the installed PySpark, each in its own process group, listening on
the loopback address only. Their logs, process ids, the worker's application folders
and its spill folder live in one folder, ``.spark-cluster/`` in the project (``--dir``
to choose another): ``master.log``, ``worker.log``, ``master.pid``, ``worker.pid``,
``master.url``, ``work/``, ``local/``.

``start`` waits until the master is alive and the worker registered with it, then
prints the master's URL as ``GOTONE_SPARK_MASTER=spark://127.0.0.1:7077``: set that
variable and ``gotone run --engine spark`` sends its panel queries to the cluster. A
cluster already running from the same folder is left as it is. The worker offers
``--cores`` cores (default 1) and ``--memory`` memory (default 2g) to the applications;
each application's executors take ``spark.executor.memory`` of it (1g unless set).
``stop`` ends the worker (and the executors it started) and then the master, with
SIGTERM and, after ``--grace`` seconds, SIGKILL, and removes the process-id files.
``status`` exits 0 when both processes run, 1 otherwise.

Ports: ``--port`` (master, default 7077), ``--webui-port`` and ``--worker-webui-port``
(default 0: a free port, printed by ``status``); the worker's own port is chosen by Spark.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".spark-cluster"
HOST = "127.0.0.1"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
ROLES = {"master": MASTER_CLASS, "worker": WORKER_CLASS}
#: Lines of the logs that say a role is ready.
READY = {"master": "I have been elected leader", "worker": "Successfully registered with master"}


def spark_home() -> Path:
    """The Spark installation that ships with PySpark (its ``bin/spark-class``)."""
    try:
        import pyspark
    except ImportError:  # pragma: no cover - the spark extra is missing
        raise SystemExit("pyspark is not installed: pip install '.[spark]'") from None
    return Path(pyspark.__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _pid(folder: Path, role: str) -> int | None:
    """The process id of ``role`` when its file names a live process of that class."""
    try:
        pid = int((folder / f"{role}.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    for _ in range(10):  # empty for an instant while spark-class execs the JVM
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            return None
        if cmdline:
            return pid if ROLES[role] in cmdline and _alive(pid) else None
        time.sleep(0.1)
    return None


def _environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    try:
        from gotone_analysis.panel.engine import find_java_home

        home = find_java_home()
    except ImportError:
        home = None
    if home:
        env["JAVA_HOME"] = home
    env.update({"SPARK_LOCAL_IP": HOST, "SPARK_MASTER_HOST": HOST,
                "SPARK_LOG_DIR": str(folder), "SPARK_PID_DIR": str(folder),
                "SPARK_LOCAL_DIRS": str(folder / "local"),
                "SPARK_DAEMON_MEMORY": env.get("SPARK_DAEMON_MEMORY", "512m"),
                "SPARK_NO_DAEMONIZE": "1"})
    return env


def _launch(folder: Path, role: str, args: list[str],
            env: dict[str, str]) -> subprocess.Popen:
    spark_class = spark_home() / "bin" / "spark-class"
    log = open(folder / f"{role}.log", "ab")  # noqa: SIM115 - handed to the child
    try:
        proc = subprocess.Popen([str(spark_class), ROLES[role], *args], stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=str(folder), start_new_session=True)
    finally:
        log.close()
    (folder / f"{role}.pid").write_text(f"{proc.pid}\n")  # spark-class execs the JVM
    return proc


def _wait_ready(folder: Path, role: str, proc: subprocess.Popen, offset: int,
                timeout: float) -> None:
    log = folder / f"{role}.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(log, "rb") as fh:
            fh.seek(offset)
            if READY[role].encode() in fh.read():
                return
        if proc.poll() is not None:
            raise RuntimeError(f"the {role} ended before it was ready; see {log}")
        time.sleep(0.5)
    raise RuntimeError(f"the {role} was not ready after {timeout:.0f} s; see {log}")


def master_url(folder: Path) -> str | None:
    """The URL of the cluster's master started from ``folder``, or None."""
    try:
        return (folder / "master.url").read_text().strip() or None
    except OSError:
        return None


def start(folder: Path, *, port: int = 7077, webui_port: int = 0, worker_webui_port: int = 0,
          cores: int = 1, memory: str = "2g", timeout: float = 120.0) -> str:
    """Start the master and the worker (unless running) and wait until they are ready.

    Returns
    -------
    str
        The master's URL, ``spark://127.0.0.1:<port>``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "work").mkdir(exist_ok=True)
    (folder / "local").mkdir(exist_ok=True)
    if _pid(folder, "master") and _pid(folder, "worker") and master_url(folder):
        return master_url(folder)
    stop(folder)  # a half-running cluster is started again as a whole
    env = _environment(folder)
    url = f"spark://{HOST}:{int(port)}"
    ui = {"master": webui_port or _free_port(), "worker": worker_webui_port or _free_port()}
    offsets = {r: (folder / f"{r}.log").stat().st_size if (folder / f"{r}.log").exists()
               else 0 for r in ROLES}
    try:
        proc = _launch(folder, "master", ["--host", HOST, "--port", str(int(port)),
                                         "--webui-port", str(ui["master"])], env)
        _wait_ready(folder, "master", proc, offsets["master"], timeout)
        proc = _launch(folder, "worker", ["--host", HOST, "--cores", str(int(cores)),
                                         "--memory", str(memory),
                                         "--work-dir", str(folder / "work"),
                                         "--webui-port", str(ui["worker"]), url], env)
        _wait_ready(folder, "worker", proc, offsets["worker"], timeout)
    except BaseException:
        stop(folder)
        raise
    (folder / "master.url").write_text(url + "\n")
    (folder / "webui.txt").write_text(
        f"master http://{HOST}:{ui['master']}\nworker http://{HOST}:{ui['worker']}\n")
    return url


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process
        return True
    try:  # a zombie child of this process counts as ended
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1] != "Z"
    except OSError:
        return False


def _end(pid: int, grace: float) -> None:
    """SIGTERM the process group led by ``pid``, SIGKILL it after ``grace`` seconds."""
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid):
                # the executors of a worker are in its group: wait for them too
                try:
                    os.killpg(pgid, 0)
                except ProcessLookupError:
                    return
            time.sleep(0.2)


def stop(folder: Path, *, grace: float = 20.0) -> list[str]:
    """Stop the worker, then the master; remove their process-id files.

    Returns
    -------
    list of str
        The roles that were running.
    """
    stopped = []
    for role in ("worker", "master"):
        pid = _pid(folder, role)
        if pid is not None:
            _end(pid, grace)
            stopped.append(role)
        (folder / f"{role}.pid").unlink(missing_ok=True)
    (folder / "master.url").unlink(missing_ok=True)
    return stopped


def status(folder: Path) -> dict[str, int | None]:
    """The live process id of each role (None when not running)."""
    return {role: _pid(folder, role) for role in ROLES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "stop", "status", "url"))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                        help="folder of the logs and process ids (default .spark-cluster/)")
    parser.add_argument("--port", type=int, default=7077, help="master port (default 7077)")
    parser.add_argument("--webui-port", type=int, default=0,
                        help="master web UI port (default 0: a free port)")
    parser.add_argument("--worker-webui-port", type=int, default=0,
                        help="worker web UI port (default 0: a free port)")
    parser.add_argument("--cores", type=int, default=1, help="worker cores (default 1)")
    parser.add_argument("--memory", default="2g", help="worker memory (default 2g)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds to wait for each process to be ready")
    parser.add_argument("--grace", type=float, default=20.0,
                        help="seconds between SIGTERM and SIGKILL on stop")
    args = parser.parse_args(argv)
    folder = args.dir.resolve()
    if args.command == "start":
        try:
            url = start(folder, port=args.port, webui_port=args.webui_port,
                        worker_webui_port=args.worker_webui_port, cores=args.cores,
                        memory=args.memory, timeout=args.timeout)
        except RuntimeError as exc:
            print(f"spark cluster: {exc}", file=sys.stderr)
            return 1
        print(f"spark cluster running (logs in {folder})")
        print(f"GOTONE_SPARK_MASTER={url}")
        return 0
    if args.command == "stop":
        stopped = stop(folder, grace=args.grace)
        print(f"spark cluster stopped ({', '.join(stopped)})" if stopped
              else "spark cluster was not running")
        return 0
    pids = status(folder)
    url = master_url(folder)
    running = all(pids.values()) and url is not None
    if args.command == "url":
        if running:
            print(url)
        return 0 if running else 1
    for role, pid in pids.items():
        print(f"{role}: {'running, pid ' + str(pid) if pid else 'not running'}")
    if running:
        ui = folder / "webui.txt"
        if ui.exists():
            print(ui.read_text().strip())
        print(f"GOTONE_SPARK_MASTER={url}")
    return 0 if running else 1


if __name__ == "__main__":
    sys.exit(main())
