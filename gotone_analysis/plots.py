"""Figures for the reports, drawn from the tidy tables the analysis modules return.

Every function here takes a tidy table, an optional ``ax`` and a ``lang`` (``"zh"`` or
``"en"``), draws, and returns the :class:`~matplotlib.axes.Axes`. Nothing is estimated
here: estimates, intervals and significance marks come in the table (see
:mod:`gotone_analysis.brand`); a plot only selects rows, orders them and draws. No
function calls ``plt.show()`` or modifies its input.

Chinese labels need a CJK font: :func:`setup_style` registers the Noto Sans CJK SC font
shipped with ``mplfonts`` and is called by every plotting function (it is idempotent).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.axes import Axes

from .brand import COMPONENTS, FUNNEL_STAGES, label

#: File name of the CJK font (inside the ``mplfonts`` package) used for every figure.
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"

#: Colours: the brand line, its interval, rises, falls, neutral text.
COLORS = {
    "main": "#1f4e79",
    "band": "#9dc3e6",
    "up": "#2e7d32",
    "down": "#c62828",
    "neutral": "#555555",
    "benchmark": "#888888",
}

_MARK_COLORS = {"▲": COLORS["up"], "▼": COLORS["down"]}
_STYLE_DONE: dict[str, str] = {}


def _font_path() -> str:
    return str(resources.files("mplfonts").joinpath("fonts", CJK_FONT_FILE))


def setup_style() -> str:
    """Register the CJK font and make it the first sans-serif font; idempotent.

    The font file is registered by path with
    :meth:`matplotlib.font_manager.FontManager.addfont` (no system font cache needed),
    ``font.sans-serif`` gets its family name first and ``axes.unicode_minus`` is turned
    off so minus signs render with the CJK font.

    Returns
    -------
    str
        The family name of the registered font (``"Noto Sans CJK SC"``).
    """
    name = _STYLE_DONE.get("name")
    if name is None:
        path = _font_path()
        font_manager.fontManager.addfont(path)
        name = font_manager.FontProperties(fname=path).get_name()
        _STYLE_DONE["name"] = name
    current = list(plt.rcParams["font.sans-serif"])
    if not current or current[0] != name:
        plt.rcParams["font.sans-serif"] = [name, *[f for f in current if f != name]]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    return name


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    setup_style()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _text(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en


def _mark(value: object) -> str:
    return value if isinstance(value, str) else ""


def trend_plot(
    table: pd.DataFrame,
    *,
    component: str = "influence",
    benchmark: pd.DataFrame | None = None,
    lang: str = "zh",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw one component over quarters with its confidence band and significance marks.

    Parameters
    ----------
    table : DataFrame
        Tidy trend table (:func:`gotone_analysis.brand.trend`) with columns ``quarter,
        component, estimate, ci_low, ci_high`` and optionally ``mark`` ("▲", "▼" or "":
        significant change from the previous point). Rows of other components are
        ignored; suppressed points (NaN estimates) leave a gap.
    component : str
        Which component to draw (default the influence index).
    benchmark : DataFrame, optional
        Network benchmark rows ``quarter, metric, value``; the matching metric is drawn
        as a dashed line.
    lang : {"zh", "en"}
        Language of labels.
    ax : Axes, optional
        Where to draw; a new figure is made when omitted.
    title : str, optional
        Axes title; by default the component's label.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7.5, 3.8))
    rows = table.loc[table["component"] == component].sort_values("quarter")
    quarters = rows["quarter"].astype(str).tolist()
    x = np.arange(len(quarters))
    est = rows["estimate"].to_numpy(dtype="float64")
    lo = rows["ci_low"].to_numpy(dtype="float64")
    hi = rows["ci_high"].to_numpy(dtype="float64")
    ax.fill_between(x, lo, hi, color=COLORS["band"], alpha=0.5, linewidth=0,
                    label=_text("95% 置信区间", "95% interval", lang))
    ax.plot(x, est, marker="o", color=COLORS["main"], label=label(component, lang))
    if "mark" in rows:
        for xi, yi, hii, m in zip(x, est, hi, rows["mark"], strict=True):
            m = _mark(m)
            if m and np.isfinite(yi):
                ax.annotate(m, (xi, hii), xytext=(0, 3), textcoords="offset points",
                            ha="center", va="bottom", color=_MARK_COLORS.get(m, "k"))
    if benchmark is not None:
        bench = benchmark.loc[benchmark["metric"] == component].set_index("quarter")["value"]
        bvals = [bench.get(q, np.nan) for q in quarters]
        if np.isfinite(np.asarray(bvals, dtype="float64")).any():
            ax.plot(x, bvals, linestyle="--", color=COLORS["benchmark"],
                    label=_text("全网均值", "Network average", lang))
    ax.set_xticks(x, quarters)
    ax.set_xlabel(_text("季度", "Quarter", lang))
    ax.set_ylabel(_text("得分 (0–100)", "Score (0–100)", lang))
    ax.set_title(title if title is not None else label(component, lang))
    ax.legend(loc="best", frameon=False, fontsize="small")
    ax.margins(y=0.15)
    return ax


def component_bars(
    table: pd.DataFrame,
    *,
    lang: str = "zh",
    ax: Axes | None = None,
    components: Sequence[str] = COMPONENTS,
    title: str | None = None,
) -> Axes:
    """Draw the components as bars with their intervals and change arrows.

    Parameters
    ----------
    table : DataFrame
        Tidy change table (:func:`gotone_analysis.brand.changes`) with columns
        ``component, estimate, ci_low, ci_high, difference, mark``; one row per component.
        A significant change is labelled with its arrow ("▲"/"▼") and the difference;
        a non-significant one with the difference in grey.
    lang : {"zh", "en"}
        Language of labels.
    ax : Axes, optional
        Where to draw; a new figure is made when omitted.
    components : sequence of str
        Components to show, in this order (those absent from ``table`` are skipped).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7.5, 3.8))
    rows = table.set_index("component")
    order = [c for c in components if c in rows.index]
    rows = rows.loc[order]
    x = np.arange(len(order))
    est = rows["estimate"].to_numpy(dtype="float64")
    err = np.vstack([est - rows["ci_low"].to_numpy(dtype="float64"),
                     rows["ci_high"].to_numpy(dtype="float64") - est])
    ax.bar(x, np.nan_to_num(est), color=COLORS["main"], width=0.6)
    ax.errorbar(x, est, yerr=err, fmt="none", ecolor="k", capsize=4, linewidth=1)
    diffs = rows["diff"] if "diff" in rows else pd.Series(np.nan, index=order)
    marks = rows["mark"] if "mark" in rows else pd.Series("", index=order)
    top = rows["ci_high"].to_numpy(dtype="float64")
    for xi, yi, d, m in zip(x, top, diffs, marks, strict=True):
        if not np.isfinite(yi) or not np.isfinite(d):
            continue
        m = _mark(m)
        text = f"{m}{d:+.1f}" if m else f"{d:+.1f}"
        ax.annotate(text, (xi, yi), xytext=(0, 3), textcoords="offset points", ha="center",
                    va="bottom", color=_MARK_COLORS.get(m, COLORS["neutral"]))
    for xi, yi in zip(x, est, strict=True):
        if np.isfinite(yi):
            ax.text(xi, yi / 2, f"{yi:.1f}", ha="center", va="center", color="white")
        else:
            ax.text(xi, 1, "—", ha="center", va="bottom", color=COLORS["neutral"])
    ax.set_xticks(x, [label(c, lang) for c in order])
    ax.set_ylabel(_text("得分 (0–100)", "Score (0–100)", lang))
    ax.set_ylim(0, 100 * 1.12)
    if title is not None:
        ax.set_title(title)
    return ax


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
        :func:`gotone_analysis.brand.label`; unknown codes are shown as they are).
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
    ax = _axes(ax, (1.2 * len(cols_) + 2.5, 0.45 * len(rows_) + 1.5))
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
            annot[i, j] = "—" if not np.isfinite(v) else f"{v:{fmt}}{_mark(marks.iat[i, j])}"
    sns.heatmap(grid, annot=annot, fmt="", cmap=cmap, center=center, ax=ax, cbar=True,
                linewidths=0.5, linecolor="white",
                xticklabels=[label(str(c), lang) for c in cols_],
                yticklabels=[label(str(r), lang) for r in rows_])
    for i, j in zip(*np.where(~np.isfinite(grid.to_numpy())), strict=True):
        # seaborn leaves NaN cells blank: say they are suppressed or missing
        ax.text(j + 0.5, i + 0.5, "—", ha="center", va="center", color=COLORS["neutral"])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", rotation=0)
    if title is not None:
        ax.set_title(title)
    return ax


