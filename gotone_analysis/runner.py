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
* a lock on ``<out>/.gotone.lock`` keeps two batches from writing the same folder;
* an output folder the batch cannot write to stops it with a message (exit 2) before
  anything is written; a report that cannot be put in place stops it too, with that
  report's last good version left as it was, the workers and kernels stopped and the
  staging removed;
* published files do not name this machine's folders: papermill's paths and the data
  folder in the executed notebook, tracebacks in error pages and notebooks show
  ``<project>/``, ``<data>/`` and the like instead.

The batch uses public names only: the pages come from :mod:`gotone_analysis.pages`, the
all-or-nothing move into place is :func:`gotone_analysis.publish.publish_result`, and
the inputs' provenance records are made once, before any kernel starts, by
:meth:`gotone_analysis.io.Dataset.inputs`.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as _dt
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import sys
import time
import traceback as _tb
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from . import batch_prep, config, kernels, labels, pages, report
from . import cache as shared_cache
from .errors import GotoneError, UsageError
from .params import check_run_parameters, parse_quarters
from .publish import publish_result
from .reports.summary.tables import OUTPUT_DIR_ENV

LOCK_NAME = ".gotone.lock"
STAGING_NAME = ".staging"
CACHE_NAME = ".cache"
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


class PublishError(GotoneError):
    """A report could not be put in place in the output folder (the batch stops)."""


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
    #: Published name of the notebook (``notebooks/<report>.ipynb``).
    notebook_name: str = ""
    #: This machine's folders -> neutral names, for everything published.
    redactions: tuple[tuple[str, str], ...] = ()
    #: The batch's output folder (a report reading other reports' published metrics
    #: finds them there, through ``$GOTONE_OUTPUT_DIR``).
    out_dir: Path | None = None
    #: Whether the kernel reads and writes the batch's shared results
    #: (:mod:`gotone_analysis.cache`); False computes everything in the kernel.
    use_cache: bool = True


@dataclass
class TaskResult:
    """What a worker reports back about one task."""

    report: str
    scope: str
    status: str
    seconds: float
    error: str = ""
    files: list[str] = field(default_factory=list)
    #: The task's quarter (a batch may run several).
    quarter: str = ""


