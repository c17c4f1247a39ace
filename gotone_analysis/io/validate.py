""""``gotone validate``: check files and folders against the data contract, write nothing.

:func:`validate_paths` takes plain arguments and returns what it found (one summary per
valid input, warnings, notes, failures); the command line prints it. The survey files
validated together must also share one survey design
(:func:`gotone_analysis.schema.check_waves`), as the waves a batch reads must.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import schema
from ..errors import DataError, GotoneError
from .dataset import KIND_FOLDERS, data_files, infer_kind, load_file
from .mapping import load_mapping, mapping_for
from .readers import data_error, os_reason


def _is_panel_dir(p: Path) -> bool:
    if p.name.lower() == "panel":
        return True
    try:
        return any(d.is_dir() and d.name.startswith("month=") for d in p.iterdir())
    except OSError as exc:
        raise data_error(str(p), "unreadable folder",
                    f"cannot list the folder: {os_reason(exc)}") from None


def _expand(p: Path, kind: str | None) -> list[tuple[Path, str | None]]:
    if p.is_dir():
        if kind == "panel" or (kind is None and _is_panel_dir(p)):
            return [(p, "panel")]
        files = data_files(p)
        subs = [p / name for name in KIND_FOLDERS if (p / name).is_dir()]
        if not files and subs:
            return [t for s in subs for t in _expand(s, kind)]
        return [(f, kind or infer_kind(f)) for f in files]
    return [(p, kind or infer_kind(p))]


def _summary(path: str, kind: str, df: pd.DataFrame | None, info: dict) -> str:
    parts = [path, kind, f"rows={info['rows']}"]
    if df is not None and "quarter" in df:
        qs = sorted(df["quarter"].dropna().unique())
        shown = f"{qs[0]}..{qs[-1]}" if len(qs) > 2 else ",".join(qs) or "-"
        parts.append(f"quarter{'s' if len(qs) != 1 else ''}={shown}")
    months = info.get("months") or (sorted(df["month"].dropna().unique())
                                    if df is not None and "month" in df else [])
    if months:
        parts.append(f"months={months[0]}..{months[-1]}" if len(months) > 1
                     else f"month={months[0]}")
    cities = info.get("cities") or (sorted(df["city"].dropna().unique())
                                    if df is not None and "city" in df else [])
    if cities:
        parts.append(f"cities={len(cities)}")
    if info.get("files"):
        parts.append(f"files={info['files']}")
    parts.append(f"encoding={info.get('encoding') or '-'}")
    return "  ".join(parts)


@dataclass
class Validation:
    """What :func:`validate_paths` found.

    Attributes
    ----------
    summaries : list of str
        One line per valid input: path, kind, rows, quarter(s) or months, cities,
        encoding.
    notes : list of str
        Observations that do not fail a file (e.g. unknown columns).
    failures : list of str
        Every problem of every input, each naming the file.
    warnings : list of str
        Values possible but implausible against their file's own distribution (the
        contract's soft plausibility rules); they do not fail a file.
    """

    summaries: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every input passed."""
        return not self.failures


def _targets(paths: list[str], kind: str | None, found: Validation
             ) -> list[tuple[Path, str | None, str]]:
    """The files (and panel folders) named by ``paths``, with their kind and shown name."""
    targets: list[tuple[Path, str | None, str]] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            found.failures.append(f"{raw}: no such file or folder")
            continue
        try:
            expanded = _expand(p, kind)
        except DataError as exc:
            found.failures.append(str(exc))
            continue
        if not expanded:
            found.failures.append(f"{raw}: no data files (.csv, .tsv, .xlsx, .parquet, .sav) "
                                  "in it")
        targets.extend((f, k, str(f) if f != p else str(raw)) for f, k in expanded)
    return targets


def _remarks(notes: list[dict], found: Validation) -> None:
    """Sort a validated input's warnings and notes into ``found``."""
    for n in notes:
        line = schema.Problem(**n).line()
        (found.warnings if n.get("severity") == "warning" else found.notes).append(line)


def _check_one(f: Path, k: str, shown: str, explicit, found: Validation
               ) -> pd.DataFrame | None:
    """Validate one input into ``found``; return its frame (None for the panel)."""
    if k == "panel":
        info = schema.validate_panel(f, file=shown)
        info["encoding"] = None
        found.summaries.append(_summary(shown, k, None, info))
        _remarks(info["notes"], found)
        return None
    mapping, folder_wide = (explicit, False) if explicit is not None else mapping_for(f, k)
    df, rec = load_file(f, k, mapping, shown, folder_wide)
    found.summaries.append(_summary(shown, k, df, rec))
    _remarks(df.attrs.get("notes", []), found)
    return df


def validate_paths(paths: list[str] | tuple[str, ...], *, kind: str | None = None,
                   mapping: str | Path | None = None) -> Validation:
    """Check files and folders against the data contract; nothing is written.

    Parameters
    ----------
    paths : sequence of str
        Files or folders (a folder: its data files, or its kind subfolders; a panel
        folder as a whole).
    kind : {"survey", "kpi", "panel", "benchmark"}, optional
        Contract table; default inferred from the folder or file name.
    mapping : str or Path, optional
        Column-mapping file for every file; default each file's own
        ``<stem>.mapping.yaml``, else its folder's ``mapping.yaml`` (see
        :mod:`gotone_analysis.io.mapping`).

    Returns
    -------
    Validation
        Summaries of the valid inputs, warnings, notes and every failure (among them the
        survey files that do not share one design).
    """
    found = Validation()
    explicit = None
    if mapping:
        try:
            explicit = load_mapping(mapping, kind=kind)
        except DataError as exc:
            found.failures.append(str(exc))
    waves: dict[str, pd.DataFrame] = {}
    for f, k, shown in _targets(list(paths), kind, found):
        if k is None:
            found.failures.append(f"{shown}: cannot tell the kind of file from its folder or "
                                  "name; pass --kind survey|kpi|panel|benchmark")
            continue
        try:
            frame = _check_one(f, k, shown, explicit, found)
        except GotoneError as exc:
            found.failures.append(str(exc))
            continue
        if k == "survey":
            waves[shown] = frame
    across = schema.check_waves(waves)
    if across:
        found.failures.append(schema.format_problems(across))
    return found