def funnel_plot(
    table: pd.DataFrame,
    *,
    lang: str = "zh",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the brand funnel: reach of each stage as horizontal bars, with conversions.

    Parameters
    ----------
    table : DataFrame
        Tidy funnel table (:func:`gotone_analysis.brand.funnel`): columns ``stage,
        measure, estimate`` (and ``ci_low, ci_high``), where ``measure`` is ``"reach"``
        (share of the brand's customers at the stage, %) or ``"conversion"`` (share of
        the previous stage reaching this one, %). Stages are drawn in
        :data:`~gotone_analysis.brand.FUNNEL_STAGES` order, top to bottom.
    lang : {"zh", "en"}
        Language of labels.
    ax : Axes, optional
        Where to draw; a new figure is made when omitted.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7.5, 3.6))
    stages = [s for s in FUNNEL_STAGES if s in set(table["stage"])]
    reach = table.loc[table["measure"] == "reach"].set_index("stage").reindex(stages)
    conv = table.loc[table["measure"] == "conversion"].set_index("stage").reindex(stages)
    y = np.arange(len(stages))[::-1]
    est = reach["estimate"].to_numpy(dtype="float64")
    ax.barh(y, np.nan_to_num(est), color=COLORS["main"], height=0.6)
    if {"ci_low", "ci_high"} <= set(reach.columns):
        err = np.vstack([est - reach["ci_low"].to_numpy(dtype="float64"),
                         reach["ci_high"].to_numpy(dtype="float64") - est])
        ax.errorbar(est, y, xerr=err, fmt="none", ecolor="k", capsize=3, linewidth=1)
    right = (reach["ci_high"].to_numpy(dtype="float64") if "ci_high" in reach.columns
             else est)
    for yi, v, r in zip(y, est, right, strict=True):
        text = "—" if not np.isfinite(v) else f"{v:.1f}%"
        ax.text(np.nanmax([np.nan_to_num(v), np.nan_to_num(r)]) + 1.5, yi, text,
                va="center", ha="left")
    conv_word = _text("转化", "conversion", lang)
    for k, stage in enumerate(stages[1:], start=1):
        c = conv.loc[stage, "estimate"] if stage in conv.index else np.nan
        if np.isfinite(c):
            ax.text(103, (y[k - 1] + y[k]) / 2, f"↓ {conv_word} {c:.1f}%", va="center",
                    ha="left", color=COLORS["neutral"], fontsize="small")
    ax.set_yticks(y, [label(s, lang) for s in stages])
    ax.set_xlim(0, 135)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel(_text("占本品牌客户比例 (%)", "Share of the brand's customers (%)", lang))
    if title is not None:
        ax.set_title(title)
    return ax
