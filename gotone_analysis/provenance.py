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
summary. A record (and a file's digest, :func:`file_digest`) is trusted only while the
file's identity (:func:`file_identity`: inode, size, modification and change times in
nanoseconds) is the one it was made from, and only within the batch that made it
(``$GOTONE_RUN_ID``, :data:`RUN_ID_ENV`): every batch re-hashes every input once, at
its start (:func:`cached_record` keeps the records in ``$GOTONE_CACHE_DIR/inputs.json``
for its kernels), so a file rewritten with the same size and modification time still
gets its new digest. Outside a batch (a notebook in JupyterLab) a digest is kept in
memory while the file's identity is unchanged.

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
import sys
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
    "RUN_ID_ENV",
    "atomic_folder",
    "atomic_target",
    "atomic_write_text",
    "cached_record",
    "code_digest",
    "code_env_value",
    "code_version",
    "current_run",
    "file_digest",
    "file_identity",
    "log_line",
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

#: Environment variable carrying the run id of the batch (set by the batch for its own
#: process and its kernels): records and digests made in another batch are not trusted.
RUN_ID_ENV = "GOTONE_RUN_ID"

_CACHE_FILE = "inputs.json"
#: Version of the layout of ``inputs.json`` (another version is discarded).
_STORE_FORMAT = 2
#: Packages whose versions enter the code digest (they compute the cached results).
_ENGINE_PACKAGES = ("duckdb", "ibis-framework", "pyarrow", "pandas", "numpy")
#: Records made in this process: key -> {"run", "identity", "digest", "record"}.
_MEMO: dict[str, dict[str, Any]] = {}
#: Digests of files made in this process: resolved path -> (run, identity, digest).
_DIGESTS: dict[str, tuple[str, str, str]] = {}


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


def file_identity(path: Path) -> str:
    """What says a file is still the one a digest was made from, without reading it.

    Parameters
    ----------
    path : pathlib.Path
        A file, or a folder (the panel).

    Returns
    -------
    str
        For a file its inode, size, and modification and change times in nanoseconds
        (a rewrite changes the change time even when it keeps the size and restores the
        modification time); for a folder a SHA-256 of those of every file in it, with
        their relative paths.
    """
    path = Path(path)
    if path.is_dir():
        sig = []
        for f in sorted(f for f in path.rglob("*") if f.is_file()):
            st = f.stat()
            sig.append((f.relative_to(path).as_posix(), st.st_ino, st.st_size,
                        st.st_mtime_ns, st.st_ctime_ns))
        return "dir:" + hashlib.sha256(repr(sig).encode()).hexdigest()
    st = path.stat()
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def current_run() -> str:
    """The run id of the batch this process works for.

    Returns
    -------
    str
        ``$GOTONE_RUN_ID`` (set by the batch for itself and its kernels), or ``""``
        outside a batch.
    """
    return os.environ.get(RUN_ID_ENV, "")


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, hashed once per batch and file identity.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    str
        :func:`sha256_file` of ``path``, reused while the file's :func:`file_identity`
        and the batch (:func:`current_run`) are those it was computed in.
    """
    path = Path(path)
    key = str(path.resolve())
    identity, run = file_identity(path), current_run()
    known = _DIGESTS.get(key)
    if known is not None and known[:2] == (run, identity):
        return known[2]
    digest = sha256_file(path)
    if file_identity(path) == identity:  # not rewritten while it was read
        _DIGESTS[key] = (run, identity, digest)
    return digest


def log_line(text: str) -> None:
    """Write one line to this process's own standard error (not a replaced ``sys.stderr``).

    In a batch's kernel the line lands in the batch's log (``<out>/.logs/``) and, as the
    kernel forwards its standard error, in the notebook's output (the analyst's log).

    Returns
    -------
    None
    """
    stream = sys.__stderr__ or sys.stderr
    print(text, file=stream, flush=True)


def _read_store(cache_file: Path, *, quiet: bool = False) -> dict[str, Any]:
    """The records kept in ``inputs.json``: path key -> entry (``run``, ``identity``,
    ``digest``, ``record``). A missing file has none; an unreadable or malformed one none
    either, said in one line (:func:`log_line`, unless ``quiet``)."""
    if not cache_file.exists():
        return {}
    try:
        doc = json.loads(cache_file.read_text(encoding="utf-8"))
        if not (isinstance(doc, dict) and doc.get("format") == _STORE_FORMAT
                and isinstance(doc.get("records"), dict)):
            raise ValueError("not a record store of this version")
    except (OSError, ValueError) as exc:
        if not quiet:
            log_line(f"gotone: discarded the input records {cache_file.parent.name}/"
                     f"{cache_file.name} ({exc}); hashing the inputs again")
        return {}
    return {k: v for k, v in doc["records"].items()
            if isinstance(v, dict) and isinstance(v.get("identity"), str)
            and isinstance(v.get("run"), str) and isinstance(v.get("record"), dict)}


def cached_record(path: Path, display: str, compute: Callable[[], dict[str, Any]],
                  cache_dir: Path | None = None,
                  digest: Callable[[], str] | None = None) -> dict[str, Any]:
    """The record of ``path``, made once per batch and file version.

    A record is reused as it is only while the file's :func:`file_identity` is the one
    it was made from and within the batch that made it (:func:`current_run`; outside a
    batch, while the identity holds). Otherwise the file is hashed again (``digest``) and
    the record made again (``compute``), unless the bytes are those of a record kept
    from an earlier batch.

    Parameters
    ----------
    path : pathlib.Path
        The file (or panel folder).
    display : str
        Its path relative to the data folder (part of the key: the record names it).
    compute : callable
        Makes the record (reading the file).
    cache_dir : pathlib.Path, optional
        Folder of the on-disk cache (``inputs.json``, for the batch's kernels); default
        ``$GOTONE_CACHE_DIR`` (none: this process only).
    digest : callable, optional
        The SHA-256 of the bytes the record is made from (the file's and its mapping's),
        cheaper than ``compute``: when it (and the code version, :func:`code_digest`)
        equals that of a record kept, that record is reused without reading the file
        again. Without it, ``compute`` runs.

    Returns
    -------
    dict
        The record.
    """
    key = f"{Path(path).resolve()}|{display}"
    identity, run = file_identity(path), current_run()
    known = _MEMO.get(key)
    if known is not None and known["run"] == run and known["identity"] == identity:
        return dict(known["record"])
    if cache_dir is None and os.environ.get(CACHE_DIR_ENV):
        cache_dir = Path(os.environ[CACHE_DIR_ENV])
    cache_file = Path(cache_dir) / _CACHE_FILE if cache_dir else None
    kept = _read_store(cache_file).get(key) if cache_file else None
    if kept is not None and kept["run"] == run and kept["identity"] == identity:
        _MEMO[key] = kept
        return dict(kept["record"])
    bytes_digest = f"{digest()} {code_digest()}" if digest is not None else None
    same = [e for e in (kept, known) if e is not None and bytes_digest is not None
            and e.get("digest") == bytes_digest]
    record = dict(same[0]["record"]) if same else compute()
    if file_identity(path) != identity:  # rewritten while it was read: keep nothing
        return dict(record)
    entry = {"run": run, "identity": identity, "digest": bytes_digest, "record": record}
    _MEMO[key] = entry
    if cache_file:
        store = _read_store(cache_file, quiet=True)
        store[key] = entry
        atomic_write_text(cache_file, json.dumps({"format": _STORE_FORMAT, "records": store},
                                                 sort_keys=True, default=str))
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
