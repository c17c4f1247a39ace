"""The program-effects tables as a reader sees them, through the one table renderer.

Effects are headed as effects, in their outcome's unit: a change of the churn hazard in
percentage points (its estimate, standard error and interval shown times 100, the
outcome named with the unit), ARPU in yuan, scores in points; a balance table's
covariates in words (``C(tier)[T.gold]`` is "客户层级：金卡", "Tier: Gold").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from ... import labels, tables

__all__ = ["covariate_text", "reader_table"]

#: Outcomes whose effects are differences of rates, shown in percentage points.
POINTS_OUTCOMES: tuple[str, ...] = ("churn",)
#: Columns of an effect in its outcome's unit (scaled with it).
EFFECT_COLUMNS: tuple[str, ...] = ("estimate", "se", "ci_low", "ci_high")

_TERM_RE = re.compile(r"^C\((\w+)\)\[T\.(.+)\]$")


def covariate_text(term: object, lang: str = "zh") -> str:
    """A covariate of the propensity model in words: a level of a coded column
    (``C(tier)[T.gold]``) as "<column>: <level>" from the catalog; anything else by its
    catalog name (``column.<term>``) or as it is."""
    m = _TERM_RE.match(str(term))
    if m:
        column, level = m.groups()
        return labels.text("effects.covariate_level", lang,
                           column=tables.column_label(column, lang),
                           level=labels.code_label(level, lang))
    return tables.column_label(str(term), lang)


def _scaled(table: pd.DataFrame) -> pd.DataFrame:
    if "outcome" not in table.columns:
        return table
    points = table["outcome"].isin(POINTS_OUTCOMES)
    if not points.any():
        return table
    out = table.copy()
    for c in EFFECT_COLUMNS:
        if c in out.columns:
            out[c] = out[c].astype("float64").where(~points, out[c].astype("float64") * 100)
    return out


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
        The formatted table (:func:`gotone_analysis.tables.styled`): effects headed as
        effects, a churn effect in percentage points, covariates in words.
    """
    if columns is None:
        columns = [c for c in table.columns if c not in ("ci_low", "ci_high", "significant")]
        if {"ci_low", "ci_high"} <= set(table.columns):
            at = columns.index("se") + 1 if "se" in columns else len(columns)
            columns = [*columns[:at], "ci", *columns[at:]]
    shown = _scaled(table)
    formats = {}
    for c in columns:
        if c == "ci":
            formats[c] = tables.interval_cells(digits=digits)
        elif c == "lever":
            formats[c] = tables.code_cells(c)
        elif c == "outcome":
            formats[c] = tables.catalog_cells(c, "effects.outcome_unit.")
        elif c in ("kind", "arm"):
            formats[c] = tables.catalog_cells(c, f"effects.{c}.")
        elif c == "covariate":
            formats[c] = lambda t, lang: [covariate_text(v, lang) for v in t["covariate"]]
        elif c in ("p_value", "p_adj", "pretest_p"):
            formats[c] = tables.pvalue_cells(c)
        elif pd.api.types.is_integer_dtype(table[c]):
            formats[c] = tables.count_cells(c)
        elif pd.api.types.is_float_dtype(table[c]):
            formats[c] = tables.number_cells(c, digits)
    return tables.reader_table(shown, columns, lang=lang, formats=formats,
                               headings=("effects.column.", "column."), note=note)
