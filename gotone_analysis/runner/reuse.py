"""Incremental republish: a published report is reused, not run again, while what made it
is unchanged and its published copy is intact.

What made a report (its *basis*, :func:`task_basis`) is recorded in its scope's
``status.json`` when it is published:

* ``notebook``: the SHA-256 of its notebook;
* ``code``: the package's code digest and version and the package versions the run card
  shows (:mod:`gotone_analysis.provenance`);
* ``parameters``: its parameters (the data folder by its name, as published files name it);
* ``inputs``: the SHA-256 of every input file it reads
  (:data:`gotone_analysis.config.REPORT_INPUTS`, the files its run card lists) and of the
  mapping file applied to each;
* ``needs``: for a report reading other reports' published metrics
  (:data:`gotone_analysis.config.REPORT_NEEDS`), the SHA-256 of each of those metrics.

Beside it, ``published`` holds the SHA-256 of each file of its published copy (reader
page, executed notebook, its tables kept in ``.parts/``, its entry of ``metrics.json``).

:func:`decide` compares each task of a batch with that record: a report whose basis is
unchanged and whose published files still have their digests is *reused* (its files are
left in place, byte for byte); otherwise it runs, and the batch says why
(:class:`Decision`: ``new``, ``code changed``, ``parameters changed``, ``input changed:
<files>``, ``published copy changed: <files>``, ``last run failed``, ``forced`` with
``--force``, or ``reads reports that reran: <reports>``). A published copy that is
damaged or missing is run again, never served. A report reading other reports' metrics
runs when any of them runs in the batch.

:func:`record` writes the basis and digests after a report is published, and the
batch's decision (``run``) of every report, reused or not, which the index shows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import config, pages, provenance, report
from ..errors import UsageError
from ..params import resolve_comparison, resolve_month_comparison
from ..publish import PARTS_NAME, read_json
from .plan import Task

#: The decision that leaves a report's published copy in place.
REUSED = "reused"
#: Why a report runs, in the order they are looked for (the first found is given).
REASONS = ("forced", "new", "last_failed", "code_changed", "parameters_changed",
           "input_changed", "published_changed", "needs_rerun")
#: Name of the scope's workbook, whose digest ``status.json`` keeps.
WORKBOOK = "tables.xlsx"

__all__ = ["REASONS", "REUSED", "WORKBOOK", "Decision", "decide",
           "key_of", "published_digests", "record", "task_basis"]


@dataclass
class Decision:
    """Whether a task's published report is reused, or why it runs."""

    #: :data:`REUSED` or one of :data:`REASONS`.
    why: str
    #: The files or reports the reason names (``input_changed`` ...), comma-separated.
    detail: str = ""
    #: What the report is made from (:func:`task_basis`).
    basis: dict[str, Any] = field(default_factory=dict)

    @property
    def reused(self) -> bool:
        """Whether the published copy is left in place."""
        return self.why == REUSED

    def words(self, lang: str = "en") -> str:
        """The decision as the closing table and the index say it.

        Returns
        -------
        str
            ``reused``, ``code changed``, ``input changed: survey_2010Q2.csv`` ...
        """
        return pages.run_words(self.as_record(), lang)

    def as_record(self) -> dict[str, str]:
        """The decision as ``status.json`` keeps it (``why``, ``detail``)."""
        return {"why": self.why, "detail": self.detail}


def _sha256_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def task_basis(task: Task, data_dir: Path, cache_dir: Path | None = None) -> dict[str, Any]:
    """What a task's report is made from: notebook, code, parameters, inputs.

    Parameters
    ----------
    task : Task
        The task.
    data_dir : pathlib.Path
        The data folder.
    cache_dir : pathlib.Path, optional
        The batch's cache (its input records, :meth:`gotone_analysis.io.Dataset.inputs`).

    Returns
    -------
    dict
        ``notebook`` (SHA-256), ``code`` (digest, version, package versions),
        ``parameters`` (the data folder by its name), ``inputs`` (path -> SHA-256 of every
        file the report reads, :meth:`gotone_analysis.io.Dataset.limit`, and of the mapping
        file applied to each).
    """
    from .. import io

    params = dict(task.parameters)
    if params.get("data_dir"):
        params["data_dir"] = Path(str(params["data_dir"])).name
    # as the kernel limits its data set: a monthly run by the quarter holding its month
    # and its comparison month (gotone_analysis.report.run_card)
    month = params.get("month") or ""
    quarter = str(params.get("quarter") or task.quarter) if month else task.quarter
    compare_to = str(params.get("compare_to", "previous"))
    try:
        compare, _ = (resolve_month_comparison(month, compare_to) if month
                      else resolve_comparison(quarter, compare_to))
    except UsageError:
        compare = None
    root = Path(data_dir).expanduser().resolve()
    ds = io.open_dataset(root).limit(task.report, quarter, compare)
    inputs: dict[str, str] = {}
    for rec in ds.inputs(cache_dir).itertuples(index=False):
        inputs[str(rec.path)] = str(rec.sha256)
        mapping = rec.mapping if isinstance(rec.mapping, str) and rec.mapping else None
        if mapping and (root / mapping).is_file():
            inputs[mapping] = provenance.file_digest(root / mapping)
    return {
        "notebook": provenance.sha256_file(task.notebook),
        "code": {"digest": provenance.code_digest(), "version": provenance.code_version(),
                 "packages": provenance.package_versions()},
        "parameters": dict(sorted(params.items())),
        "inputs": dict(sorted(inputs.items())),
    }