@dataclass
class BatchResult:
    """The outcome of a batch."""

    run_id: str
    out_dir: Path
    results: list[TaskResult]
    interrupted: bool = False
    #: Why the batch stopped early (a report could not be published), else empty.
    error: str = ""

    @property
    def ok(self) -> bool:
        """Whether every task succeeded and the batch ran to its end."""
        return (not self.interrupted and not self.error
                and all(r.status == "ok" for r in self.results))

    @property
    def exit_code(self) -> int:
        """0 when all succeeded, 130 when interrupted, 2 when stopped by a publishing
        error, else 1."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.error:
            return EXIT_USAGE
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

    pages.exporter()
    # the warm kernel of gotone_analysis.kernels, stopped when the worker exits
    multiprocessing.util.Finalize(None, kernels.shutdown_all, exitpriority=10)
    kernels.prepare_next("python3")


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
    env = {report.PUBLISH_DIR_ENV: str(task.staging),
           report.CACHE_DIR_ENV: str(task.cache_dir),
           shared_cache.NO_CACHE_ENV: "0" if task.use_cache else "1",
           OUTPUT_DIR_ENV: None if task.out_dir is None else str(task.out_dir)}
    for key, value in env.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    executed = task.staging / f"{task.report}.ipynb"
    title = (f"{report.report_title(task.report, task.lang)} · "
             f"{labels.code_label(task.scope, task.lang)} · {task.quarter}")
    # a warm kernel (gotone_analysis.kernels) moved to this task, and the next one started
    km = kernels.take(task.staging, env)
    kernels.prepare_next("python3")
    try:
        nb = pm.execute_notebook(
            str(task.notebook), str(executed), parameters=task.parameters,
            kernel_name="python3", cwd=str(task.staging), progress_bar=False,
            log_output=False, request_save_on_cell_execute=False,
            start_timeout=KERNEL_START_TIMEOUT, execution_timeout=task.cell_timeout,
            **({"km": km} if km is not None else {}))
        kernels.release(km)
        nb = publishable_notebook(nb, task)
        _write_notebook(nb, executed)
        pages.export_html(nb, task.staging / f"{task.report}.html", title=title,
                           lang=task.lang)
    except Exception as exc:  # any failure of this one report is reported, not raised
        kernels.release(km)
        return _failed(task, exc, executed, time.perf_counter() - start)
    return TaskResult(task.report, task.scope, "ok", time.perf_counter() - start,
                      files=[executed.name, f"{task.report}.html"])


def publishable_notebook(nb, task: Task):
    """The executed notebook as published: without this machine's folders.

    papermill records where the notebook was read and written (``input_path``,
    ``output_path``: the staging folder) and the parameters, including the absolute
    ``data_dir`` the kernel used. The published copy names the notebook relative to
    the project (``notebooks/<report>.ipynb``), itself ``<report>.ipynb`` and the data
    folder by its name (in the injected-parameters cell and the recorded parameters);
    any other mention of the project, data or output folder (e.g. in a traceback)
    becomes ``<project>/``, ``<data>/`` or ``<output>/``.
    """
    import copy

    nb = copy.deepcopy(nb)
    data_dir = str(task.parameters.get("data_dir") or "")
    data_name = Path(data_dir).name if data_dir else ""
    pm_meta = nb.metadata.get("papermill")
    if pm_meta is not None:
        pm_meta["input_path"] = task.notebook_name or task.notebook.name
        pm_meta["output_path"] = f"{task.report}.ipynb"
        params = pm_meta.get("parameters") or {}
        if data_dir and params.get("data_dir") == data_dir:
            params["data_dir"] = data_name
    if data_dir:
        for cell in nb.cells:
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                cell.source = cell.source.replace(data_dir, data_name)
    for cell in nb.cells:
        cell.source = report.redact_paths(cell.source, task.redactions)
        for out in cell.get("outputs", []):
            for key in ("text", "evalue", "traceback", "ename"):
                if key in out:
                    out[key] = report.redact_paths(out[key], task.redactions)
            data = out.get("data", {})
            for mime in list(data):
                if not mime.startswith("image/") or mime == "image/svg+xml":
                    data[mime] = report.redact_paths(data[mime], task.redactions)
    nb.metadata = report.redact_paths(nb.metadata, task.redactions)
    return nb


def _write_notebook(nb, path: Path) -> None:
    import nbformat

    report.atomic_write_text(path, nbformat.writes(nb) + "\n")


def _failed(task: Task, exc: Exception, executed: Path, seconds: float) -> TaskResult:
    import nbformat

    cell = None
    files = []
    if executed.exists():
        failed_nb = executed.with_name(f"{task.report}.failed.ipynb")
        try:
            partial = publishable_notebook(nbformat.read(str(executed), as_version=4), task)
            cell = pages.failing_cell(partial)
            _write_notebook(partial, failed_nb)
            executed.unlink()
        except (OSError, ValueError):
            cell = None
            os.replace(executed, failed_nb)
        files.append(failed_nb.name)
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = report.redact_paths(getattr(exc, "evalue", None) or str(exc), task.redactions)
    tb = report.redact_paths("".join(_tb.format_exception(exc)), task.redactions)
    page = pages.error_page(report_name=task.report, quarter=task.quarter, scope=task.scope,
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


@contextlib.contextmanager
def _signals_deferred():
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


def _publish_message(exc: OSError, task: Task, out_dir: Path) -> str:
    where = exc.filename or ""
    with contextlib.suppress(ValueError, TypeError):
        where = Path(str(where)).relative_to(out_dir).as_posix()
    reason = exc.strerror or str(exc) or type(exc).__name__
    return (f"cannot publish {task.quarter}/{task.scope}/{task.report} in "
            f"{out_dir.name}/: {reason}" + (f": {where}" if where else "")
            + "; reports already there stay as they were")


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
    engine: str | None = None,
    notebook_dir: Path | str | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
    cell_timeout: int | None = None,
    progress: bool = True,
    stream: TextIO | None = None,
    use_cache: bool = True,
) -> BatchResult:
    """Run and publish every (report, scope) notebook of a quarter.

    Parameters
    ----------
    quarter : str
        Survey wave ``YYYYQn``, a range ``YYYYQn:YYYYQn`` or ``all``
        (:func:`gotone_analysis.params.parse_quarters`): every quarter of a range that
        the survey files hold, or all of them, in one batch sharing its once-per-batch
        work (:mod:`gotone_analysis.cache`).
    scope : str or sequence of str, default "province"
        ``"province"``, ``"all"`` or city codes (comma-separated or listed).
    reports : str or sequence of str, optional
        Report names; default every notebook in ``notebook_dir``.
    jobs : int, default 2
        Worker processes (notebooks run in parallel).
    data_dir, out_dir : path, optional
        Data folder (default the demo data) and output folder (default ``outputs``).
    lang, compare_to, min_base, seed, engine
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
    use_cache : bool, default True
        Keep once-per-batch shared work (the panel validation...) in
        ``<out>/.cache`` for every kernel (:mod:`gotone_analysis.cache`); False makes
        every kernel compute it (what is published is the same).

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
    UsageError
        Also when the output folder cannot be made or written (a file in the way, no
        permission), before anything is written.
    PublishError
        When a report could not be put in place; the batch stops (see
        :func:`_execute_all`).
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
    quarters = parse_quarters(quarter, data_dir)

    # 1. every parameter of every notebook, before anything starts or is written
    base = {"data_dir": str(data_dir.expanduser().resolve()),
            "compare_to": compare_to, "lang": lang}
    if min_base is not None:
        base["min_base"] = min_base
    if seed is not None:
        base["seed"] = seed
    if engine is not None:
        base["engine"] = engine
    plan: list[tuple[str, str, dict[str, Any], Path]] = []
    for q in quarters:
        for name in names:
            for sc in scopes:
                values = {**base, "quarter": q, "scope": sc}
                check_run_parameters(notebook_dir / f"{name}.ipynb", values)
                plan.append((name, sc, values, notebook_dir / f"{name}.ipynb"))

    # 2. every input file against the data contract, still before anything is written
    check_inputs(data_dir)

    # 3. the lock; stale staging of earlier (killed) batches goes
    lock = FileLock(str(out_dir / LOCK_NAME))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=lock_timeout)
    except Timeout:
        raise BatchBusy(f"another batch is publishing to {out_dir.name}/ (lock "
                        f"{LOCK_NAME} held for {lock_timeout:g}s); try again when it "
                        "has finished") from None
    except OSError as exc:  # a file in the way, a read-only folder, a full disk
        raise _output_error(out_dir, exc) from None
    try:
        return _run_locked(plan, quarter, out_dir, data_dir, jobs, lang, cell_timeout,
                           progress, stream, names, use_cache=use_cache)
    finally:
        lock.release()


