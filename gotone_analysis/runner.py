"""The quarterly batch: every report notebook for a quarter and its scopes, published safely.

:func:`run_batch` checks every notebook's parameters before any kernel starts, then
executes each (report, scope) notebook with papermill in a pool of worker processes
(each worker imports papermill and nbconvert once and exports the reader HTML
itself), and publishes each result as it arrives:

* everything is written under ``<out>/.staging/<run-id>/`` first and moved into
  ``<out>/<quarter>/<scope>/`` with atomic renames, one report at a time, so a
  reader never sees a half-written file and an interrupted batch leaves earlier
  outputs as they were;
* a failed report keeps its last good HTML; its partial executed notebook
  (``<report>.failed.ipynb``) and an error page (``<report>.error.html``) go beside
  it; a later success removes them;
* ``metrics.json`` and ``tables.xlsx`` of a scope gather all its reports; a
  ``status.json`` records each report's status, and ``<out>/index.html`` is rebuilt
  from those after every publish;
* a lock on ``<out>/.gotone.lock`` keeps two batches from writing the same folder.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as _dt
import json
import multiprocessing
import os
import shutil
import signal
import sys
import time
import traceback as _tb
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from . import config, report
from .errors import GotoneError, UsageError
from .params import check_run_parameters

LOCK_NAME = ".gotone.lock"
STAGING_NAME = ".staging"
CACHE_NAME = ".cache"
PARTS_NAME = ".parts"
LOGS_NAME = ".logs"
#: Seconds a second batch waits for the lock before giving up.
LOCK_TIMEOUT = 10.0
#: Seconds papermill waits for a kernel to start.
KERNEL_START_TIMEOUT = 120
#: Environment variable naming another folder of report notebooks (tests, development).
NOTEBOOKS_ENV = "GOTONE_NOTEBOOKS"
#: Set to ``0`` to hide the progress bar of ``gotone run``.
PROGRESS_ENV = "GOTONE_PROGRESS"

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class BatchBusy(GotoneError):
    """Another batch holds the lock on the output folder."""


@dataclass(frozen=True)
class Task:
    """One notebook run: a report for a scope."""

    report: str
    scope: str
    quarter: str
    notebook: Path
    parameters: dict[str, Any]
    staging: Path
    cache_dir: Path
    lang: str
    cell_timeout: int | None = None


@dataclass
class TaskResult:
    """What a worker reports back about one task."""

    report: str
    scope: str
    status: str
    seconds: float
    error: str = ""
    files: list[str] = field(default_factory=list)


@dataclass
class BatchResult:
    """The outcome of a batch."""

    run_id: str
    out_dir: Path
    results: list[TaskResult]
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        """Whether every task succeeded and the batch was not interrupted."""
        return not self.interrupted and all(r.status == "ok" for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 when all succeeded, 130 when interrupted, else 1."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_OK if self.ok else EXIT_FAILED

    def table(self) -> pd.DataFrame:
        """One row per task: ``report, scope, status, seconds``."""
        return pd.DataFrame([{"report": r.report, "scope": r.scope, "status": r.status,
                              "seconds": round(r.seconds, 1)} for r in self.results],
                            columns=["report", "scope", "status", "seconds"])


# --- resolving what to run ------------------------------------------------------------------


def default_notebook_dir() -> Path:
    """The report notebooks shipped with the project (``notebooks/``)."""
    return config.project_root() / "notebooks"


def parse_scopes(text: str | Sequence[str]) -> list[str]:
    """Resolve ``province``, ``all`` or a comma-separated list of scopes.

    Returns
    -------
    list of str
        Scopes in :data:`gotone_analysis.config.SCOPES` order, without repeats.

    Raises
    ------
    UsageError
        Naming any unknown scope.
    """
    items = [s.strip() for s in (text.split(",") if isinstance(text, str) else text)]
    items = [s for s in items if s]
    if not items:
        raise UsageError("parameter scope: give province, all or city codes")
    if "all" in items:
        return list(config.SCOPES)
    unknown = [s for s in items if s not in config.SCOPES]
    if unknown:
        raise UsageError(f"parameter scope: unknown scope(s) {', '.join(unknown)} "
                         f"(choose from all, {', '.join(config.SCOPES)})")
    return [s for s in config.SCOPES if s in items]


def find_reports(notebook_dir: Path, names: str | Sequence[str] | None = None) -> list[str]:
    """The report notebooks to run.

    Parameters
    ----------
    notebook_dir : pathlib.Path
        Folder of ``<report>.ipynb`` files.
    names : str or sequence of str, optional
        Comma-separated or listed report names; default every notebook in the folder.

    Returns
    -------
    list of str
        Report names, in :data:`gotone_analysis.config.REPORTS` order then by name.

    Raises
    ------
    UsageError
        When a named report has no notebook, or the folder has none.
    """
    notebook_dir = Path(notebook_dir)
    present = sorted(p.stem for p in notebook_dir.glob("*.ipynb") if not p.name.startswith("."))
    if names is None:
        chosen = present
    else:
        chosen = [n.strip() for n in (names.split(",") if isinstance(names, str) else names)]
        chosen = [n for n in chosen if n]
        missing = [n for n in chosen if n not in present]
        if missing:
            raise UsageError(f"parameter reports: no notebook for {', '.join(missing)} "
                             f"(available: {', '.join(present) or 'none'})")
    if not chosen:
        raise UsageError(f"no report notebooks in {notebook_dir.name}/")
    order = list(config.REPORTS)
    return sorted(set(chosen), key=lambda n: (order.index(n) if n in order else len(order), n))


# --- the worker side ------------------------------------------------------------------------


def _worker_init(log_dir: str | None = None) -> None:
    """Prepare a worker process.

    Ignores Ctrl-C (the parent decides what to stop), sends the worker's and its
    kernels' standard output and error to ``<log_dir>/worker-<pid>.log`` so the
    batch's terminal shows only the progress bar and the closing table, quiets
    papermill's warnings (the parameters were checked before) and imports papermill
    and nbconvert once.
    """
    import logging

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if log_dir:
        fd = os.open(os.path.join(log_dir, f"worker-{os.getpid()}.log"),
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    logging.getLogger("papermill").setLevel(logging.ERROR)
    import papermill  # noqa: F401

    report._exporter()


def execute_task(task: Task) -> TaskResult:
    """Execute one notebook with papermill and export its reader copy, in staging.

    The kernel starts in ``task.staging`` with ``$GOTONE_PUBLISH_DIR`` pointing
    there, so :func:`gotone_analysis.report.publish` writes metrics and tables beside
    the executed notebook.

    Returns
    -------
    TaskResult
        ``status`` ``"ok"`` with ``<report>.ipynb`` and ``<report>.html`` in staging,
        or ``"failed"`` with ``<report>.failed.ipynb`` (when papermill got that far)
        and ``<report>.error.html``.
    """
    import papermill as pm

    start = time.perf_counter()
    task.staging.mkdir(parents=True, exist_ok=True)
    os.environ[report.PUBLISH_DIR_ENV] = str(task.staging)
    os.environ[report.CACHE_DIR_ENV] = str(task.cache_dir)
    executed = task.staging / f"{task.report}.ipynb"
    title = (f"{report.report_title(task.report, task.lang)} · "
             f"{config.label(task.scope, task.lang)} · {task.quarter}")
    try:
        nb = pm.execute_notebook(
            str(task.notebook), str(executed), parameters=task.parameters,
            kernel_name="python3", cwd=str(task.staging), progress_bar=False,
            log_output=False, request_save_on_cell_execute=False,
            start_timeout=KERNEL_START_TIMEOUT, execution_timeout=task.cell_timeout)
        report.export_html(nb, task.staging / f"{task.report}.html", title=title,
                           lang=task.lang)
    except Exception as exc:  # any failure of this one report is reported, not raised
        return _failed(task, exc, executed, time.perf_counter() - start)
    return TaskResult(task.report, task.scope, "ok", time.perf_counter() - start,
                      files=[executed.name, f"{task.report}.html"])


def _failed(task: Task, exc: Exception, executed: Path, seconds: float) -> TaskResult:
    import nbformat

    cell = None
    files = []
    if executed.exists():
        try:
            partial = nbformat.read(str(executed), as_version=4)
            cell = report.failing_cell(partial)
        except (OSError, ValueError):
            cell = None
        failed_nb = executed.with_name(f"{task.report}.failed.ipynb")
        os.replace(executed, failed_nb)
        files.append(failed_nb.name)
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = getattr(exc, "evalue", None) or str(exc)
    tb = "".join(_tb.format_exception(exc))
    page = report.error_page(report_name=task.report, quarter=task.quarter, scope=task.scope,
                             lang=task.lang, cell=cell, ename=ename, evalue=evalue,
                             traceback=tb)
    err_path = task.staging / f"{task.report}.error.html"
    err_path.write_text(page, encoding="utf-8")
    files.append(err_path.name)
    where = f"cell {cell['number']}: " if cell else ""
    message = f"{where}{cell['ename'] if cell and cell['ename'] else ename}: " \
              f"{(cell['evalue'] if cell and cell['evalue'] else evalue)}".strip()
    return TaskResult(task.report, task.scope, "failed", seconds,
                      error=message.splitlines()[0][:300] if message else ename, files=files)


# --- publishing -------------------------------------------------------------------------------


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _combine_tables(final: Path, reports_order: Iterable[str]) -> None:
    """Rebuild ``tables.xlsx`` of a scope from the per-report workbooks in ``.parts``."""
    parts = final / PARTS_NAME
    sheets: dict[str, pd.DataFrame] = {}
    for name in reports_order:
        part = parts / f"{name}.tables.xlsx"
        if not part.exists():
            continue
        for sheet, df in pd.read_excel(part, sheet_name=None).items():
            sheets[f"{name}.{sheet}"] = df
    if sheets:
        report.write_tables(sheets, final / "tables.xlsx")


def publish_result(task: Task, result: TaskResult, out_dir: Path, run_id: str,
                   reports_order: Sequence[str]) -> None:
    """Move one task's files from staging into ``<out>/<quarter>/<scope>/``.

    Every file is moved with :func:`os.replace` (atomic on one file system); the
    scope's ``metrics.json``, ``tables.xlsx`` and ``status.json`` are rewritten
    through temporary files and renamed into place.
    """
    final = Path(out_dir) / task.quarter / task.scope
    final.mkdir(parents=True, exist_ok=True)
    name = task.report
    made_from: dict[str, Any] = {}  # the report's metrics: says whether the data were synthetic
    if result.status == "ok":
        for fname in (f"{name}.ipynb", f"{name}.html"):
            os.replace(task.staging / fname, final / fname)
        parts = final / PARTS_NAME
        parts.mkdir(exist_ok=True)
        metrics_part = task.staging / f"{name}.metrics.json"
        tables_part = task.staging / f"{name}.tables.xlsx"
        metrics = _read_json(metrics_part) if metrics_part.exists() else {}
        made_from = metrics
        combined = _read_json(final / "metrics.json")
        combined[name] = metrics
        report._atomic_write_text(final / "metrics.json", report.metrics_json(combined))
        if tables_part.exists():
            os.replace(tables_part, parts / f"{name}.tables.xlsx")
        else:
            (parts / f"{name}.tables.xlsx").unlink(missing_ok=True)
        _combine_tables(final, reports_order)
        for stale in (f"{name}.failed.ipynb", f"{name}.error.html"):
            (final / stale).unlink(missing_ok=True)
    else:
        for fname in result.files:
            os.replace(task.staging / fname, final / fname)
    status = _read_json(final / "status.json")
    status.setdefault("quarter", task.quarter)
    status.setdefault("scope", task.scope)
    entries = status.setdefault("reports", {})
    present = [f for f in (f"{name}.html", f"{name}.ipynb", f"{name}.failed.ipynb",
                           f"{name}.error.html") if (final / f).exists()]
    entries[name] = {
        "status": result.status,
        "synthetic": bool(made_from.get("synthetic", (entries.get(name) or {})
                                        .get("synthetic", False))),
        "seconds": round(result.seconds, 2),
        "finished": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "run_id": run_id,
        "error": result.error,
        "files": present,
    }
    status["reports"] = dict(sorted(entries.items()))
    report._atomic_write_text(final / "status.json",
                              json.dumps(status, indent=2, ensure_ascii=False) + "\n")


# --- the batch ----------------------------------------------------------------------------------


def _kill_tree(pid: int) -> None:
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


class _Terminated(BaseException):
    """Raised in the main thread when the batch receives SIGTERM."""


def _on_sigterm(signum, frame):  # noqa: ARG001 - signal handler signature
    raise _Terminated()


def run_batch(
    quarter: str,
    scope: str | Sequence[str] = config.PROVINCE,
    reports: str | Sequence[str] | None = None,
    *,
    jobs: int = 2,
    data_dir: Path | str | None = None,
    out_dir: Path | str | None = None,
    lang: str = "zh",
    compare_to: str = "previous",
    min_base: int | None = None,
    seed: int | None = None,
    notebook_dir: Path | str | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
    cell_timeout: int | None = None,
    progress: bool = True,
    stream: TextIO | None = None,
) -> BatchResult:
    """Run and publish every (report, scope) notebook of a quarter.

    Parameters
    ----------
    quarter : str
        Survey wave ``YYYYQn``.
    scope : str or sequence of str, default "province"
        ``"province"``, ``"all"`` or city codes (comma-separated or listed).
    reports : str or sequence of str, optional
        Report names; default every notebook in ``notebook_dir``.
    jobs : int, default 2
        Worker processes (notebooks run in parallel).
    data_dir, out_dir : path, optional
        Data folder (default the demo data) and output folder (default ``outputs``).
    lang, compare_to, min_base, seed
        Notebook parameters; ``None`` keeps the notebook's default.
    notebook_dir : path, optional
        Folder of the report notebooks (default ``notebooks/`` of the project).
    lock_timeout : float
        Seconds to wait for another batch on the same output folder.
    cell_timeout : int, optional
        Seconds a single cell may run (default: no limit).
    progress : bool, default True
        Show a progress bar on standard error.
    stream : file, optional
        Where the closing table goes (default standard output).

    Returns
    -------
    BatchResult
        One result per task; ``exit_code`` is 0 only if all succeeded.

    Raises
    ------
    UsageError
        For bad parameters, before any kernel starts and before ``out_dir`` is touched.
    DataError
        For input files that break the data contract (see :func:`check_inputs`), also
        before any kernel starts and before ``out_dir`` is touched.
    BatchBusy
        When another batch holds the output folder's lock.
    """
    from filelock import FileLock, Timeout

    stream = stream or sys.stdout
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise UsageError(f"parameter jobs must be a whole number >= 1, got {jobs!r}")
    notebook_dir = Path(notebook_dir) if notebook_dir else default_notebook_dir()
    data_dir = Path(data_dir) if data_dir else config.default_data_dir()
    out_dir = (Path(out_dir) if out_dir else config.default_output_dir()).resolve()
    scopes = parse_scopes(scope)
    names = find_reports(notebook_dir, reports)

    # 1. every parameter of every notebook, before anything starts or is written
    base = {"quarter": quarter, "data_dir": str(data_dir.expanduser().resolve()),
            "compare_to": compare_to, "lang": lang}
    if min_base is not None:
        base["min_base"] = min_base
    if seed is not None:
        base["seed"] = seed
    plan: list[tuple[str, str, dict[str, Any], Path]] = []
    for name in names:
        for sc in scopes:
            values = {**base, "scope": sc}
            check_run_parameters(notebook_dir / f"{name}.ipynb", values)
            plan.append((name, sc, values, notebook_dir / f"{name}.ipynb"))

    # 2. every input file against the data contract, still before anything is written
    check_inputs(data_dir)

    # 3. the lock; stale staging of earlier (killed) batches goes
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_NAME))
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout:
        raise BatchBusy(f"another batch is publishing to {out_dir.name}/ (lock "
                        f"{LOCK_NAME} held for {lock_timeout:g}s); try again when it "
                        "has finished") from None
    try:
        return _run_locked(plan, quarter, out_dir, data_dir, jobs, lang, cell_timeout,
                           progress, stream, names)
    finally:
        lock.release()


def check_inputs(data_dir: Path) -> None:
    """Validate every survey, KPI and benchmark file of ``data_dir`` against the contract.

    The batch calls this before it starts a kernel or writes anything, so bad input
    stops the whole run with one message (every problem of every file: file, column,
    rule, rows) and leaves the output folder untouched. The customer panel is checked
    with ``gotone validate`` (DuckDB), not here: no report reads it yet.

    Raises
    ------
    DataError
        Listing every problem found.
    UsageError
        When the data folder is missing.
    """
    from . import io

    ds = io.open_dataset(data_dir)
    ds.survey()
    for kind, load in (("kpi", ds.kpi), ("benchmark", ds.benchmark)):
        if (Path(data_dir) / kind).is_dir():
            load()


def _run_locked(plan, quarter, out_dir, data_dir, jobs, lang, cell_timeout, progress,
                stream, names) -> BatchResult:
    staging_root = out_dir / STAGING_NAME
    shutil.rmtree(staging_root, ignore_errors=True)
    run_id = _dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    run_dir = staging_root / run_id
    cache_dir = out_dir / CACHE_NAME
    cache_dir.mkdir(exist_ok=True)
    # hash every input once; the kernels read the digests from the cache
    report.input_files(data_dir.resolve(), cache_dir)
    os.environ[report.CODE_VERSION_ENV] = report.code_version()

    tasks = [Task(report=name, scope=sc, quarter=quarter, notebook=nb_path,
                  parameters=values, staging=run_dir / quarter / sc, cache_dir=cache_dir,
                  lang=lang, cell_timeout=cell_timeout)
             for name, sc, values, nb_path in plan]
    return _execute_all(tasks, out_dir, run_id, run_dir, jobs, progress, stream, names)


def _execute_all(tasks, out_dir, run_id, run_dir, jobs, progress, stream, names) -> BatchResult:
    from tqdm import tqdm

    results: list[TaskResult] = []
    interrupted = False
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    ctx = multiprocessing.get_context("spawn")
    log_dir = out_dir / LOGS_NAME
    shutil.rmtree(log_dir, ignore_errors=True)
    log_dir.mkdir()
    pool = cf.ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx,
                                  initializer=_worker_init, initargs=(str(log_dir),))
    # a live bar on a terminal; one line per finished report in logs (CI, make | tee)
    live = progress and sys.stderr.isatty()
    bar = tqdm(total=len(tasks), file=sys.stderr, unit="nb", disable=not live,
               desc="gotone run", dynamic_ncols=True)
    try:
        futures = {pool.submit(execute_task, t): t for t in tasks}
        for fut in cf.as_completed(futures):
            task = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # a worker process died: report it, carry on
                result = TaskResult(task.report, task.scope, "failed", 0.0,
                                    error=f"{type(exc).__name__}: {exc}")
                task.staging.mkdir(parents=True, exist_ok=True)
                page = report.error_page(report_name=task.report, quarter=task.quarter,
                                         scope=task.scope, lang=task.lang,
                                         ename=type(exc).__name__, evalue=str(exc),
                                         traceback="".join(_tb.format_exception(exc)))
                (task.staging / f"{task.report}.error.html").write_text(page, encoding="utf-8")
                result.files = [f"{task.report}.error.html"]
            publish_result(task, result, out_dir, run_id, names)
            report.write_index(out_dir, task.lang)
            results.append(result)
            bar.set_postfix_str(f"{task.report}/{task.scope} {result.status}")
            bar.update()
            if progress and not live:
                print(f"gotone run: [{len(results)}/{len(tasks)}] {task.report}/{task.scope} "
                      f"{result.status} ({result.seconds:.1f} s)", file=sys.stderr, flush=True)
        pool.shutdown(wait=True)
        shutil.rmtree(run_dir, ignore_errors=True)
    except (KeyboardInterrupt, _Terminated):
        interrupted = True
        for pid in list(getattr(pool, "_processes", {}) or {}):
            _kill_tree(pid)
        pool.shutdown(wait=False, cancel_futures=True)
    finally:
        bar.close()
        signal.signal(signal.SIGTERM, previous)
    order = {(t.report, t.scope): i for i, t in enumerate(tasks)}
    results.sort(key=lambda r: order[(r.report, r.scope)])
    batch = BatchResult(run_id=run_id, out_dir=out_dir, results=results,
                        interrupted=interrupted)
    print_summary(batch, tasks, stream)
    return batch


def print_summary(batch: BatchResult, tasks: Sequence[Task], stream: TextIO) -> None:
    """Print the closing table: every task with status and seconds (``not run`` for
    tasks an interruption stopped), then the index page."""
    done = {(r.report, r.scope): r for r in batch.results}
    rows = []
    for t in tasks:
        r = done.get((t.report, t.scope))
        rows.append((t.report, t.scope, r.status if r else "not run",
                     f"{r.seconds:.1f}" if r else "", r.error if r else ""))
    head = ("report", "scope", "status", "seconds", "error")
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(4)]
    line = "  ".join(h.ljust(w) for h, w in zip(head[:4], widths, strict=True))
    print(line + "  error", file=stream)
    for row in rows:
        cells = [str(row[0]).ljust(widths[0]), str(row[1]).ljust(widths[1]),
                 str(row[2]).ljust(widths[2]), str(row[3]).rjust(widths[3])]
        print("  ".join(cells) + ("  " + row[4] if row[4] else ""), file=stream)
    n_ok = sum(r.status == "ok" for r in batch.results)
    verdict = "interrupted" if batch.interrupted else ("ok" if batch.ok else "failed")
    print(f"{n_ok}/{len(tasks)} reports published ({verdict}); index: "
          f"{batch.out_dir.name}/index.html", file=stream)


def cli_run(args) -> int:
    """Entry point of ``gotone run``.

    Parameters
    ----------
    args : argparse.Namespace
        ``quarter, scope, reports, jobs, data, out, lang, compare_to, min_base, seed``.

    Returns
    -------
    int
        0 if every report succeeded, 1 if any failed, 130 if interrupted. Bad
        parameters and a busy output folder raise :class:`GotoneError` (exit 2).
    """
    try:
        batch = run_batch(
            args.quarter, args.scope, args.reports, jobs=args.jobs, data_dir=args.data,
            out_dir=args.out, lang=args.lang, compare_to=args.compare_to,
            min_base=args.min_base, seed=args.seed,
            notebook_dir=getattr(args, "notebooks", None) or os.environ.get(NOTEBOOKS_ENV),
            progress=os.environ.get(PROGRESS_ENV, "1") != "0")
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return batch.exit_code