def published_digests(out_dir: Path, quarter: str, scope: str, name: str) -> dict[str, str]:
    """The SHA-256 of each file of a report's published copy, as it is now.

    Returns
    -------
    dict
        Path relative to the scope's folder -> SHA-256: ``<name>.html``, ``<name>.ipynb``,
        every file of its tables in ``.parts/``, and ``metrics.json#<name>`` for its
        entry of ``metrics.json`` (as :func:`gotone_analysis.report.metrics_json` writes
        it). A file that is missing is left out; a missing entry too.
    """
    folder = Path(out_dir) / quarter / scope
    out: dict[str, str] = {}
    for fname in (f"{name}.html", f"{name}.ipynb"):
        if (folder / fname).is_file():
            out[fname] = provenance.sha256_file(folder / fname)
    parts = folder / PARTS_NAME
    for part in (parts / f"{name}.tables", parts / f"{name}.tables.xlsx"):
        files = sorted(p for p in part.rglob("*") if p.is_file()) if part.is_dir() else (
            [part] if part.is_file() else [])
        for f in files:
            out[f.relative_to(folder).as_posix()] = provenance.sha256_file(f)
    metrics = read_json(folder / "metrics.json")
    if name in metrics:
        out[f"metrics.json#{name}"] = _sha256_text(report.metrics_json(metrics[name]))
    return out


def _needs_digests(out_dir: Path, quarter: str, scope: str, name: str) -> dict[str, str]:
    """The SHA-256 of the published metrics of each report ``name`` reads."""
    metrics = read_json(Path(out_dir) / quarter / scope / "metrics.json")
    return {n: _sha256_text(report.metrics_json(metrics[n])) if n in metrics else ""
            for n in config.REPORT_NEEDS.get(name, ())}