def _output_error(out_dir: Path, exc: OSError) -> UsageError:
    """The message for an output folder the batch cannot write to."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return UsageError(f"cannot write to output folder {out_dir.name}/: {reason}")


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


def _redactions(data_dir: Path, out_dir: Path) -> tuple[tuple[str, str], ...]:
    """This machine's folders and the names published files use for them."""
    pairs = [(data_dir, "<data>"), (out_dir, "<output>"), (config.project_root(), "<project>"),
             (Path(__file__).resolve().parent.parent, "<project>")]
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        pairs.append((Path(prefix), "<python>"))
    with contextlib.suppress(RuntimeError, KeyError):
        pairs.append((Path.home(), "~"))
    out: list[tuple[str, str]] = []
    for folder, label in pairs:
        for variant in {str(folder), str(folder.resolve())}:
            if variant not in ("", "/") and variant not in (o[0] for o in out):
                out.append((variant, label))
    return tuple(out)


def _notebook_name(notebook: Path) -> str:
    """A notebook's name as published: relative to the project, else ``<folder>/<name>``."""
    try:
        return notebook.resolve().relative_to(config.project_root()).as_posix()
    except ValueError:
        return f"{notebook.parent.name}/{notebook.name}"


def _run_locked(plan, quarter, out_dir, data_dir, jobs, lang, cell_timeout, progress,
                stream, names, use_cache: bool = True) -> BatchResult:
    staging_root = out_dir / STAGING_NAME
    run_id = _dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    run_dir = staging_root / run_id
    cache_dir = out_dir / CACHE_NAME
    log_dir = out_dir / LOGS_NAME
    try:
        shutil.rmtree(staging_root, ignore_errors=True)
        run_dir.mkdir(parents=True)
        cache_dir.mkdir(exist_ok=True)
        shutil.rmtree(log_dir, ignore_errors=True)
        log_dir.mkdir()
    except OSError as exc:  # working folders the batch cannot make
        raise _output_error(out_dir, exc) from None
    # one provenance record per input, made once; the kernels read them from the cache
    from . import io, provenance

    io.open_dataset(data_dir.resolve()).inputs(cache_dir)
    os.environ[provenance.CODE_VERSION_ENV] = provenance.code_version()
    # the batch's shared work (the panel validated once) starts in this process while
    # the kernels run; the kernels needing it wait for it (gotone_analysis.cache)
    saved = {k: os.environ.get(k) for k in (provenance.CACHE_DIR_ENV,
                                             shared_cache.NO_CACHE_ENV,
                                             shared_cache.CODE_DIGEST_ENV)}
    os.environ[shared_cache.CODE_DIGEST_ENV] = shared_cache.code_digest()
    os.environ[provenance.CACHE_DIR_ENV] = str(cache_dir)
    os.environ[shared_cache.NO_CACHE_ENV] = "0" if use_cache else "1"
    prepare = batch_prep.prepare_batch(data_dir.resolve(), names) if use_cache else None

    redactions = _redactions(data_dir.expanduser().resolve(), out_dir)
    tasks = [Task(report=name, scope=sc, quarter=values["quarter"], notebook=nb_path,
                  parameters=values, staging=run_dir / values["quarter"] / sc,
                  cache_dir=cache_dir,
                  lang=lang, cell_timeout=cell_timeout, notebook_name=_notebook_name(nb_path),
                  redactions=redactions, out_dir=out_dir, use_cache=use_cache)
             for name, sc, values, nb_path in plan]
    try:
        return _execute_all(tasks, out_dir, run_id, run_dir, jobs, progress, stream, names)
    finally:
        if prepare is not None:
            prepare.join(timeout=1.0)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Kill every worker and its kernels, and drop the tasks not started."""
    for pid in list(getattr(pool, "_processes", {}) or {}):
        _kill_tree(pid)
    pool.shutdown(wait=False, cancel_futures=True)


def _execute_all(tasks, out_dir, run_id, run_dir, jobs, progress, stream, names) -> BatchResult:
    """Run the tasks in a pool of workers and publish each result as it arrives.

    Ctrl-C or SIGTERM stops the batch (exit 130). A report that cannot be put in
    place (a file in the way, a full disk, a read-only folder) stops it too: the
    workers and their kernels are killed, the run's staging removed, the reports
    published before stay, that report's last good version stays as it was
    (:func:`publish_result` undoes a partial publish), and :class:`PublishError` is
    raised naming the problem (exit 2). Reports not yet published then show as
    ``not run`` in the closing table.

    A report that reads other reports' published metrics
    (:data:`gotone_analysis.config.REPORT_NEEDS`, e.g. the summary) starts only when
    those of its quarter and scope in this batch have been published; if one of them
    failed it is not run and fails with a message naming them (:func:`_needs_failed`).
    """
    from tqdm import tqdm

    results: list[TaskResult] = []
    interrupted = False
    failure: BaseException | None = None
    error = ""
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    ctx = multiprocessing.get_context("spawn")
    log_dir = out_dir / LOGS_NAME
    pool = cf.ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx,
                                  initializer=_worker_init, initargs=(str(log_dir),))
    # a live bar on a terminal; one line per finished report in logs (CI, make | tee)
    live = progress and sys.stderr.isatty()
    bar = tqdm(total=len(tasks), file=sys.stderr, unit="nb", disable=not live,
               desc="gotone run", dynamic_ncols=True)
    task: Task | None = None
    planned = {(t.quarter, t.scope, t.report) for t in tasks}
    held = [t for t in tasks if config.REPORT_NEEDS.get(t.report)]
    finished: dict[tuple[str, str, str], str] = {}
    not_run: list[tuple[Task, TaskResult]] = []
    futures: dict[cf.Future, Task] = {}

    def release() -> None:
        """Start (or fail) each held report whose needed reports have all finished."""
        for t in list(held):
            needs = [n for n in config.REPORT_NEEDS[t.report]
                     if (t.quarter, t.scope, n) in planned]
            if any((t.quarter, t.scope, n) not in finished for n in needs):
                continue
            held.remove(t)
            failed = [n for n in needs if finished[(t.quarter, t.scope, n)] != "ok"]
            if failed:
                not_run.append((t, _needs_failed(t, failed)))
            else:
                futures[pool.submit(execute_task, t)] = t

    try:
        # the panel's readers last: the other reports run while the batch process
        # validates the panel once (gotone_analysis.batch_prep.prepare_batch)
        for t in sorted(tasks, key=lambda t: t.report in batch_prep.PANEL_REPORTS):
            if t not in held:
                futures[pool.submit(execute_task, t)] = t
        release()
        while futures or not_run:
            if not_run:
                task, result = not_run.pop(0)
                fut = None
            else:
                done, _ = cf.wait(list(futures), return_when=cf.FIRST_COMPLETED)
                fut = next(iter(done))
                task = futures.pop(fut)
            try:
                if fut is not None:
                    result = fut.result()
            except Exception as exc:  # a worker process died: report it, carry on
                result = TaskResult(task.report, task.scope, "failed", 0.0,
                                    error=report.redact_paths(f"{type(exc).__name__}: {exc}",
                                                              task.redactions))
                task.staging.mkdir(parents=True, exist_ok=True)
                page = pages.error_page(
                    report_name=task.report, quarter=task.quarter, scope=task.scope,
                    lang=task.lang, ename=type(exc).__name__,
                    evalue=report.redact_paths(str(exc), task.redactions),
                    traceback=report.redact_paths("".join(_tb.format_exception(exc)),
                                                  task.redactions))
                (task.staging / f"{task.report}.error.html").write_text(page, encoding="utf-8")
                result.files = [f"{task.report}.error.html"]
            result.quarter = task.quarter
            with _signals_deferred():
                publish_result(task, result, out_dir, run_id, names)
                results.append(result)
                pages.write_index(out_dir, task.lang)
            finished[(task.quarter, task.scope, task.report)] = result.status
            release()
            bar.set_postfix_str(f"{task.report}/{task.scope} {result.status}")
            bar.update()
            if progress and not live:
                print(f"gotone run: [{len(results)}/{len(tasks)}] {task.report}/{task.scope} "
                      f"{result.status} ({result.seconds:.1f} s)", file=sys.stderr, flush=True)
        pool.shutdown(wait=True)
    except (KeyboardInterrupt, _Terminated):
        interrupted = True
        _stop_pool(pool)
    except BaseException as exc:  # noqa: BLE001 - stop cleanly, then report or re-raise
        failure = exc
        _stop_pool(pool)
        if isinstance(exc, OSError) and task is not None:
            error = _publish_message(exc, task, out_dir)
    finally:
        bar.close()
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(run_dir, ignore_errors=True)
    if failure is not None and not error:
        raise failure
    order = {(t.quarter, t.report, t.scope): i for i, t in enumerate(tasks)}
    results.sort(key=lambda r: order[(r.quarter, r.report, r.scope)])
    batch = BatchResult(run_id=run_id, out_dir=out_dir, results=results,
                        interrupted=interrupted, error=error)
    print_summary(batch, tasks, stream)
    if error:
        raise PublishError(error) from failure
    return batch


def _needs_failed(task: Task, failed: Sequence[str]) -> TaskResult:
    """The result of a report not run because reports it reads failed, with its error page.

    Returns
    -------
    TaskResult
        ``failed``, the error naming the failed reports; ``<report>.error.html`` in staging.
    """
    where = f"{task.quarter}/{task.scope}"
    message = (f"not run: it reads the published metrics of {', '.join(failed)} of {where}, "
               f"which failed in this batch")
    task.staging.mkdir(parents=True, exist_ok=True)
    page = pages.error_page(report_name=task.report, quarter=task.quarter, scope=task.scope,
                            lang=task.lang, ename="NeededReportFailed", evalue=message)
    (task.staging / f"{task.report}.error.html").write_text(page, encoding="utf-8")
    return TaskResult(task.report, task.scope, "failed", 0.0, error=message,
                      files=[f"{task.report}.error.html"])


def print_summary(batch: BatchResult, tasks: Sequence[Task], stream: TextIO) -> None:
    """Print the closing table: every task with status and seconds (``not run`` for
    tasks an interruption stopped), then the index page."""
    done = {(r.quarter, r.report, r.scope): r for r in batch.results}
    several = len({t.quarter for t in tasks}) > 1  # then a first column names the quarter
    rows = []
    for t in tasks:
        r = done.get((t.quarter, t.report, t.scope))
        rows.append((f"{t.quarter}  {t.report}" if several else t.report, t.scope,
                     r.status if r else "not run",
                     f"{r.seconds:.1f}" if r else "", r.error if r else ""))
    head = ("quarter  report" if several else "report", "scope", "status", "seconds",
            "error")
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(4)]
    line = "  ".join(h.ljust(w) for h, w in zip(head[:4], widths, strict=True))
    print(line + "  error", file=stream)
    for row in rows:
        cells = [str(row[0]).ljust(widths[0]), str(row[1]).ljust(widths[1]),
                 str(row[2]).ljust(widths[2]), str(row[3]).rjust(widths[3])]
        print("  ".join(cells) + ("  " + row[4] if row[4] else ""), file=stream)
    n_ok = sum(r.status == "ok" for r in batch.results)
    verdict = ("interrupted" if batch.interrupted else "stopped" if batch.error
               else "ok" if batch.ok else "failed")
    print(f"{n_ok}/{len(tasks)} reports published ({verdict}); index: "
          f"{batch.out_dir.name}/index.html", file=stream)
