"""The satisfaction tables as a reader sees them: cell formats for the one table renderer.

:func:`cell_formats` says how the satisfaction report's own columns are shown (drivers,
parts, quadrants, periods and segments as words, importance and shares in %, path
coefficients and R² to 3 decimals); :func:`reader_table` renders a satisfaction table
with them through :func:`gotone_analysis.tables.format_table`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from pandas.io.formats.style import Styler

from ... import labels, tables
from ...policy import Policy

__all__ = ["CODE_COLUMNS", "cell_formats", "reader_table"]

#: Columns of the satisfaction tables whose values are codes shown as words.
CODE_COLUMNS: tuple[str, ...] = ("component", "variable", "part", "term", "driver", "period",
                                 "quadrant", "segment", "status", "city", "tier", "construct",
                                 "source", "target")
#: Shares shown in % (stored as fractions).
PERCENT_COLUMNS: tuple[str, ...] = ("importance", "importance_ci_low", "importance_ci_high",
                                    "share_before", "share_after")
#: Further numbers shown rounded to the table's decimals.
ROUNDED_COLUMNS: tuple[str, ...] = ("performance", "performance_ci_low", "performance_ci_high",
                                    "mean_before", "mean_after", "network", "lead")


def cell_formats(table: pd.DataFrame, digits: int = 1) -> dict[str, tables.CellFormat]:
    """The cell formats of a satisfaction table's own columns.

    Parameters
    ----------
    table : DataFrame
        Any table of :mod:`gotone_analysis.reports.satisfaction.tables`.
    digits : int
        Decimals of shares (in %), performance, means and indices.

    Returns
    -------
    dict
        Column -> cell format (:data:`gotone_analysis.tables.CellFormat`): the codes of
        :data:`CODE_COLUMNS` as words (a ``segment`` by its column heading), the shares of
        :data:`PERCENT_COLUMNS` in %, :data:`ROUNDED_COLUMNS` rounded (never ``-0.0`` nor
        ``nan``: "—" where missing); ``contribution`` (a part of a change, the
        ``estimate`` of a decomposition, in points); for the ECSI tables
        also ``coefficient`` (a path's estimate, 3 decimals), ``index`` (a construct's
        0-100 index) and ``r2`` (3 decimals; from ``r2_target`` for paths), "—" where
        missing.
    """
    have = set(table.columns)
    out: dict[str, tables.CellFormat] = {}
    for col in CODE_COLUMNS:
        if col == "segment" and col in have:
            out[col] = lambda t, lang: [labels.text(f"column.{v}", lang)
                                        if labels.has(f"column.{v}") else str(v)
                                        for v in t["segment"]]
        elif col in have and col not in ("city", "tier"):
            out[col] = tables.code_cells(col)

    def rounded(col: str, scale: float):
        return lambda t, lang: [tables.number_text(scale * v, digits)
                                for v in t[col].astype("float64")]

    for col in PERCENT_COLUMNS:
        if col in have:
            out[col] = rounded(col, 100.0)
    for col in ROUNDED_COLUMNS:
        if col in have:
            out[col] = rounded(col, 1.0)
    if {"part", "estimate"} <= have:  # a part of a change, in points of satisfaction
        out["contribution"] = tables.number_cells("estimate", digits)
    if {"source", "target", "estimate"} <= have:
        out["coefficient"] = tables.number_cells("estimate", 3)
    if {"construct", "estimate"} <= have:
        out["index"] = tables.number_cells("estimate", digits)
    r2 = "r2" if "r2" in have else ("r2_target" if "r2_target" in have else None)
    if r2 is not None:
        out["r2"] = tables.number_cells(r2, 3)
    return out


def reader_table(table: pd.DataFrame, lang: str = "zh", *,
                 columns: Sequence[str] | None = None, digits: int = 1,
                 policy: Policy | None = None) -> Styler:
    """A satisfaction table for readers (:func:`gotone_analysis.tables.format_table`).

    Parameters
    ----------
    table : DataFrame
        Any table of :mod:`gotone_analysis.reports.satisfaction.tables` (not modified).
    lang : {"zh", "en"}
        Language.
    columns : sequence of str, optional
        Columns to show (``"ci"`` = the interval).
    digits : int
        Decimals of scores, shares and indices (path coefficients and R² get 3).
    policy : gotone_analysis.policy.Policy, optional
        The report-wide policy (notes under the table).

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    labels.check_lang(lang)
    return tables.format_table(table, lang=lang, columns=columns, digits=digits, policy=policy,
                               formats=cell_formats(table, 1))
