"""The data contract as validators: check a table against :mod:`gotone_analysis.contract`.

:func:`validate` takes a frame as read from a file (text or typed columns) and returns it
cleaned and typed, or raises :class:`~gotone_analysis.errors.DataError` listing *every*
problem at once: file, column, rule, how many rows, and the first offending rows.
:func:`validate_panel` does the same for the Parquet customer panel inside DuckDB, without
loading it into pandas; :func:`check_waves` holds the rules across the survey waves read
together (one design for all).

Besides errors, a check can find *warnings* (``Problem.severity == "warning"``): values
that are possible but implausible against the file's own distribution (the contract's
soft plausibility rules). They never stop a run; ``gotone validate``, the batch and the
data-quality report show them. *Notes* (unknown columns) are kept as well.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .config import (
    GOTONE_TIERS,
    MISSING_CODES,
    MONTH_RE,
    OTHER_TIERS,
    QUARTER_RE,
    shift_quarter,
)
from .contract import PANEL, TABLES, Column, Table
from .errors import DataError

__all__ = [
    "ROW_NOTE",
    "MAX_ROWS",
    "Problem",
    "as_text",
    "check",
    "check_waves",
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
    """One violation of the data contract (``severity`` ``"error"``), a value implausible
    against its file's distribution (``"warning"``) or a remark (``"note"``)."""

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
        prefix = f"{self.severity}: " if self.severity in ("note", "warning") else ""
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
    """Return the message listing ``problems``: errors first, then warnings and notes, one
    per line.

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
    notes = ([p for p in problems if p.severity == "warning"]
             + [p for p in problems if p.severity not in ("error", "warning")])
    files = sorted({p.file for p in errors}) or sorted({p.file for p in problems})
    n = len(errors)
    head = (f"{', '.join(files)}: {n} problem{'s' if n != 1 else ''} with the data contract"
            if n else f"{', '.join(files)}: "
            + ("warnings" if any(p.severity == "warning" for p in notes) else "notes"))
    if any(p.rows for p in problems):
        head += f" ({ROW_NOTE})"
    lines = [head + ":"]
    lines += [f"  {p.line()}" for p in errors]
    lines += [f"  {p.line()}" for p in notes]
    return "\n".join(lines)


def raise_if_errors(problems: Iterable[Problem]) -> None:
    """Raise :class:`DataError` when any of ``problems`` is an error (warnings and notes
    alone pass).

    Raises
    ------
    DataError
        Message from :func:`format_problems`; ``.problems`` holds every problem (errors,
        warnings and notes) as dicts, errors first.
    """
    problems = list(problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        ordered = (errors + [p for p in problems if p.severity == "warning"]
                   + [p for p in problems if p.severity not in ("error", "warning")])
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
        wrong = wrong | infinite  # not in place: the mask may be a read-only view
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


def _short(values: np.ndarray, n: int = 3) -> str:
    """Up to ``n`` distinct numbers as messages show them, in six significant digits."""
    return ", ".join(f"{v:.6g}" for v in pd.unique(values)[:n])


def _implausible(arr: np.ndarray, ok: np.ndarray, col: Column, add) -> np.ndarray:
    """The plausibility rules of a column measured on its file's own values.

    Values above ``max_median_multiple`` times the median of the column's valid values
    are errors; values above ``warn_median_multiple`` times the median, or above ``k``
    times the ``q``-quantile (``warn_quantile_multiple``), are warnings. Returns the rows
    breaking the hard rule.
    """
    name = col.name
    hard = np.zeros(len(arr), dtype=bool)
    if not ok.any():
        return hard
    vals = arr[ok]
    if col.max_median_multiple is not None or col.warn_median_multiple is not None:
        med = float(np.median(vals))
        k = col.max_median_multiple
        if k is not None and med > 0:
            hard = ok & (arr > k * med)
            if hard.any():
                add(name, "implausible value",
                    f"values must be at most {fmt_num(k)} x the file's median "
                    f"({med:.6g}); found {_short(arr[hard])}", hard)
        k = col.warn_median_multiple
        if k is not None and med > 0:
            soft = ok & ~hard & (arr > k * med)
            if soft.any():
                add(name, "outlier", f"above {fmt_num(k)} x the file's median ({med:.6g}); "
                    f"found {_short(arr[soft])}: check them", soft, severity="warning")
    if col.warn_quantile_multiple is not None:
        q, k = col.warn_quantile_multiple
        ref = float(np.quantile(vals, q))
        soft = ok & ~hard & (arr > k * ref)
        if ref > 0 and soft.any():
            add(name, "outlier", f"above {fmt_num(k)} x the file's {100 * q:g}th percentile "
                f"({ref:.6g}); found {_short(arr[soft])}: check them", soft,
                severity="warning")
    return hard


def _check_column(s: pd.Series, col: Column, add) -> tuple[pd.Series, np.ndarray]:
    """Type, codes, ranges, plausibility and missingness of one column; return (clean,
    valid mask)."""
    if col.type in _TEXT_TYPES:
        return _check_text_column(s, col, add)
    arr, wrong = _numbers(s, col, add)
    miss = np.isnan(arr) & ~wrong
    have = ~np.isnan(arr)
    bad = _bad_numbers(arr, have, col, add)
    bad |= _implausible(arr, have & ~bad, col, add)
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
    """Cross-column rules: unique key, tier vs brand, quarters, numerator <= denominator,
    design columns filled on every row or none."""
    for name in t.design:
        if name in out:
            filled = out[name].notna().to_numpy()
            if filled.any() and not filled.all():
                add(name, "design column partly filled",
                    f"filled on {int(filled.sum())} of {len(filled)} rows; the survey design "
                    "needs it on every row of the wave or on none (empty rows listed)",
                    ~filled)
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


# --- across files: the survey waves read together ------------------------------------------


def _runs(quarters: Iterable[str]) -> str:
    """Quarters as runs of consecutive quarters, e.g. ``2008Q1..2010Q3, 2011Q2``."""
    qs = sorted(set(quarters))
    runs: list[list[str]] = []
    for q in qs:
        if runs and QUARTER_RE.match(q) and QUARTER_RE.match(runs[-1][-1]) \
                and shift_quarter(runs[-1][-1], 1) == q:
            runs[-1].append(q)
        else:
            runs.append([q])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}..{r[-1]}" for r in runs)


def _wave(file: str, frame: pd.DataFrame) -> str:
    """The wave (quarter) a file holds, else its name."""
    if "quarter" in frame.columns:
        qs = frame["quarter"].dropna()
        if len(qs):
            return str(qs.iloc[0])
    return file


#: What to do about a design column filled in some waves only, by column.
_DESIGN_HINTS = {
    "psu": " (a wave sampled without clusters has each respondent as its own primary "
           "sampling unit: psu = resp_id)",
}


def check_waves(waves: Mapping[str, pd.DataFrame],
                table: Table | str = "survey") -> list[Problem]:
    """The rules across the files of a table read together: one survey design for all.

    A design column (:attr:`gotone_analysis.contract.Column.design`: ``psu``,
    ``stratum_pop``) must be filled in every wave read together or in none. A wave may
    have a design of its own, but the reports compare and pool waves (changes, trends,
    the year to date) under one design rule (:func:`gotone_analysis.survey.design_of`):
    clustered and unclustered waves in one comparison would have their standard errors
    estimated under two designs.

    Parameters
    ----------
    waves : mapping of str to DataFrame
        File name as messages show it -> the file's validated frame (:func:`validate`),
        one wave per file.
    table : Table or str
        The contract table (default the survey).

    Returns
    -------
    list of Problem
        One error per design column filled in some files but not in the others: the
        files of the smaller group as ``file``, and the waves that have the column and
        those that do not in ``detail``.
    """
    t = resolve_table(table)
    problems: list[Problem] = []
    for name in t.design:
        have: list[str] = []
        lack: list[str] = []
        for file, frame in waves.items():
            filled = name in frame.columns and bool(frame[name].notna().any())
            (have if filled else lack).append(file)
        if not have or not lack:
            continue
        odd = have if len(have) <= len(lack) else lack
        shown = ", ".join(odd[:MAX_ROWS]) + (", ..." if len(odd) > MAX_ROWS else "")
        problems.append(Problem(
            shown, name, "design column in some waves only",
            f"filled in {_runs(_wave(f, waves[f]) for f in have)} but empty in "
            f"{_runs(_wave(f, waves[f]) for f in lack)}; the waves read together share one "
            f"survey design: fill it in every wave or in none{_DESIGN_HINTS.get(name, '')}"))
    return problems


# --- the panel, inside DuckDB ---------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


#: Contract types of columns taking few distinct values: their rules are checked on the
#: distinct values of the column (one grouped scan of the panel), not row by row.
_FEW_TYPES = ("code", "quarter", "month", "binary", "likert")


@dataclass(frozen=True)
class _PanelCheck:
    """One row rule of the panel as SQL: ``cond`` is true on an offending row and reads
    only the columns ``uses``."""

    column: str
    rule: str
    detail: str
    cond: str
    uses: tuple[str, ...]


def _panel_value(col: Column, types: dict[str, str]) -> str:
    """The SQL value of a numeric panel column as a DOUBLE: text read as a number, NaN
    and (where the contract says so) 98/99 read as missing, as :func:`check` does."""
    c = _q(col.name)
    numeric_stored = any(k in types[col.name].upper() for k in
                         ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL", "BOOL"))
    num = c if numeric_stored else f"TRY_CAST(NULLIF(trim(CAST({c} AS VARCHAR)), '') AS DOUBLE)"
    val = f"CAST({num} AS DOUBLE)"
    val = f"(CASE WHEN isnan({val}) THEN NULL ELSE {val} END)"
    if col.missing_codes:
        codes = ", ".join(str(float(m)) for m in MISSING_CODES)
        val = f"(CASE WHEN {val} IN ({codes}) THEN NULL ELSE {val} END)"
    return val


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
    if not numeric_stored:
        num = f"TRY_CAST(NULLIF(trim(CAST({c} AS VARCHAR)), '') AS DOUBLE)"
        rules.append(("wrong type", "expected a number",
                      f"NULLIF(trim(CAST({c} AS VARCHAR)), '') IS NOT NULL AND {num} IS NULL"))
    val = _panel_value(col, types)
    rules.append(("wrong type", "expected a finite number; found infinity", f"isinf({val})"))
    have = f"{val} IS NOT NULL AND NOT isinf({val})"
    if col.type in ("int", "binary", "likert"):
        rules.append(("not an integer", "expected whole numbers",
                      f"{have} AND {val} <> floor({val})"))
    if col.type == "binary":
        rules.append(("not 0/1", "must be 0 or 1", f"{have} AND {val} NOT IN (0, 1)"))
    elif col.min is not None or col.max is not None:
        conds = []
        if col.min is not None:
            conds.append(f"{val} < {float(col.min)!r}")
        if col.max is not None:
            conds.append(f"{val} > {float(col.max)!r}")
        rules.append(("out of range", f"values must be {_fmt_range(col)}",
                      f"{have} AND ({' OR '.join(conds)})"))
    if not col.nullable:
        rules.append(("missing value", "the column may not be empty", f"{val} IS NULL"))
    return rules


def validate_panel(path: str | Path, *, file: str | None = None, quick: bool = False,
                   checked: dict | None = None) -> dict:
    """Validate the Parquet customer panel folder in DuckDB, never loading it into pandas.

    The rules on columns taking few values (codes, months, 0/1 items; brand against tier;
    each row's ``month`` against its ``month=YYYY-MM`` partition folder) are checked on
    the distinct values of those columns, found in one grouped scan; the other rules are
    counted row by row in one scan (one ``count_if`` per rule). Up to five offending
    customer-months are then fetched for each broken rule. The months must run without a
    gap from the first to the last (:attr:`gotone_analysis.contract.Table.gapless`).
    The full validation also checks the key ``cust_key + month`` (one ``GROUP BY`` per
    month), the text columns with many values row by row (``cust_key`` not empty) and the
    soft plausibility rules (warnings, e.g. an ARPU above 10 x the panel's 99.99th
    percentile).

    Parameters
    ----------
    path : str or Path
        The panel folder (``panel/month=YYYY-MM/*.parquet``) or a single Parquet file.
    file : str, optional
        Name shown in messages (default: the path as given).
    quick : bool, default False
        Only the checks that need no costly scan: columns, the rules on columns taking
        few values, the rules on numeric columns, the months without a gap and the hard
        plausibility rules. The batch runs these before any kernel starts
        (:func:`gotone_analysis.runner.check_inputs`) and the full validation while the
        kernels run (:func:`gotone_analysis.batch_prep.prepare_batch`).
    checked : dict, optional
        What a quick validation of the same files returned (it raised nothing): the full
        validation then runs only what the quick one leaves out (the key, the text columns
        with many values, the soft plausibility rules) and returns what the full
        validation returns.

    Returns
    -------
    dict
        ``rows`` (int), ``files`` (int), ``months`` (sorted list of ``YYYY-MM``),
        ``cities`` (sorted list), ``notes`` (list of problem dicts: warnings, then notes
        for unknown columns).

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
        try:  # no progress bars on the user's terminal (in Jupyter DuckDB may refuse)
            con.execute("SET enable_progress_bar = false")
        except duckdb.Error:
            pass
        src = ", ".join(_lit(str(f)) for f in files)
        try:
            con.execute("CREATE VIEW panel AS SELECT * FROM read_parquet("
                        f"[{src}], hive_partitioning = false, union_by_name = true, "
                        "filename = '__file')")
            types = {r[0]: r[1] for r in con.execute("DESCRIBE panel").fetchall()}
        except duckdb.Error as exc:
            raise_if_errors([Problem(fname, None, "unreadable file",
                                     f"not a readable Parquet dataset ({exc})")])
        return _check_panel(con, p, fname, types, quick=quick,
                            checked=None if quick else checked)
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


def _panel_checks(present: list[str], types: dict[str, str]) -> list[_PanelCheck]:
    """The row checks of the panel as SQL, in the contract's order."""
    t = PANEL
    checks: list[_PanelCheck] = []
    for col in t.columns:
        if col.name in present:
            checks += [_PanelCheck(col.name, r, d, cond, (col.name,))
                       for r, d, cond in _panel_rules(col, types)]
    if "brand" in present and "tier" in present:
        gt = ", ".join(_lit(x) for x in GOTONE_TIERS)
        ot = ", ".join(_lit(x) for x in OTHER_TIERS)
        checks.append(_PanelCheck(
            "tier", "tier inconsistent with brand",
            f"GoTone rows take {', '.join(GOTONE_TIERS)}; other brands "
            f"{', '.join(OTHER_TIERS)}",
            f"(brand = 'gotone' AND tier IN ({ot})) OR "
            f"(brand IN ('mzone', 'easyown', 'competitor') AND tier IN ({gt}))",
            ("brand", "tier")))
    if "month" in present:
        part = r"regexp_extract(__file, '[/\\]month=([^/\\]+)[/\\]', 1)"
        checks.append(_PanelCheck(
            "month", "partition mismatch",
            "the row's month differs from its month=YYYY-MM folder",
            f"{part} <> '' AND CAST(month AS VARCHAR) IS DISTINCT FROM {part}",
            ("month", "__file")))
    return checks


def _column_sets(checks: Sequence[_PanelCheck]) -> list[tuple[str, ...]]:
    """The column sets whose distinct values the checks are evaluated on: the columns a
    check reads together share a set."""
    sets: list[set[str]] = []
    for k in checks:
        cols = set(k.uses)
        for s in [s for s in sets if s & cols]:
            sets.remove(s)
            cols |= s
        sets.append(cols)
    return [tuple(sorted(s)) for s in sets]


def _distinct_values(con, sets: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """Make the temporary table ``panel_values``: the distinct values of each column set
    with their number of rows (``__rows``), in one scan of the panel (GROUPING SETS).

    Returns
    -------
    dict
        Column set -> its ``__set`` id in the table.
    """
    cols = sorted({c for s in sets for c in s})
    ids = {s: sum(1 << (len(cols) - 1 - i) for i, c in enumerate(cols) if c not in s)
           for s in sets}
    qcols = ", ".join(_q(c) for c in cols)
    grouping = ", ".join("(" + ", ".join(_q(c) for c in s) + ")" for s in sets)
    con.execute(f"CREATE OR REPLACE TEMP TABLE panel_values AS SELECT GROUPING_ID({qcols}) "
                f"AS __set, {qcols}, count(*) AS __rows FROM panel "
                f"GROUP BY GROUPING SETS ({grouping})")
    return ids


def _month_gaps(months: Iterable[str | None]) -> list[str]:
    """The months missing between the first and the last well-formed month."""
    ok = sorted({m for m in months if m and MONTH_RE.match(m)})
    if len(ok) < 2:
        return []
    every = pd.period_range(ok[0], ok[-1], freq="M").strftime("%Y-%m")
    have = set(ok)
    return [m for m in every if m not in have]


def _panel_plausibility(con, checks: Sequence[_PanelCheck], types: dict[str, str],
                        fname: str, quick: bool, examples, *, errors: bool = True
                        ) -> list[Problem]:
    """The plausibility rules of the panel's numeric columns, measured on the panel's own
    values (:func:`_implausible` for files): errors above ``max_median_multiple`` x the
    median; in the full validation also warnings above ``warn_median_multiple`` x the
    median or ``k`` x the ``q``-quantile. Values breaking another rule are left out.
    Without ``errors`` (a quick validation checked them) only the warnings are counted."""
    problems: list[Problem] = []
    for col in PANEL.columns:
        if col.name not in types or col.type in _TEXT_TYPES:
            continue
        rules: list[tuple[str, str, float, float]] = []  # (severity, stat, q, k)
        if col.max_median_multiple is not None:
            rules.append(("error", "median", 0.5, float(col.max_median_multiple)))
        if not quick and col.warn_median_multiple is not None:
            rules.append(("warning", "median", 0.5, float(col.warn_median_multiple)))
        if not quick and col.warn_quantile_multiple is not None:
            q, k = col.warn_quantile_multiple
            rules.append(("warning", f"{100 * q:g}th percentile", float(q), float(k)))
        if not rules:
            continue
        v = _panel_value(col, types)
        bad = " OR ".join(f"COALESCE({k.cond}, false)" for k in checks
                          if k.column == col.name) or "false"
        ok = f"{v} IS NOT NULL AND NOT isinf({v}) AND NOT ({bad})"
        qs = sorted({q for _, _, q, _ in rules})
        refs = dict(zip(qs, con.execute(
            "SELECT " + ", ".join(f"quantile_cont({v}, {q!r}) FILTER (WHERE {ok})" for q in qs)
            + " FROM panel").fetchone(), strict=True))
        hard = [refs[q] * k for sev, _, q, k in rules if sev == "error" and refs[q]]
        for severity, stat, q, k in rules:
            ref = refs[q]
            if ref is None or ref <= 0 or (severity == "error" and not errors):
                continue
            cond = f"{ok} AND {v} > {ref * k!r}"
            if severity == "warning" and hard:
                cond += f" AND {v} <= {min(hard)!r}"
            count = con.execute(f"SELECT count_if({cond}) FROM panel").fetchone()[0]
            if not count:
                continue
            found = con.execute(f"SELECT {v} FROM panel WHERE {cond} LIMIT {MAX_ROWS}")
            shown = _short(np.asarray([r[0] for r in found.fetchall()], dtype="float64"))
            if severity == "error":
                detail = (f"values must be at most {fmt_num(k)} x the panel's {stat} "
                          f"({ref:.6g}); found {shown}")
                rule = "implausible value"
            else:
                detail = (f"above {fmt_num(k)} x the panel's {stat} ({ref:.6g}); found "
                          f"{shown}: check them")
                rule = "outlier"
            problems.append(Problem(fname, col.name, rule, detail, int(count),
                                    examples=examples(cond), severity=severity))
    return problems


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
    rest = [k for k in t.key if k != "month"]
    others = " AND ".join(f"{_q(k)} IS NOT NULL" for k in rest)
    hashed = f"hash({', '.join(_q(k) for k in rest)})" if rest else "0"
    for month in months:
        # a month whose rows all have distinct key hashes has no repeated key (equal keys
        # hash alike); counting 64-bit hashes is cheaper than grouping the text keys, so
        # only a month with fewer distinct hashes than rows (a repeated key, or by a
        # one-in-billions chance two keys with one hash) is grouped by its keys
        short = con.execute(
            f"SELECT count(*) - count(DISTINCT {hashed}) FROM panel "
            f"WHERE month = ? AND {others or 'true'}", [month]).fetchone()[0]
        if not short:
            continue
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


def _check_panel(con, root: Path, fname: str, types: dict[str, str], *,
                 quick: bool = False, checked: dict | None = None) -> dict:
    import duckdb

    t = PANEL
    present = [c for c in types if c != "__file"]
    problems = _panel_header(present, fname)
    checks = _panel_checks(present, types)
    few = {c.name for c in t.columns if c.type in _FEW_TYPES} | {"__file"}
    numeric = {c.name for c in t.columns if c.type in _NUMERIC_TYPES}
    few_values = [i for i, k in enumerate(checks) if set(k.uses) <= few]
    # after a quick validation (``checked``) only the checks it left out: the row checks
    # of the columns that are neither few-valued nor numeric
    grouped = few_values if checked is None else []
    scanned = [i for i, k in enumerate(checks)
               if i not in few_values and (not quick or set(k.uses) <= numeric)
               and (checked is None or not set(k.uses) <= numeric)]
    counts: dict[int, int] = {}
    try:
        sets = _distinct_values(con, _column_sets([checks[i] for i in grouped])) \
            if grouped else {}
        for cols, sid in sets.items():
            mine = [i for i in grouped if set(checks[i].uses) <= set(cols)]
            exprs = ", ".join(f"COALESCE(sum(__rows) FILTER (WHERE COALESCE("
                              f"{checks[i].cond}, false)), 0)" for i in mine)
            got = con.execute(f"SELECT {exprs} FROM panel_values WHERE __set = {sid}"
                              ).fetchone()
            counts.update(zip(mine, (int(n) for n in got), strict=True))
        exprs = "".join(f", count_if(COALESCE({checks[i].cond}, false))" for i in scanned)
        res = (con.execute(f"SELECT count(*){exprs} FROM panel").fetchone()
               if scanned or checked is None else (checked["rows"],))
    except duckdb.Error as exc:
        raise_if_errors(problems + [Problem(fname, None, "unreadable file",
                                            f"the Parquet files cannot be scanned ({exc})")])
    nrows = int(res[0])
    counts.update(zip(scanned, (int(n) for n in res[1:]), strict=True))
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

    def distinct(column: str) -> list[str]:
        """The column's values as text, sorted: from ``panel_values`` when it is there."""
        sid = next((i for cols, i in sets.items() if column in cols), None)
        src = f"panel_values WHERE __set = {sid}" if sid is not None else "panel WHERE true"
        return [r[0] for r in con.execute(
            f"SELECT DISTINCT CAST({_q(column)} AS VARCHAR) AS v FROM {src} "
            f"AND {_q(column)} IS NOT NULL ORDER BY 1").fetchall()]

    for i, k in enumerate(checks):
        if counts.get(i):
            problems.append(Problem(fname, k.column, k.rule, k.detail, counts[i],
                                    examples=examples(f"COALESCE({k.cond}, false)")))
    if t.gapless and t.gapless in present and nrows and checked is None:
        months = distinct(t.gapless)
        gaps = _month_gaps(months)
        if gaps:
            good = sorted(m for m in months if MONTH_RE.match(m))
            shown = ", ".join(gaps[:12]) + (f", ... ({len(gaps)} months)" if len(gaps) > 12
                                             else "")
            problems.append(Problem(
                fname, t.gapless, "gap in months",
                f"no rows for {shown}; the months must run without a gap from the first "
                f"({good[0]}) to the last ({good[-1]})"))
    problems += _panel_plausibility(con, checks, types, fname, quick, examples,
                                    errors=checked is None)
    if not quick and len(keycols) == len(t.key) and nrows:
        dup = _panel_duplicates(con, root, fname)
        if dup is not None:
            problems.append(dup)
    raise_if_errors(problems)
    if checked is not None:
        months, cities, nfiles = checked["months"], checked["cities"], checked["files"]
    else:
        months = distinct("month") if "month" in present else []
        cities = distinct("city") if "city" in present else []
        nfiles = len(distinct("__file"))
    notes = ([p for p in problems if p.severity == "warning"]
             + [p for p in problems if p.severity != "warning"])
    return {"rows": nrows, "files": nfiles, "months": months, "cities": cities,
            "notes": [p.as_dict() for p in notes]}


def _rel(f: str, root: Path) -> str:
    try:
        return Path(f).relative_to(root).as_posix()
    except ValueError:
        return Path(f).name

