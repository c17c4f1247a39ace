"""The program-effects tables as a reader sees them, through the one table renderer."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ... import tables

__all__ = ["reader_table"]


def reader_table(table: pd.DataFrame, *, lang: str = "zh",
                 columns: Sequence[str] | None = None, digits: int = 2, note: str = ""):
    """A reader copy of an effects table: codes as labels, numbers rounded, interval joined.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table of this module (or a ``DidResult`` table).
    lang : {"zh", "en"}
        Language.
    columns : sequence of str, optional
        Columns to show, ``"ci"`` for the interval (default: all but ``ci_low``,
        ``ci_high`` and ``significant``, with ``ci`` after ``se``).
    digits : int
        Decimals of the numbers.
    note : str
        Note under the table.

    Returns
    -------
    pandas.io.formats.style.Styler
        The formatted table (:func:`gotone_analysis.tables.styled`).
    """
    if columns is None:
        columns = [c for c in table.columns if c not in ("ci_low", "ci_high", "significant")]
        if {"ci_low", "ci_high"} <= set(table.columns):
            at = columns.index("se") + 1 if "se" in columns else len(columns)
            columns = [*columns[:at], "ci", *columns[at:]]
    formats = {}
    for c in columns:
        if c == "ci":
            formats[c] = tables.interval_cells(digits=digits)
        elif c == "lever":
            formats[c] = tables.code_cells(c)
        elif c in ("outcome", "kind", "arm"):
            formats[c] = tables.catalog_cells(c, f"effects.{c}.")
        elif c in ("p_value", "p_adj"):
            formats[c] = tables.pvalue_cells(c)
        elif pd.api.types.is_integer_dtype(table[c]):
            formats[c] = tables.count_cells(c)
        elif pd.api.types.is_float_dtype(table[c]):
            formats[c] = tables.number_cells(c, digits)
    return tables.reader_table(table, columns, lang=lang, formats=formats,
                               headings=("effects.column.", "column."), note=note)
