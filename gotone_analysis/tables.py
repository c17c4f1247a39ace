"""Reader-facing tables: tidy results formatted for marketing managers, zh or en.

A formatted table is a *view* of a tidy table from an analysis module: codes become
labels and columns get headings from the one catalog (:mod:`gotone_analysis.labels`),
numbers get a fixed number of decimals, the interval is shown as ``[low, high]`` and
headed with the level the table carries (:func:`gotone_analysis.survey.level_of`), a
change carries its significance mark (:data:`gotone_analysis.compare.MARKS`, after the
report-wide p-value adjustment), and cells suppressed for a small base (``suppressed``
column from :func:`gotone_analysis.compare.suppress`) show "—" with a footnote.
Nothing is estimated here and the input is never modified. The views take the
report-wide policy as ``policy=`` (minimum base and significance level of the notes).

This module is the one table renderer of the reports. :func:`reader_table` turns a
table into reader cells column by column (a *cell format* per column: a function
``(table, lang) -> texts``; :data:`STANDARD_FORMATS` for the statistics columns every
report shares, a report's own formats for its own columns), heads each column from the
catalog (:func:`column_label`, the report's heading area first), and styles the result
(:func:`styled`). :func:`format_table` is the reader table of a tidy estimate or
comparison table with the policy's notes under it; :func:`crosstab` a row x column
matrix of one value. Each returns a :class:`pandas.io.formats.style.Styler` (shown as
HTML in a notebook, ``.to_html()`` for files).
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from . import labels
from .compare import MARK_COLUMN, MARK_DOWN, MARK_UP
from .policy import DEFAULT_LEVEL, Policy, resolve_policy
from .survey import level_of

#: Shown in place of a suppressed or missing number.
DASH = labels.MISSING

#: Colours of the marks in reader tables.
MARK_STYLES: dict[str, str] = {
    MARK_UP: "color: #2e7d32; font-weight: bold",
    MARK_DOWN: "color: #c62828; font-weight: bold",
}

#: Columns whose values are codes translated to labels.
CODE_COLUMNS: tuple[str, ...] = ("scope", "city", "tier", "brand", "component", "stage",
                                 "measure")

#: Default display order; columns absent from a table are skipped.
DEFAULT_COLUMNS: tuple[str, ...] = (
    "year", "quarter", "city", "tier", "component", "stage", "measure", "estimate", "ci",
    "estimate_ref", "diff", "p_adj", "n",
)

def column_label(column: str, lang: str = "zh", *, level: float | None = None,
                 prefixes: Sequence[str] = ("column.",)) -> str:
    """The heading of ``column`` in ``lang``: the first catalog key ``<prefix><column>`` found.

    Parameters
    ----------
    column : str
        Column name; ``"ci"`` is the interval.
    lang : {"zh", "en"}
        Language.
    level : float, optional
        Confidence level filled into a heading that names it (default the policy's).
    prefixes : sequence of str
        Catalog areas to look in, in order (a report's own area first, e.g.
        ``("effects.column.", "column.")``).

    Returns
    -------
    str
        The catalog's heading, or the column name itself if no area has one.
    """
    labels.check_lang(lang)
    for prefix in prefixes:
        key = f"{prefix}{column}"
        if labels.has(key):
            lvl = DEFAULT_LEVEL if level is None else level
            return labels.text(key, lang, level=labels.level_text(lvl))
    return str(column)


def _finite(value: object) -> float | None:
    if value is None or value is pd.NA or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def number_text(value: object, digits: int = 1, *, signed: bool = False,
                thousands: bool = False) -> str:
    """A number as a reader reads it: ``digits`` decimals, never a negative zero.

    Parameters
    ----------
    value : object
        The number; missing, not a number or infinite gives :data:`DASH`.
    digits : int
        Decimals.
    signed : bool
        Show a plus sign before a positive value (a change, a difference).
    thousands : bool
        Group thousands with commas.

    Returns
    -------
    str
        A value that rounds to zero is ``"0.0"`` (with ``digits`` decimals), never
        ``"-0.0"`` nor ``"+0.0"``; :data:`DASH` where there is no number.
    """
    f = _finite(value)
    if f is None:
        return DASH
    group = "," if thousands else ""
    text = f"{f:{group}.{digits}f}"
    if text.lstrip("-").strip("0.,") == "":  # rounds to zero: no sign at all
        return text.lstrip("-")
    return f"+{text}" if signed and not text.startswith("-") else text


def percentage_points_text(value: object, lang: str = "zh", digits: int = 1, *,
                           signed: bool = True) -> str:
    """A difference of two rates (fractions) in percentage points: "个百分点" in Chinese,
    "pp" in English (e.g. ``"+1.2 个百分点"``, ``"+1.2 pp"``); :data:`DASH` when missing."""
    f = _finite(value)
    if f is None:
        return DASH
    return labels.text("unit.points", lang,
                       value=number_text(f * 100, digits, signed=signed))


#: Large counts in words: (threshold, catalog key, divisor), largest first, by language.
_LARGE_COUNTS = {
    "zh": ((1e8, "unit.yi", 1e8), (1e6, "unit.wan", 1e4)),
    "en": ((1e9, "unit.billion", 1e9), (1e6, "unit.million", 1e6)),
}


def count_text(value: object, lang: str = "zh", *, signed: bool = False) -> str:
    """A count as a reader reads it: from a million on, a count that is whole in the
    unit's hundredths is worded in 万/亿 in Chinese (``"30 亿"``, ``"1,250 万"``) and in
    millions/billions in English (``"3 billion"``, ``"12.5 million"``); any other count as
    a whole number with thousands separators (``"167,383,643"``: nothing a reader
    compares is rounded away); :data:`DASH` when missing."""
    f = _finite(value)
    if f is None:
        return DASH
    labels.check_lang(lang)
    for threshold, key, divisor in _LARGE_COUNTS[lang]:
        if abs(f) >= threshold:
            scaled = f / divisor
            if abs(round(scaled, 2) * divisor - f) >= 0.5:
                break  # not whole in hundredths of the unit: every digit shown
            shown = number_text(scaled, 2, signed=signed, thousands=True)
            return labels.text(key, lang, value=shown.rstrip("0").rstrip("."))
    return number_text(f, 0, signed=signed, thousands=True)


def _num(value: object, digits: int, *, signed: bool = False) -> str:
    return number_text(value, digits, signed=signed)


def _pval(value: object) -> str:
    f = _finite(value)
    if f is None:
        return DASH
    return "<0.001" if f < 0.001 else f"{f:.3f}"


def _count(value: object) -> str:
    return number_text(value, 0, thousands=True)


def _mark(value: object) -> str:
    return value if isinstance(value, str) else ""


#: A cell format: ``(table, lang) -> one text per row``.
CellFormat = Callable[[pd.DataFrame, str], Sequence[str]]


def code_cells(column: str) -> CellFormat:
    """Cells naming the codes of ``column`` (:func:`gotone_analysis.labels.code_label`)."""
    return lambda t, lang: [labels.code_label(v, lang) for v in t[column]]


def catalog_cells(column: str, prefix: str) -> CellFormat:
    """Cells of ``column`` as the catalog's ``<prefix><value>`` text (the value if none)."""
    def cells(t: pd.DataFrame, lang: str) -> list[str]:
        return [labels.text(f"{prefix}{v}", lang) if labels.has(f"{prefix}{v}") else str(v)
                for v in t[column]]
    return cells


def number_cells(column: str, digits: int, *, signed: bool = False) -> CellFormat:
    """Cells of ``column`` with ``digits`` decimals; "—" where missing."""
    return lambda t, lang: [_num(v, digits, signed=signed) for v in t[column]]


def count_cells(column: str) -> CellFormat:
    """Cells of ``column`` as whole numbers with thousands separators; "—" where missing."""
    return lambda t, lang: [_count(v) for v in t[column]]


def pvalue_cells(column: str) -> CellFormat:
    """Cells of a p-value column (three decimals, "<0.001"); "—" where missing."""
    return lambda t, lang: [_pval(v) for v in t[column]]


def interval_text(low: object, high: object, digits: int = 1) -> str:
    """An interval as ``[low, high]`` with ``digits`` decimals (:func:`number_text`: a
    bound that rounds to zero is ``0.0``); "—" where a bound is missing."""
    lo, hi = number_text(low, digits), number_text(high, digits)
    return DASH if DASH in (lo, hi) else f"[{lo}, {hi}]"


def interval_cells(low: str = "ci_low", high: str = "ci_high", digits: int = 1) -> CellFormat:
    """Cells ``[low, high]`` with ``digits`` decimals; "—" where a bound is missing."""
    def cells(t: pd.DataFrame, lang: str) -> list[str]:
        return [interval_text(lo, hi, digits) for lo, hi in zip(t[low], t[high], strict=True)]
    return cells


def change_cells(column: str = "diff", digits: int = 1) -> CellFormat:
    """Cells of a signed change followed by its significance mark (e.g. "+1.2 ▲")."""
    def cells(t: pd.DataFrame, lang: str) -> list[str]:
        marks = t[MARK_COLUMN] if MARK_COLUMN in t else pd.Series("", index=t.index)
        return [(f"{_num(d, digits, signed=True)} {_mark(m)}".rstrip()
                 if _num(d, digits) != DASH else DASH)
                for d, m in zip(t[column], marks, strict=True)]
    return cells


def cell_text(value: object) -> str:
    """A value shown as it is, as text: a missing value (None, NaN, ``pd.NA``) is "—",
    never ``nan`` or ``None``; a negative zero is ``0.0``; any other value as ``str``."""
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return DASH
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        return DASH if np.isnan(value) else str(float(value) + 0.0)
    try:
        if pd.isna(value):
            return DASH
    except (TypeError, ValueError):
        pass
    return str(value)


def text_cells(column: str) -> CellFormat:
    """Cells of ``column`` as they are, as text (:func:`cell_text`: "—" where missing)."""
    return lambda t, lang: [cell_text(v) for v in t[column]]


def standard_formats(columns: Sequence[str], digits: int = 1) -> dict[str, CellFormat]:
    """The cell formats of the statistics columns every report shares, for ``columns``.

    Codes (:data:`CODE_COLUMNS`) by name, the interval ``ci`` as ``[low, high]``, a change
    ``diff`` with its mark, p-values, bases as counts, estimates and standard errors with
    ``digits`` decimals (design effects 2, effective bases 0).

    Returns
    -------
    dict
        Column -> cell format, for the columns of ``columns`` it knows.
    """
    out: dict[str, CellFormat] = {}
    for c in columns:
        if c in CODE_COLUMNS:
            out[c] = code_cells(c)
        elif c == "ci":
            out[c] = interval_cells(digits=digits)
        elif c == "diff":
            out[c] = change_cells(c, digits)
        elif c in ("p_value", "p_adj"):
            out[c] = pvalue_cells(c)
        elif c in ("n", "n_ref"):
            out[c] = count_cells(c)
        elif c in ("estimate", "estimate_ref", "se", "se_ref", "diff_se", "n_eff", "deff"):
            out[c] = number_cells(c, 2 if c == "deff" else (0 if c == "n_eff" else digits))
    return out


def reader_frame(
    table: pd.DataFrame,
    columns: Sequence[str],
    *,
    lang: str = "zh",
    formats: Mapping[str, CellFormat] | None = None,
    headings: Sequence[str] = ("column.",),
    level: float | None = None,
) -> pd.DataFrame:
    """The cells of a reader table: one text per row and column, headed in ``lang``.

    Parameters
    ----------
    table : DataFrame
        The table shown (never modified).
    columns : sequence of str
        Columns to show, in order (a format may make a column the table does not have,
        e.g. ``ci`` from ``ci_low``/``ci_high``).
    lang : {"zh", "en"}
        Language.
    formats : mapping, optional
        Column -> cell format; a column without one is shown as text.
    headings : sequence of str
        Catalog areas of the headings, in order (:func:`column_label`).
    level : float, optional
        Confidence level named in interval headings.

    Returns
    -------
    DataFrame
        Strings only, index 0..n-1.
    """
    formats = formats or {}
    out = pd.DataFrame(index=table.index)
    for c in columns:
        out[c] = list(formats[c](table, lang)) if c in formats else text_cells(c)(table, lang)
    out.columns = [column_label(c, lang, level=level, prefixes=headings) for c in columns]
    return out.reset_index(drop=True)


def reader_table(
    table: pd.DataFrame,
    columns: Sequence[str],
    *,
    lang: str = "zh",
    formats: Mapping[str, CellFormat] | None = None,
    headings: Sequence[str] = ("column.",),
    level: float | None = None,
    note: str = "",
    caption: str | None = None,
    cell_style: Callable[[object], str] | None = None,
) -> Styler:
    """A reader table: the one way every report turns a table into what a reader sees.

    Parameters
    ----------
    table, columns, lang, formats, headings, level
        As in :func:`reader_frame`.
    note, caption : str
        Footnote and caption, shown together under the table.
    cell_style : callable, optional
        CSS of a cell from its text (e.g. a status colour), besides the marks' colours.

    Returns
    -------
    pandas.io.formats.style.Styler
        See :func:`styled`.
    """
    frame = reader_frame(table, columns, lang=lang, formats=formats, headings=headings,
                         level=level)
    styler = styled(frame, note, caption)
    return styler.map(cell_style) if cell_style is not None else styler


def display_frame(
    table: pd.DataFrame,
    *,
    lang: str = "zh",
    columns: Sequence[str] | None = None,
    digits: int = 1,
    level: float | None = None,
    formats: Mapping[str, CellFormat] | None = None,
) -> pd.DataFrame:
    """The table as strings for display: labels, formatted numbers, "—" where hidden.

    Parameters
    ----------
    table : DataFrame
        Tidy result table (estimate, se, ci_low, ci_high, n, ... and optionally the
        comparison columns of :mod:`gotone_analysis.compare`: estimate_ref, diff, p_adj,
        mark, suppressed). Cells blanked by :func:`gotone_analysis.compare.suppress`
        (NaN) are shown as "—".
    lang : {"zh", "en"}
        Language of labels and headings.
    columns : sequence of str, optional
        Columns to show, in order; ``"ci"`` stands for the interval ``[ci_low, ci_high]``.
        Default: :data:`DEFAULT_COLUMNS` present in the table.
    digits : int
        Decimals of scores, intervals and differences.
    level : float, optional
        Level of the interval when the table does not carry it in its attrs
        (:func:`gotone_analysis.survey.level_of`); the table's own level wins.
    formats : mapping, optional
        A report's formats of its own columns (they win over :func:`standard_formats`).

    Returns
    -------
    DataFrame
        Strings only, headings in ``lang`` (the interval headed with its level); a
        difference carries its mark (e.g. "+1.2" and the rise mark); suppressed or
        missing numbers are "—".
    """
    have = set(table.columns) | ({"ci"} if {"ci_low", "ci_high"} <= set(table.columns) else set())
    have |= set(formats or {})
    cols = [c for c in (columns if columns is not None else DEFAULT_COLUMNS) if c in have]
    fmts = {**standard_formats(cols, digits), **(formats or {})}
    return reader_frame(table, cols, lang=lang, formats=fmts, level=level_of(table, level))


def footnote(table: pd.DataFrame, *, lang: str = "zh", min_base: int | None = None,
             alpha: float | None = None, policy: Policy | None = None) -> str:
    """The notes under a formatted table: suppressed cells and significance marks.

    Parameters
    ----------
    table : DataFrame
        The tidy table being shown.
    lang : {"zh", "en"}
        Language.
    min_base : int, optional
        Minimum base quoted in the suppression note.
    alpha : float, optional
        Significance level of the marks.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy supplying ``min_base`` and ``alpha``; explicit values win.

    Returns
    -------
    str
        Plain text, empty when there is nothing to note.
    """
    pol = resolve_policy(policy, alpha=alpha, min_base=min_base)
    labels.check_lang(lang)
    parts = []
    if "suppressed" in table and table["suppressed"].astype(bool).any():
        if pol.min_base is not None:
            parts.append(labels.text("note.suppressed", lang, dash=DASH, min_base=pol.min_base))
        else:
            parts.append(labels.text("note.suppressed_generic", lang, dash=DASH))
    if MARK_COLUMN in table:
        parts.append(labels.text("note.marks", lang, up=MARK_UP, down=MARK_DOWN,
                                 alpha=pol.alpha))
    return " ".join(parts)


def table_uuid(frame: pd.DataFrame, text: str) -> str:
    """A stable id for a formatted table, derived from what it shows.

    pandas gives every Styler a random id (``#T_81ba2``), so the same table rendered
    twice would give different HTML; an id from the content keeps the reader copy of
    identical inputs identical. Two identical tables share an id and so their
    identical styles, which does them no harm.
    """
    h = hashlib.sha256()
    h.update(frame.to_csv().encode("utf-8"))
    h.update(b"\0" + text.encode("utf-8"))
    return "gt" + h.hexdigest()[:10]


def styled(frame: pd.DataFrame, note: str = "", caption: str | None = None) -> Styler:
    """The reader style of every table: index hidden, stable id, marks coloured, notes below.

    Every cell, heading and note is escaped here, once for every report: whatever text a
    table holds is shown as text, never as markup.

    Parameters
    ----------
    frame : DataFrame
        Already formatted cells (text).
    note, caption : str
        Footnote and caption, shown together under the table.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    def colour(v: object) -> str:
        if isinstance(v, str):
            for mark, style in MARK_STYLES.items():
                if v.endswith(mark):
                    return style
        return ""

    text = " ".join(t for t in (caption, note) if t)
    # the one escaping point of every reader table: cells, headings and notes are text,
    # never markup (a file name or a label may hold "<", "&" or a quote)
    styler = (frame.style.set_uuid(table_uuid(frame, text)).hide(axis="index")
              .format(escape="html").format_index(escape="html", axis=1).map(colour))
    if text:
        styler = styler.set_caption(html.escape(text, quote=False))
    return styler.set_table_styles([
        {"selector": "caption", "props": "caption-side: bottom; text-align: left; "
                                         "font-size: 0.85em; color: #555;"},
        {"selector": "th", "props": "text-align: center;"},
        {"selector": "td", "props": "text-align: right; padding: 2px 8px;"},
    ])


def format_table(
    table: pd.DataFrame,
    *,
    lang: str = "zh",
    columns: Sequence[str] | None = None,
    digits: int = 1,
    min_base: int | None = None,
    alpha: float | None = None,
    caption: str | None = None,
    policy: Policy | None = None,
    formats: Mapping[str, CellFormat] | None = None,
) -> Styler:
    """Format a tidy result table for readers.

    Parameters
    ----------
    table : DataFrame
        Tidy result table (see :func:`display_frame`).
    lang : {"zh", "en"}
        Language of labels, headings and notes.
    columns : sequence of str, optional
        Columns to show (``"ci"`` = the interval); default :data:`DEFAULT_COLUMNS`.
    digits : int
        Decimals of scores and differences.
    min_base : int, optional
        Minimum base, quoted in the note on suppressed cells.
    alpha : float
        Significance level of the marks (for the note).
    caption : str, optional
        Text put before the notes under the table.
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (``P.policy``): minimum base, significance level and
        the level of an interval the table does not carry; explicit values win.
    formats : mapping, optional
        A report's cell formats of its own columns (:func:`display_frame`).

    Returns
    -------
    pandas.io.formats.style.Styler
        Index hidden, significant changes coloured, notes as the caption (below the
        table): "—" cells explained when any cell is suppressed, the marks when shown.
    """
    pol = resolve_policy(policy, alpha=alpha, min_base=min_base)
    frame = display_frame(table, lang=lang, columns=columns, digits=digits, level=pol.level,
                          formats=formats)
    return styled(frame, footnote(table, lang=lang, policy=pol), caption)


def crosstab(
    table: pd.DataFrame,
    row: str,
    col: str,
    value: str = "estimate",
    *,
    lang: str = "zh",
    mark: str | None = MARK_COLUMN,
    digits: int = 1,
    row_order: Sequence[str] | None = None,
    col_order: Sequence[str] | None = None,
    min_base: int | None = None,
    alpha: float | None = None,
    caption: str | None = None,
    policy: Policy | None = None,
) -> Styler:
    """A row x column matrix of one value (e.g. city x component), formatted for readers.

    Parameters
    ----------
    table : DataFrame
        Long tidy table with one row per (``row``, ``col``).
    row, col, value : str
        Matrix rows, matrix columns, cell value.
    lang : {"zh", "en"}
        Language of labels and notes.
    mark : str, optional
        Column of significance marks appended to the cells (ignored if absent).
    digits : int
        Decimals.
    row_order, col_order : sequence of str, optional
        Orders of rows and columns (default: first appearance).
    min_base, alpha, caption, policy
        As in :func:`format_table`.

    Returns
    -------
    pandas.io.formats.style.Styler
        Rows and columns labelled in ``lang``; suppressed or missing cells "—".
    """
    rows_ = list(row_order) if row_order is not None else list(pd.unique(table[row]))
    cols_ = list(col_order) if col_order is not None else list(pd.unique(table[col]))
    marks = table[mark] if mark is not None and mark in table else pd.Series("", index=table.index)
    cells = pd.DataFrame({
        row: table[row].to_numpy(), col: table[col].to_numpy(),
        "text": [(f"{_num(v, digits)} {_mark(m)}".rstrip() if _num(v, digits) != DASH
                  else DASH)
                 for v, m in zip(table[value], marks, strict=True)],
    })
    grid = (cells.pivot(index=row, columns=col, values="text")
            .reindex(index=rows_, columns=cols_).fillna(DASH))
    grid.index = [labels.code_label(r, lang) for r in grid.index]
    grid.columns = [labels.code_label(c, lang) for c in grid.columns]
    grid = grid.rename_axis(None).reset_index(names=column_label(row, lang))
    note_table = table if mark is not None and mark in table else table.drop(
        columns=[c for c in (MARK_COLUMN,) if c in table])
    pol = resolve_policy(policy, alpha=alpha, min_base=min_base)
    return styled(grid, footnote(note_table, lang=lang, policy=pol), caption)

