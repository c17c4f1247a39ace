"""Read input files, map vendor columns to the contract, validate, and open a data set.

Formats
-------
* **CSV** (``.csv``, ``.tsv``) in UTF-8, UTF-8 with BOM, GBK/GB18030 (Chinese Excel
  exports) or UTF-16. The encoding is detected, never guessed silently: strict UTF-8
  (BOM allowed) first, then the encoding a mapping declares, GBK and GB18030 (each
  strictly), and only then ``charset-normalizer``. A file mixing UTF-8 and GBK lines is
  refused with the first line in the other encoding; a line counts as UTF-8 there only
  when it holds a character of three UTF-8 bytes (Chinese), because short GBK text such
  as ``女`` (``C5 AE``) is also valid UTF-8 for a Latin letter. Every cell is read as
  text, so ids keep their leading zeros; typing happens in :mod:`gotone_analysis.schema`.
* Every format: a header naming one column twice (after surrounding blanks are
  stripped, so ``city`` and `` city`` are the same) is refused as ``duplicate column``
  before any mapping. A file that cannot be opened (permissions, I/O error) is refused
  as ``unreadable file`` with the system's reason.
* **Excel** ``.xlsx`` (first worksheet, first row = header), cells turned into text.
* **Parquet** (typed columns are kept; the schema checks them).
* **SPSS** ``.sav``. Value labels are applied only to columns that the contract holds as
  codes (``city``, ``brand``, ``tier``, ``gender``, ``age_band``, ``segment``,
  ``metric``): a vendor's ``1 = 福州`` becomes ``福州`` and then ``fuzhou`` through the
  mapping or the automatic translation below. Every other column keeps its numeric codes:
  Likert items stay 1-10 (a label such as ``10 = 非常满意`` would lose the scale) and
  98/99 stay 98/99, so that the schema turns them into missing values.

Column mapping
--------------
A YAML file maps vendor column names to canonical ones and, optionally, vendor values to
contract codes::

    columns:        # vendor column -> canonical column
      受访者编号: resp_id
      城市: city
    values:         # optional: canonical column -> {vendor value: canonical code}
      city: {福州: fuzhou, 厦门: xiamen}
    missing_codes: [98, 99]   # optional; must agree with the contract
    encoding: gbk             # optional; tried first when a file is not UTF-8

Every scalar in the file is read as text (``no``, ``on``, ``01`` stay as written). Even
without a ``values`` section, the Chinese and English labels of cities, brands and tiers
in :mod:`gotone_analysis.config` (and ``福州市`` for ``福州``) become their codes.

Which mapping applies to a file (the first that exists):

1. the one given explicitly (``load(..., mapping=...)``, ``gotone validate --mapping``);
2. the file's own mapping beside it, named after the file: ``survey_2011Q1.mapping.yaml``
   for ``survey_2011Q1.csv`` (any format); it replaces the folder's mapping for that file;
3. the folder's ``mapping.yaml``, for every file of the folder, except a file already in
   canonical layout: one that holds *none* of the mapping's vendor columns and *all* of
   its canonical ones is read without it. So a new vendor-format quarter can sit beside
   earlier quarters in canonical layout. A file holding some vendor columns but not all,
   or neither the vendor nor the canonical names, is still an error naming the mapping.

An explicit or per-file mapping always applies: its vendor columns must all be present.

Row numbers in messages are as a spreadsheet shows them: header = row 1, first data row
= row 2. Rows count records, as a spreadsheet does (a quoted cell spanning several lines
is one row); only the mixed-encoding check speaks of physical lines. Trailing empty rows (an Excel artefact) are dropped;
empty rows inside the data are kept and reported. Nothing in this module writes files.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from . import provenance, schema
from .config import BRANDS, CITIES, MISSING_CODES, TIERS
from .contract import TABLES
from .errors import DataError, GotoneError, UsageError
from .schema import Problem

__all__ = [
    "ColumnMapping",
    "Dataset",
    "SUPPORTED_EXTENSIONS",
    "apply_mapping",
    "cli_validate",
    "data_files",
    "detect_encoding",
    "file_record",
    "load",
    "load_mapping",
    "open_dataset",
    "quarter_from_name",
    "read_table",
]

#: File extensions read as data (by format).
SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".sav": "sav",
}
MAPPING_NAME = "mapping.yaml"
#: ``<file stem>`` + this, beside a data file: that file's own mapping.
FILE_MAPPING_SUFFIX = ".mapping.yaml"
#: Folder name -> kind of the files in it.
KIND_FOLDERS = {"survey": "survey", "kpi": "kpi", "panel": "panel", "benchmark": "benchmark",
                "vendor": "survey"}
#: Cell texts read as missing (empty cells always are).
NA_STRINGS = ["", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "#N/A", "None"]
#: Canonical columns holding contract codes (SPSS value labels apply only to these).
CODE_COLUMNS = frozenset(c.name for t in TABLES.values() for c in t.columns if c.type == "code")
CANONICAL_COLUMNS = frozenset(c.name for t in TABLES.values() for c in t.columns)

#: Encodings accepted from charset-normalizer (its guesses on short files range widely).
_FALLBACK_ENCODINGS = frozenset({"big5", "big5hkscs", "cp950", "utf_16", "utf_16_le",
                                 "utf_16_be", "utf_32", "cp1252", "latin_1", "iso8859_15"})
_QUARTER_IN_NAME = re.compile(r"(?<!\d)(\d{4}Q[1-4])(?!\d)", re.IGNORECASE)


def _os_reason(exc: OSError) -> str:
    """The system's reason for an OSError, without the path (messages name the file)."""
    return exc.strerror or type(exc).__name__


