"""Figures any report can use: a heat map of one value over two codes, differences as dots
with their intervals around a zero line, and the parts of a quarterly trend figure
(interval band and estimate line, benchmark line, axes finish) that the brand and
satisfaction trend plots share."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from .. import labels
from ..policy import DEFAULT_LEVEL
from ..survey import level_of
from .style import COLORS, MARK_COLORS, mark_text, new_axes

__all__ = ["difference_dots", "finish_trend_axes", "heatmap", "trend_band_line",
           "trend_benchmark_line"]


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
    annot: str | None = None,
    cbar_label: str | None = None,
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
        Value at the centre of the colour map (for differences, 0): a diverging map
        whose limits are symmetric about it (the largest distance from it), so that
        equal colours mean equal distances on either side.
    title : str, optional
        Axes title.
    annot : str, optional
        Column holding each cell's text, written instead of the formatted ``value``
        (the colour stays ``value``'s; a cell whose ``value`` is NaN is left white with
        its text in grey); a cell without text and without a value shows "—".
    cbar_label : str, optional
        Label of the colour bar (say what the colour is when it is not what is written).

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
    texts = (table.pivot(index=row, columns=col, values=annot).reindex(index=rows_, columns=cols_)
             if annot is not None else None)
    cells = np.empty(grid.shape, dtype=object)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = grid.iat[i, j]
            if texts is not None and isinstance(texts.iat[i, j], str) and texts.iat[i, j]:
                cells[i, j] = f"{texts.iat[i, j]}{mark_text(marks.iat[i, j])}"
            elif not np.isfinite(v):
                cells[i, j] = "—"
            else:
                cells[i, j] = f"{v:{fmt}}{mark_text(marks.iat[i, j])}"
    limits: dict[str, float] = {}
    if center is not None:
        values = grid.to_numpy()
        distances = np.abs(values[np.isfinite(values)] - center)
        reach = float(distances.max()) if distances.size and distances.max() > 0 else 1.0
        limits = {"vmin": center - reach, "vmax": center + reach}
    sns.heatmap(grid, annot=cells, fmt="", cmap=cmap, center=center, ax=ax, cbar=True,
                linewidths=0.5, linecolor="white",
                cbar_kws={"label": cbar_label} if cbar_label else None,
                xticklabels=[labels.code_label(c, lang) for c in cols_],
                yticklabels=[labels.code_label(r, lang) for r in rows_], **limits)
    for i, j in zip(*np.where(~np.isfinite(grid.to_numpy())), strict=True):
        # seaborn leaves NaN cells blank: say they are suppressed or missing
        ax.text(j + 0.5, i + 0.5, cells[i, j], ha="center", va="center",
                color=COLORS["neutral"])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", rotation=0)
    if title is not None:
        ax.set_title(title)
    return ax


def difference_dots(
    ax: Axes,
    names: Sequence[str],
    diff: np.ndarray,
    low: np.ndarray | None,
    high: np.ndarray | None,
    *,
    marks: Sequence[object] | None = None,
    ylabel: str,
    fmt: str = "+.1f",
) -> Axes:
    """Draw differences as dots with their intervals around a zero line, one per name.

    The axis is the differences' own (it shows tenths when the differences are tenths),
    with zero always in view. A dot is coloured by its significance mark (rise, fall, or
    neutral grey when unmarked) and labelled with its mark and value; a missing
    difference is written "—" at zero.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    names : sequence of str
        Tick label of each difference, in the order drawn.
    diff : ndarray
        The differences.
    low, high : ndarray, optional
        Their interval bounds (omitted: no interval drawn).
    marks : sequence, optional
        A significance mark of :data:`gotone_analysis.compare.MARKS` or "" per difference.
    ylabel : str
        Label of the axis: say what the difference is (since when, from what).
    fmt : str
        Format spec of the value labels.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, drawn on.
    """
    x = np.arange(len(names))
    diff = np.asarray(diff, dtype="float64")
    marks = [mark_text(m) for m in marks] if marks is not None else [""] * len(names)
    colours = [MARK_COLORS.get(m, COLORS["neutral"]) for m in marks]
    ax.axhline(0, color=COLORS["benchmark"], linewidth=0.9, zorder=1)
    top = diff.copy()
    if low is not None and high is not None:
        lo = np.asarray(low, dtype="float64")
        hi = np.asarray(high, dtype="float64")
        shown = np.isfinite(diff) & np.isfinite(lo) & np.isfinite(hi)
        for xi, d, a, b, c in zip(x[shown], diff[shown], lo[shown], hi[shown],
                                  np.asarray(colours, dtype=object)[shown], strict=True):
            ax.errorbar([xi], [d], yerr=[[d - a], [b - d]], fmt="none", ecolor=c, capsize=4,
                        linewidth=1.2, zorder=2)
        top = np.where(np.isfinite(hi), hi, diff)
    for xi, d, t, m, c in zip(x, diff, top, marks, colours, strict=True):
        if not np.isfinite(d):
            ax.text(xi, 0, "—", ha="center", va="bottom", color=COLORS["neutral"])
            continue
        ax.plot([xi], [d], marker="o", markersize=7, color=c, linestyle="none", zorder=3)
        ax.annotate(f"{m}{d:{fmt}}", (xi, t), xytext=(0, 4), textcoords="offset points",
                    ha="center", va="bottom", color=c)
    ax.set_xticks(x, list(names))
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.set_ylabel(ylabel)
    finite = np.concatenate([v[np.isfinite(v)] for v in (diff, top, *(
        [np.asarray(low, dtype="float64")] if low is not None else []))] + [np.zeros(1)])
    span = float(finite.max() - finite.min()) or 1.0
    ax.set_ylim(float(finite.min()) - 0.15 * span, float(finite.max()) + 0.25 * span)
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
