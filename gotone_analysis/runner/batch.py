"""The batch: run every planned notebook in a pool of workers and publish each result.

:func:`run_batch` checks the plan (:mod:`gotone_analysis.runner.plan`), takes the lock
on the output folder, runs the tasks in worker processes
(:mod:`gotone_analysis.runner.worker`), publishes each result as it arrives
(:func:`gotone_analysis.publish.publish_result`) and stops cleanly on Ctrl-C, SIGTERM
or a report that cannot be put in place (:mod:`gotone_analysis.runner.control`).
:class:`BatchResult` is its outcome and :func:`print_summary` the closing table.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as _dt
import json
import multiprocessing
import os
import shutil
import signal
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd

from .. import batch_prep, config, kernel_fork, pages, processes, provenance, timings
from .. import cache as shared_cache
from ..errors import GotoneError, UsageError
from ..params import parse_months, parse_quarters
from ..publish import publish_result
from . import reuse
from .control import Terminated, on_sigterm, signals_deferred, stop_pool
from .plan import (
    Task,
    check_inputs,
    check_month_inputs,
    default_notebook_dir,
    find_reports,
    make_tasks,
    monthly_reports,
    parse_scopes,
    plan_months,
    plan_runs,
    quarterly_reports,
    start_order,
)
from .worker import TaskResult, execute_task, needs_failed, worker_died, worker_init

#: The lock file in the output folder: one batch at a time writes there.
LOCK_NAME = ".gotone.lock"
#: Folder (in the output folder) where a run's files are made before they are published.
STAGING_NAME = ".staging"
#: File in a run's staging folder (``.staging/<run id>/``) naming the batch process that
#: owns it, as JSON ``{"pid": <process id>, "started": <its start time, seconds since the
#: epoch>}``: a later batch removes the staging of runs whose process no longer runs.
OWNER_NAME = "batch.json"
#: Folder (in the output folder) of the workers' and kernels' logs.
LOGS_NAME = ".logs"
#: File (in the log folder) of each report's seconds by phase (:func:`write_timings`).
TIMINGS_NAME = "timings.csv"
#: Seconds a second batch waits for the lock before giving up.
LOCK_TIMEOUT = 10.0
#: Set to ``0`` to hide the progress bar of ``gotone run``.
PROGRESS_ENV = "GOTONE_PROGRESS"

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class BatchBusy(GotoneError):
    """Another batch holds the lock on the output folder."""


class PublishError(GotoneError):
    """A report could not be put in place in the output folder (the batch stops)."""


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
        """One row per task: ``report, scope, status, seconds, run`` (``reused``, or why
        it ran: :mod:`gotone_analysis.runner.reuse`)."""
        return pd.DataFrame([{"report": r.report, "scope": r.scope, "status": r.status,
                              "seconds": round(r.seconds, 1), "run": r.run}
                             for r in self.results],
                            columns=["report", "scope", "status", "seconds", "run"])

    @property
    def reused(self) -> list[TaskResult]:
        """The results whose published copy was reused, not run again."""
        return [r for r in self.results if r.run == reuse.REUSED]


def run_batch(
    quarter: str | None,
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
    force: bool = False,
    month: str | None = None,
) -> BatchResult:
    """Run and publish every (report, scope) notebook of a quarter (or of a month).

    Parameters
    ----------
    quarter : str or None
        Survey wave ``YYYYQn``, a range ``YYYYQn:YYYYQn`` or ``all``
        (:func:`gotone_analysis.params.parse_quarters`): every quarter of a range that
        the survey files hold, or all of them, in one batch sharing its once-per-batch
        work (:mod:`gotone_analysis.cache`). None with ``month``.
    scope : str or sequence of str, default "province"
        ``"province"``, ``"all"`` or city codes (comma-separated or listed).
    reports : str or sequence of str, optional
        Report names; default every notebook in ``notebook_dir``.
    jobs : int, default 2
        Worker processes (notebooks run in parallel), at most the usable cores
        (:func:`gotone_analysis.processes.usable_cores`): a larger value is lowered
        to that, with one warning line on standard error naming the cap and the memory
        each busy job needs (:data:`gotone_analysis.processes.JOB_MEMORY_GIB`).
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
    force : bool, default False
        Run every report. Without it a report whose notebook, code, parameters and input
        files are those its published copy was made from, and whose published files are
        intact, is reused: left in place, not run (:mod:`gotone_analysis.runner.reuse`).
    month : str, optional
        Instead of ``quarter``: a month ``YYYY-MM``, a range, a list or ``all``
        (:func:`gotone_analysis.params.parse_months`, the months the KPI files hold):
        the reports of :data:`gotone_analysis.config.MONTHLY_REPORTS` as of each month's
        end, published under ``<out>/<YYYY-MM>/<scope>/``; a month whose KPI counts
        miss a city is refused before any kernel starts
        (:func:`gotone_analysis.runner.plan.check_month_inputs`).

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
    stream = stream or sys.stdout
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise UsageError(f"parameter jobs must be a whole number >= 1, got {jobs!r}")
    jobs = cap_jobs(jobs)
    notebook_dir = Path(notebook_dir) if notebook_dir else default_notebook_dir()
    data_dir = Path(data_dir) if data_dir else config.default_data_dir()
    out_dir = (Path(out_dir) if out_dir else config.default_output_dir()).resolve()
    scopes = parse_scopes(scope)
    names = find_reports(notebook_dir, reports)
    if (quarter is None) == (month is None):
        raise UsageError("give a quarter (--quarter) or a month (--month), not both")
    if month is not None:
        names = monthly_reports(names, chosen=reports is not None)
        periods = parse_months(month, data_dir)
    else:
        names = quarterly_reports(names, chosen=reports is not None)
        periods = parse_quarters(quarter, data_dir)

    # 1. every parameter of every notebook, before anything starts or is written
    planner = plan_months if month is not None else plan_runs
    plan = planner(notebook_dir, names, scopes, periods, data_dir=data_dir,
                   compare_to=compare_to, lang=lang, min_base=min_base, seed=seed,
                   engine=engine)

    # the kernels' fork server starts now, its imports running while the inputs are
    # checked; the workers inherit it (gotone_analysis.kernel_fork); it writes nothing
    own_server = kernel_fork.serving() is None and kernel_fork.start_server() is not None
    try:
        return _checked_run(plan, quarter or month, month, periods, scopes, out_dir,
                            data_dir, jobs, lang, cell_timeout, progress, stream, names,
                            lock_timeout=lock_timeout, use_cache=use_cache, force=force)
    finally:
        if own_server:
            kernel_fork.stop_server()


