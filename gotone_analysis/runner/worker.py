"""What runs in a batch's worker process, and the results it reports back.

* :func:`worker_init` prepares a worker (it dies with its batch, logs, papermill and
  nbconvert imported once, a warm kernel);
* :func:`batch_alive` tells whether the worker's batch still runs: a worker whose batch
  is gone stops (:func:`stop_if_orphaned`) before it writes into staging;
* :func:`execute_task` runs one notebook with papermill and exports its reader HTML,
  both in staging; the executed notebook is published as :func:`publishable_notebook`
  makes it (without this machine's folders);
* a report that fails gets its :class:`TaskResult` and error page from
  :func:`failed_result`; one not run because a report it reads failed from
  :func:`needs_failed`; one whose worker process died from :func:`worker_died`.
"""

from __future__ import annotations

import multiprocessing.util
import os
import re
import signal
import time
import traceback as _tb
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import cache as shared_cache
from .. import kernel_fork, kernels, labels, pages, processes, provenance, report, timings
from ..reports.summary.tables import OUTPUT_DIR_ENV
from .plan import Task

#: Seconds papermill waits for a kernel to start.
KERNEL_START_TIMEOUT = 120

#: The process id of the batch that started this worker (set by :func:`worker_init`).
_BATCH_PID: list[int] = []
#: The batch's log folder, where kernels write their phase seconds (:func:`worker_init`).
_LOG_DIR: list[str] = []
#: Subfolder of the log folder holding one kernel's phase totals a report.
TIMINGS_DIR = "timings"


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
    #: ``reused``, or why the report ran (:mod:`gotone_analysis.runner.reuse`), in words.
    run: str = ""
    #: Seconds by phase (:func:`gotone_analysis.timings.breakdown`) of a report that ran.
    phases: dict[str, float] = field(default_factory=dict)



def worker_init(log_dir: str | None = None, batch_pid: int | None = None) -> None:
    """Prepare a worker process.

    Has the worker killed when its batch process ends, however it ends (on Linux;
    :func:`gotone_analysis.processes.die_with_parent`; the kernels it starts die with it,
    :func:`gotone_analysis.kernels.owned_manager_class`), so a batch killed with SIGKILL
    leaves no worker or kernel running. Ignores Ctrl-C (the parent decides what to
    stop), sends the worker's and its
    kernels' standard output and error to ``<log_dir>/worker-<pid>.log`` so the
    batch's terminal shows only the progress bar and the closing table, quiets
    papermill's warnings (the parameters were checked before) and imports papermill
    and nbconvert once.
    """
    import logging

    if batch_pid is not None:
        _BATCH_PID[:] = [batch_pid]
        processes.die_with_parent(batch_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if log_dir:
        _LOG_DIR[:] = [log_dir]
        fd = os.open(os.path.join(log_dir, f"worker-{os.getpid()}.log"),
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    logging.getLogger("papermill").setLevel(logging.ERROR)
    import papermill  # noqa: F401

    pages.exporter()
    # kernels forked from a prepared process (gotone_analysis.kernel_fork): the batch's,
    # else the worker's own; and the warm kernel of gotone_analysis.kernels; both stopped
    # when the worker exits
    if kernel_fork.serving() is None:
        kernel_fork.start_server()
    multiprocessing.util.Finalize(None, kernel_fork.stop_server, exitpriority=9)
    multiprocessing.util.Finalize(None, kernels.shutdown_all, exitpriority=10)
    kernels.prepare_next("python3")


def batch_alive() -> bool:
    """Whether the batch that started this worker still runs.

    Returns
    -------
    bool
        False once the batch process named to :func:`worker_init` has ended (the worker
        was handed to another parent); True outside a batch worker.
    """
    return not _BATCH_PID or processes.parent_alive(_BATCH_PID[0])


def stop_if_orphaned() -> None:
    """End this worker, and its kernels, at once if its batch has ended.

    Called before the worker writes into staging: the staging folder of a dead batch
    belongs to no one (the next batch removes it), so nothing more is written there.
    Where the system kills a worker with its batch (Linux) this is a second line.

    Returns
    -------
    None
        When the batch still runs; otherwise the process exits (status 1).
    """
    if batch_alive():
        return
    kernels.shutdown_all()
    os._exit(1)


def _timings_file(task: Task) -> Path | None:
    """Where the task's kernel writes its phase totals (in the batch's log folder)."""
    if not _LOG_DIR:
        return None
    folder = Path(_LOG_DIR[0]) / TIMINGS_DIR
    folder.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]", "_", f"{task.quarter}-{task.scope}-{task.report}")
    return folder / f"{name}.json"


def _cells_seconds(nb) -> float:
    """The seconds the notebook's cells ran, from papermill's per-cell durations."""
    total = 0.0
    for cell in nb.cells:
        value = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if isinstance(value, (int, float)):
            total += float(value)
    return total


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
    stop_if_orphaned()
    task.staging.mkdir(parents=True, exist_ok=True)
    env = {report.PUBLISH_DIR_ENV: str(task.staging),
           report.CACHE_DIR_ENV: str(task.cache_dir),
           shared_cache.NO_CACHE_ENV: "0" if task.use_cache else "1",
           OUTPUT_DIR_ENV: None if task.out_dir is None else str(task.out_dir)}
    timing_file = _timings_file(task)
    env[timings.TIMINGS_ENV] = None if timing_file is None else str(timing_file)
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
            kernel_manager_class=kernels.owned_manager_class(),
            **({"km": km} if km is not None else {}))
        kernels.release(km)
        executed_at = time.perf_counter()
        nb = publishable_notebook(nb, task)
        stop_if_orphaned()
        _write_notebook(nb, executed)
        pages.export_html(nb, task.staging / f"{task.report}.html", title=title,
                           lang=task.lang)
    except Exception as exc:  # any failure of this one report is reported, not raised
        kernels.release(km)
        stop_if_orphaned()
        return failed_result(task, exc, executed, time.perf_counter() - start)
    done = time.perf_counter()
    cells = _cells_seconds(nb)
    phases = timings.breakdown(
        cells, timings.read(timing_file) if timing_file is not None else {},
        kernel_wait=executed_at - start - cells, export=done - executed_at)
    return TaskResult(task.report, task.scope, "ok", done - start,
                      files=[executed.name, f"{task.report}.html"], phases=phases)


