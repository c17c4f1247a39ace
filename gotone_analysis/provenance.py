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

The one code version lives here too: :func:`code_digest` (the SHA-256 of the package's
source files and the engines' versions: what the batch's cached results are keyed by)
and :func:`code_version` (the git commit and the digest's first 12 hex digits: what the
run card and the workbooks show). A batch computes both once and passes them to its
kernels in one variable, ``$GOTONE_CODE_VERSION`` (:func:`code_env_value`).

The atomic file writes of the package live here too (:func:`atomic_target`,
:func:`atomic_write_text`, and :func:`atomic_folder` for a whole folder): a module low
enough for every writer to import.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
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
    "atomic_folder",
    "atomic_target",
    "atomic_write_text",
    "cached_record",
    "code_digest",
    "code_env_value",
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
#: Environment variable carrying the code digest and version computed once by the batch
#: (:func:`code_env_value`).
CODE_VERSION_ENV = "GOTONE_CODE_VERSION"
#: Distributions whose versions the run card lists.
PACKAGES: tuple[str, ...] = (
    "gotone-analysis", "pandas", "numpy", "scipy", "statsmodels", "samplics", "matplotlib",
    "seaborn", "duckdb", "pyarrow", "papermill", "nbconvert", "ipykernel",
)

_CACHE_FILE = "inputs.json"
#: Packages whose versions enter the code digest (they compute the cached results).
_ENGINE_PACKAGES = ("duckdb", "ibis-framework", "pyarrow", "pandas", "numpy")
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


@contextmanager
def atomic_folder(path: Path, *, mode: int = 0o755) -> Iterator[Path]:
    """A temporary folder next to ``path`` that takes its place when the block ends.

    The temporary folder (``.<name>.tmp-*``) is made in ``path``'s folder, so the
    renames stay on one file system. When the block ends normally it gets ``mode`` as
    its permissions, whatever is at ``path`` is moved aside (``.<name>.old-*``), the
    temporary folder is renamed to ``path`` and the old version removed; when the
    block raises (or the rename fails), the temporary folder is removed and ``path``
    is left as it was.

    Parameters
    ----------
    path : Path
        The folder to make or replace.
    mode : int
        Permissions of the folder (its files keep those they were written with).

    Yields
    ------
    Path
        The temporary folder to fill.
    """
    path = Path(path)
    prefix = f".{path.name}.tmp-"
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=path.parent))
    old: Path | None = None
    try:
        yield tmp
        os.chmod(tmp, mode)
        if os.path.lexists(path):
            old = path.parent / f".{path.name}.old-{tmp.name[len(prefix):]}"
            os.replace(path, old)
        try:
            os.replace(tmp, path)
        except BaseException:
            if old is not None:
                os.replace(old, path)
                old = None
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


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


def _batch_code() -> tuple[str, str] | None:
    """The code digest and version the batch passed in ``$GOTONE_CODE_VERSION``, if any."""
    digest, _, version = os.environ.get(CODE_VERSION_ENV, "").partition(" ")
    if len(digest) == 64 and version:
        return digest, version
    return None


@cache
def code_digest() -> str:
    """The code version of cached results: a digest of the package's source and engines.

    Returns
    -------
    str
        The digest the batch passed in ``$GOTONE_CODE_VERSION`` (computed once in the
        batch process, so every kernel of a batch agrees); else the SHA-256 (64 hex
        digits) of every ``.py`` file of the package (relative path and bytes, in
        sorted order) and of the installed versions of the engine packages: a change
        of any source file, committed or not, changes it.
    """
    batch = _batch_code()
    if batch:
        return batch[0]
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode() + b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    for name in _ENGINE_PACKAGES:
        try:
            h.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-\n".encode())
    return h.hexdigest()


def _commit_label() -> str:
    """The git commit of the project (``git <12 hex digits>``, ``+dirty`` when tracked
    files differ from it), else the package version (``gotone-analysis <version>``)."""
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


@cache
def code_version() -> str:
    """The project's code version, as the run card and the workbooks show it.

    Returns
    -------
    str
        The version the batch passed in ``$GOTONE_CODE_VERSION``; else the git commit
        of the project (``git <12 hex digits>``, ``+dirty`` when tracked files differ
        from it; the package version when there is no git) and the first 12 hex digits
        of :func:`code_digest`, e.g. ``git 0123456789ab · src 0123456789ab``: the
        digest says which source ran even when the commit does not.
    """
    batch = _batch_code()
    if batch:
        return batch[1]
    return f"{_commit_label()} · src {code_digest()[:12]}"


def code_env_value() -> str:
    """The value a batch gives ``$GOTONE_CODE_VERSION`` for its kernels.

    Returns
    -------
    str
        :func:`code_digest` and :func:`code_version` of this process, separated by a
        space: every kernel of the batch then reports and keys its cached results by
        the same code, computed once.
    """
    return f"{code_digest()} {code_version()}"