def _checked_run(plan, period, month, periods, scopes, out_dir, data_dir, jobs, lang,
                 cell_timeout, progress, stream, names, *, lock_timeout, use_cache,
                 force) -> BatchResult:
    """:func:`run_batch` from its input checks on (steps 2 and 3, then the run)."""
    from filelock import FileLock, Timeout

    # 2. every input file against the data contract, still before anything is written;
    # warnings (implausible but possible values) are shown and do not stop the batch
    checked: dict = {}
    for line in check_inputs(data_dir, checked):
        print(f"gotone run: {line}", file=sys.stderr)
    if month is not None:
        check_month_inputs(data_dir, periods, scopes)

    # 3. the lock; the staging of earlier batches that are gone (killed) goes
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
        return _run_locked(plan, period, out_dir, data_dir, jobs, lang,
                           cell_timeout, progress, stream, names, use_cache=use_cache,
                           force=force, checked=checked)
    finally:
        lock.release()


def cap_jobs(jobs: int, stream: TextIO | None = None) -> int:
    """``jobs`` lowered to the usable cores, with one warning line if it was more.

    Each busy job is a worker process and its kernels (about
    :data:`gotone_analysis.processes.JOB_MEMORY_GIB` GiB on the small demo, more on
    larger data); more jobs than cores make no report faster and only add memory.

    Parameters
    ----------
    jobs : int
        The worker processes asked for.
    stream : file, optional
        Where the warning goes (default standard error).

    Returns
    -------
    int
        ``min(jobs, gotone_analysis.processes.usable_cores())``.
    """
    cap = processes.usable_cores()
    if jobs <= cap:
        return jobs
    print(f"gotone run: warning: --jobs {jobs} lowered to {cap}, the usable cores here; "
          f"each busy job (a worker and its kernels) needs about "
          f"{processes.JOB_MEMORY_GIB:.1f} GiB of memory on the small demo, more on "
          "larger data", file=stream or sys.stderr, flush=True)
    return cap


