"""The data set: read, map and validate input files; :class:`Dataset` and :func:`open_dataset`.

A data folder is laid out as the demo generator writes it (``MANIFEST.json``,
``survey/survey_YYYYQn.<ext>``, ``kpi/``, ``benchmark/``, ``panel/month=YYYY-MM/``).
:func:`load` reads one file through :mod:`~gotone_analysis.io.readers` and
:mod:`~gotone_analysis.io.mapping` and validates it (:mod:`gotone_analysis.schema`);
:class:`Dataset` does so lazily for the whole folder and keeps the one provenance record
of each file it reads (:mod:`gotone_analysis.provenance`). Nothing here writes files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config, provenance, schema
from ..contract import TABLES
from ..errors import DataError, UsageError
from ..schema import Problem
from ..timings import timed
from .mapping import (
    FILE_MAPPING_SUFFIX,
    MAPPING_NAME,
    ColumnMapping,
    applies,
    apply_mapping,
    as_mapping,
    mapping_for,
)
from .readers import SUPPORTED_EXTENSIONS, RawTable, data_error, os_reason, read_raw

#: Folder name -> kind of the files in it.
KIND_FOLDERS = {"survey": "survey", "kpi": "kpi", "panel": "panel", "benchmark": "benchmark",
                "vendor": "survey"}
_QUARTER_IN_NAME = re.compile(r"(?<!\d)(\d{4}Q[1-4])(?!\d)", re.IGNORECASE)


def read_table(path: str | Path, *, mapping: str | Path | ColumnMapping | None = None) -> pd.DataFrame:
    """Read one data file as it is, apply a column mapping, but do not validate.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.tsv``, ``.xlsx``, ``.parquet`` or ``.sav`` file.
    mapping : str, Path or ColumnMapping, optional
        Column-mapping file (or object). City/brand/tier labels are translated to codes
        even without one.

    Returns
    -------
    DataFrame
        Text columns (CSV, Excel) or the file's own types (Parquet, SPSS), canonical names
        where mapped; ``attrs`` holds ``source``, ``format``, ``encoding``, ``sha256``,
        ``bytes``.

    Raises
    ------
    DataError
        Empty file, undecodable or mixed encodings, unreadable workbook/Parquet/SPSS file,
        malformed CSV, mapping problems.
    """
    p = Path(path)
    df, _, _ = _read_mapped(p, str(path), as_mapping(mapping, None))
    return df


def _read_mapped(p: Path, display: str, mapping: ColumnMapping | None,
                 folder_wide: bool = False) -> tuple[pd.DataFrame, RawTable, ColumnMapping | None]:
    raw = read_raw(p, display, mapping.encoding if mapping else None)
    if folder_wide and mapping is not None and not applies(mapping, raw.frame.columns):
        mapping = None
    df = apply_mapping(raw.frame, mapping, file=display, labels=raw.labels)
    df.attrs.update(source=display, format=raw.format, encoding=raw.encoding,
                    sha256=raw.sha256, bytes=raw.bytes)
    return df, raw, mapping


def quarter_from_name(name: str | Path) -> str | None:
    """Return the ``YYYYQn`` quarter in a file name (``survey_2010Q4.csv`` -> ``2010Q4``)."""
    m = _QUARTER_IN_NAME.search(Path(name).name)
    return m.group(1).upper() if m else None


def load_file(p: Path, kind: str, mapping: ColumnMapping | None, display: str,
          folder_wide: bool = False) -> tuple[pd.DataFrame, dict]:
    df, raw, applied = _read_mapped(p, display, mapping, folder_wide)
    expected = quarter_from_name(p) if "quarter" in TABLES[kind].names else None
    clean = schema.validate(df, kind, file=display, expected_quarter=expected)
    clean.attrs.update(df.attrs)
    return clean, _record(raw, display, kind, applied)


def _record(raw: RawTable, display: str, kind: str | None,
            mapping: ColumnMapping | None) -> dict:
    """The provenance record of a file as this module's reader read it
    (:data:`gotone_analysis.provenance.RECORD_COLUMNS`)."""
    return {"path": display, "kind": kind, "format": raw.format, "sha256": raw.sha256,
            "rows": len(raw.frame), "bytes": raw.bytes, "encoding": raw.encoding,
            "mapping": mapping.source if mapping is not None else None}


def _check_kind(kind: str) -> None:
    if kind not in TABLES:
        raise UsageError(f"unknown kind {kind!r}; use one of {', '.join(TABLES)}")
    if kind == "panel":
        raise UsageError("the panel is not loaded into pandas; validate it with "
                         "schema.validate_panel(folder) and query it in DuckDB "
                         "(Dataset.panel_path())")


def load(path: str | Path, kind: str, *, mapping: str | Path | ColumnMapping | None = None
         ) -> pd.DataFrame:
    """Read, map and validate one file (the quarter is checked against its name).

    Parameters
    ----------
    path : str or Path
        Data file.
    kind : {"survey", "kpi", "benchmark"}
        Contract table.
    mapping : str, Path or ColumnMapping, optional
        Column mapping; default: the file's own ``<stem>.mapping.yaml``, else the folder's
        ``mapping.yaml`` unless the file is already in canonical layout (see the module
        docstring).

    Returns
    -------
    DataFrame
        The validated, typed frame (see :func:`gotone_analysis.schema.validate`).

    Raises
    ------
    DataError
        Any contract violation or reading problem, all listed at once.
    UsageError
        Unknown kind, or ``"panel"`` (use :func:`gotone_analysis.schema.validate_panel`).
    """
    _check_kind(kind)
    p = Path(path)
    if mapping is not None:
        return load_file(p, kind, as_mapping(mapping, kind), str(path))[0]
    m, folder_wide = mapping_for(p, kind)
    return load_file(p, kind, m, str(path), folder_wide)[0]


def panel_record(folder: Path, display: str) -> dict:
    import pyarrow.parquet as pq

    files = sorted(f for f in folder.rglob("*.parquet") if f.is_file()) if folder.is_dir() \
        else [folder]
    h = hashlib.sha256()
    rows = size = 0
    for f in files:
        fh = hashlib.sha256()
        rel = f.relative_to(folder).as_posix() if folder.is_dir() else f.name
        try:
            with f.open("rb") as fp:
                for chunk in iter(lambda fp=fp: fp.read(1 << 20), b""):
                    fh.update(chunk)
        except OSError as exc:
            raise data_error(f"{display}/{rel}" if folder.is_dir() else display, "unreadable file",
                        f"cannot open the file: {os_reason(exc)}") from None
        h.update(f"{rel}\t{fh.hexdigest()}\n".encode())
        size += f.stat().st_size
        try:
            rows += pq.ParquetFile(f).metadata.num_rows
        except (OSError, ValueError) as exc:
            raise data_error(f"{display}/{rel}", "unreadable file", f"not a Parquet file ({exc})") from None
    return {"path": display, "kind": "panel", "format": "parquet", "sha256": h.hexdigest(),
            "rows": rows, "bytes": size, "encoding": None, "mapping": None,
            "files": len(files)}


def display_path(path: Path, root: str | Path | None) -> str:
    if root is None:
        return str(path)
    try:
        return path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


def infer_kind(path: Path) -> str | None:
    """The contract table of a file or folder, from its folder's name or its own.

    Returns
    -------
    str or None
        ``survey``, ``kpi``, ``benchmark`` or ``panel``; None when the names do not say.
    """
    folder = KIND_FOLDERS.get(path.parent.name.lower()) if path.is_file() else \
        KIND_FOLDERS.get(path.name.lower())
    if folder:
        return folder
    stem = path.name.lower()
    for kind in TABLES:
        if stem.startswith(kind):
            return kind
    return None


def file_record(path: str | Path, root: str | Path | None = None) -> dict:
    """Describe one input file (or the panel folder) for a run card.

    Parameters
    ----------
    path : str or Path
        A data file, or a folder of Parquet files (the panel).
    root : str or Path, optional
        Paths are given relative to this folder.

    Returns
    -------
    dict
        The provenance record (:data:`gotone_analysis.provenance.RECORD_COLUMNS`):
        ``path`` (relative to ``root``), ``kind`` (from the folder name, else None),
        ``format``, ``sha256`` (of the bytes; for a folder, of the sorted list of its
        files' relative paths and hashes), ``rows`` (data rows as this module's reader
        reads them), ``bytes``, ``encoding`` (``None`` for binary formats) and
        ``mapping`` (the mapping file applied, or None).
    """
    p = Path(path)
    display = display_path(p, root)
    if p.is_dir() or p.suffix.lower() == ".parquet":
        rec = panel_record(p, display)
        if p.is_file():
            rec.pop("files")
            rec["kind"] = None
        return rec
    kind = infer_kind(p)
    mapping, folder_wide = mapping_for(p, kind) if kind in TABLES else (None, False)
    raw = read_raw(p, display, mapping.encoding if mapping else None)
    if folder_wide and mapping is not None and not applies(mapping, raw.frame.columns):
        mapping = None
    return _record(raw, display, kind, mapping)


# --- the data set --------------------------------------------------------------------------------


def data_files(folder: str | Path) -> list[Path]:
    """Return the data files of ``folder`` that this module reads, sorted by name.

    Names only, nothing is read: files with a supported extension
    (:data:`SUPPORTED_EXTENSIONS`, any case), leaving out hidden files and Excel lock files
    (``~$...``). A missing folder has none.

    Raises
    ------
    DataError
        ``unreadable folder`` when the folder cannot be listed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise data_error(str(folder), "unreadable folder",
                    f"cannot list the folder: {os_reason(exc)}") from None
    return sorted(f for f in entries
                  if f.is_file() and f.suffix.lower() in SUPPORTED_EXTENSIONS
                  and not f.name.startswith((".", "~$")))