def _fail(file: str, rule: str, detail: str, *, column: str | None = None,
          rows: Sequence[int] = (), count: int = 0) -> DataError:
    p = Problem(str(file), column, rule, detail, count or len(rows), list(rows))
    return DataError(schema.format_problems([p]), [p.as_dict()])


# --- encodings ---------------------------------------------------------------------------------


def detect_encoding(data: bytes, *, file: str = "<bytes>", declared: str | None = None) -> str:
    """Return the encoding of CSV bytes: ``utf-8``, ``utf-8-sig``, ``gbk``, ``gb18030``,
    ``utf-16`` or what charset-normalizer finds.

    Parameters
    ----------
    data : bytes
        The whole file.
    file : str
        Name used in error messages.
    declared : str, optional
        Encoding the mapping file declares; tried (strictly) before GBK/GB18030 when the
        bytes are not UTF-8.

    Returns
    -------
    str
        A Python codec name that decodes ``data`` strictly. charset-normalizer is asked
        last, and only its Big5, UTF-16/32 or Western-European guesses are accepted.

    Raises
    ------
    DataError
        ``mixed encodings`` when some lines are UTF-8 and others are not (naming the first
        line in the other encoding), or ``encoding`` when no supported encoding fits.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data.decode("utf-16")
            return "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        data.decode("utf-8")
        return "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    legacy = None
    for enc in (*([declared] if declared else []), "gbk", "gb18030"):
        try:
            data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        legacy = enc
        break
    # Checked even when a legacy encoding decodes the whole file: UTF-8 Chinese of an even
    # number of characters is also valid GBK/GB18030 (as mojibake), so a strict decode
    # alone would let a mixed file through mangled.
    _check_mixed(data, file)
    if legacy is not None:
        return legacy
    from charset_normalizer import from_bytes

    if b"\x00" in data:
        raise _fail(file, "encoding", "the file holds binary data (NUL bytes), not CSV text")
    for match in from_bytes(data):  # best first; only encodings a delivery may plausibly use
        if match.encoding in _FALLBACK_ENCODINGS:
            return match.encoding
    raise _fail(file, "encoding",
                "the file is not text in a supported encoding (UTF-8, UTF-8 with BOM, "
                "GBK/GB18030, UTF-16); re-export it as CSV UTF-8")


def _check_mixed(data: bytes, file: str) -> None:
    """Raise when some lines are UTF-8 Chinese (or other text of 3-byte characters) and
    others are not UTF-8.

    A line counts as UTF-8 only if it decodes as UTF-8 *and* holds a character at or above
    U+0800: GBK bytes often form valid 2-byte UTF-8 by chance (``女`` is ``C5 AE``, UTF-8
    for ``Ů``), but practically never valid 3-byte sequences. Lines that decode as UTF-8
    with only 2-byte characters prove nothing and are left out.
    """
    utf8: list[int] = []
    other: list[int] = []
    for i, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(i)
            continue
        if any(ord(ch) >= 0x800 for ch in text):
            utf8.append(i)
    if utf8 and other:
        first_is_utf8 = utf8[0] < other[0]
        bad = other if first_is_utf8 else utf8
        good, good_name = (utf8, "UTF-8") if first_is_utf8 else (other, "not UTF-8 (GBK?)")
        bad_name = "not UTF-8 (GBK?)" if first_is_utf8 else "UTF-8"
        raise _fail(file, "mixed encodings",
                    f"line {good[0]} is {good_name} but line {bad[0]} is {bad_name}; "
                    "the file mixes encodings and would be mangled; re-export it in one "
                    "encoding", rows=bad[: schema.MAX_ROWS], count=len(bad))


# --- raw readers ---------------------------------------------------------------------------------


@dataclass
class _Read:
    frame: pd.DataFrame
    format: str
    encoding: str | None
    sha256: str
    bytes: int
    labels: dict[str, dict] = field(default_factory=dict)


def _text_cell(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if np.isnan(v):
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    if hasattr(v, "isoformat"):
        text = v.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    text = str(v).strip()
    return text or None


def _column_letter(n: int) -> str:
    """Spreadsheet name of the ``n``-th column (1 -> A, 27 -> AA)."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def _check_header(names: Iterable[object], display: str, *, letters: bool = True) -> None:
    """Raise ``duplicate column`` when the raw header names a column twice.

    Names are compared after stripping surrounding blanks (as :func:`_tidy_frame` does), so
    ``city`` and `` city`` collide; empty header cells are left to :func:`_tidy_frame`.
    """
    where: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        key = "" if name is None else str(name).strip()
        if key:
            where.setdefault(key, []).append(i)
    problems = []
    for name, pos in where.items():
        if len(pos) < 2:
            continue
        shown = " and ".join(", ".join(_column_letter(i) if letters else str(i)
                                       for i in pos).rsplit(", ", 1))
        spelled = sorted({repr(str(n)) for n in names if n is not None and str(n).strip() == name})
        problems.append(Problem(
            display, name, "duplicate column",
            f"the column appears {len(pos)} times in the header "
            f"({'columns' if letters else 'positions'} {shown}"
            + (f"; spelled {', '.join(spelled)}" if len(spelled) > 1 else "")
            + "); keep one and delete or rename the others", 1, [1]))
    schema.raise_if_errors(problems)


