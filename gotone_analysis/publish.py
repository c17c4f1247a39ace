"""The batch's publishing: a report's files put in place all or nothing.

A report is made in the batch's staging folder; :func:`publish_result` builds the
scope's new ``metrics.json``, ``tables.xlsx`` (from every report's tables, kept as
Parquet parts in ``.parts/``) and ``status.json`` there too, then moves each file into
``<out>/<quarter>/<scope>/`` with :func:`os.replace` (atomic on one file system), the
reader HTML last. If a move fails, the moves done are undone (:func:`commit`), so the
last good report stays as it was.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import json
import os
import shutil
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import config, provenance, report
from .errors import GotoneError

#: Folder (in a scope's output folder) keeping each report's tables as Parquet parts.
PARTS_NAME = ".parts"


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


#: Tables read by :func:`_report_tables`, by the SHA-256 of the files they were read from
#: (a batch rewrites a scope's workbook each time one of its reports is published, and
#: reads the other reports' unchanged parts again).
_READ: OrderedDict[str, dict[str, pd.DataFrame]] = OrderedDict()
_READ_MAX = 128


def _files_digest(files: Sequence[Path]) -> str | None:
    """The SHA-256 of the files' names and bytes, or None when one cannot be read."""
    import hashlib

    h = hashlib.sha256()
    try:
        for f in files:
            data = f.read_bytes()
            h.update(f"{f.name}\0{len(data)}\0".encode())
            h.update(data)
    except OSError:
        return None
    return h.hexdigest()


def _report_tables(folder: Path, name: str) -> dict[str, pd.DataFrame]:
    """One report's tables kept in ``folder`` (staging or ``.parts``), by sheet name.

    Read from the Parquet parts (``<report>.tables/``), which keep every column's
    type; parts written before those existed are read from ``<report>.tables.xlsx``.
    Tables read from the same bytes before are not read again (the frames are shared:
    read only).
    """
    parts, workbook = folder / f"{name}.tables", folder / f"{name}.tables.xlsx"
    files = sorted(f for f in parts.iterdir() if f.is_file()) if parts.is_dir() else []
    key = _files_digest([*files, *([workbook] if workbook.exists() else [])])
    if key is not None and key in _READ:
        _READ.move_to_end(key)
        return dict(_READ[key])
    if (parts / "manifest.json").exists():
        got = report.read_table_parts(parts, workbook)
    elif workbook.exists():
        got = pd.read_excel(workbook, sheet_name=None)
    else:
        got = {}
    if key is not None:
        _READ[key] = got
        while len(_READ) > _READ_MAX:
            _READ.popitem(last=False)
    return dict(got)