class Dataset:
    """A data folder laid out as the demo generator writes it (see :func:`open_dataset`).

    Tables are read, mapped and validated on first use and cached; :meth:`sources` lists
    every file read so far for the run card.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise UsageError(f"data folder not found: {root}")
        self._cache: dict[Path, pd.DataFrame] = {}
        self._records: dict[str, dict] = {}
        self._panel_checked = False
        self._panel_notes: list[dict] = []
        self._manifest = self._read_manifest()
        self._survey_files = self._index_surveys()
        #: What this data set may read (:meth:`limit`); None: every input.
        self._reads: config.Reads | None = None
        self._limited_to = ""

    # -- layout
    def _read_manifest(self) -> dict:
        f = self.root / "MANIFEST.json"
        if not f.is_file():
            return {}
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise data_error("MANIFEST.json", "manifest", f"not valid JSON ({exc})") from None
        except OSError as exc:
            raise data_error("MANIFEST.json", "unreadable file",
                        f"cannot open the file: {os_reason(exc)}") from None
        if not isinstance(doc, dict):
            raise data_error("MANIFEST.json", "manifest", "expected a JSON object")
        return doc

    def _index_surveys(self) -> dict[str, Path]:
        found: dict[str, list[Path]] = {}
        problems = []
        for f in data_files(self.root / "survey"):
            q = quarter_from_name(f)
            if q is None:
                problems.append(Problem(self._rel(f), None, "file name",
                                        "survey files are named survey_YYYYQn.<ext> "
                                        "(e.g. survey_2010Q4.csv)"))
                continue
            found.setdefault(q, []).append(f)
        for q, fs in sorted(found.items()):
            if len(fs) > 1:
                problems.append(Problem(", ".join(self._rel(f) for f in fs), None,
                                        "duplicate quarter",
                                        f"{len(fs)} survey files for {q}; keep one format"))
        schema.raise_if_errors(problems)
        return {q: fs[0] for q, fs in sorted(found.items(), key=lambda kv: kv[0])}

    def _rel(self, p: Path) -> str:
        return display_path(p, self.root)

    @property
    def manifest(self) -> dict:
        """The parsed ``MANIFEST.json`` (empty when the folder has none)."""
        return dict(self._manifest)

    @property
    def synthetic(self) -> bool:
        """``True`` when ``MANIFEST.json`` says the data set is synthetic (demo data)."""
        return self._manifest.get("synthetic") is True

    def quarters(self) -> list[str]:
        """Return the survey quarters available (from the file names), oldest first.

        A data set held to a report's inputs (:meth:`limit`) lists the waves it reads.
        """
        found = sorted(self._survey_files, key=lambda q: (q[:4], q[-1]))
        return found if self._reads is None else [q for q in found if self._reads.wave(q)]

    def limit(self, report: str, quarter: str, compare_to: str | None = None) -> Dataset:
        """Hold this data set to the files ``report`` reads.

        What a report reads is declared in :data:`gotone_analysis.config.REPORT_INPUTS`
        (:func:`gotone_analysis.config.report_reads`): the run card lists those files
        (:meth:`inputs`), and the batch reuses a published report only while they are
        unchanged. Once limited, the data set lists only those files and waves, and
        reading any other input raises, so a report cannot depend on a file its run card
        does not name.

        Parameters
        ----------
        report : str
            The report's name.
        quarter, compare_to : str
            Its quarter and comparison quarter, ``YYYYQn``.

        Returns
        -------
        Dataset
            This data set, limited.
        """
        self._reads = config.report_reads(report, quarter, compare_to)
        self._limited_to = report
        return self

    def _check_reads(self, kind: str, quarters: Sequence[str] = ()) -> None:
        """Raise when a limited data set is asked for an input its report does not read."""
        if self._reads is None:
            return
        refused = ([kind] if kind not in self._reads.kinds
                   else [f"survey {q}" for q in quarters if not self._reads.wave(q)])
        if refused:
            raise UsageError(f"report {self._limited_to} reads {', '.join(refused)}, which "
                             "gotone_analysis.config.REPORT_INPUTS does not list for it; "
                             "add it there (the run card and the batch's reuse rely on it)")

    # -- tables
    @timed("data")
    def _load_files(self, files: Iterable[Path], kind: str) -> list[pd.DataFrame]:
        frames, problems = [], []
        for f in files:
            if f not in self._cache:
                try:
                    frame, rec = self._read_file(f, kind)
                except DataError as exc:
                    problems.extend(exc.problems)
                    continue
                self._cache[f] = frame
                self._records[rec["path"]] = self._relative_mapping(rec)
            frames.append(self._cache[f])
        if problems:
            errs = [Problem(**{k: v for k, v in p.items()}) for p in problems]
            schema.raise_if_errors(errs)
        return frames

    def _read_file(self, f: Path, kind: str) -> tuple[pd.DataFrame, dict]:
        """One input file read, mapped and validated: once per batch.

        In a batch (``$GOTONE_CACHE_DIR`` set, with or without ``--no-cache``) the frame
        comes without the contract's personal and identifying columns
        (:attr:`gotone_analysis.contract.Table.personal`: respondent id, customer key,
        phone number), which no report reads: the file is still validated whole. With
        the cache (:func:`gotone_analysis.cache.cache_dir`) that frame and its provenance
        record are kept in the batch's cache, keyed by the SHA-256 of the file and of
        the mapping that applies to it (hashed once per batch,
        :func:`gotone_analysis.provenance.file_digest`) and the code version, so the
        kernels after the first read it back instead of parsing and validating the
        vendor file again; nothing personal is written there. A file breaking the
        contract is never cached: every kernel reports it.
        """
        from .. import cache

        def read() -> tuple[pd.DataFrame, dict]:
            mapping, folder_wide = mapping_for(f, kind)
            return load_file(f, kind, mapping, self._rel(f), folder_wide)

        if not os.environ.get(provenance.CACHE_DIR_ENV):
            return read()
        personal = TABLES[kind].personal

        def read_impersonal() -> tuple[pd.DataFrame, dict]:
            frame, rec = read()
            if rec["sha256"] != depends[self._rel(f)]:
                raise data_error(self._rel(f), "changed while read",
                                 "the file was rewritten while the batch read it; "
                                 "run the batch again")
            kept = frame.drop(columns=[c for c in personal if c in frame.columns])
            kept.attrs.update(frame.attrs)
            return kept, rec

        depends = {self._rel(g): d for g, d in self._digests(f).items()}
        if cache.cache_dir() is None:  # --no-cache: the same frames, computed here
            return read_impersonal()
        return cache.shared("input_file", read_impersonal, depends=depends,
                            params={"kind": kind, "file": self._rel(f)})

    def survey(self, quarters: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Return the survey rows of ``quarters`` (default: all), validated and typed.

        Parameters
        ----------
        quarters : str or list of str, optional
            ``YYYYQn`` quarters; each must have a survey file.

        Returns
        -------
        DataFrame
            The quarters' files concatenated in quarter order, fresh index.

        Raises
        ------
        UsageError
            A quarter without a survey file (the message lists those available).
        DataError
            Any file breaking the contract (every problem of every file requested), or
            waves read together that do not share one survey design
            (:func:`gotone_analysis.schema.check_waves`).
        """
        if isinstance(quarters, str):
            quarters = [quarters]
        wanted = self.quarters() if quarters is None else list(quarters)
        self._check_reads("survey", [q for q in wanted if q in self._survey_files])
        missing = [q for q in wanted if q not in self._survey_files]
        if missing:
            have = ", ".join(self.quarters()) or "none"
            raise UsageError(f"no survey file for {', '.join(map(str, missing))} in "
                             f"{self.root / 'survey'}; available quarters: {have}")
        if not wanted:
            raise data_error("survey/", "no data", "no survey files in the data set")
        files = [self._survey_files[q] for q in wanted]
        frames = self._load_files(files, "survey")
        if len(frames) > 1:
            schema.raise_if_errors(schema.check_waves(
                {self._rel(f): fr for f, fr in zip(files, frames, strict=True)}))
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()

    def _combined(self, kind: str) -> pd.DataFrame:
        self._check_reads(kind)
        files = data_files(self.root / kind)
        if not files:
            raise data_error(f"{kind}/", "no data", f"no {kind} files in the data set "
                        f"(expected {kind}/ with .csv, .xlsx, .parquet or .sav files)")
        frames = self._load_files(files, kind)
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()
        key = list(TABLES[kind].key)
        if len(frames) > 1:
            origin = np.concatenate([[self._rel(f)] * len(fr) for f, fr in
                                     zip(files, frames, strict=True)])
            dup = out.duplicated(key, keep=False).to_numpy()
            if dup.any():
                where = sorted(set(origin[dup]))
                first = out.loc[dup, key].iloc[0]
                raise data_error(", ".join(where), "duplicate key",
                            f"{' + '.join(key)} repeated across files (e.g. "
                            + ", ".join(f"{k}={first[k]}" for k in key) + ")",
                            column=" + ".join(key), count=int(dup.sum()))
        return out

    def kpi(self) -> pd.DataFrame:
        """Return every monthly KPI file concatenated, validated (``month + city`` unique).

        Returns
        -------
        DataFrame
            One row per city and month, count columns as ``int64``.
        """
        return self._combined("kpi")

    def benchmark(self) -> pd.DataFrame:
        """Return the network benchmark (``quarter, metric, value``), validated.

        Returns
        -------
        DataFrame
            One row per quarter and metric.
        """
        return self._combined("benchmark")

    def panel_path(self, *, validate: bool = True) -> Path:
        """Return the Parquet folder of the customer panel, for DuckDB queries.

        Parameters
        ----------
        validate : bool, default True
            Check the panel against the contract inside DuckDB the first time (never loads
            it into pandas) and record it in :meth:`sources`.

        Returns
        -------
        Path
            ``<data_dir>/panel``.

        Raises
        ------
        DataError
            No panel folder, or a panel breaking the contract.
        """
        folder = self.root / "panel"
        if not folder.is_dir():
            raise data_error("panel/", "no data", "the data set has no panel/ folder")
        self._check_reads("panel")
        if validate and not self._panel_checked:
            self._validate_panel(folder)
            self._panel_checked = True
        if "panel/" not in self._records:
            self._records["panel/"] = self._input_record(folder, "panel")
        return folder

    @timed("data")
    def _validate_panel(self, folder: Path) -> None:
        """Validate the panel once per panel version and code version: in a batch the
        outcome is kept in its cache (:func:`gotone_analysis.cache.shared`, keyed by the
        panel's SHA-256), so the other kernels do not scan it again."""
        from .. import cache

        if cache.cache_dir() is None:
            info = schema.validate_panel(folder, file="panel/")
        else:
            try:
                digest = self._input_record(folder, "panel")["sha256"]
            except DataError:  # unreadable: let the validation say so
                info = schema.validate_panel(folder, file="panel/")
            else:
                info = cache.shared("panel_validation",
                                    lambda: schema.validate_panel(folder, file="panel/"),
                                    depends={"panel/": digest})
        self._panel_notes = list(info.get("notes", []))

    def warnings(self) -> list[dict]:
        """The warnings of the inputs read and validated so far, in read order.

        Values the contract finds possible but implausible against their file's own
        distribution (:mod:`gotone_analysis.schema`: e.g. a survey weight above 50 x its
        wave's median); they do not stop a run and are shown to readers.

        Returns
        -------
        list of dict
            Problem dicts (``file``, ``column``, ``rule``, ``detail``, ``count``,
            ``rows``, ``examples``, ``severity="warning"``).
        """
        notes = [n for frame in self._cache.values() for n in frame.attrs.get("notes", [])]
        notes += self._panel_notes
        return [n for n in notes if n.get("severity") == "warning"]

    def _relative_mapping(self, rec: dict) -> dict:
        if rec.get("mapping"):
            rec = {**rec, "mapping": self._rel(Path(rec["mapping"]))}
        return rec

    def input_paths(self) -> list[tuple[Path, str]]:
        """The files this data set reads, with their kind, in the order of the contract.

        Returns
        -------
        list of (Path, str)
            Every survey file (one per quarter), every KPI and benchmark file, and the
            panel folder when there is one. Other files of the data folder (a vendor's
            delivery, notes, ``MANIFEST.json``) are not inputs. A data set held to a
            report's inputs (:meth:`limit`) lists those only.
        """
        reads = self._reads
        out = [(f, "survey") for q, f in sorted(self._survey_files.items())
               if reads is None or reads.wave(q)]
        out += [(f, kind) for kind in ("kpi", "benchmark") for f in data_files(self.root / kind)
                if reads is None or kind in reads.kinds]
        if (self.root / "panel").is_dir() and (reads is None or "panel" in reads.kinds):
            out.append((self.root / "panel", "panel"))
        return out

    def _input_record(self, path: Path, kind: str, cache_dir: Path | None = None) -> dict:
        display = "panel/" if kind == "panel" else self._rel(path)
        if display in self._records:
            return self._records[display]

        def compute() -> dict:
            if kind == "panel":
                return panel_record(path, display)
            mapping, folder_wide = mapping_for(path, kind)
            raw = read_raw(path, display, mapping.encoding if mapping else None)
            if folder_wide and mapping is not None and not applies(mapping, raw.frame.columns):
                mapping = None
            return self._relative_mapping(_record(raw, display, kind, mapping))

        if kind == "panel":  # its record is its digest (and the Parquet footers)
            return provenance.cached_record(path, display, compute, cache_dir)
        return provenance.cached_record(
            path, display, compute, cache_dir,
            digest=lambda: " ".join(f"{self._rel(f)}={d}"
                                    for f, d in self._digests(path).items()))

    def _digests(self, f: Path) -> dict[Path, str]:
        """The SHA-256 of a data file and of the mapping files that may apply to it
        (:func:`gotone_analysis.provenance.file_digest`: hashed once per batch)."""
        out = {f: provenance.file_digest(f)}
        for m in (f.with_name(f.stem + FILE_MAPPING_SUFFIX), f.parent / MAPPING_NAME):
            if m.is_file():
                out[m] = provenance.file_digest(m)
        return out

    def inputs(self, cache_dir: str | Path | None = None) -> pd.DataFrame:
        """The provenance record of every file this data set reads, for the run card.

        Files already read give the record made when they were read; the others are read
        with the same reader (not validated), once per file version
        (:func:`gotone_analysis.provenance.cached_record`).

        Parameters
        ----------
        cache_dir : str or Path, optional
            Cache folder of the records (default ``$GOTONE_CACHE_DIR``).

        Returns
        -------
        DataFrame
            One row per input of :meth:`input_paths`, columns
            :data:`gotone_analysis.provenance.RECORD_COLUMNS`.
        """
        cache = Path(cache_dir) if cache_dir is not None else None
        return provenance.records_frame(self._input_record(p, k, cache)
                                        for p, k in self.input_paths())

    def sources(self) -> pd.DataFrame:
        """Return every file read so far, for the validation summary.

        Returns
        -------
        DataFrame
            The provenance records (:data:`gotone_analysis.provenance.RECORD_COLUMNS`:
            ``path`` relative to the data folder, ``kind``, ``format``, ``sha256``,
            ``rows``, ``bytes``, ``encoding``, ``mapping``); one row per file, in read order.
        """
        return provenance.records_frame(self._records.values())

    def __repr__(self) -> str:
        tag = " synthetic" if self.synthetic else ""
        return f"<Dataset{tag} {self.root} quarters={self.quarters()}>"


def open_dataset(data_dir: str | Path) -> Dataset:
    """Open a data folder (``MANIFEST.json``, ``survey/``, ``kpi/``, ``benchmark/``, ``panel/``).

    Parameters
    ----------
    data_dir : str or Path

    Returns
    -------
    Dataset
        Lazily loading, caching access to the tables.

    Raises
    ------
    UsageError
        The folder does not exist.
    DataError
        Malformed ``MANIFEST.json``, survey files without a quarter in their name, or two
        survey files for one quarter.
    """
    return Dataset(data_dir)
