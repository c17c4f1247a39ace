"""The brand-equity figures: influence trend, component changes, cities against the province,
the brand funnel."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from ... import labels
from ...plots.charts import (
    difference_dots,
    finish_trend_axes,
    heatmap,
    trend_band_line,
    trend_benchmark_line,
)
from ...plots.style import COLORS, MARK_COLORS, mark_text, new_axes
from ...timings import timed
from .scores import COMPONENTS, FUNNEL_STAGES

__all__ = ["city_heatmap", "component_changes", "funnel_plot", "trend_plot"]


@timed("figures")
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


def _level_names(rows: pd.DataFrame, order: Sequence[str], lang: str) -> list[str]:
    """Tick labels: the component's name over its current score ("—" when suppressed)."""
    est = rows["estimate"].to_numpy(dtype="float64")
    return [f"{labels.code_label(c, lang)}\n{v:.1f}" if np.isfinite(v)
            else f"{labels.code_label(c, lang)}\n—" for c, v in zip(order, est, strict=True)]


def _column(rows: pd.DataFrame, name: str) -> np.ndarray | None:
    return rows[name].to_numpy(dtype="float64") if name in rows else None


@timed("figures")
def component_changes(
    table: pd.DataFrame,
    *,
    lang: str = "zh",
    ax: Axes | None = None,
    components: Sequence[str] = COMPONENTS,
    title: str | None = None,
) -> Axes:
    """Draw each component's change since the comparison quarter, with its interval.

    One dot a component at its change, the interval of the change around it and a zero
    line, on an axis of the changes themselves (so a move of a few tenths is visible; the
    scores, 0–100, are written under the components' names). A significant change is
    coloured and labelled with its mark and value; an unmarked one is grey. When the
    comparison quarter is not in the data (no change at all), the scores are drawn instead,
    as dots with their intervals on an axis that does not start at 0, and the axis says so.

    Parameters
    ----------
    table : DataFrame
        Tidy change table (:func:`.tables.changes`) with columns ``component, estimate,
        ci_low, ci_high, diff, mark`` and, when present, ``diff_ci_low, diff_ci_high``
        (the interval of the change) and ``compare_quarter``; one row per component.
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
    diff = _column(rows, "diff")
    if diff is not None and np.isfinite(diff).any():
        names = _level_names(rows, order, lang)
        quarter = rows["compare_quarter"].dropna() if "compare_quarter" in rows else ()
        ylabel = (labels.text("plot.brand.change_axis", lang, quarter=quarter.iloc[0])
                  if len(quarter) else labels.text("plot.brand.change_axis_any", lang))
        difference_dots(ax, names, diff, _column(rows, "diff_ci_low"),
                        _column(rows, "diff_ci_high"),
                        marks=list(rows["mark"]) if "mark" in rows else None, ylabel=ylabel)
    else:
        _level_dots(ax, rows, [labels.code_label(c, lang) for c in order])
        ax.set_ylabel(labels.text("plot.brand.score_axis_cut", lang))
    if title is not None:
        ax.set_title(title)
    return ax


def _level_dots(ax: Axes, rows: pd.DataFrame, names: Sequence[str]) -> None:
    """The scores as dots with their intervals, on an axis near the data."""
    x = np.arange(len(names))
    est = rows["estimate"].to_numpy(dtype="float64")
    lo = rows["ci_low"].to_numpy(dtype="float64")
    hi = rows["ci_high"].to_numpy(dtype="float64")
    shown = np.isfinite(est)
    ax.errorbar(x[shown], est[shown], yerr=np.vstack([est - lo, hi - est])[:, shown],
                fmt="o", color=COLORS["main"], ecolor=COLORS["main"], capsize=4)
    for xi, v, top in zip(x, est, hi, strict=True):
        if np.isfinite(v):
            ax.annotate(f"{v:.1f}", (xi, top), xytext=(0, 3), textcoords="offset points",
                        ha="center", va="bottom", color=COLORS["main"])
    ax.set_xticks(x, list(names))
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.margins(y=0.2)


@timed("figures")
def city_heatmap(
    table: pd.DataFrame,
    *,
    scope: str | None = None,
    lang: str = "zh",
    ax: Axes | None = None,
    components: Sequence[str] = COMPONENTS,
    title: str | None = None,
) -> Axes:
    """Draw how each city does against the province, component by component.

    The colour of a cell is the city's difference from the province for that component
    (a diverging map centred at 0 with symmetric limits: green above the province, red
    below, the same colour for the same distance on either component), so a column of
    colours shows the cities, not the component. Each cell is written with the city's
    score and, under it, its difference with its significance mark. With one city only
    no one-row heat map is drawn: the city's differences from the province are drawn as
    dots with their intervals around a zero line instead.

    Parameters
    ----------
    table : DataFrame
        :func:`.tables.by_city`: ``city, component, estimate, diff`` (the city minus the
        province), ``diff_ci_low, diff_ci_high, mark``; cities in the order drawn.
    scope : str, optional
        The report's scope: a city of the table has its row framed.
    lang : {"zh", "en"}
        Language of labels.
    ax : Axes, optional
        Where to draw; a new figure is made when omitted.
    components : sequence of str
        Components to show, in this order (those absent from ``table`` are skipped).
    title : str, optional
        Axes title (default: says what the colour and the numbers are).

    Returns
    -------
    matplotlib.axes.Axes
    """
    order = [c for c in components if c in set(table["component"])]
    cities = list(pd.unique(table["city"]))
    if len(cities) < 2:
        ax = new_axes(ax, (7.5, 3.8))
        rows = table.set_index("component").loc[order]
        difference_dots(ax, _level_names(rows, order, lang), _column(rows, "diff"),
                        _column(rows, "diff_ci_low"), _column(rows, "diff_ci_high"),
                        marks=list(rows["mark"]) if "mark" in rows else None,
                        ylabel=labels.text("plot.brand.vs_province_axis", lang))
        city = labels.code_label(cities[0], lang) if cities else ""
        ax.set_title(title if title is not None
                     else labels.text("plot.brand.city_dots_title", lang, city=city))
        return ax
    cells = table.assign(_text=[
        "" if not np.isfinite(e) else (f"{e:.1f}\n{d:+.1f}" if np.isfinite(d) else f"{e:.1f}")
        for e, d in zip(table["estimate"].astype("float64"), table["diff"].astype("float64"),
                        strict=True)])
    ax = heatmap(cells, "city", "component", "diff", ax=ax, lang=lang,
                 mark="mark" if "mark" in table else None, row_order=cities, col_order=order,
                 center=0.0, annot="_text",
                 cbar_label=labels.text("plot.brand.vs_province_axis", lang),
                 title=title if title is not None
                 else labels.text("plot.brand.city_heatmap_title", lang))
    if scope in cities:
        ax.add_patch(Rectangle((0, cities.index(scope)), len(order), 1, fill=False,
                               edgecolor=COLORS["main"], linewidth=2.0, clip_on=False))
    return ax


@timed("figures")
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