def _tidy_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Strip header names, drop unnamed empty columns and trailing empty rows."""
    df = df.rename(columns=lambda c: str(c).strip())
    unnamed = [c for c in df.columns
               if (c == "" or re.fullmatch(r"Unnamed: \d+", c)) and df[c].isna().all()]
    df = df.drop(columns=unnamed)
    if len(df):
        filled = df.notna().any(axis=1).to_numpy()
        last = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0
        df = df.iloc[:last]
    return df.reset_index(drop=True)


def _read_csv(path: Path, data: bytes, display: str,
              declared: str | None = None) -> tuple[pd.DataFrame, str]:
    if not data.strip():
        raise _fail(display, "empty file", "the file is empty (0 bytes)" if not data
                    else "the file holds only blank space")
    enc = detect_encoding(data, file=display, declared=declared)
    text = data.decode(enc)
    if text.startswith("\ufeff"):
        text = text[1:]
    header = text.split("\n", 1)[0]
    sep = max((",", "\t", ";"), key=header.count) if path.suffix.lower() != ".tsv" else "\t"
    try:  # the header as written: pandas would rename a repeated name to 'city.1'
        names = next(csv.reader(StringIO(text), delimiter=sep), [])
    except csv.Error:
        names = []  # malformed quoting: pandas reports it below
    _check_header(names, display)
    try:
        df = pd.read_csv(StringIO(text), sep=sep, dtype="str", keep_default_na=False,
                         na_values=NA_STRINGS, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise _fail(display, "empty file", "the file has no header line") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise _fail(display, "malformed CSV", str(exc).strip()) from None
    return df, enc


def _read_xlsx(path: Path, display: str) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
            TypeError) as exc:
        raise _fail(display, "unreadable file",
                    f"not a readable Excel .xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        ws = wb.worksheets[0]
        rows = [[_text_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise _fail(display, "empty file", "the first worksheet is empty")
    _check_header(rows[0], display)
    header = [h if h is not None else f"Unnamed: {i}" for i, h in enumerate(rows[0])]
    width = len(header)
    body = [(r + [None] * width)[:width] for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype="str") if body else \
        pd.DataFrame({h: pd.Series([], dtype="str") for h in header})


def _read_parquet(path: Path, display: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        _check_header(pq.read_schema(path).names, display, letters=False)
        return pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as exc:
        raise _fail(display, "unreadable file", f"not a readable Parquet file ({exc})") from None


def _read_sav(path: Path, display: str) -> tuple[pd.DataFrame, str | None, dict]:
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, UnicodeError) as exc:
        raise _fail(display, "unreadable file", f"not a readable SPSS .sav file ({exc})") from None
    _check_header(df.columns, display, letters=False)
    return df, getattr(meta, "file_encoding", None), dict(meta.variable_value_labels or {})


def _read(path: Path, display: str | None = None, declared: str | None = None) -> _Read:
    display = display or str(path)
    if path.is_dir():
        raise _fail(display, "not a file", "expected a data file, got a folder")
    if not path.exists():
        raise _fail(display, "no such file", "the file does not exist")
    fmt = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise _fail(display, "unsupported format",
                    f"'{path.suffix}' is not read; use one of "
                    f"{', '.join(SUPPORTED_EXTENSIONS)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(display, "unreadable file", f"cannot open the file: {_os_reason(exc)}") from None
    digest = hashlib.sha256(data).hexdigest()
    labels: dict[str, dict] = {}
    encoding: str | None = None
    if fmt == "csv":
        df, encoding = _read_csv(path, data, display, declared)
    elif not data:
        raise _fail(display, "empty file", "the file is empty (0 bytes)")
    elif fmt == "xlsx":
        df = _read_xlsx(path, display)
    elif fmt == "parquet":
        df = _read_parquet(path, display)
    else:
        df, encoding, labels = _read_sav(path, display)
    return _Read(_tidy_frame(df), fmt, encoding, digest, len(data), labels)


# --- mapping -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """A vendor -> canonical mapping (see the module docstring for the YAML form)."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    source: str = "<mapping>"
    #: Encoding the vendor declares; tried before GBK/GB18030 when a file is not UTF-8.
    encoding: str | None = None


