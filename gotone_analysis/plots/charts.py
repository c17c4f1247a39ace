"""Figures any report can use: a heat map of one value over two codes, and the parts of a
quarterly trend figure (interval band and estimate line, benchmark line, axes finish)
that the brand and satisfaction trend plots share."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from .. import labels
from ..policy import DEFAULT_LEVEL
from ..survey import level_of
from .style import COLORS, mark_text, new_axes

__all__ = ["finish_trend_axes", "heatmap", "trend_band_line", "trend_benchmark_line"]


def heatmap(
    table: pd.DataFrame,
    row: str,
    col: str,
    value: str,
    *,
    ax: Axes | None = None,
    fmt: str = ".1f",
    lang: str = "zh",
    mark: str | None = None,
    row_order: Sequence[str] | None = None,
    col_order: Sequence[str] | None = None,
    cmap: str = "RdYlGn",
    center: float | None = None,
    title: str | None = None,
) -> Axes:
    """Draw a generic heat map of ``value`` over ``row`` x ``col`` from a long table.

    Parameters
    ----------
    table : DataFrame
        Long table with one row per (``row``, ``col``) pair.
    row, col, value : str
        Column names: heat-map rows, heat-map columns, cell value.
    ax : Axes, optional
        Where to draw; a new figure is made when omitted.
    fmt : str
        Format spec of the cell annotations; NaN cells (e.g. suppressed) show "—".
    lang : {"zh", "en"}
        Language of the row and column labels (codes are translated with
        :func:`gotone_analysis.labels.code_label`; unknown codes are shown as they are).
    mark : str, optional
        Column holding a significance mark appended to each annotation.
    row_order, col_order : sequence of str, optional
        Order of rows and columns (default: order of first appearance).
    cmap : str
        Matplotlib colour map.
    center : float, optional
        Value at the centre of the colour map (for differences, 0).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    rows_ = list(row_order) if row_order is not None else list(pd.unique(table[row]))
    cols_ = list(col_order) if col_order is not None else list(pd.unique(table[col]))
    ax = new_axes(ax, (1.2 * len(cols_) + 2.5, 0.45 * len(rows_) + 1.5))
    grid = (table.pivot(index=row, columns=col, values=value)
            .reindex(index=rows_, columns=cols_).astype("float64"))
    if mark is not None:
        marks = table.pivot(index=row, columns=col, values=mark).reindex(index=rows_, columns=cols_)
    else:
        marks = pd.DataFrame("", index=rows_, columns=cols_)
    annot = np.empty(grid.shape, dtype=object)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = grid.iat[i, j]
            annot[i, j] = "—" if not np.isfinite(v) else f"{v:{fmt}}{mark_text(marks.iat[i, j])}"
    sns.heatmap(grid, annot=annot, fmt="", cmap=cmap, center=center, ax=ax, cbar=True,
                linewidths=0.5, linecolor="white",
                xticklabels=[labels.code_label(c, lang) for c in cols_],
                yticklabels=[labels.code_label(r, lang) for r in rows_])
    for i, j in zip(*np.where(~np.isfinite(grid.to_numpy())), strict=True):
        # seaborn leaves NaN cells blank: say they are suppressed or missing
        ax.text(j + 0.5, i + 0.5, "—", ha="center", va="center", color=COLORS["neutral"])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", rotation=0)
    if title is not None:
        ax.set_title(title)
    return ax


def trend_band_line(
    ax: Axes,
    x: np.ndarray,
    estimate: np.ndarray,
    ci_low: np.ndarray,
    ci_high: np.ndarray,
    *,
    level_table: pd.DataFrame,
    label: str,
    lang: str = "zh",
) -> Axes:
    """Draw a trend's interval band and its estimate line (points marked).

    Parameters
    ----------
    ax : Axes
        Where to draw.
    x : ndarray
        Positions of the quarters.
    estimate, ci_low, ci_high : ndarray
        The estimates and interval bounds at ``x`` (NaN leaves a gap).
    level_table : DataFrame
        The table whose confidence level (``attrs``) labels the band.
    label : str
        Legend label of the estimate line.
    lang : {"zh", "en"}
        Language of the band's label.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, drawn on.
    """
    level = labels.level_text(level_of(level_table, DEFAULT_LEVEL))
    ax.fill_between(x, ci_low, ci_high, color=COLORS["band"], alpha=0.5, linewidth=0,
                    label=labels.text("plot.interval", lang, level=level))
    ax.plot(x, estimate, marker="o", color=COLORS["main"], label=label)
    return ax


def trend_benchmark_line(ax: Axes, x: np.ndarray, values: Sequence[float] | np.ndarray, *,
                         lang: str = "zh") -> Axes:
    """Draw the benchmark of a trend as a dashed line.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    x : ndarray
        Positions of the quarters.
    values : sequence of float
        The benchmark at ``x`` (NaN leaves a gap).
    lang : {"zh", "en"}
        Language of the legend label.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, drawn on.
    """
    ax.plot(x, values, linestyle="--", color=COLORS["benchmark"],
            label=labels.code_label("benchmark", lang))
    return ax


def finish_trend_axes(ax: Axes, x: np.ndarray, quarters: Sequence[str], *, title: str,
                      lang: str = "zh") -> Axes:
    """Finish a trend figure: quarter ticks, axis labels, title, legend and margins.

    Parameters
    ----------
    ax : Axes
        The trend axes.
    x : ndarray
        Positions of the quarters.
    quarters : sequence of str
        Tick labels at ``x``.
    title : str
        Axes title.
    lang : {"zh", "en"}
        Language of the axis labels.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, finished.
    """
    ax.set_xticks(x, quarters)
    ax.set_xlabel(labels.text("column.quarter", lang))
    ax.set_ylabel(labels.text("plot.score_axis", lang))
    ax.set_title(title)
    ax.legend(loc="best", frameon=False, fontsize="small")
    ax.margins(y=0.15)
    return ax