def remove_dead_runs(staging_root: Path) -> list[str]:
    """Remove the staging folders of runs whose batch process no longer runs.

    A run's folder ``<staging_root>/<run id>/`` names its batch in :data:`OWNER_NAME`;
    a folder without that file, or naming a process that has ended (or whose id now
    belongs to another process), is a dead run's and goes. So does one naming this
    process: called under the output folder's lock before a batch makes its own staging,
    such a folder is left from an earlier batch of this process, which has ended. The
    staging of a batch still running in another process is left alone.

    Returns
    -------
    list of str
        The run ids whose folders were removed, sorted.
    """
    removed = []
    try:
        runs = sorted(p for p in staging_root.iterdir() if p.is_dir())
    except FileNotFoundError:
        return []
    for run in runs:
        try:
            owner = json.loads((run / OWNER_NAME).read_text(encoding="utf-8"))
            alive = (int(owner["pid"]) != os.getpid()
                     and processes.process_alive(owner["pid"], owner.get("started")))
        except (OSError, ValueError, KeyError, TypeError):
            alive = False
        if not alive:
            shutil.rmtree(run, ignore_errors=True)
            removed.append(run.name)
    return removed


def _output_error(out_dir: Path, exc: OSError) -> UsageError:
    """The message for an output folder the batch cannot write to."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return UsageError(f"cannot write to output folder {out_dir.name}/: {reason}")


def _run_locked(plan, quarter, out_dir, data_dir, jobs, lang, cell_timeout, progress,
                stream, names, use_cache: bool = True, force: bool = False,
                checked: dict | None = None) -> BatchResult:
    staging_root = out_dir / STAGING_NAME
    run_id = _dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    run_dir = staging_root / run_id
    cache_dir = out_dir / shared_cache.CACHE_NAME
    log_dir = out_dir / LOGS_NAME
    try:
        remove_dead_runs(staging_root)
        run_dir.mkdir(parents=True)
        provenance.atomic_write_text(
            run_dir / OWNER_NAME, json.dumps({"pid": os.getpid(),
                                              "started": processes.process_started()}))
        cache_dir.mkdir(exist_ok=True)
        shutil.rmtree(log_dir, ignore_errors=True)
        log_dir.mkdir()
    except OSError as exc:  # working folders the batch cannot make
        raise _output_error(out_dir, exc) from None
    from .. import io

    saved = {k: os.environ.get(k) for k in (provenance.CACHE_DIR_ENV,
                                             shared_cache.NO_CACHE_ENV,
                                             provenance.CODE_VERSION_ENV,
                                             provenance.RUN_ID_ENV)}
    prepare = None
    try:
        # the code digest and version, computed once: every kernel reports and keys the
        # same; the run id: digests and records of earlier batches are not trusted
        os.environ[provenance.CODE_VERSION_ENV] = provenance.code_env_value()
        os.environ[provenance.RUN_ID_ENV] = run_id
        os.environ[provenance.CACHE_DIR_ENV] = str(cache_dir)
        os.environ[shared_cache.NO_CACHE_ENV] = "0" if use_cache else "1"
        # one provenance record per input, every input hashed again by this batch; the
        # kernels read them from the cache (gotone_analysis.provenance.cached_record)
        io.open_dataset(data_dir.resolve()).inputs(cache_dir)
        tasks = make_tasks(plan, run_dir=run_dir, cache_dir=cache_dir, out_dir=out_dir,
                           data_dir=data_dir, lang=lang, cell_timeout=cell_timeout,
                           use_cache=use_cache)
        # which published reports are reused as they are, and why each other one runs
        decisions = reuse.decide(tasks, out_dir, data_dir, cache_dir, force=force)
        running = {t.report for t in tasks if not decisions[reuse.key_of(t)].reused}
        # the batch's shared work (the panel validated once) starts in this process
        # while the kernels run; the kernels needing it wait for it (gotone_analysis.cache)
        prepare = (batch_prep.prepare_batch(data_dir.resolve(), sorted(running),
                                            panel_checked=(checked or {}).get("panel"))
                   if use_cache and running else None)
        return _execute_all(tasks, out_dir, run_id, run_dir, jobs, progress, stream, names,
                            decisions)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
        if prepare is not None:
            prepare.join(timeout=1.0)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _execute_all(tasks, out_dir, run_id, run_dir, jobs, progress, stream, names,
                 decisions=None) -> BatchResult:
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
    failed it is not run and fails with a message naming them (:func:`gotone_analysis.runner.worker.needs_failed`).

    A task whose decision (:func:`gotone_analysis.runner.reuse.decide`) is ``reused`` is
    not run: its published files stay as they are, its result is ``ok`` with ``run``
    ``reused``; every other task's decision is kept with its status
    (:func:`gotone_analysis.runner.reuse.record`) and shown by the index.
    """
    from tqdm import tqdm

    results: list[TaskResult] = []
    interrupted = False
    failure: BaseException | None = None
    error = ""
    previous = signal.signal(signal.SIGTERM, on_sigterm)
    ctx = multiprocessing.get_context("spawn")
    log_dir = out_dir / LOGS_NAME
    decisions = decisions or {reuse.key_of(t): reuse.Decision("forced") for t in tasks}
    kept = [t for t in tasks if decisions[reuse.key_of(t)].reused]
    to_run = [t for t in tasks if not decisions[reuse.key_of(t)].reused]
    pool = (cf.ProcessPoolExecutor(max_workers=min(jobs, len(to_run)), mp_context=ctx,
                                   initializer=worker_init,
                                   initargs=(str(log_dir), os.getpid()))
            if to_run else None)
    # a live bar on a terminal; one line per finished report in logs (CI, make | tee)
    live = progress and sys.stderr.isatty()
    bar = tqdm(total=len(to_run), file=sys.stderr, unit="nb", disable=not live,
               desc="gotone run", dynamic_ncols=True)
    task: Task | None = None
    planned = {(t.quarter, t.scope, t.report) for t in tasks}
    held = [t for t in to_run if config.REPORT_NEEDS.get(t.report)]
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
                not_run.append((t, needs_failed(t, failed)))
            else:
                futures[pool.submit(execute_task, t)] = t

    try:
        for t in kept:  # left in place: recorded as reused, counted as published
            task = t
            with signals_deferred():
                reuse.record(t, decisions[reuse.key_of(t)], out_dir, published=False)
            results.append(TaskResult(t.report, t.scope, "ok", 0.0, quarter=t.quarter,
                                      run=reuse.REUSED))
            finished[(t.quarter, t.scope, t.report)] = "ok"
        if kept:
            with signals_deferred():
                pages.write_index(out_dir, kept[0].lang)
        for t in start_order(to_run):
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
                result = worker_died(task, exc)
            result.quarter = task.quarter
            decision = decisions[reuse.key_of(task)]
            result.run = decision.words()
            with signals_deferred():
                publish_result(task, result, out_dir, run_id, names)
                reuse.record(task, decision, out_dir, published=result.status == "ok")
                results.append(result)
                pages.write_index(out_dir, task.lang)
            finished[(task.quarter, task.scope, task.report)] = result.status
            release()
            bar.set_postfix_str(f"{task.report}/{task.scope} {result.status}")
            bar.update()
            if progress and not live:
                print(f"gotone run: [{len(results) - len(kept)}/{len(to_run)}] "
                      f"{task.report}/{task.scope} {result.status} ({result.seconds:.1f} s; "
                      f"{result.run})", file=sys.stderr, flush=True)
        if pool is not None:
            pool.shutdown(wait=True)
    except (KeyboardInterrupt, Terminated):
        interrupted = True
        if pool is not None:
            stop_pool(pool)
    except BaseException as exc:  # noqa: BLE001 - stop cleanly, then report or re-raise
        failure = exc
        if pool is not None:
            stop_pool(pool)
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
    write_timings(out_dir / LOGS_NAME, results)
    print_summary(batch, tasks, stream)
    if error:
        raise PublishError(error) from failure
    return batch


