"""The data contract as validators: check a table against :mod:`gotone_analysis.contract`.

:func:`validate` takes a frame as read from a file (text or typed columns) and returns it
cleaned and typed, or raises :class:`~gotone_analysis.errors.DataError` listing *every*
problem at once: file, column, rule, how many rows, and the first offending rows.
:func:`validate_panel` does the same for the Parquet customer panel inside DuckDB, without
loading it into pandas.

Row numbers are 1-based as a spreadsheet shows them: the header is row 1, the first data
row is row 2 (for Parquet and SPSS files: data row *n* is reported as row *n* + 1).

Types of the returned columns
-----------------------------
========================  ==========================================================
contract type             dtype returned
========================  ==========================================================
``str``, ``code``         pandas ``str`` (codes exactly as in ``Column.allowed``)
``quarter``, ``month``    pandas ``str`` (``YYYYQn``, ``YYYY-MM``)
``int``                   ``Int64`` (nullable) when the column is nullable, else ``int64``
``float``                 ``float64``
``binary``, ``likert``    ``float64`` holding whole numbers, ``NaN`` where missing
========================  ==========================================================

Binary and Likert items are ``float64`` rather than ``Int64`` so that weighted means,
regressions and NumPy code downstream see ``NaN`` and not ``pd.NA``. For columns with
``missing_codes=True`` the survey codes 98/99 (refused / don't know) become missing
*before* any range check: they are never 0 and never reported as out of range.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .config import GOTONE_TIERS, MISSING_CODES, MONTH_RE, OTHER_TIERS, QUARTER_RE
from .contract import PANEL, TABLES, Column, Table
from .errors import DataError

__all__ = [
    "ROW_NOTE",
    "MAX_ROWS",
    "Problem",
    "as_text",
    "check",
    "did_you_mean",
    "fmt_num",
    "format_problems",
    "raise_if_errors",
    "resolve_table",
    "validate",
    "validate_panel",
]

#: How many offending rows (or keys) a problem lists.
MAX_ROWS = 5
#: Said once in every message that lists row numbers.
ROW_NOTE = "row numbers as a spreadsheet shows them: header = row 1, first data row = row 2"

_NUMERIC_TYPES = ("int", "float", "binary", "likert")
_TEXT_TYPES = ("str", "code", "quarter", "month")


# --- problems ------------------------------------------------------------------------------


@dataclass
class Problem:
    """One violation of the data contract (or a note, ``severity="note"``)."""

    file: str
    column: str | None
    rule: str
    detail: str
    count: int = 0
    rows: list[int] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    severity: str = "error"

    def as_dict(self) -> dict:
        """Return the problem as a plain dict (the form kept in ``DataError.problems``)."""
        return {
            "file": self.file, "column": self.column, "rule": self.rule,
            "detail": self.detail, "count": self.count, "rows": list(self.rows),
            "examples": list(self.examples), "severity": self.severity,
        }

    def line(self) -> str:
        """Return the one-line human form, e.g.
        ``survey_2010Q4.csv: column 'sat_overall': out of range: ... (12 rows; rows 5, ...)``."""
        where = f"column '{self.column}': " if self.column else ""
        prefix = "note: " if self.severity == "note" else ""
        text = f"{self.file}: {prefix}{where}{self.rule}: {self.detail}"
        if self.rows:
            more = ", ..." if self.count > len(self.rows) else ""
            noun = "row" if self.count == 1 else "rows"
            shown = ", ".join(str(r) for r in self.rows)
            text += f" ({self.count} {noun}; {noun if len(self.rows) == 1 else 'rows'} {shown}{more})"
        elif self.examples:
            more = ", ..." if self.count > len(self.examples) else ""
            noun = "row" if self.count == 1 else "rows"
            text += f" ({self.count} {noun}; e.g. {'; '.join(self.examples)}{more})"
        return text


def format_problems(problems: Iterable[Problem]) -> str:
    """Return the message listing ``problems``: errors first, then notes, one per line.

    Parameters
    ----------
    problems : iterable of Problem

    Returns
    -------
    str
        A header line with the count of errors, the row-number convention (once, when any
        problem lists rows), then one indented line per problem.
    """
    problems = list(problems)
    errors = [p for p in problems if p.severity == "error"]
    notes = [p for p in problems if p.severity != "error"]
    files = sorted({p.file for p in errors}) or sorted({p.file for p in problems})
    n = len(errors)
    head = (f"{', '.join(files)}: {n} problem{'s' if n != 1 else ''} with the data contract"
            if n else f"{', '.join(files)}: notes")
    if any(p.rows for p in problems):
        head += f" ({ROW_NOTE})"
    lines = [head + ":"]
    lines += [f"  {p.line()}" for p in errors]
    lines += [f"  {p.line()}" for p in notes]
    return "\n".join(lines)


def raise_if_errors(problems: Iterable[Problem]) -> None:
    """Raise :class:`DataError` when any of ``problems`` is an error (notes alone pass).

    Raises
    ------
    DataError
        Message from :func:`format_problems`; ``.problems`` holds every problem (errors and
        notes) as dicts, errors first.
    """
    problems = list(problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        ordered = errors + [p for p in problems if p.severity != "error"]
        raise DataError(format_problems(ordered), [p.as_dict() for p in ordered])


# --- helpers -------------------------------------------------------------------------------


def resolve_table(table: Table | str) -> Table:
    """Return the contract :class:`Table` for a kind name or a Table; raise ``KeyError``."""
    if isinstance(table, Table):
        return table
    try:
        return TABLES[table]
    except KeyError:
        raise KeyError(f"unknown table kind {table!r}; known: {', '.join(TABLES)}") from None


def _rows(mask: np.ndarray) -> tuple[int, list[int]]:
    idx = np.flatnonzero(mask)
    return int(idx.size), [int(i) + 2 for i in idx[:MAX_ROWS]]


def _sample(values: pd.Series, n: int = 3) -> str:
    uniq = pd.unique(values.dropna())[:n]
    return ", ".join(repr(str(v)) if isinstance(v, str) else fmt_num(v) for v in uniq)


def fmt_num(v: object) -> str:
    """A number as messages show it: whole numbers without ``.0``, others as ``repr``.

    Returns
    -------
    str
    """
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return repr(v)
    return str(int(f)) if f.is_integer() else repr(f)


def _fmt_range(col: Column) -> str:
    lo = fmt_num(col.min) if col.min is not None else None
    hi = fmt_num(col.max) if col.max is not None else None
    if lo is not None and hi is not None:
        return f"{lo}-{hi}"
    return f">= {lo}" if lo is not None else f"<= {hi}"


def as_text(s: pd.Series) -> pd.Series:
    """Text form of a column: stripped, empty -> missing; whole floats lose their '.0'.

    Returns
    -------
    pandas.Series
        Nullable strings, same index.
    """
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype("Int64")
    if pd.api.types.is_float_dtype(s.dtype):
        arr = s.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(arr) & (np.mod(arr, 1) == 0)
        out = pd.Series(pd.array([None] * len(s), dtype="str"), index=s.index)
        out[whole] = pd.Series(arr[whole].astype("int64"), index=s.index[whole]).astype("str")
        other = ~whole & ~np.isnan(arr)
        out[other] = pd.Series(arr[other], index=s.index[other]).astype("str")
        return out
    text = s.astype("str").str.strip()
    return text.mask(text == "")


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` was probably meant to be (case, blanks or a close spelling).

    Returns
    -------
    str or None
        The closest candidate, or None when none is close.
    """
    cands = list(candidates)
    lower = {c.lower(): c for c in cands}
    if name.strip().lower() in lower:
        return lower[name.strip().lower()]
    hit = difflib.get_close_matches(name, cands, n=1, cutoff=0.75)
    return hit[0] if hit else None