def load_mapping(path: str | Path, *, kind: str | None = None) -> ColumnMapping:
    """Read and check a column-mapping YAML file.

    Parameters
    ----------
    path : str or Path
        The mapping file.
    kind : str, optional
        When given, targets must be columns of that contract table; otherwise of any.

    Returns
    -------
    ColumnMapping

    Raises
    ------
    DataError
        Naming the mapping file: unreadable or not YAML, wrong structure, a target that
        is not a contract column, two vendor columns mapped to one canonical column.
    """
    import yaml

    p = Path(path)
    name = str(path)
    if not p.is_file():
        raise _fail(name, "mapping", "the mapping file does not exist")
    try:
        doc = yaml.load(p.read_text(encoding="utf-8-sig"), Loader=yaml.BaseLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _fail(name, "mapping", f"not a readable YAML file ({exc})") from None
    except OSError as exc:
        raise _fail(name, "mapping", f"cannot open the file: {_os_reason(exc)}") from None
    problems: list[Problem] = []

    def bad(detail: str, column: str | None = None) -> None:
        problems.append(Problem(name, column, "mapping", detail))

    if not isinstance(doc, dict) or not isinstance(doc.get("columns", {}), dict):
        raise _fail(name, "mapping", "expected a mapping with a 'columns:' section "
                    "(vendor column -> canonical column)")
    for key in doc:
        if key not in ("columns", "values", "missing_codes", "encoding"):
            bad(f"unknown section '{key}' (expected 'columns' and optional 'values', "
                "'missing_codes', 'encoding')")
    declared = doc.get("missing_codes")
    if declared is not None:
        codes = declared if isinstance(declared, list) else [declared]
        if sorted(str(c).strip() for c in codes) != sorted(str(c) for c in MISSING_CODES):
            bad(f"missing_codes {codes} differ from the contract's "
                f"{', '.join(map(str, MISSING_CODES))}; map other codes in 'values'")
    encoding = doc.get("encoding")
    if encoding is not None:
        try:
            encoding = codecs.lookup(str(encoding)).name
        except LookupError:
            bad(f"unknown encoding '{encoding}'")
            encoding = None
    targets = set(TABLES[kind].names) if kind in TABLES else set(CANONICAL_COLUMNS)
    columns = {str(k).strip(): str(v).strip() for k, v in (doc.get("columns") or {}).items()}
    seen: dict[str, str] = {}
    for vendor, canon in columns.items():
        if canon not in targets:
            hint = schema._did_you_mean(canon, sorted(targets))
            bad(f"vendor column '{vendor}' maps to '{canon}', which is not a "
                f"{kind + ' ' if kind in TABLES else ''}contract column"
                + (f" (did you mean '{hint}'?)" if hint else ""), canon)
        if canon in seen:
            bad(f"vendor columns '{seen[canon]}' and '{vendor}' both map to '{canon}'", canon)
        seen.setdefault(canon, vendor)
    values_doc = doc.get("values") or {}
    if not isinstance(values_doc, dict):
        bad("'values' must map canonical columns to {vendor value: code}")
        values_doc = {}
    values: dict[str, dict[str, str]] = {}
    for canon, table in values_doc.items():
        if canon not in targets:
            bad(f"'values' names '{canon}', which is not a contract column", str(canon))
        if not isinstance(table, dict):
            bad(f"values of '{canon}' must be a mapping {{vendor value: code}}", str(canon))
            continue
        values[str(canon)] = {str(k).strip(): str(v).strip() for k, v in table.items()}
    schema.raise_if_errors(problems)
    return ColumnMapping(columns, values, name, encoding)


def _label_maps() -> dict[str, dict[str, str]]:
    maps: dict[str, dict[str, str]] = {}
    for col, table in (("city", CITIES), ("brand", BRANDS), ("tier", TIERS)):
        m: dict[str, str] = {}
        for code, (zh, en) in table.items():
            m[code.lower()] = code
            m[zh] = code
            m[en.lower()] = code
            if col == "city":
                m[zh + "市"] = code
        maps[col] = m
    return maps


_AUTO = _label_maps()


def apply_mapping(df: pd.DataFrame, mapping: ColumnMapping | None, *, file: str = "<table>",
                  labels: dict[str, dict] | None = None) -> pd.DataFrame:
    """Rename vendor columns, translate values and labels to contract codes.

    Parameters
    ----------
    df : DataFrame
        The table as read.
    mapping : ColumnMapping or None
        Vendor -> canonical names and values; ``None`` applies only the automatic label
        translation.
    file : str
        The data file's name, for messages.
    labels : dict, optional
        SPSS value labels by vendor column (applied to code columns only).

    Returns
    -------
    DataFrame
        A new frame with canonical names; ``city``, ``brand`` and ``tier`` labels
        (Chinese or English, any case) replaced by codes; unknown values left as they are
        for the schema to report.

    Raises
    ------
    DataError
        Naming the mapping file: a mapped vendor column missing from ``file``, or a
        canonical column that would appear twice; naming ``file``: a column name that
        ``df`` already holds twice.
    """
    _check_header(df.columns, file, letters=False)
    cols = list(df.columns)
    rename = dict(mapping.columns) if mapping else {}
    problems: list[Problem] = []
    if mapping:
        for vendor, canon in rename.items():
            if vendor not in cols:
                problems.append(Problem(mapping.source, vendor, "mapping",
                                        f"mapped vendor column (-> '{canon}') is not in {file}"))
            elif canon in cols and canon not in rename:
                problems.append(Problem(mapping.source, canon, "mapping",
                                        f"'{vendor}' maps to '{canon}', but {file} already "
                                        f"has a column '{canon}'"))
    schema.raise_if_errors(problems)
    out = df.copy()
    for vendor, lab in (labels or {}).items():
        if rename.get(vendor, vendor) in CODE_COLUMNS and lab and vendor in out:
            text = {schema._fmt_num(k) if not isinstance(k, str) else k: str(v)
                    for k, v in lab.items()}
            s = schema._as_text(out[vendor])
            out[vendor] = s.map(lambda x, t=text: t.get(x, x) if isinstance(x, str) else x)
    out = out.rename(columns={k: v for k, v in rename.items() if k in out})
    for canon, table in (mapping.values if mapping else {}).items():
        if canon in out:
            s = schema._as_text(out[canon])
            out[canon] = s.map(lambda x, t=table: t.get(x, x) if isinstance(x, str) else x)
    for canon, table in _AUTO.items():
        if canon in out:
            s = schema._as_text(out[canon])
            hit = s.str.lower().map(table)
            hit = hit.where(hit.notna(), s.map(table))
            out[canon] = hit.where(hit.notna(), s).astype("str")
    return out


def _as_mapping(mapping: str | Path | ColumnMapping | None, kind: str | None) -> ColumnMapping | None:
    if mapping is None or isinstance(mapping, ColumnMapping):
        return mapping
    return load_mapping(mapping, kind=kind)


def _mapping_for(path: Path, kind: str | None) -> tuple[ColumnMapping | None, bool]:
    """The file's own mapping, else the folder's (see the module docstring).

    Returns ``(mapping, folder_wide)``; a folder-wide mapping is skipped for a file already
    in canonical layout (:func:`_applies`).
    """
    own = path.with_name(path.stem + FILE_MAPPING_SUFFIX)
    if own.is_file():
        return load_mapping(own, kind=kind), False
    folder = path.parent / MAPPING_NAME
    if folder.is_file():
        return load_mapping(folder, kind=kind), True
    return None, False


def _applies(mapping: ColumnMapping, columns: Iterable[str]) -> bool:
    """Whether a folder-wide mapping applies to a file with these columns: not when the file
    has none of its vendor columns and all of its canonical ones."""
    cols = set(columns)
    return not mapping.columns or bool(cols & set(mapping.columns)) \
        or not set(mapping.columns.values()) <= cols


# --- public reading API --------------------------------------------------------------------------


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
    df, _, _ = _read_mapped(p, str(path), _as_mapping(mapping, None))
    return df


def _read_mapped(p: Path, display: str, mapping: ColumnMapping | None,
                 folder_wide: bool = False) -> tuple[pd.DataFrame, _Read, ColumnMapping | None]:
    raw = _read(p, display, mapping.encoding if mapping else None)
    if folder_wide and mapping is not None and not _applies(mapping, raw.frame.columns):
        mapping = None
    df = apply_mapping(raw.frame, mapping, file=display, labels=raw.labels)
    df.attrs.update(source=display, format=raw.format, encoding=raw.encoding,
                    sha256=raw.sha256, bytes=raw.bytes)
    return df, raw, mapping


def quarter_from_name(name: str | Path) -> str | None:
    """Return the ``YYYYQn`` quarter in a file name (``survey_2010Q4.csv`` -> ``2010Q4``)."""
    m = _QUARTER_IN_NAME.search(Path(name).name)
    return m.group(1).upper() if m else None


def _load(p: Path, kind: str, mapping: ColumnMapping | None, display: str,
          folder_wide: bool = False) -> tuple[pd.DataFrame, dict]:
    df, raw, applied = _read_mapped(p, display, mapping, folder_wide)
    expected = quarter_from_name(p) if "quarter" in TABLES[kind].names else None
    clean = schema.validate(df, kind, file=display, expected_quarter=expected)
    clean.attrs.update(df.attrs)
    return clean, _record(raw, display, kind, applied)


def _record(raw: _Read, display: str, kind: str | None,
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
        return _load(p, kind, _as_mapping(mapping, kind), str(path))[0]
    m, folder_wide = _mapping_for(p, kind)
    return _load(p, kind, m, str(path), folder_wide)[0]


def _panel_record(folder: Path, display: str) -> dict:
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
            raise _fail(f"{display}/{rel}" if folder.is_dir() else display, "unreadable file",
                        f"cannot open the file: {_os_reason(exc)}") from None
        h.update(f"{rel}\t{fh.hexdigest()}\n".encode())
        size += f.stat().st_size
        try:
            rows += pq.ParquetFile(f).metadata.num_rows
        except (OSError, ValueError) as exc:
            raise _fail(f"{display}/{rel}", "unreadable file", f"not a Parquet file ({exc})") from None
    return {"path": display, "kind": "panel", "format": "parquet", "sha256": h.hexdigest(),
            "rows": rows, "bytes": size, "encoding": None, "mapping": None,
            "files": len(files)}


def _display(path: Path, root: str | Path | None) -> str:
    if root is None:
        return str(path)
    try:
        return path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


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
    display = _display(p, root)
    if p.is_dir() or p.suffix.lower() == ".parquet":
        rec = _panel_record(p, display)
        if p.is_file():
            rec.pop("files")
            rec["kind"] = None
        return rec
    kind = _infer_kind(p)
    mapping, folder_wide = _mapping_for(p, kind) if kind in TABLES else (None, False)
    raw = _read(p, display, mapping.encoding if mapping else None)
    if folder_wide and mapping is not None and not _applies(mapping, raw.frame.columns):
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
        raise _fail(str(folder), "unreadable folder",
                    f"cannot list the folder: {_os_reason(exc)}") from None
    return sorted(f for f in entries
                  if f.is_file() and f.suffix.lower() in SUPPORTED_EXTENSIONS
                  and not f.name.startswith((".", "~$")))


_data_files = data_files


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
        self._manifest = self._read_manifest()
        self._survey_files = self._index_surveys()

    # -- layout
    def _read_manifest(self) -> dict:
        f = self.root / "MANIFEST.json"
        if not f.is_file():
            return {}
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _fail("MANIFEST.json", "manifest", f"not valid JSON ({exc})") from None
        except OSError as exc:
            raise _fail("MANIFEST.json", "unreadable file",
                        f"cannot open the file: {_os_reason(exc)}") from None
        if not isinstance(doc, dict):
            raise _fail("MANIFEST.json", "manifest", "expected a JSON object")
        return doc

    def _index_surveys(self) -> dict[str, Path]:
        found: dict[str, list[Path]] = {}
        problems = []
        for f in _data_files(self.root / "survey"):
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
        return _display(p, self.root)

    @property
    def manifest(self) -> dict:
        """The parsed ``MANIFEST.json`` (empty when the folder has none)."""
        return dict(self._manifest)

    @property
    def synthetic(self) -> bool:
        """``True`` when ``MANIFEST.json`` says the data set is synthetic (demo data)."""
        return self._manifest.get("synthetic") is True

    def quarters(self) -> list[str]:
        """Return the survey quarters available (from the file names), oldest first."""
        return sorted(self._survey_files, key=lambda q: (q[:4], q[-1]))

    # -- tables
    def _load_files(self, files: Iterable[Path], kind: str) -> list[pd.DataFrame]:
        frames, problems = [], []
        for f in files:
            if f not in self._cache:
                try:
                    mapping, folder_wide = _mapping_for(f, kind)
                    frame, rec = _load(f, kind, mapping, self._rel(f), folder_wide)
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
            Any file breaking the contract (every problem of every file requested).
        """
        if isinstance(quarters, str):
            quarters = [quarters]
        wanted = self.quarters() if quarters is None else list(quarters)
        missing = [q for q in wanted if q not in self._survey_files]
        if missing:
            have = ", ".join(self.quarters()) or "none"
            raise UsageError(f"no survey file for {', '.join(map(str, missing))} in "
                             f"{self.root / 'survey'}; available quarters: {have}")
        if not wanted:
            raise _fail("survey/", "no data", "no survey files in the data set")
        frames = self._load_files([self._survey_files[q] for q in wanted], "survey")
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()

    def _combined(self, kind: str) -> pd.DataFrame:
        files = _data_files(self.root / kind)
        if not files:
            raise _fail(f"{kind}/", "no data", f"no {kind} files in the data set "
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
                raise _fail(", ".join(where), "duplicate key",
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
            raise _fail("panel/", "no data", "the data set has no panel/ folder")
        if validate and not self._panel_checked:
            schema.validate_panel(folder, file="panel/")
            self._panel_checked = True
        if "panel/" not in self._records:
            self._records["panel/"] = _panel_record(folder, "panel/")
        return folder

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
            delivery, notes, ``MANIFEST.json``) are not inputs.
        """
        out = [(f, "survey") for _, f in sorted(self._survey_files.items())]
        out += [(f, kind) for kind in ("kpi", "benchmark") for f in _data_files(self.root / kind)]
        if (self.root / "panel").is_dir():
            out.append((self.root / "panel", "panel"))
        return out

    def _input_record(self, path: Path, kind: str, cache_dir: Path | None = None) -> dict:
        display = "panel/" if kind == "panel" else self._rel(path)
        if display in self._records:
            return self._records[display]

        def compute() -> dict:
            if kind == "panel":
                return _panel_record(path, display)
            mapping, folder_wide = _mapping_for(path, kind)
            raw = _read(path, display, mapping.encoding if mapping else None)
            if folder_wide and mapping is not None and not _applies(mapping, raw.frame.columns):
                mapping = None
            return self._relative_mapping(_record(raw, display, kind, mapping))

        return provenance.cached_record(path, display, compute, cache_dir)

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


# --- gotone validate -------------------------------------------------------------------------------


def _infer_kind(path: Path) -> str | None:
    folder = KIND_FOLDERS.get(path.parent.name.lower()) if path.is_file() else \
        KIND_FOLDERS.get(path.name.lower())
    if folder:
        return folder
    stem = path.name.lower()
    for kind in TABLES:
        if stem.startswith(kind):
            return kind
    return None


def _is_panel_dir(p: Path) -> bool:
    if p.name.lower() == "panel":
        return True
    try:
        return any(d.is_dir() and d.name.startswith("month=") for d in p.iterdir())
    except OSError as exc:
        raise _fail(str(p), "unreadable folder",
                    f"cannot list the folder: {_os_reason(exc)}") from None


def _expand(p: Path, kind: str | None) -> list[tuple[Path, str | None]]:
    if p.is_dir():
        if kind == "panel" or (kind is None and _is_panel_dir(p)):
            return [(p, "panel")]
        files = _data_files(p)
        subs = [p / name for name in KIND_FOLDERS if (p / name).is_dir()]
        if not files and subs:
            return [t for s in subs for t in _expand(s, kind)]
        return [(f, kind or _infer_kind(f)) for f in files]
    return [(p, kind or _infer_kind(p))]


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


def cli_validate(args) -> int:
    """``gotone validate [--kind K] [--mapping FILE] PATH...``: check files, write nothing.

    Parameters
    ----------
    args : argparse.Namespace
        ``kind`` (or ``None``: inferred from the folder or file name), ``mapping`` (or
        ``None``: each file's own ``<stem>.mapping.yaml``, else the folder's
        ``mapping.yaml``; see the module docstring), ``paths``.

    Returns
    -------
    int
        0 when every file is valid (one summary line per file on stdout: path, kind, rows,
        quarter(s) or months, cities, encoding); 2 otherwise, after printing every problem
        of every file to stderr.
    """
    kind = getattr(args, "kind", None)
    failures: list[str] = []
    summaries: list[str] = []
    notes: list[str] = []
    explicit = None
    if getattr(args, "mapping", None):
        try:
            explicit = load_mapping(args.mapping, kind=kind)
        except DataError as exc:
            failures.append(str(exc))
    targets: list[tuple[Path, str | None, str]] = []
    for raw in args.paths:
        p = Path(raw)
        if not p.exists():
            failures.append(f"{raw}: no such file or folder")
            continue
        try:
            expanded = _expand(p, kind)
        except DataError as exc:
            failures.append(str(exc))
            continue
        if not expanded:
            failures.append(f"{raw}: no data files (.csv, .tsv, .xlsx, .parquet, .sav) in it")
        for f, k in expanded:
            shown = str(f) if f != p else str(raw)
            targets.append((f, k, shown))
    for f, k, shown in targets:
        if k is None:
            failures.append(f"{shown}: cannot tell the kind of file from its folder or name; "
                            "pass --kind survey|kpi|panel|benchmark")
            continue
        try:
            if k == "panel":
                info = schema.validate_panel(f, file=shown)
                info["encoding"] = None
                summaries.append(_summary(shown, k, None, info))
                notes += [schema.Problem(**n).line() for n in info["notes"]]
                continue
            mapping, folder_wide = (explicit, False) if explicit is not None \
                else _mapping_for(f, k)
            df, rec = _load(f, k, mapping, shown, folder_wide)
        except GotoneError as exc:
            failures.append(str(exc))
            continue
        summaries.append(_summary(shown, k, df, rec))
        notes += [schema.Problem(**n).line() for n in df.attrs.get("notes", [])]
    for line in summaries:
        print(line)
    for line in notes:
        print(f"note: {line}", file=sys.stderr)
    if failures:
        for msg in failures:
            print(msg, file=sys.stderr)
        n = len(failures)
        print(f"gotone validate: {n} input{'s' if n != 1 else ''} failed the data contract; "
              "nothing was written", file=sys.stderr)
        return 2
    return 0