def combine_tables(parts: Path, reports_order: Iterable[str],
                    pending: tuple[str, Path] | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of a scope's ``tables.xlsx``: every report's tables, in report order.

    Each report's tables come from ``parts`` (the scope's ``.parts``), except the
    ``pending`` report's (name, staging folder) which is being published.
    """
    sheets: dict[str, pd.DataFrame] = {}
    for name in reports_order:
        folder = pending[1] if pending and pending[0] == name else parts
        for sheet, df in _report_tables(folder, name).items():
            sheets[f"{name}.{sheet}"] = df
    return sheets


def _lexists(path: Path) -> bool:
    return os.path.lexists(path)


def _set_aside(path: Path, slot: Path, *, keep: bool) -> Path | None:
    """Keep the current version of ``path`` in ``slot`` so it can be put back.

    With ``keep`` a file is hard-linked (``path`` stays in place for readers);
    folders, and files that cannot be linked, are moved.
    """
    if not _lexists(path):
        return None
    if keep and not path.is_dir():
        try:
            os.link(path, slot, follow_symlinks=False)
            return slot
        except OSError:
            pass
    os.replace(path, slot)
    return slot


def commit(moves: Sequence[tuple[Path, Path]], removals: Sequence[Path], backup: Path) -> None:
    """Put files in place, all or nothing as far as the file system allows.

    Each ``(source, target)`` is moved with :func:`os.replace` in order, then each of
    ``removals`` is taken away. The versions replaced are kept in ``backup`` until the
    end; if any step fails, every step done is undone (earlier versions put back, new
    files taken away) and the error raised.
    """
    backup.mkdir(parents=True, exist_ok=True)
    done: list[tuple[Path, Path | None]] = []
    try:
        for i, (src, dest) in enumerate(moves):
            if dest.is_dir() and not dest.is_symlink() and not src.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(dest))
            saved = _set_aside(dest, backup / f"m{i}", keep=not src.is_dir())
            done.append((dest, saved))
            os.replace(src, dest)
        for i, dest in enumerate(removals):
            if _lexists(dest):
                done.append((dest, _set_aside(dest, backup / f"r{i}", keep=False)))
    except BaseException:
        for dest, saved in reversed(done):
            with contextlib.suppress(OSError):
                if saved is None or saved.is_dir():
                    if _lexists(dest):
                        report.remove_path(dest)
                if saved is not None:
                    os.replace(saved, dest)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def _write_workbook(task, sheets: dict[str, pd.DataFrame], status: dict, path: Path) -> None:
    """The scope's ``tables.xlsx`` in the batch's language, its first sheet saying what it
    is (:func:`gotone_analysis.workbook.write`)."""
    from . import io, labels, workbook

    entries = status.get("reports", {})
    order = list(config.REPORTS)
    statuses = {k: entries[k] for k in sorted(entries, key=lambda n: (
        order.index(n) if n in order else len(order), n))}
    inputs = None
    data_dir = task.parameters.get("data_dir")
    if data_dir:
        with contextlib.suppress(OSError, ValueError, GotoneError):  # best effort: a summary
            inputs = io.open_dataset(data_dir).inputs(task.cache_dir)
    workbook.write(path, sheets, lang=task.lang, quarter=task.quarter,
                   scope_label=labels.code_label(task.scope, task.lang),
                   synthetic=any(e.get("synthetic") for e in entries.values()),
                   statuses=statuses, parameters=task.parameters,
                   code_version=provenance.code_version(), inputs=inputs)


def publish_result(task, result, out_dir: Path, run_id: str,
                   reports_order: Sequence[str]) -> None:
    """Put one task's files from staging into ``<out>/<quarter>/<scope>/``.

    ``task`` is a :class:`gotone_analysis.runner.Task` (``report, quarter, scope,
    staging``), ``result`` its :class:`~gotone_analysis.runner.TaskResult` (``status,
    seconds, error, files``).

    Everything is made in staging first: the report's files, the scope's new
    ``metrics.json``, ``tables.xlsx`` (built from every report's tables as they were,
    see :func:`combine_tables`) and ``status.json``. Only then is each moved into
    place with :func:`os.replace` (atomic on one file system), the reader HTML last;
    if a move fails, those done are undone (:func:`commit`), so the last good report
    stays as it was. A failed report moves only its error page and partial notebook
    and keeps its last good HTML, metrics and tables.

    Raises
    ------
    OSError
        When the output folder does not take the files (nothing changed then).
    """
    final = Path(out_dir) / task.quarter / task.scope
    final.mkdir(parents=True, exist_ok=True)
    name = task.report
    prep = task.staging / f".publish-{name}"
    report.remove_path(prep)
    prep.mkdir(parents=True)
    parts = final / PARTS_NAME
    moves: list[tuple[Path, Path]] = []
    removals: list[Path] = []
    sheets: dict[str, pd.DataFrame] = {}
    made_from: dict[str, Any] = {}  # the report's metrics: says whether the data were synthetic
    if result.status == "ok":
        parts.mkdir(exist_ok=True)
        metrics_part = task.staging / f"{name}.metrics.json"
        metrics = read_json(metrics_part) if metrics_part.exists() else {}
        made_from = metrics
        combined = read_json(final / "metrics.json")
        combined[name] = metrics
        provenance.atomic_write_text(prep / "metrics.json", report.metrics_json(combined),
                                     mode=report.FILE_MODE)
        sheets = combine_tables(parts, reports_order, pending=(name, task.staging))
        for part in (f"{name}.tables", f"{name}.tables.xlsx"):
            if _lexists(task.staging / part):
                moves.append((task.staging / part, parts / part))
            else:
                removals.append(parts / part)
        moves.append((prep / "metrics.json", final / "metrics.json"))
        if not sheets:
            removals.append(final / "tables.xlsx")
        removals += [final / f"{name}.failed.ipynb", final / f"{name}.error.html"]
        report_files = [f"{name}.ipynb", f"{name}.html"]
    else:
        # the error page last: it is what the index links to for a failed report
        report_files = sorted(result.files, key=lambda f: f.endswith(".html"))
    status = read_json(final / "status.json")
    status.setdefault("quarter", task.quarter)
    status.setdefault("scope", task.scope)
    entries = status.setdefault("reports", {})
    arriving = set(report_files)
    present = [f for f in (f"{name}.html", f"{name}.ipynb", f"{name}.failed.ipynb",
                           f"{name}.error.html")
               if f in arriving or ((final / f).exists() and final / f not in removals)]
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
    if result.status == "ok" and sheets:
        _write_workbook(task, sheets, status, prep / "tables.xlsx")
        moves.append((prep / "tables.xlsx", final / "tables.xlsx"))
    provenance.atomic_write_text(prep / "status.json",
                                 json.dumps(status, indent=2, ensure_ascii=False) + "\n",
                                 mode=report.FILE_MODE)
    moves.append((prep / "status.json", final / "status.json"))
    moves += [(task.staging / f, final / f) for f in report_files]
    commit(moves, removals, prep / "replaced")
    shutil.rmtree(prep, ignore_errors=True)