# --- the validator -------------------------------------------------------------------------


def check(df: pd.DataFrame, table: Table | str, *, file: str | None = None,
          expected_quarter: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Check ``df`` against the contract and return the typed frame with every problem.

    Parameters
    ----------
    df : DataFrame
        The table as read (canonical column names; values as text or typed). Row ``i``
        (0-based position) is reported as row ``i + 2``.
    table : Table or str
        The contract table or its kind (``"survey"``, ``"kpi"``, ``"benchmark"``; the
        panel is checked with :func:`validate_panel`).
    file : str, optional
        The file name used in messages (default ``"<kind> table"``).
    expected_quarter : str, optional
        ``YYYYQn`` every row's ``quarter`` must equal (from the file name).

    Returns
    -------
    (DataFrame, list of Problem)
        The cleaned frame (contract columns in contract order, then unknown columns as
        read) and the problems, errors and notes (``Problem.severity``). The frame is only
        trustworthy when no problem is an error.
    """
    t = resolve_table(table)
    fname = file or f"{t.kind} table"
    problems: list[Problem] = []

    def add(column: str | None, rule: str, detail: str, mask: np.ndarray | None = None,
            severity: str = "error") -> None:
        count, rows = _rows(mask) if mask is not None else (0, [])
        problems.append(Problem(fname, column, rule, detail, count, rows, severity=severity))

    present = [str(c) for c in df.columns]
    dupcols = sorted({c for c in present if present.count(c) > 1})
    for c in dupcols:
        add(c, "duplicate column", f"the column appears {present.count(c)} times in the header")
    if dupcols:
        df = df.loc[:, ~pd.Index(present).duplicated()]
        present = [str(c) for c in df.columns]
    unknown = [c for c in present if c not in t.names]
    for name in t.required:
        if name not in present:
            hint = did_you_mean(name, unknown)
            add(name, "missing column",
                "required by the contract but not in the file"
                + (f" (did you mean to rename '{hint}'?)" if hint else ""))
    for c in unknown:
        hint = did_you_mean(c, [n for n in t.names if n not in present])
        add(c, "unknown column",
            "not in the contract; kept as is" + (f" (did you mean '{hint}'?)" if hint else ""),
            severity="note")
    n = len(df)
    if n == 0:
        add(None, "no data rows", "the file has a header but no rows")

    out: dict[str, pd.Series] = {}
    valid: dict[str, np.ndarray] = {}  # per column: value present and passing its own checks
    for col in t.columns:
        if col.name not in present:
            continue
        s = df[col.name].reset_index(drop=True)
        clean, ok = _check_column(s, col, add)
        out[col.name] = clean
        valid[col.name] = ok

    _check_rows(t, out, valid, add, expected_quarter)

    frame = pd.DataFrame(out, index=pd.RangeIndex(n))
    for c in unknown:
        frame[c] = df[c].to_numpy()
    return frame, problems


def _check_text_column(s: pd.Series, col: Column, add) -> tuple[pd.Series, np.ndarray]:
    """Codes, quarter/month formats and missingness of a text column."""
    name = col.name
    text = as_text(s)
    miss = text.isna().to_numpy()
    bad = np.zeros(len(s), dtype=bool)
    if col.type == "code" and col.allowed is not None:
        bad = ~miss & ~text.isin(col.allowed).to_numpy()
        if bad.any():
            add(name, "unknown code",
                f"allowed: {', '.join(col.allowed)}; found {_sample(text[bad])}", bad)
    elif col.type in ("quarter", "month"):
        rx = QUARTER_RE if col.type == "quarter" else MONTH_RE
        bad = ~miss & ~text.fillna("").str.match(rx.pattern).to_numpy()
        if bad.any():
            shape = "2010Q4 (YYYYQn, n in 1-4)" if col.type == "quarter" else "2010-03 (YYYY-MM)"
            add(name, f"bad {col.type} format",
                f"must look like {shape}; found {_sample(text[bad])}", bad)
    if not col.nullable and miss.any():
        add(name, "missing value", "the column may not be empty", miss)
    return text.astype("str"), ~miss & ~bad


def _numbers(s: pd.Series, col: Column, add) -> tuple[np.ndarray, np.ndarray]:
    """The column as floats (98/99 missing where the contract says so, no infinities)
    and the rows that held no number at all."""
    name = col.name
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        num = pd.Series(s.to_numpy(dtype="float64", na_value=np.nan))
        wrong = np.zeros(len(s), dtype=bool)
    else:
        text = as_text(s)
        num = pd.to_numeric(text, errors="coerce").astype("float64")
        wrong = (text.notna() & num.isna()).to_numpy()
        if wrong.any():
            add(name, "wrong type", f"expected a number; found text {_sample(text[wrong])}", wrong)
    arr = num.to_numpy(dtype="float64", copy=True)
    if col.missing_codes:
        arr[np.isin(arr, MISSING_CODES)] = np.nan
    infinite = np.isinf(arr)
    if infinite.any():
        add(name, "wrong type", "expected a finite number; found infinity", infinite)
        arr[infinite] = np.nan
        wrong |= infinite
    return arr, wrong


def _bad_numbers(arr: np.ndarray, have: np.ndarray, col: Column, add) -> np.ndarray:
    """Rows breaking the column's integer, 0/1, positivity or range rule."""
    name = col.name
    bad = np.zeros(len(arr), dtype=bool)
    if col.type in ("int", "binary", "likert"):
        frac = have & (np.mod(arr, 1, where=have, out=np.zeros_like(arr)) != 0)
        if frac.any():
            add(name, "not an integer",
                f"expected whole numbers; found {_sample(pd.Series(arr[frac]))}", frac)
        bad |= frac
    if col.type == "binary":
        notbin = have & ~bad & ~np.isin(arr, (0.0, 1.0))
        if notbin.any():
            codes = " (98/99 are read as missing)" if col.missing_codes else ""
            add(name, "not 0/1", f"must be 0 or 1{codes}; found "
                f"{_sample(pd.Series(arr[notbin]))}", notbin)
        bad |= notbin
    if col.positive:
        nonpos = have & ~bad & (arr <= 0)
        if nonpos.any():
            add(name, "not positive", "values must be > 0; found "
                f"{_sample(pd.Series(arr[nonpos]))}", nonpos)
        bad |= nonpos
    if col.type != "binary" and (col.min is not None or col.max is not None):
        lo = -np.inf if col.min is None else col.min
        hi = np.inf if col.max is None else col.max
        out_r = have & ~bad & ((arr < lo) | (arr > hi))
        if out_r.any():
            add(name, "out of range", f"values must be {_fmt_range(col)}; found "
                f"{_sample(pd.Series(arr[out_r]))}", out_r)
        bad |= out_r
    return bad


def _check_column(s: pd.Series, col: Column, add) -> tuple[pd.Series, np.ndarray]:
    """Type, codes, ranges and missingness of one column; return (clean, valid mask)."""
    if col.type in _TEXT_TYPES:
        return _check_text_column(s, col, add)
    arr, wrong = _numbers(s, col, add)
    miss = np.isnan(arr) & ~wrong
    have = ~np.isnan(arr)
    bad = _bad_numbers(arr, have, col, add)
    if not col.nullable and miss.any():
        codes = " (98/99 count as missing)" if col.missing_codes else ""
        add(col.name, "missing value", f"the column may not be empty{codes}", miss)
    if col.type == "int":
        if col.nullable or miss.any() or wrong.any() or bad.any():
            clean = pd.Series(pd.array(np.where(have & ~bad, arr, np.nan), dtype="Float64")
                              .round().astype("Int64"))
        else:
            clean = pd.Series(arr.astype("int64"))
    else:
        clean = pd.Series(arr)
    return clean, have & ~bad


def _check_rows(t: Table, out: dict[str, pd.Series], valid: dict[str, np.ndarray], add,
                expected_quarter: str | None) -> None:
    """Cross-column rules: unique key, tier vs brand, quarters, numerator <= denominator."""
    if t.key and all(k in out for k in t.key) and len(next(iter(out.values()), [])):
        keys = pd.DataFrame({k: out[k] for k in t.key})
        complete = keys.notna().all(axis=1).to_numpy()
        dup = keys.duplicated(keep=False).to_numpy() & complete
        if dup.any():
            first = keys[dup].iloc[0]
            example = ", ".join(f"{k}={first[k]!s}" for k in t.key)
            nkeys = int(keys[dup].drop_duplicates().shape[0])
            what = " + ".join(t.key)
            add(" + ".join(t.key), "duplicate key",
                f"{what} must be unique; {nkeys} value{'s' if nkeys != 1 else ''} repeated "
                f"(e.g. {example})", dup)

    if "brand" in out and "tier" in out:
        brand, tier = out["brand"], out["tier"]
        ok = valid["brand"] & valid["tier"]
        is_gt = (brand == "gotone").to_numpy()
        bad = ok & ((is_gt & tier.isin(OTHER_TIERS).to_numpy())
                    | (~is_gt & tier.isin(GOTONE_TIERS).to_numpy()))
        if bad.any():
            add("tier", "tier inconsistent with brand",
                f"GoTone rows take {', '.join(GOTONE_TIERS)}; other brands "
                f"{', '.join(OTHER_TIERS)}", bad)

    if "quarter" in out:
        q = out["quarter"]
        ok = valid["quarter"]
        if expected_quarter is not None:
            bad = ok & (q != expected_quarter).to_numpy()
            if bad.any():
                add("quarter", "quarter mismatch",
                    f"the file name says {expected_quarter}, rows say {_sample(q[bad])}", bad)
        elif t.kind == "survey" and ok.any():
            counts = q[ok].value_counts()
            if len(counts) > 1:
                main = counts.index[0]
                bad = ok & (q != main).to_numpy()
                add("quarter", "several quarters",
                    f"a survey file holds one wave; found {', '.join(map(str, counts.index))} "
                    f"(rows not in {main} listed)", bad)

    for num, den in t.ratios:
        if num in out and den in out:
            a = out[num].to_numpy(dtype="float64", na_value=np.nan)
            b = out[den].to_numpy(dtype="float64", na_value=np.nan)
            bad = valid[num] & valid[den] & (a > b)
            if bad.any():
                add(num, "numerator > denominator", f"'{num}' must not exceed '{den}'", bad)


def validate(df: pd.DataFrame, table: Table | str, *, file: str | None = None,
             expected_quarter: str | None = None) -> pd.DataFrame:
    """Validate ``df`` against the data contract and return it cleaned and typed.

    Parameters
    ----------
    df : DataFrame
        The table as read, canonical column names (see :func:`gotone_analysis.io.read_table`).
    table : Table or str
        Contract table or kind name.
    file : str, optional
        File name shown in messages.
    expected_quarter : str, optional
        ``YYYYQn`` all rows' ``quarter`` must equal (e.g. from ``survey_2010Q4.csv``).

    Returns
    -------
    DataFrame
        Contract columns in contract order with the dtypes listed in the module docstring
        (98/99 read as missing where the contract says so), then any unknown columns
        unchanged. Notes (unknown columns) are kept in ``frame.attrs["notes"]``.

    Raises
    ------
    DataError
        When any rule is broken; the message lists every problem (file, column, rule,
        count, first rows) and ``.problems`` holds them as dicts.
    """
    frame, problems = check(df, table, file=file, expected_quarter=expected_quarter)
    raise_if_errors(problems)
    frame.attrs["notes"] = [p.as_dict() for p in problems]
    return frame


# --- the panel, inside DuckDB ---------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _panel_rules(col: Column, types: dict[str, str]) -> list[tuple[str, str, str]]:
    """(rule, detail, SQL condition true on offending rows) for one panel column."""
    c = _q(col.name)
    numeric_stored = any(k in types[col.name].upper() for k in
                         ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL", "BOOL"))
    rules: list[tuple[str, str, str]] = []
    if col.type in _TEXT_TYPES:
        txt = f"NULLIF(trim(CAST({c} AS VARCHAR)), '')"
        if col.type == "code" and col.allowed is not None:
            allowed = ", ".join(_lit(a) for a in col.allowed)
            rules.append(("unknown code", f"allowed: {', '.join(col.allowed)}",
                          f"{txt} IS NOT NULL AND {txt} NOT IN ({allowed})"))
        elif col.type in ("quarter", "month"):
            rx = (QUARTER_RE if col.type == "quarter" else MONTH_RE).pattern
            shape = "2010Q4 (YYYYQn)" if col.type == "quarter" else "2010-03 (YYYY-MM)"
            rules.append((f"bad {col.type} format", f"must look like {shape}",
                          f"{txt} IS NOT NULL AND NOT regexp_full_match({txt}, {_lit(rx)})"))
        if not col.nullable:
            rules.append(("missing value", "the column may not be empty", f"{txt} IS NULL"))
        return rules
    num = c if numeric_stored else f"TRY_CAST(NULLIF(trim(CAST({c} AS VARCHAR)), '') AS DOUBLE)"
    if not numeric_stored:
        rules.append(("wrong type", "expected a number",
                      f"NULLIF(trim(CAST({c} AS VARCHAR)), '') IS NOT NULL AND {num} IS NULL"))
    val = f"CAST({num} AS DOUBLE)"
    if col.missing_codes:
        codes = ", ".join(str(float(m)) for m in MISSING_CODES)
        val = f"(CASE WHEN {val} IN ({codes}) THEN NULL ELSE {val} END)"
    if col.type in ("int", "binary", "likert"):
        rules.append(("not an integer", "expected whole numbers",
                      f"{val} IS NOT NULL AND {val} <> floor({val})"))
    if col.type == "binary":
        rules.append(("not 0/1", "must be 0 or 1", f"{val} IS NOT NULL AND {val} NOT IN (0, 1)"))
    elif col.min is not None or col.max is not None:
        conds = []
        if col.min is not None:
            conds.append(f"{val} < {float(col.min)!r}")
        if col.max is not None:
            conds.append(f"{val} > {float(col.max)!r}")
        rules.append(("out of range", f"values must be {_fmt_range(col)}",
                      f"{val} IS NOT NULL AND ({' OR '.join(conds)})"))
    if not col.nullable:
        rules.append(("missing value", "the column may not be empty", f"{val} IS NULL"))
    return rules


def validate_panel(path: str | Path, *, file: str | None = None) -> dict:
    """Validate the Parquet customer panel folder in DuckDB, never loading it into pandas.

    Every contract rule is counted in one scan (one ``count_if`` per rule), then up to
    five offending customer-months are fetched for each broken rule; the key
    ``cust_key + month`` is checked with one ``GROUP BY``, and each row's ``month`` must
    match its ``month=YYYY-MM`` partition folder.

    Parameters
    ----------
    path : str or Path
        The panel folder (``panel/month=YYYY-MM/*.parquet``) or a single Parquet file.
    file : str, optional
        Name shown in messages (default: the path as given).

    Returns
    -------
    dict
        ``rows`` (int), ``files`` (int), ``months`` (sorted list of ``YYYY-MM``),
        ``cities`` (sorted list), ``notes`` (list of problem dicts for unknown columns).

    Raises
    ------
    DataError
        Listing every broken rule with its count and example keys
        (``cust_key=..., month=..., file=...``).
    """
    import duckdb

    p = Path(path)
    fname = file or str(path)
    if p.is_dir():
        files = sorted(f for f in p.rglob("*.parquet") if f.is_file())
    else:
        files = [p] if p.exists() else []
    if not files:
        raise_if_errors([Problem(fname, None, "no data", "no Parquet files found")])
    raise_if_errors(_duplicate_panel_columns(files, p, fname))
    con = duckdb.connect()
    try:
        src = ", ".join(_lit(str(f)) for f in files)
        try:
            con.execute("CREATE VIEW panel AS SELECT * FROM read_parquet("
                        f"[{src}], hive_partitioning = false, union_by_name = true, "
                        "filename = '__file')")
            types = {r[0]: r[1] for r in con.execute("DESCRIBE panel").fetchall()}
        except duckdb.Error as exc:
            raise_if_errors([Problem(fname, None, "unreadable file",
                                     f"not a readable Parquet dataset ({exc})")])
        return _check_panel(con, p, fname, types)
    finally:
        con.close()


def _duplicate_panel_columns(files: list[Path], root: Path, fname: str) -> list[Problem]:
    """A column named twice in one Parquet file (DuckDB would rename the copy ``x_1``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    problems = []
    for f in files:
        try:
            names = [str(n).strip() for n in pq.read_schema(f).names]
        except (pa.ArrowException, OSError):
            continue  # reported by DuckDB as an unreadable file
        shown = f"{fname.rstrip('/')}/{_rel(str(f), root)}" if root.is_dir() else fname
        for name in sorted({n for n in names if n and names.count(n) > 1}):
            problems.append(Problem(shown, name, "duplicate column",
                                    f"the column appears {names.count(name)} times in the "
                                    "file's schema; keep one and delete or rename the others"))
    return problems


def _panel_header(present: list[str], fname: str) -> list[Problem]:
    """Missing required and unknown columns of the panel."""
    t = PANEL
    problems: list[Problem] = []
    unknown = [c for c in present if c not in t.names]
    for name in t.required:
        if name not in present:
            hint = did_you_mean(name, unknown)
            problems.append(Problem(fname, name, "missing column",
                                    "required by the contract but not in the files"
                                    + (f" (did you mean to rename '{hint}'?)" if hint else "")))
    for c in unknown:
        hint = did_you_mean(c, [n for n in t.names if n not in present])
        problems.append(Problem(fname, c, "unknown column", "not in the contract; kept as is"
                                + (f" (did you mean '{hint}'?)" if hint else ""),
                                severity="note"))
    return problems


def _panel_checks(present: list[str], types: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """The row checks of the panel as SQL: (column, rule, detail, condition of a bad row)."""
    t = PANEL
    checks: list[tuple[str, str, str, str]] = []
    for col in t.columns:
        if col.name in present:
            checks += [(col.name, r, d, cond) for r, d, cond in _panel_rules(col, types)]
    if "brand" in present and "tier" in present:
        gt = ", ".join(_lit(x) for x in GOTONE_TIERS)
        ot = ", ".join(_lit(x) for x in OTHER_TIERS)
        checks.append(("tier", "tier inconsistent with brand",
                       f"GoTone rows take {', '.join(GOTONE_TIERS)}; other brands "
                       f"{', '.join(OTHER_TIERS)}",
                       f"(brand = 'gotone' AND tier IN ({ot})) OR "
                       f"(brand IN ('mzone', 'easyown', 'competitor') AND tier IN ({gt}))"))
    if "month" in present:
        part = r"regexp_extract(__file, '[/\\]month=([^/\\]+)[/\\]', 1)"
        checks.append(("month", "partition mismatch",
                       "the row's month differs from its month=YYYY-MM folder",
                       f"{part} <> '' AND CAST(month AS VARCHAR) IS DISTINCT FROM {part}"))
    return checks


def _panel_duplicates(con, root: Path, fname: str) -> Problem | None:
    """The duplicate-key problem of the panel, if any (key columns all present)."""
    t = PANEL
    keys = ", ".join(_q(k) for k in t.key)
    ndup = nrow = 0
    # one month at a time: a month's rows are a few row groups (Parquet statistics skip
    # the others), so the hash table holds one month's customers, not every
    # customer-month of the panel (6 GB at full scale)
    months = [r[0] for r in con.execute(
        "SELECT DISTINCT month FROM panel WHERE month IS NOT NULL").fetchall()]
    others = " AND ".join(f"{_q(k)} IS NOT NULL" for k in t.key if k != "month")
    for month in months:
        n_d, n_r = con.execute(
            f"SELECT count(*), COALESCE(sum(n), 0) FROM (SELECT count(*) AS n FROM panel "
            f"WHERE month = ? AND {others or 'true'} GROUP BY {keys} HAVING count(*) > 1)",
            [month]).fetchone()
        ndup += int(n_d)
        nrow += int(n_r)
    if not ndup:
        return None
    got = con.execute(
        f"SELECT {keys}, list(__file ORDER BY __file), count(*) FROM panel "
        f"GROUP BY {keys} HAVING count(*) > 1 ORDER BY {keys} LIMIT {MAX_ROWS}").fetchall()
    ex = [", ".join(f"{k}={v}" for k, v in zip(t.key, r[:len(t.key)], strict=True))
          + f" x{r[-1]} in " + " + ".join(sorted({_rel(f, root) for f in r[-2]}))
          for r in got]
    return Problem(fname, " + ".join(t.key), "duplicate key",
                   f"{' + '.join(t.key)} must be unique; {ndup} value"
                   f"{'s' if ndup != 1 else ''} repeated", int(nrow), examples=ex)


def _check_panel(con, root: Path, fname: str, types: dict[str, str]) -> dict:
    import duckdb

    t = PANEL
    present = [c for c in types if c != "__file"]
    problems = _panel_header(present, fname)
    checks = _panel_checks(present, types)
    exprs = ", ".join(f"count_if(COALESCE({cond}, false))" for _, _, _, cond in checks)
    try:
        res = con.execute(f"SELECT count(*){', ' + exprs if exprs else ''} FROM panel").fetchone()
    except duckdb.Error as exc:
        raise_if_errors(problems + [Problem(fname, None, "unreadable file",
                                            f"the Parquet files cannot be scanned ({exc})")])
    nrows = int(res[0])
    if nrows == 0:
        problems.append(Problem(fname, None, "no data rows", "the panel has no rows"))
    keycols = [k for k in t.key if k in present]
    show = ", ".join([*(f"CAST({_q(k)} AS VARCHAR)" for k in keycols), "__file"])

    def examples(where: str) -> list[str]:
        got = con.execute(f"SELECT {show} FROM panel WHERE {where} LIMIT {MAX_ROWS}").fetchall()
        out = []
        for row in got:
            parts = [f"{k}={v}" for k, v in zip(keycols, row[:-1], strict=True)]
            parts.append(f"file={_rel(row[-1], root)}")
            out.append(", ".join(parts))
        return out

    for (column, rule, detail, cond), count in zip(checks, res[1:], strict=True):
        if count:
            problems.append(Problem(fname, column, rule, detail, int(count),
                                    examples=examples(f"COALESCE({cond}, false)")))
    if len(keycols) == len(t.key) and nrows:
        dup = _panel_duplicates(con, root, fname)
        if dup is not None:
            problems.append(dup)
    raise_if_errors(problems)
    months = ([r[0] for r in con.execute(
        "SELECT DISTINCT CAST(month AS VARCHAR) FROM panel ORDER BY 1").fetchall()]
        if "month" in present else [])
    cities = ([r[0] for r in con.execute(
        "SELECT DISTINCT CAST(city AS VARCHAR) FROM panel ORDER BY 1").fetchall()]
        if "city" in present else [])
    nfiles = con.execute("SELECT count(DISTINCT __file) FROM panel").fetchone()[0]
    return {"rows": nrows, "files": int(nfiles), "months": months, "cities": cities,
            "notes": [p.as_dict() for p in problems]}


def _rel(f: str, root: Path) -> str:
    try:
        return Path(f).relative_to(root).as_posix()
    except ValueError:
        return Path(f).name