def write_timings(log_dir: Path, results: Sequence[TaskResult]) -> Path | None:
    """Write where each report's seconds went to ``<log_dir>/timings.csv``.

    One row per report that ran: ``quarter, report, scope, seconds`` and the seconds of
    every phase of :data:`gotone_analysis.timings.PHASES` (kernel start, imports, data,
    compute, figures, publish, export). ``make bench`` prints their sums.

    Returns
    -------
    pathlib.Path or None
        The file, or None when no report ran (or the folder cannot be written).
    """
    rows = [{"quarter": r.quarter, "report": r.report, "scope": r.scope,
             "seconds": round(r.seconds, 3), **r.phases} for r in results if r.phases]
    if not rows:
        return None
    path = log_dir / TIMINGS_NAME
    frame = pd.DataFrame(rows, columns=["quarter", "report", "scope", "seconds",
                                        *timings.PHASES])
    try:
        provenance.atomic_write_text(path, frame.to_csv(index=False))
    except OSError:  # the timings are for benchmarks; never fail a batch for them
        return None
    return path


def _publish_message(exc: OSError, task: Task, out_dir: Path) -> str:
    """The message for a report that could not be put in place in ``out_dir``."""
    where = exc.filename or ""
    with contextlib.suppress(ValueError, TypeError):
        where = Path(str(where)).relative_to(out_dir).as_posix()
    reason = exc.strerror or str(exc) or type(exc).__name__
    return (f"cannot publish {task.quarter}/{task.scope}/{task.report} in "
            f"{out_dir.name}/: {reason}" + (f": {where}" if where else "")
            + "; reports already there stay as they were")