#: A default object repr, e.g. ``<pandas.io.formats.style.Styler at 0x7f5e69f54450>``.
_OBJECT_REPR = re.compile(r"^<[\w.]+ (object )?at 0x[0-9a-f]+>$")


def publishable_notebook(nb, task: Task):
    """The executed notebook as published: without this machine's folders.

    papermill records where the notebook was read and written (``input_path``,
    ``output_path``: the staging folder) and the parameters, including the absolute
    ``data_dir`` the kernel used. The published copy names the notebook relative to
    the project (``notebooks/<report>.ipynb``), itself ``<report>.ipynb`` and the data
    folder by its name (in the injected-parameters cell and the recorded parameters);
    any other mention of the project, data or output folder (e.g. in a traceback)
    becomes ``<project>/``, ``<data>/`` or ``<output>/``, also where a folder is written
    escaped (a ``"`` or ``\\`` in its name, in a Python literal, JSON or HTML:
    :func:`gotone_analysis.report.redact_paths`). What would differ between two
    runs of the same inputs goes too: the injected cell's random id becomes
    ``injected-parameters``, and a plain-text repr naming a memory address is dropped
    where the output has a richer form (HTML).
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
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            # papermill gives the cell it adds a random id: name it, so identical runs
            # publish identical notebooks
            cell["id"] = "injected-parameters"
            if data_dir:  # as papermill wrote it: a Python literal, escaped
                cell.source = report.redact_paths(cell.source, [(data_dir, data_name)])
    for cell in nb.cells:
        cell.source = report.redact_paths(cell.source, task.redactions)
        for out in cell.get("outputs", []):
            for key in ("text", "evalue", "traceback", "ename"):
                if key in out:
                    out[key] = report.redact_paths(out[key], task.redactions)
            data = out.get("data", {})
            if len(data) > 1 and _OBJECT_REPR.match(str(data.get("text/plain", ""))):
                del data["text/plain"]  # "<... at 0x7f...>": a memory address, not content
            for mime in list(data):
                if not mime.startswith("image/") or mime == "image/svg+xml":
                    data[mime] = report.redact_paths(data[mime], task.redactions)
    nb.metadata = report.redact_paths(nb.metadata, task.redactions)
    return nb


def _write_notebook(nb, path: Path) -> None:
    import nbformat

    provenance.atomic_write_text(path, nbformat.writes(nb) + "\n", mode=report.FILE_MODE)


def failed_result(task: Task, exc: Exception, executed: Path, seconds: float) -> TaskResult:
    """The result of a report that failed, with its error page and partial notebook.

    The partial executed notebook (``executed``, when papermill got that far) becomes
    ``<report>.failed.ipynb`` without this machine's folders
    (:func:`publishable_notebook`); the error page ``<report>.error.html`` names the
    failing cell, the error and its traceback, with this machine's folders redacted.

    Parameters
    ----------
    task : Task
        The task that failed.
    exc : Exception
        What papermill (or the export) raised.
    executed : pathlib.Path
        Where papermill wrote the executed notebook (``<staging>/<report>.ipynb``).
    seconds : float
        How long the task ran.

    Returns
    -------
    TaskResult
        ``failed``, its error the failing cell's (or the exception's) first line, its
        files the partial notebook (if any) and the error page, both in staging.
    """
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
    provenance.atomic_write_text(err_path, page, mode=report.FILE_MODE)
    files.append(err_path.name)
    where = f"cell {cell['number']}: " if cell else ""
    message = f"{where}{cell['ename'] if cell and cell['ename'] else ename}: " \
              f"{(cell['evalue'] if cell and cell['evalue'] else evalue)}".strip()
    return TaskResult(task.report, task.scope, "failed", seconds,
                      error=message.splitlines()[0][:300] if message else ename, files=files)



def needs_failed(task: Task, failed: Sequence[str]) -> TaskResult:
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
    provenance.atomic_write_text(task.staging / f"{task.report}.error.html", page,
                                 mode=report.FILE_MODE)
    return TaskResult(task.report, task.scope, "failed", 0.0, error=message,
                      files=[f"{task.report}.error.html"])



def worker_died(task: Task, exc: BaseException) -> TaskResult:
    """The result of a task whose worker process died, with its error page.

    Returns
    -------
    TaskResult
        ``failed``, the error naming the exception (this machine's folders redacted);
        ``<report>.error.html`` in staging.
    """
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
    provenance.atomic_write_text(task.staging / f"{task.report}.error.html", page,
                                 mode=report.FILE_MODE)
    result.files = [f"{task.report}.error.html"]
    return result
