"""The brand-equity figures: influence trend, component bars, the brand funnel."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ... import labels
from ...plots.charts import finish_trend_axes, trend_band_line, trend_benchmark_line
from ...plots.style import COLORS, MARK_COLORS, mark_text, new_axes
from .scores import COMPONENTS, FUNNEL_STAGES

__all__ = ["component_bars", "funnel_plot", "trend_plot"]


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
        Tidy trend table (:func:`.tables.trend`) with columns ``quarter,
        component, estimate, ci_low, ci_high`` and optionally ``mark`` (a mark of
        :data:`gotone_analysis.compare.MARKS` or "": significant change from the previous
        point). The band is labelled with the level the table carries. Rows of other components are
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
    ax = new_axes(ax, (7.5, 3.8))
    rows = table.loc[table["component"] == component].sort_values("quarter")
    quarters = rows["quarter"].astype(str).tolist()
    x = np.arange(len(quarters))
    est = rows["estimate"].to_numpy(dtype="float64")
    lo = rows["ci_low"].to_numpy(dtype="float64")
    hi = rows["ci_high"].to_numpy(dtype="float64")
    trend_band_line(ax, x, est, lo, hi, level_table=table,
                    label=labels.code_label(component, lang), lang=lang)
    if "mark" in rows:
        for xi, yi, hii, m in zip(x, est, hi, rows["mark"], strict=True):
            m = mark_text(m)
            if m and np.isfinite(yi):
                ax.annotate(m, (xi, hii), xytext=(0, 3), textcoords="offset points",
                            ha="center", va="bottom", color=MARK_COLORS.get(m, "k"))
    if benchmark is not None:
        bench = benchmark.loc[benchmark["metric"] == component].set_index("quarter")["value"]
        bvals = [bench.get(q, np.nan) for q in quarters]
        if np.isfinite(np.asarray(bvals, dtype="float64")).any():
            trend_benchmark_line(ax, x, bvals, lang=lang)
    return finish_trend_axes(
        ax, x, quarters, lang=lang,
        title=title if title is not None else labels.code_label(component, lang))


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
        Tidy change table (:func:`.tables.changes`) with columns
        ``component, estimate, ci_low, ci_high, diff, mark``; one row per component.
        A significant change is labelled with its mark and the difference;
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
    ax = new_axes(ax, (7.5, 3.8))
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
        m = mark_text(m)
        text = f"{m}{d:+.1f}" if m else f"{d:+.1f}"
        ax.annotate(text, (xi, yi), xytext=(0, 3), textcoords="offset points", ha="center",
                    va="bottom", color=MARK_COLORS.get(m, COLORS["neutral"]))
    for xi, yi in zip(x, est, strict=True):
        if np.isfinite(yi):
            ax.text(xi, yi / 2, f"{yi:.1f}", ha="center", va="center", color="white")
        else:
            ax.text(xi, 1, "—", ha="center", va="bottom", color=COLORS["neutral"])
    ax.set_xticks(x, [labels.code_label(c, lang) for c in order])
    ax.set_ylabel(labels.text("plot.score_axis", lang))
    ax.set_ylim(0, 100 * 1.12)
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
        Tidy funnel table (:func:`.tables.funnel`): columns ``stage,
        measure, estimate`` (and ``ci_low, ci_high``), where ``measure`` is ``"reach"``
        (share of the brand's customers at the stage, %) or ``"conversion"`` (share of
        the previous stage reaching this one, %). Stages are drawn in
        :data:`~.scores.FUNNEL_STAGES` order, top to bottom.
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
    ax = new_axes(ax, (7.5, 3.6))
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
    conv_word = labels.text("plot.funnel.conversion", lang)
    for k, stage in enumerate(stages[1:], start=1):
        c = conv.loc[stage, "estimate"] if stage in conv.index else np.nan
        if np.isfinite(c):
            ax.text(103, (y[k - 1] + y[k]) / 2, f"↓ {conv_word} {c:.1f}%", va="center",
                    ha="left", color=COLORS["neutral"], fontsize="small")
    ax.set_yticks(y, [labels.code_label(s, lang) for s in stages])
    ax.set_xlim(0, 135)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel(labels.text("plot.funnel.share_axis", lang))
    if title is not None:
        ax.set_title(title)
    return ax
