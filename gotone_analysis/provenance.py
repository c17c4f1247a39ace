"""Provenance: the one record of each input file, and the versions of code and packages.

Every input file a report reads is described once, by one record (:data:`RECORD_COLUMNS`):

* ``path``: relative to the data folder, ``/``-separated;
* ``kind``: the contract table (``survey``, ``kpi``, ``benchmark``, ``panel``);
* ``format`` and ``encoding`` as the reader found them;
* ``sha256`` of the bytes (for the panel folder: of its files' relative paths and hashes);
* ``rows``: data rows **as read by the reader the analysis uses**
  (:mod:`gotone_analysis.io`: a quoted cell spanning several lines is one row, empty
  trailing rows are not rows; the panel's Parquet footers);
* ``bytes`` and ``mapping``: the column-mapping file applied, if any.

The records are made by :class:`gotone_analysis.io.Dataset` (:meth:`~gotone_analysis.io.Dataset.inputs`
for every file it reads, :meth:`~gotone_analysis.io.Dataset.sources` for those read so
far) and shown unchanged by the run card, the data-quality report and its validation
summary. A batch computes each record once: :func:`cached_record` keeps them in
``$GOTONE_CACHE_DIR`` keyed by path, size and modification time.

The atomic file writes of the package live here too (:func:`atomic_target`,
:func:`atomic_write_text`): a module low enough for every writer to import.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, config

__all__ = [
    "CACHE_DIR_ENV",
    "CODE_VERSION_ENV",
    "PACKAGES",
    "RECORD_COLUMNS",
    "atomic_target",
    "atomic_write_text",
    "cached_record",
    "code_version",
    "package_versions",
    "records_frame",
    "sha256_file",
]

#: The fields of the one record of an input file.
RECORD_COLUMNS: tuple[str, ...] = ("path", "kind", "format", "sha256", "rows", "bytes",
                                   "encoding", "mapping")
#: Environment variable naming a cache folder of records (set by the batch).
CACHE_DIR_ENV = "GOTONE_CACHE_DIR"
#: Environment variable carrying the code version computed once by the batch.
CODE_VERSION_ENV = "GOTONE_CODE_VERSION"
#: Distributions whose versions the run card lists.
PACKAGES: tuple[str, ...] = (
    "gotone-analysis", "pandas", "numpy", "scipy", "statsmodels", "samplics", "matplotlib",
    "seaborn", "duckdb", "pyarrow", "papermill", "nbconvert", "ipykernel",
)

_CACHE_FILE = "inputs.json"
#: Records computed in this process, keyed like the on-disk cache.
_MEMO: dict[str, dict[str, Any]] = {}


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """The SHA-256 hex digest of a file, read in chunks.

    Returns
    -------
    str
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def records_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Records as a table.

    Returns
    -------
    DataFrame
        One row per record, columns :data:`RECORD_COLUMNS` (``rows`` and ``bytes``
        nullable integers).
    """
    df = pd.DataFrame([{c: r.get(c) for c in RECORD_COLUMNS} for r in records],
                      columns=list(RECORD_COLUMNS))
    for col in ("rows", "bytes"):
        df[col] = df[col].astype("Int64")
    return df


def _stamp(path: Path) -> str:
    """Path, size and modification time of a file, or of the newest file in a folder."""
    path = Path(path)
    if path.is_dir():
        files = sorted(f for f in path.rglob("*") if f.is_file())
        sig = [(f.relative_to(path).as_posix(), f.stat().st_size, f.stat().st_mtime_ns)
               for f in files]
        digest = hashlib.sha256(repr(sig).encode()).hexdigest()
        return f"{path.resolve()}|dir|{digest}"
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


def cached_record(path: Path, display: str, compute: Callable[[], dict[str, Any]],
                  cache_dir: Path | None = None) -> dict[str, Any]:
    """The record of ``path``, computed once per file version.

    Parameters
    ----------
    path : pathlib.Path
        The file (or panel folder).
    display : str
        Its path relative to the data folder (part of the key: the record names it).
    compute : callable
        Makes the record when no cached one matches.
    cache_dir : pathlib.Path, optional
        Folder of the on-disk cache; default ``$GOTONE_CACHE_DIR`` (none: this process
        only).

    Returns
    -------
    dict
        The record.
    """
    key = f"{_stamp(path)}|{display}"
    if key in _MEMO:
        return dict(_MEMO[key])
    if cache_dir is None and os.environ.get(CACHE_DIR_ENV):
        cache_dir = Path(os.environ[CACHE_DIR_ENV])
    store: dict[str, Any] = {}
    cache_file = Path(cache_dir) / _CACHE_FILE if cache_dir else None
    if cache_file and cache_file.exists():
        try:
            store = json.loads(cache_file.read_text(encoding="utf-8"))
        except ValueError:
            store = {}
    record = store.get(key)
    if record is None:
        record = compute()
        if cache_file:
            store[key] = record
            atomic_write_text(cache_file, json.dumps(store, sort_keys=True, default=str))
    _MEMO[key] = dict(record)
    return dict(record)


@contextmanager
def atomic_target(path: Path, *, suffix: str = ".tmp", mode: int | None = None) -> Iterator[Path]:
    """A temporary file next to ``path`` that replaces ``path`` atomically when the block ends.

    The temporary file is made in ``path``'s folder (so the rename stays on one file
    system) with ``mode`` as its permissions when given (else those of
    :func:`tempfile.mkstemp`, owner only); when the block ends normally it is renamed
    over ``path`` with :func:`os.replace`, when it raises it is removed.

    Parameters
    ----------
    path : Path
        The file to write.
    suffix : str
        Ending of the temporary file's name (e.g. ``".xlsx"`` for a writer that reads
        the format from it).
    mode : int, optional
        Permissions of the written file.

    Yields
    ------
    Path
        The temporary file to write to.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        os.close(fd)
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write UTF-8 text to ``path`` through a temporary file and an atomic rename.

    The folder is created when missing; see :func:`atomic_target` for ``mode``.

    Returns
    -------
    None
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_target(path, mode=mode) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)


@cache
def package_versions() -> dict[str, str]:
    """Installed versions of Python and the packages in :data:`PACKAGES`.

    Returns
    -------
    dict
        Name -> version (``"-"`` when not installed).
    """
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


@cache
def code_version() -> str:
    """The project's code version.

    Returns
    -------
    str
        ``$GOTONE_CODE_VERSION`` when the batch has set it; else the git commit of the
        project (12 hex digits, ``+dirty`` when tracked files differ from it); else the
        package version.
    """
    env = os.environ.get(CODE_VERSION_ENV)
    if env:
        return env
    root = config.project_root()
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, timeout=10, check=True)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return f"gotone-analysis {__version__}"
    version = f"git {commit.stdout.strip()}"
    return version + ("+dirty" if dirty.stdout.strip() else "")
