"""Raw readers of input files: encodings, CSV/TSV, Excel, Parquet, SPSS, header checks.

Nothing here maps or validates: a file is read as it is (every CSV/Excel cell as text),
its header is checked and trailing empty rows are dropped; :func:`read_raw` returns the
frame with the facts the provenance record needs (format, encoding, SHA-256, bytes).

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

Row numbers in messages are as a spreadsheet shows them: header = row 1, first data row
= row 2. Rows count records, as a spreadsheet does (a quoted cell spanning several lines
is one row); only the mixed-encoding check speaks of physical lines. Trailing empty rows (an Excel artefact) are dropped;
empty rows inside the data are kept and reported. Nothing in this module writes files.
"""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DataError
from ..schema import Problem

#: File extensions read as data (by format).
SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".sav": "sav",
}
#: Cell texts read as missing (empty cells always are).
NA_STRINGS = ["", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "#N/A", "None"]

#: Encodings accepted from charset-normalizer (its guesses on short files range widely).
_FALLBACK_ENCODINGS = frozenset({"big5", "big5hkscs", "cp950", "utf_16", "utf_16_le",
                                 "utf_16_be", "utf_32", "cp1252", "latin_1", "iso8859_15"})


def os_reason(exc: OSError) -> str:
    """The system's reason for an OSError, without the path (messages name the file)."""
    return exc.strerror or type(exc).__name__


def data_error(file: str, rule: str, detail: str, *, column: str | None = None,
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
        raise data_error(file, "encoding", "the file holds binary data (NUL bytes), not CSV text")
    for match in from_bytes(data):  # best first; only encodings a delivery may plausibly use
        if match.encoding in _FALLBACK_ENCODINGS:
            return match.encoding
    raise data_error(file, "encoding",
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
        raise data_error(file, "mixed encodings",
                    f"line {good[0]} is {good_name} but line {bad[0]} is {bad_name}; "
                    "the file mixes encodings and would be mangled; re-export it in one "
                    "encoding", rows=bad[: schema.MAX_ROWS], count=len(bad))


# --- raw readers ---------------------------------------------------------------------------------


@dataclass
class RawTable:
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


def check_header(names: Iterable[object], display: str, *, letters: bool = True) -> None:
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
        raise data_error(display, "empty file", "the file is empty (0 bytes)" if not data
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
    check_header(names, display)
    try:
        df = pd.read_csv(StringIO(text), sep=sep, dtype="str", keep_default_na=False,
                         na_values=NA_STRINGS, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise data_error(display, "empty file", "the file has no header line") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise data_error(display, "malformed CSV", str(exc).strip()) from None
    return df, enc


def _read_xlsx(path: Path, display: str) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
            TypeError) as exc:
        raise data_error(display, "unreadable file",
                    f"not a readable Excel .xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        ws = wb.worksheets[0]
        rows = [[_text_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise data_error(display, "empty file", "the first worksheet is empty")
    check_header(rows[0], display)
    header = [h if h is not None else f"Unnamed: {i}" for i, h in enumerate(rows[0])]
    width = len(header)
    body = [(r + [None] * width)[:width] for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype="str") if body else \
        pd.DataFrame({h: pd.Series([], dtype="str") for h in header})


def _read_parquet(path: Path, display: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        check_header(pq.read_schema(path).names, display, letters=False)
        return pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as exc:
        raise data_error(display, "unreadable file", f"not a readable Parquet file ({exc})") from None


def _read_sav(path: Path, display: str) -> tuple[pd.DataFrame, str | None, dict]:
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, UnicodeError) as exc:
        raise data_error(display, "unreadable file", f"not a readable SPSS .sav file ({exc})") from None
    check_header(df.columns, display, letters=False)
    return df, getattr(meta, "file_encoding", None), dict(meta.variable_value_labels or {})


def read_raw(path: Path, display: str | None = None, declared: str | None = None) -> RawTable:
    display = display or str(path)
    if path.is_dir():
        raise data_error(display, "not a file", "expected a data file, got a folder")
    if not path.exists():
        raise data_error(display, "no such file", "the file does not exist")
    fmt = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise data_error(display, "unsupported format",
                    f"'{path.suffix}' is not read; use one of "
                    f"{', '.join(SUPPORTED_EXTENSIONS)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise data_error(display, "unreadable file", f"cannot open the file: {os_reason(exc)}") from None
    digest = hashlib.sha256(data).hexdigest()
    labels: dict[str, dict] = {}
    encoding: str | None = None
    if fmt == "csv":
        df, encoding = _read_csv(path, data, display, declared)
    elif not data:
        raise data_error(display, "empty file", "the file is empty (0 bytes)")
    elif fmt == "xlsx":
        df = _read_xlsx(path, display)
    elif fmt == "parquet":
        df = _read_parquet(path, display)
    else:
        df, encoding, labels = _read_sav(path, display)
    return RawTable(_tidy_frame(df), fmt, encoding, digest, len(data), labels)