def print_summary(batch: BatchResult, tasks: Sequence[Task], stream: TextIO) -> None:
    """Print the closing table: every task with status, seconds and ``run`` (``reused``,
    or why it ran: :mod:`gotone_analysis.runner.reuse`; ``not run`` for tasks an
    interruption stopped), then the count of reports published and reused and the index
    page."""
    done = {(r.quarter, r.report, r.scope): r for r in batch.results}
    several = len({t.quarter for t in tasks}) > 1  # then a first column names the quarter
    rows = []
    for t in tasks:
        r = done.get((t.quarter, t.report, t.scope))
        rows.append((f"{t.quarter}  {t.report}" if several else t.report, t.scope,
                     r.status if r else "not run",
                     f"{r.seconds:.1f}" if r else "", r.run if r else "",
                     r.error if r else ""))
    head = ("quarter  report" if several else "report", "scope", "status", "seconds", "run",
            "error")
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(5)]
    line = "  ".join(h.ljust(w) for h, w in zip(head[:5], widths, strict=True))
    print(line + "  error", file=stream)
    for row in rows:
        cells = [str(row[0]).ljust(widths[0]), str(row[1]).ljust(widths[1]),
                 str(row[2]).ljust(widths[2]), str(row[3]).rjust(widths[3]),
                 str(row[4]).ljust(widths[4])]
        line = "  ".join(cells) + ("  " + row[5] if row[5] else "")
        print(line.rstrip(), file=stream)
    n_ok = sum(r.status == "ok" for r in batch.results)
    verdict = ("interrupted" if batch.interrupted else "stopped" if batch.error
               else "ok" if batch.ok else "failed")
    print(f"{n_ok}/{len(tasks)} reports published ({verdict}), {len(batch.reused)} of them "
          f"reused; index: "
          f"{(Path(batch.out_dir) / 'index.html').resolve()}", file=stream)
