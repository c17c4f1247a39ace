"""Once-per-batch shared work: results computed once and kept in the batch's cache folder.

Some work is the same for every scope and report of a batch: validating the customer
panel against the contract (a scan of every customer-month), the panel aggregates the
reports slice by scope. :func:`shared` computes such a result once and keeps it in the
cache folder the batch passes to its kernels (``$GOTONE_CACHE_DIR``, the same folder as
the provenance records of :mod:`gotone_analysis.provenance`); every later call, in any
kernel of this or a later batch, reads it back.

An entry is keyed by

* its name and parameters (e.g. the quarter),
* the SHA-256 of every input file it depends on (from the inputs' provenance records,
  which the batch makes once: changing one byte of a file changes its digest), and
* the code version (:func:`gotone_analysis.provenance.code_digest`: the SHA-256 of the
  package's source files and the versions of the engines that compute the aggregates),

so a changed input invalidates exactly the entries that depend on it, and changed code
invalidates them all (the digests are made once per batch and file identity,
:func:`gotone_analysis.provenance.file_digest`: every batch hashes its inputs again). A
superseded entry (same name and parameters, another key) is removed when its successor
is written. Without a cache folder (a notebook opened in JupyterLab), or with
``$GOTONE_NO_CACHE=1``, :func:`shared` simply computes. The cached result is the
computed object itself (pickled), so a report reads the same numbers with and without
the cache.

An entry is two files, ``<name>/<key>.pkl`` and ``<name>/<key>.json``; the JSON, written
last, holds the SHA-256 of the pickle. An entry that cannot be read back (a truncated or
garbled pickle, a checksum that does not match, malformed JSON) is discarded and
computed again, with one line saying so (:func:`gotone_analysis.provenance.log_line`:
standard error; in a kernel the batch's log in ``<out>/.logs/`` and the notebook's
output), never an exception.

The cache lives in the batch's output folder, ``<out>/.cache/`` (:data:`CACHE_NAME`):
the provenance records of the inputs (``inputs.json``) and the shared results in
``shared/``. It holds nothing personal: the typed input frames are kept without the
contract's personal and identifying columns. :func:`clear` empties it
(``gotone cache clear``).

Public names: :data:`CACHE_NAME`, :data:`NO_CACHE_ENV`, :data:`SHARED_NAME`,
:func:`cache_dir`, :func:`entry_key`, :func:`shared`, :func:`entries`,
:func:`input_digests`, :func:`clear`. The batch starts the panel's validation through
:func:`shared` ahead of its kernels with :func:`gotone_analysis.batch_prep.prepare_batch`;
the code version of an entry is :func:`gotone_analysis.provenance.code_digest`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .provenance import CACHE_DIR_ENV, atomic_target, code_digest, log_line

__all__ = [
    "CACHE_DIR_ENV",
    "CACHE_NAME",
    "NO_CACHE_ENV",
    "SHARED_NAME",
    "cache_dir",
    "clear",
    "entries",
    "entry_key",
    "input_digests",
    "shared",
    "shared_by_inputs",
]

#: Folder (in a batch's output folder) of the provenance records and shared results.
CACHE_NAME = ".cache"

#: Set to ``1`` to compute every shared result in place (the batch's ``--no-cache``).
NO_CACHE_ENV = "GOTONE_NO_CACHE"
#: Sub-folder of the cache folder holding the shared results.
SHARED_NAME = "shared"


def cache_dir() -> Path | None:
    """The cache folder of shared results, or None when there is none or it is disabled.

    Returns
    -------
    pathlib.Path or None
        ``$GOTONE_CACHE_DIR/shared`` when ``$GOTONE_CACHE_DIR`` is set and
        ``$GOTONE_NO_CACHE`` is not ``1``.
    """
    if os.environ.get(NO_CACHE_ENV, "") == "1":
        return None
    root = os.environ.get(CACHE_DIR_ENV)
    return Path(root) / SHARED_NAME if root else None


def input_digests(ds, kinds: str | tuple[str, ...], quarter: str | None = None
                  ) -> dict[str, str]:
    """The SHA-256 of the inputs of a data set that a result depends on.

    Parameters
    ----------
    ds : gotone_analysis.io.Dataset
        The data set (its provenance records are made once per file version, see
        :meth:`gotone_analysis.io.Dataset.inputs`).
    kinds : str or tuple of str
        Input kinds: ``"panel"``, ``"survey"``, ``"kpi"``, ``"benchmark"``.
    quarter : str, optional
        For ``"survey"``: only that wave's file (default every wave).

    Returns
    -------
    dict
        Input path (relative to the data folder) -> SHA-256, sorted by path; the mapping
        file applied to a file is part of its entry (``path|mapping``).
    """
    wanted = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    rec = ds.inputs()
    out: dict[str, str] = {}
    for _, r in rec.iterrows():
        if r["kind"] not in wanted:
            continue
        if r["kind"] == "survey" and quarter is not None and quarter not in str(r["path"]):
            continue
        key = str(r["path"]) + (f"|{r['mapping']}" if r.get("mapping") else "")
        out[key] = str(r["sha256"])
    return dict(sorted(out.items()))


def entry_key(name: str, depends: Mapping[str, str], params: Mapping[str, Any] | None = None,
              code: str | None = None) -> str:
    """The key of a shared result.

    Parameters
    ----------
    name : str
        What the result is (``"panel_validation"``, ``"care_cells"``...).
    depends : mapping
        Input path -> SHA-256 of every input the result depends on.
    params : mapping, optional
        Everything else the result depends on (JSON-serialisable).
    code : str, optional
        Code version (default :func:`gotone_analysis.provenance.code_digest`).

    Returns
    -------
    str
        A SHA-256 hex digest.
    """
    payload = {"name": name, "depends": dict(sorted(depends.items())),
               "params": params or {}, "code": code or code_digest()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _params_id(name: str, params: Mapping[str, Any] | None) -> str:
    text = json.dumps({"name": name, "params": params or {}}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _atomic_bytes(path: Path, data: bytes) -> None:
    with atomic_target(path) as tmp:
        tmp.write_bytes(data)


def _read_entry(where: Path, key: str) -> tuple[bool, Any, str]:
    """Read the entry ``key`` back: (found, value, why it is damaged or ``""``).

    Not found (nothing there) is ``(False, None, "")``; a damaged entry is
    ``(False, None, reason)``."""
    meta_path, pkl_path = where / f"{key}.json", where / f"{key}.pkl"
    if not meta_path.exists():
        return False, None, ("no metadata beside the pickle" if pkl_path.exists() else "")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return False, None, f"unreadable metadata: {exc}"
    if not isinstance(meta, dict) or meta.get("key") != key \
            or not isinstance(meta.get("sha256"), str):
        return False, None, "malformed metadata"
    try:
        data = pkl_path.read_bytes()
    except OSError as exc:
        return False, None, f"unreadable pickle: {exc.strerror or exc}"
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        return False, None, "checksum mismatch"
    try:
        return True, pickle.loads(data), ""
    except Exception as exc:  # noqa: BLE001 - any unpickling problem: compute again
        return False, None, f"cannot unpickle: {type(exc).__name__}"


def _discard(where: Path, name: str, key: str, reason: str) -> None:
    """Remove a damaged entry, saying so in one line (:func:`~gotone_analysis.provenance.log_line`)."""
    log_line(f"gotone cache: discarded the damaged entry {name}/{key[:12]} ({reason}); "
             "computing it again")
    for suffix in (".pkl", ".json"):
        (where / f"{key}{suffix}").unlink(missing_ok=True)


def shared(name: str, compute: Callable[[], Any], *, depends: Mapping[str, str],
           params: Mapping[str, Any] | None = None, directory: str | Path | None = None,
           on_lock: Callable[[], None] | None = None) -> Any:
    """A result computed once per key and read back by every later caller.

    Parameters
    ----------
    name : str
        What the result is; entries live in ``<cache>/<name>/``.
    compute : callable
        Makes the result (any picklable object) when the cache has none for the key.
        An exception propagates and nothing is stored.
    depends : mapping
        Input path -> SHA-256 of every input file the result depends on
        (:func:`input_digests`).
    params : mapping, optional
        The other things the result depends on (quarter, engine...).
    directory : path, optional
        Cache folder (default :func:`cache_dir`; none: compute without caching).
    on_lock : callable, optional
        Called once the entry is found or its lock is held (the batch starts its
        kernels only then, so none of them computes the entry a second time).

    Returns
    -------
    object
        The result: computed, or the one stored under its key. Concurrent callers
        with the same key wait for the first (a file lock per entry), so the work is
        done once. A damaged entry (see the module's docstring) is discarded, with one
        line in the log, and computed again.
    """
    folder = Path(directory) if directory is not None else cache_dir()
    notify = on_lock or (lambda: None)
    if folder is None:
        notify()
        return compute()
    from filelock import FileLock

    key = entry_key(name, depends, params)
    where = folder / name
    where.mkdir(parents=True, exist_ok=True)
    found, value, _ = _read_entry(where, key)
    if found:
        notify()
        return value
    with FileLock(str(where / f"{key}.lock")):
        notify()
        found, value, damaged = _read_entry(where, key)
        if found:
            return value
        if damaged:
            _discard(where, name, key, damaged)
        value = compute()
        pid = _params_id(name, params)
        for old in where.glob("*.json"):  # superseded: same name and parameters
            try:
                meta = json.loads(old.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(meta, dict) and meta.get("params_id") == pid \
                    and meta.get("key") != key and isinstance(meta.get("key"), str):
                (where / f"{meta['key']}.pkl").unlink(missing_ok=True)
                old.unlink(missing_ok=True)
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        _atomic_bytes(where / f"{key}.pkl", data)
        meta = {"name": name, "key": key, "params_id": pid, "params": params or {},
                "depends": dict(sorted(depends.items())), "code": code_digest(),
                "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        _atomic_bytes(where / f"{key}.json",
                      json.dumps(meta, sort_keys=True, default=str).encode())
    (where / f"{key}.lock").unlink(missing_ok=True)
    return value


def shared_by_inputs(name: str, compute: Callable[[], Any], *, dataset,
                     kinds: str | tuple[str, ...],
                     params: Mapping[str, Any] | None = None,
                     quarter: str | None = None) -> Any:
    """A result every scope of a batch shares, keyed by the data set's inputs it reads.

    :func:`shared` keyed by :func:`input_digests` of ``dataset``'s inputs of ``kinds``;
    computed in place when there is no batch cache (:func:`cache_dir`), when the inputs
    cannot be hashed (the reports reading them say why) or when there are none.

    Parameters
    ----------
    name, compute, params
        As in :func:`shared`.
    dataset : gotone_analysis.io.Dataset or callable
        The data set, or what makes it (called only with a batch cache).
    kinds : str or tuple of str
        Input kinds the result depends on (:func:`input_digests`).
    quarter : str, optional
        For ``"survey"``: only that wave's file (:func:`input_digests`).

    Returns
    -------
    object
        The result.
    """
    if cache_dir() is None:
        return compute()
    try:
        ds = dataset() if callable(dataset) else dataset
        depends = input_digests(ds, kinds, quarter)
    except Exception:  # noqa: BLE001 - unreadable or no data set: nothing to key by
        return compute()
    if not depends:
        return compute()
    return shared(name, compute, depends=depends, params=params)


def clear(out_dir: str | Path, *, lock: str | Path | None = None,
          timeout: float = 10.0) -> tuple[int, int]:
    """Empty the cache of a batch's output folder (``gotone cache clear``).

    Parameters
    ----------
    out_dir : path
        The output folder; its cache is ``<out_dir>/.cache/`` (:data:`CACHE_NAME`).
    lock : path, optional
        A lock file held while the cache is removed (the batch's lock on the output
        folder, :data:`gotone_analysis.runner.LOCK_NAME`), so a running batch is not
        cut short.
    timeout : float
        Seconds to wait for ``lock``.

    Returns
    -------
    tuple of int
        The number of files removed and their bytes (0, 0 when there was no cache).

    Raises
    ------
    gotone_analysis.errors.UsageError
        When ``lock`` is held by a running batch after ``timeout`` seconds, or the
        cache cannot be removed.
    """
    from filelock import FileLock, Timeout

    from .errors import UsageError

    folder = Path(out_dir) / CACHE_NAME
    if not folder.exists():
        return 0, 0
    guard = FileLock(str(lock), timeout=timeout) if lock is not None else contextlib.nullcontext()
    try:
        with guard:
            files = [f for f in folder.rglob("*") if f.is_file()]
            size = sum(f.stat().st_size for f in files)
            shutil.rmtree(folder)
    except Timeout:
        raise UsageError(f"a batch is running on {Path(out_dir).name}/ (lock held for "
                         f"{timeout:g}s); clear its cache when it has finished") from None
    except OSError as exc:
        raise UsageError(f"cannot remove {Path(out_dir).name}/{CACHE_NAME}: "
                         f"{exc.strerror or exc}") from None
    return len(files), size


def entries(directory: str | Path | None = None) -> pd.DataFrame:
    """The shared results kept in a cache folder.

    Parameters
    ----------
    directory : path, optional
        Cache folder of shared results (default :func:`cache_dir`).

    Returns
    -------
    pandas.DataFrame
        One row per entry, sorted by name and key: ``name, key, params`` (JSON text),
        ``depends`` (the input paths, comma-separated), ``bytes``.
    """
    folder = Path(directory) if directory is not None else cache_dir()
    rows = []
    if folder is not None and folder.is_dir():
        for meta_file in sorted(folder.glob("*/*.json")):
            try:
                meta = json.loads(meta_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(meta, dict) or not {"name", "key"} <= set(meta):
                continue
            pkl = meta_file.with_suffix(".pkl")
            if not pkl.exists():
                continue
            rows.append({"name": meta["name"], "key": meta["key"],
                         "params": json.dumps(meta.get("params", {}), sort_keys=True),
                         "depends": ",".join(meta.get("depends", {})),
                         "bytes": pkl.stat().st_size})
    out = pd.DataFrame(rows, columns=["name", "key", "params", "depends", "bytes"])
    return out.sort_values(["name", "key"], kind="stable").reset_index(drop=True)
