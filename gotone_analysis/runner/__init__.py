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
* the workers, and the kernels they start, die with their batch however it ends (a
  SIGKILL too), and a worker whose batch is gone writes nothing more; a batch removes
  only its own staging, and the staging of earlier runs whose batch process is gone
  (each run's folder names its process, :data:`OWNER_NAME`);
* ``jobs`` is capped at the usable cores (:func:`cap_jobs`);
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

Modules:

* :mod:`~gotone_analysis.runner.plan`: what to run (:class:`Task`, :func:`parse_scopes`,
  :func:`find_reports`, the parameter and input checks, the task list and its order);
* :mod:`~gotone_analysis.runner.worker`: what runs in a worker process
  (:func:`execute_task`, the publishable notebook, the results of failed reports);
* :mod:`~gotone_analysis.runner.control`: signals and stopping workers and their kernels;
* :mod:`~gotone_analysis.runner.reuse`: which published reports are reused as they are
  (notebook, code, parameters and input files unchanged, published files intact) and why
  each other report runs (``--force`` runs all);
* :mod:`~gotone_analysis.runner.batch`: :func:`run_batch` (the lock, the pool,
  publishing as results arrive), :class:`BatchResult` and the closing table.
"""

from __future__ import annotations

from .batch import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    LOCK_NAME,
    LOCK_TIMEOUT,
    LOGS_NAME,
    OWNER_NAME,
    PROGRESS_ENV,
    STAGING_NAME,
    BatchBusy,
    BatchResult,
    PublishError,
    cap_jobs,
    print_summary,
    remove_dead_runs,
    run_batch,
)
from .control import Terminated, kill_tree, on_sigterm, signals_deferred, stop_pool
from .plan import (
    NOTEBOOKS_ENV,
    Task,
    check_inputs,
    check_month_inputs,
    default_notebook_dir,
    find_reports,
    make_tasks,
    monthly_reports,
    parse_scopes,
    path_redactions,
    plan_months,
    plan_runs,
    quarterly_reports,
    start_order,
)
from .worker import (
    KERNEL_START_TIMEOUT,
    TaskResult,
    batch_alive,
    execute_task,
    failed_result,
    needs_failed,
    publishable_notebook,
    stop_if_orphaned,
    worker_died,
    worker_init,
)

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "KERNEL_START_TIMEOUT",
    "LOCK_NAME",
    "LOCK_TIMEOUT",
    "LOGS_NAME",
    "NOTEBOOKS_ENV",
    "OWNER_NAME",
    "PROGRESS_ENV",
    "STAGING_NAME",
    "BatchBusy",
    "BatchResult",
    "PublishError",
    "Task",
    "TaskResult",
    "Terminated",
    "batch_alive",
    "cap_jobs",
    "check_inputs",
    "check_month_inputs",
    "default_notebook_dir",
    "execute_task",
    "failed_result",
    "find_reports",
    "kill_tree",
    "make_tasks",
    "monthly_reports",
    "needs_failed",
    "on_sigterm",
    "parse_scopes",
    "path_redactions",
    "plan_months",
    "plan_runs",
    "print_summary",
    "publishable_notebook",
    "quarterly_reports",
    "remove_dead_runs",
    "run_batch",
    "signals_deferred",
    "start_order",
    "stop_if_orphaned",
    "stop_pool",
    "worker_died",
    "worker_init",
]
