"""The satisfaction figures: index trend against the network, change waterfall, importance–performance.

Drawn from the tables of :mod:`gotone_analysis.reports.satisfaction.tables`; nothing is
estimated here. A driver table that was not estimated (small base) is drawn as an
empty panel that says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ... import labels
from ...plots.charts import finish_trend_axes, trend_band_line, trend_benchmark_line
from ...plots.style import COLORS, new_axes
from ...timings import timed

__all__ = ["decomposition_waterfall", "importance_performance_plot", "lead_text",
           "satisfaction_index_plot"]

_INTERCEPT, _CONTROLS = "(intercept)", "(controls)"


def _not_estimated(ax: Axes, table: pd.DataFrame, lang: str, title: str) -> Axes:
    mb = table["min_base"].iloc[0] if "min_base" in table else "?"
    ax.text(0.5, 0.5, labels.text("plot.satisfaction.not_estimated", lang, min_base=mb),
            ha="center", va="center", transform=ax.transAxes, color=COLORS["neutral"])
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    return ax


def _estimated(table: pd.DataFrame) -> bool:
    return "status" not in table or bool((table["status"] == "estimated").all())


def lead_text(lead: float, lang: str = "zh") -> str:
    """The words on the trend figure for the last quarter's lead over the network average.

    A lead is a difference from the network in the same quarter, not a change over time;
    the text says so (「领先全网 +2.6」, "+2.6 over the network"; a negative lead is
    "behind"/"below", with its magnitude).

    Parameters
    ----------
    lead : float
        The index minus the network average, in points.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    str
    """
    if lead >= 0:
        return labels.text("plot.satisfaction.lead_over", lang, lead=f"{lead:+.1f}")
    return labels.text("plot.satisfaction.lead_under", lang, lead=f"{-lead:.1f}")


@timed("figures")
def satisfaction_index_plot(
    trend: pd.DataFrame,
    *,
    lang: str = "zh",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the satisfaction index by quarter with its interval band and the network average.

    Parameters
    ----------
    trend : DataFrame
        :func:`~gotone_analysis.reports.satisfaction.tables.satisfaction_trend`: ``quarter,
        estimate, ci_low, ci_high`` and optionally ``network, lead, lead_significant``.
        Suppressed quarters (NaN) leave a gap; the last quarter's lead is written on the
        figure when it is significant, as a lead over the network (:func:`lead_text`).
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
    ax = new_axes(ax, (7.5, 3.8))
    quarters = trend["quarter"].astype(str).tolist()
    x = np.arange(len(quarters))
    est = trend["estimate"].to_numpy(dtype="float64")
    trend_band_line(ax, x, est, trend["ci_low"].to_numpy(dtype="float64"),
                    trend["ci_high"].to_numpy(dtype="float64"), level_table=trend,
                    label=labels.code_label("satisfaction", lang), lang=lang)
    if "network" in trend and trend["network"].notna().any():
        trend_benchmark_line(ax, x, trend["network"].to_numpy(dtype="float64"), lang=lang)
        last = trend.iloc[-1]
        if bool(last.get("lead_significant", False)) and np.isfinite(float(last["lead"])):
            ax.annotate(lead_text(float(last["lead"]), lang),
                        (x[-1], float(last["estimate"])), xytext=(8, 0),
                        textcoords="offset points", va="center", color=COLORS["main"])
    return finish_trend_axes(
        ax, x, quarters, lang=lang,
        title=title if title is not None else labels.text("plot.satisfaction.index_title", lang))


@timed("figures")
def decomposition_waterfall(
    decomposition: pd.DataFrame,
    *,
    lang: str = "zh",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the change as a waterfall: each driver's endowment, the segment mix, coefficients, interaction.

    Parameters
    ----------
    decomposition : DataFrame
        :func:`~gotone_analysis.reports.satisfaction.tables.change_decomposition` (threefold:
        ``part, term, estimate, ci_low, ci_high``; ``quarter, compare_quarter`` for the
        title). Steps: the endowment term of every driver, the ``(controls)`` endowment
        (segment mix) when present, the coefficients and interaction totals; the last
        bar is the change (gap). The steps add up to the change, as the table's parts
        do. Error bars are the table's intervals.
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
    ax = new_axes(ax, (8.0, 4.0))
    if title is None:
        if {"quarter", "compare_quarter"} <= set(decomposition.columns):
            title = labels.text("plot.satisfaction.waterfall_title", lang,
                                before=decomposition["compare_quarter"].iloc[0],
                                after=decomposition["quarter"].iloc[0])
        else:
            title = labels.code_label("gap", lang)
    if not _estimated(decomposition):
        return _not_estimated(ax, decomposition, lang, title)
    rows = decomposition.set_index(["part", "term"])
    endow = decomposition[(decomposition["part"] == "endowments")
                          & ~decomposition["term"].isin(["total", _INTERCEPT, _CONTROLS])]
    steps: list[tuple[str, pd.Series]] = [(name, rows.loc[("endowments", term)]) for name, term in
             ((labels.code_label(t, lang), t) for t in endow["term"])]
    if ("endowments", _CONTROLS) in rows.index:
        steps.append((labels.code_label(_CONTROLS, lang), rows.loc[("endowments", _CONTROLS)]))
    for part in ("coefficients", "interaction"):
        steps.append((labels.code_label(part, lang), rows.loc[(part, "total")]))
    gap = rows.loc[("gap", "total")]
    start = 0.0
    for i, (_, r) in enumerate(steps):
        value = float(r["estimate"])
        colour = COLORS["up"] if value >= 0 else COLORS["down"]
        ax.bar(i, value, bottom=start, color=colour, alpha=0.8, width=0.6)
        lo, hi = float(r["ci_low"]), float(r["ci_high"])
        if np.isfinite(lo) and np.isfinite(hi):
            top = start + value
            ax.errorbar(i, top, yerr=[[value - lo], [hi - value]], color=COLORS["neutral"],
                        capsize=3, linewidth=1)
        if i + 1 < len(steps):
            ax.plot([i + 0.3, i + 0.7], [start + value] * 2, color=COLORS["neutral"],
                    linewidth=0.8)
        start += value
    n = len(steps)
    ax.bar(n, float(gap["estimate"]), color=COLORS["main"], width=0.6)
    if np.isfinite(float(gap["ci_low"])):
        ax.errorbar(n, float(gap["estimate"]),
                    yerr=[[float(gap["estimate"]) - float(gap["ci_low"])],
                          [float(gap["ci_high"]) - float(gap["estimate"])]],
                    color=COLORS["neutral"], capsize=3, linewidth=1)
    ax.axhline(0, color=COLORS["neutral"], linewidth=0.8)
    ax.set_xticks(np.arange(n + 1), [s[0] for s in steps] + [labels.code_label("gap", lang)],
                  rotation=30, ha="right")
    ax.set_ylabel(labels.text("plot.satisfaction.points_axis", lang))
    ax.set_title(title)
    return ax


@timed("figures")
def importance_performance_plot(
    table: pd.DataFrame,
    *,
    lang: str = "zh",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the importance–performance map with arrows from the comparison quarter's positions.

    Parameters
    ----------
    table : DataFrame
        :func:`~gotone_analysis.reports.satisfaction.tables.driver_map`: ``driver, period,
        importance, performance`` (and ``quarter``); ``attrs`` ``importance_midpoint``
        and ``performance_midpoint`` give the cross-hairs of the quadrants.
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
    ax = new_axes(ax, (7.0, 5.0))
    title = title if title is not None else labels.text("plot.satisfaction.ipa_title", lang)
    if not _estimated(table):
        return _not_estimated(ax, table, lang, title)
    cur = table[table["period"] == "current"].set_index("driver")
    prev = table[table["period"] == "comparison"].set_index("driver")
    ax.scatter(100 * cur["importance"], cur["performance"], color=COLORS["main"], zorder=3,
               label=labels.code_label("current", lang))
    if len(prev):
        ax.scatter(100 * prev["importance"], prev["performance"], facecolors="none",
                   edgecolors=COLORS["benchmark"], zorder=2,
                   label=labels.code_label("comparison", lang))
    for driver, r in cur.iterrows():
        x1, y1 = 100 * float(r["importance"]), float(r["performance"])
        if driver in prev.index:
            p = prev.loc[driver]
            ax.annotate("", xy=(x1, y1), xytext=(100 * float(p["importance"]), float(p["performance"])),
                        arrowprops={"arrowstyle": "->", "color": COLORS["benchmark"], "lw": 1})
        ax.annotate(labels.code_label(driver, lang), (x1, y1), xytext=(5, 4),
                    textcoords="offset points", fontsize="small")
    imid = table.attrs.get("importance_midpoint")
    pmid = table.attrs.get("performance_midpoint")
    if imid is not None:
        ax.axvline(100 * float(imid), color=COLORS["neutral"], linestyle=":", linewidth=0.8)
    if pmid is not None:
        ax.axhline(float(pmid), color=COLORS["neutral"], linestyle=":", linewidth=0.8)
    if len(prev) and "quarter" in prev:
        ax.text(0.01, 0.01, labels.text("plot.satisfaction.arrow", lang,
                                        quarter=prev["quarter"].iloc[0]),
                transform=ax.transAxes, fontsize="small", color=COLORS["neutral"])
    ax.set_xlabel(labels.text("plot.satisfaction.importance_axis", lang))
    ax.set_ylabel(labels.text("plot.satisfaction.performance_axis", lang))
    ax.set_title(title)
    ax.legend(loc="best", frameon=False, fontsize="small")
    ax.margins(0.15)
    return ax