def _changed(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def _file_names(paths: Sequence[str]) -> str:
    return ", ".join(dict.fromkeys(Path(p.rstrip("/")).name or p for p in paths))


def key_of(task: Task) -> tuple[str, str, str]:
    """A task's key in :func:`decide`'s answer: ``(quarter, scope, report)``."""
    return (task.quarter, task.scope, task.report)


def _one(task: Task, entry: Mapping[str, Any] | None, basis: dict[str, Any], out_dir: Path,
         force: bool) -> Decision:
    """The decision for one task, without looking at the other tasks."""
    def say(why: str, detail: str = "") -> Decision:
        return Decision(why, detail, basis)

    if force:
        return say("forced")
    if not entry:
        return say("new")
    if entry.get("status") != "ok":
        return say("last_failed")
    kept = entry.get("basis")
    if not isinstance(kept, dict):
        return say("new")
    if kept.get("notebook") != basis["notebook"] or kept.get("code") != basis["code"]:
        return say("code_changed")
    if kept.get("parameters") != basis["parameters"]:
        return say("parameters_changed")
    changed = _changed(kept.get("inputs") or {}, basis["inputs"])
    if changed:
        return say("input_changed", _file_names(changed))
    recorded = entry.get("published")
    now = published_digests(out_dir, task.quarter, task.scope, task.report)
    if not isinstance(recorded, dict) or not recorded:
        return say("published_changed", f"{task.report}.html")
    damaged = _changed(recorded, now)
    if damaged:
        return say("published_changed", _file_names([d.partition("#")[0] for d in damaged]))
    needs = _needs_digests(out_dir, task.quarter, task.scope, task.report)
    moved = [n for n, d in needs.items() if (kept.get("needs") or {}).get(n) != d]
    if moved:
        return say("needs_rerun", ", ".join(moved))
    return say(REUSED)


def decide(tasks: Sequence[Task], out_dir: Path, data_dir: Path, cache_dir: Path | None = None,
           *, force: bool = False) -> dict[tuple[str, str, str], Decision]:
    """Which tasks' published reports are reused, and why each other task runs.

    Parameters
    ----------
    tasks : sequence of Task
        The batch's tasks.
    out_dir, data_dir : pathlib.Path
        The output folder and the data folder.
    cache_dir : pathlib.Path, optional
        The batch's cache (input records).
    force : bool
        Run every task (``--force``).

    Returns
    -------
    dict
        ``(quarter, scope, report)`` of each task -> :class:`Decision`. A report reading other reports' metrics
        (:data:`gotone_analysis.config.REPORT_NEEDS`) runs when one of those runs; when
        every report of a scope is reused but its ``tables.xlsx`` is not the one recorded
        (damaged or missing), the scope's last task runs, which writes the workbook again.
    """
    out_dir = Path(out_dir)
    statuses: dict[tuple[str, str], dict] = {}
    decisions: dict[tuple[str, str, str], Decision] = {}
    for task in sorted(tasks, key=lambda t: bool(config.REPORT_NEEDS.get(t.report))):
        key = (task.quarter, task.scope)
        if key not in statuses:
            statuses[key] = read_json(out_dir / task.quarter / task.scope / "status.json")
        entry = (statuses[key].get("reports") or {}).get(task.report)
        basis = task_basis(task, data_dir, cache_dir)
        decision = _one(task, entry, basis, out_dir, force)
        if decision.reused and config.REPORT_NEEDS.get(task.report):
            reran = [n for n in config.REPORT_NEEDS[task.report]
                     if (task.quarter, task.scope, n) in decisions
                     and not decisions[(task.quarter, task.scope, n)].reused]
            if reran:
                decision = Decision("needs_rerun", ", ".join(reran), basis)
        decisions[key_of(task)] = decision
    for (quarter, scope), status in statuses.items():
        mine = [t for t in tasks if (t.quarter, t.scope) == (quarter, scope)]
        if not all(decisions[key_of(t)].reused for t in mine):
            continue
        book = out_dir / quarter / scope / WORKBOOK
        now = provenance.sha256_file(book) if book.is_file() else ""
        if now != status.get("workbook_sha256", ""):
            # any report run writes the workbook again; one no other report reads
            pick = next((t for t in mine if config.REPORT_NEEDS.get(t.report)), mine[-1])
            decisions[key_of(pick)] = Decision("published_changed", WORKBOOK,
                                               decisions[key_of(pick)].basis)
    return decisions


def record(task: Task, decision: Decision, out_dir: Path, *, published: bool) -> None:
    """Keep the batch's decision of a report in its scope's ``status.json``.

    Parameters
    ----------
    task : Task
        The task.
    decision : Decision
        Its decision (:func:`decide`).
    out_dir : pathlib.Path
        The output folder.
    published : bool
        Whether the report was run and published successfully in this batch: then its
        basis (with the digests of the metrics it read, for a report of
        :data:`gotone_analysis.config.REPORT_NEEDS`) and the digests of its published
        files are kept too, and the scope's workbook digest. A report that failed keeps
        no basis: the next batch runs it (``last run failed``).

    Returns
    -------
    None
    """
    folder = Path(out_dir) / task.quarter / task.scope
    path = folder / "status.json"
    status = read_json(path)
    entry = (status.get("reports") or {}).get(task.report)
    if entry is None:
        return
    entry["run"] = decision.as_record()
    if published:
        basis = dict(decision.basis)
        needs = _needs_digests(out_dir, task.quarter, task.scope, task.report)
        if needs:
            basis["needs"] = needs
        entry["basis"] = basis
        entry["published"] = published_digests(out_dir, task.quarter, task.scope,
                                               task.report)
    elif not decision.reused:
        entry.pop("basis", None)
        entry.pop("published", None)
    book = folder / WORKBOOK
    status["workbook_sha256"] = provenance.sha256_file(book) if book.is_file() else ""
    provenance.atomic_write_text(path, json.dumps(status, indent=2, ensure_ascii=False) + "\n",
                                 mode=report.FILE_MODE)
