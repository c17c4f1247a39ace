"""Figures of the 139 scorecard: the levers' traffic lights, each target's series, the cities
by lever.

They draw the tables of :func:`.tables.report_tables` (``targets``, ``levers``, ``series``,
``fans``, ``attainment``) and compute nothing: statuses, lights, projections and
intervals come in the tables; a figure only selects rows, puts rates in per cent and
draws. The city x lever table is drawn with :func:`gotone_analysis.plots.heatmap`, and
only when it has more than one city.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from ... import labels
from ...plots.charts import heatmap
from ...plots.style import COLORS, new_axes, setup_style, show_laid_out
from ...timings import timed
from .projection import LEVEL
from .view import DIRECTION_SIGNS, LIGHT_COLORS, STATUS_COLORS, format_interval, format_value

__all__ = ["city_lever_heatmap", "lever_lights", "target_plot", "target_grid"]

_LINE = 0.34        # inches a text line of the traffic-light board takes


@timed("figures")
def lever_lights(levers: pd.DataFrame, targets: pd.DataFrame, *, lang: str = "zh",
                 title: str | None = None, ax: Axes | None = None) -> Axes:
    """The levers at a glance: one traffic light a lever, its targets' actual, target and
    projection beneath it.

    Parameters
    ----------
    levers : DataFrame
        :func:`.status.lever_summary` (``lever, light, met, on_track,
        inconclusive, at_risk, off_track, missed`` ...), in the order drawn.
    targets : DataFrame
        :attr:`.tables.ScorecardReport.targets` (``lever, label,
        direction, target, unit, actual, projected, projected_low, projected_high,
        status``).
    lang : {"zh", "en"}
        Language.
    title : str, optional
        Axes title.
    ax : Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    n_lines = len(levers) + len(targets)
    ax = new_axes(ax, (10.0, _LINE * n_lines + 0.8))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(n_lines + 0.5, -0.5)
    y = 0
    for lv in levers.itertuples(index=False):
        ax.scatter([0.015], [y], s=260, color=LIGHT_COLORS[lv.light], edgecolor="#333333",
                   linewidth=0.6, zorder=3)
        ax.text(0.04, y, labels.code_label(lv.lever, lang), va="center", fontsize=11.5)
        counts = labels.text("scorecard.plot.counts", lang, met=lv.met, good=lv.on_track,
                             unclear=lv.inconclusive, risk=lv.at_risk,
                             bad=lv.off_track + lv.missed)
        ax.text(0.99, y, counts, va="center", ha="right", fontsize=9,
                color=COLORS["neutral"])
        y += 1
        for t in targets.loc[targets["lever"] == lv.lever].itertuples(index=False):
            ax.scatter([0.05], [y], s=45, color=STATUS_COLORS[t.status], zorder=3)
            proj = ""
            if np.isfinite(float(t.projected)):
                proj = labels.text("scorecard.plot.light_projection", lang,
                                   projected=format_value(t.projected, t.unit, lang=lang),
                                   interval=format_interval(t.projected_low, t.projected_high,
                                                            t.unit, lang=lang))
            line = labels.text(
                "scorecard.plot.light_line", lang, label=t.label,
                actual=format_value(t.actual, t.unit, lang=lang),
                target=f"{DIRECTION_SIGNS.get(t.direction, t.direction)} "
                       f"{format_value(t.target, t.unit, lang=lang)}",
                projection=proj, status=labels.text(f"scorecard.status.{t.status}", lang))
            ax.text(0.07, y, line, va="center", fontsize=8.5,
                    color=STATUS_COLORS[t.status] if t.status != "not_measurable"
                    else COLORS["neutral"])
            y += 1
    if title:
        ax.set_title(title, loc="left")
    return ax


def _x(periods: pd.Series) -> list:
    """Period -> the timestamp of its end (a month's or a survey wave's last day)."""
    return [pd.Period(p).to_timestamp(how="end").normalize() for p in periods]


def target_plot(series: pd.DataFrame, fans: pd.DataFrame, targets: pd.DataFrame,
                target_id: str, *, lang: str = "zh", level: float = LEVEL,
                legend: bool = True, ax: Axes | None = None) -> Axes:
    """One target's series with its target line, deadline and projection fan.

    Parameters
    ----------
    series : DataFrame
        ``target_id, period, estimate, ci_low, ci_high``
        (:attr:`~.tables.ScorecardReport.series`); a survey interval
        is drawn as a band where it is not the value itself.
    fans : DataFrame
        ``target_id, period, estimate, ci_low, ci_high``
        (:attr:`~.tables.ScorecardReport.fans`); none for a target past
        its deadline.
    targets : DataFrame
        :attr:`~.tables.ScorecardReport.targets` (``label, target,
        unit, deadline_month, status``).
    target_id : str
        The target to draw.
    lang : {"zh", "en"}
        Language.
    level : float
        Coverage of the projection interval (for the legend).
    legend : bool
        Draw the legend.
    ax : Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, (6.0, 3.2))
    t = targets.loc[targets["target_id"] == target_id].iloc[0]
    scale = 100.0 if t["unit"] == "rate" else 1.0
    ax.set_title(f"{t['label']} · {labels.text(f'scorecard.status.{t.status}', lang)}",
                 fontsize=8, color=STATUS_COLORS[t["status"]], loc="left")
    rows = series.loc[series["target_id"] == target_id]
    if rows.empty:
        ax.text(0.5, 0.5, labels.text("scorecard.plot.no_data", lang), ha="center",
                va="center", transform=ax.transAxes, color=COLORS["neutral"])
        ax.set_xticks([])
        ax.set_yticks([])
        return ax
    x = _x(rows["period"])
    est = rows["estimate"].to_numpy(dtype="float64") * scale
    lo = rows["ci_low"].to_numpy(dtype="float64") * scale
    hi = rows["ci_high"].to_numpy(dtype="float64") * scale
    ax.plot(x, est, marker="o", ms=2.5, lw=1.4, color=COLORS["main"],
            label=labels.text("scorecard.plot.actual", lang))
    if np.any(hi > lo):
        ax.fill_between(x, lo, hi, color=COLORS["band"], alpha=0.5, lw=0,
                        label=labels.text("scorecard.plot.survey_ci", lang))
    fan = fans.loc[fans["target_id"] == target_id]
    if len(fan):
        fx = [x[-1], *_x(fan["period"])]
        f_est = [est[-1], *(fan["estimate"].to_numpy(dtype="float64") * scale)]
        f_lo = [est[-1], *(fan["ci_low"].to_numpy(dtype="float64") * scale)]
        f_hi = [est[-1], *(fan["ci_high"].to_numpy(dtype="float64") * scale)]
        ax.fill_between(fx, f_lo, f_hi, color=COLORS["benchmark"], alpha=0.3, lw=0,
                        label=labels.text("scorecard.plot.fan", lang,
                                          level=labels.level_text(level)))
        ax.plot(fx, f_est, ls="--", lw=1.2, color=COLORS["neutral"],
                label=labels.text("scorecard.plot.projection", lang))
    target_text = f"{DIRECTION_SIGNS.get(t['direction'], t['direction'])} " \
                  f"{format_value(t['target'], t['unit'], lang=lang)}"
    ax.axhline(float(t["target"]) * scale, color=COLORS["down"], lw=1.0, ls=":",
               label=labels.text("scorecard.plot.target", lang, target=target_text))
    deadline = pd.Period(t["deadline_month"], freq="M").to_timestamp(how="end").normalize()
    ax.axvline(deadline, color=COLORS["neutral"], lw=0.9, ls="-.",
               label=labels.text("scorecard.plot.deadline", lang,
                                 deadline=str(t["deadline_month"])))
    if t["unit"] == "rate":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}%"))
    elif t["unit"] in ("customers", "accounts", "points"):
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.tick_params(axis="both", labelsize=7)
    if legend:
        ax.legend(fontsize=6.5, frameon=False, loc="upper left")
    return ax


@timed("figures")
def target_grid(series: pd.DataFrame, fans: pd.DataFrame, targets: pd.DataFrame, *,
                lang: str = "zh", level: float = LEVEL, ncols: int = 4,
                target_ids: Sequence[str] | None = None, axes=None) -> np.ndarray:
    """Small multiples of :func:`target_plot`, one panel a target, in the order given.

    Parameters
    ----------
    series, fans, targets : DataFrame
        As for :func:`target_plot`.
    lang : {"zh", "en"}
        Language.
    level : float
        Coverage of the projection intervals.
    ncols : int
        Panels a row.
    target_ids : sequence of str, optional
        Targets to draw (default: every target with a series, in the order of
        ``targets``).
    axes : array of Axes, optional
        At least as many axes as targets; a new figure is made when omitted.

    Returns
    -------
    numpy.ndarray
        The Axes drawn on, one a target (flat); the figure carries one legend.
    """
    ids = (list(target_ids) if target_ids is not None
           else [t for t in targets["target_id"] if t in set(series["target_id"])])
    if axes is None:
        setup_style()
        nrows = max(1, -(-len(ids) // ncols))
        fig, grid = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.5 * nrows),
                                 squeeze=False)
        # fixed spacing: tight_layout would draw the whole figure once more to measure it
        fig.subplots_adjust(left=0.06, right=0.99, bottom=0.03, top=1 - 0.5 / (2.5 * nrows),
                            wspace=0.32, hspace=0.55)
        flat = grid.ravel()
        for extra in flat[len(ids):]:
            extra.set_visible(False)
    else:
        flat = np.asarray(axes).ravel()
    handles: dict[str, object] = {}
    for tid, ax in zip(ids, flat, strict=False):
        target_plot(series, fans, targets, tid, lang=lang, level=level, legend=False, ax=ax)
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(lab, h)
    # one legend for the figure; the target and deadline lines by their kind only (their
    # values are in each panel's axis and in the table)
    kinds = [labels.text("scorecard.plot.actual", lang),
             labels.text("scorecard.plot.survey_ci", lang),
             labels.text("scorecard.plot.projection", lang),
             labels.text("scorecard.plot.fan", lang, level=labels.level_text(level))]
    shown = [(handles[k], k) for k in kinds if k in handles]
    shown += [(Line2D([], [], color=COLORS["down"], lw=1.0, ls=":"),
               labels.text("scorecard.plot.target_line", lang)),
              (Line2D([], [], color=COLORS["neutral"], lw=0.9, ls="-."),
               labels.text("scorecard.plot.deadline_line", lang))]
    if len(ids):
        flat[0].figure.legend([h for h, _ in shown], [lab for _, lab in shown],
                              loc="upper center", ncol=len(shown), frameon=False, fontsize=8)
    if axes is None and len(ids):  # its margins are fixed: rendered once, not measured
        show_laid_out(flat[0].figure)
    return flat[:len(ids)]


@timed("figures")
def city_lever_heatmap(attainment: pd.DataFrame | None, *, lang: str = "zh",
                       title: str | None = None, ax: Axes | None = None) -> Axes | None:
    """The cities x levers heat map of the share of measurable targets met or on track.

    Drawn only with two cities or more: a city's own report has one row, which a heat
    map does not compare with anything (its levers are on :func:`lever_lights`), so
    nothing is drawn.

    Parameters
    ----------
    attainment : DataFrame or None
        :func:`.status.attainment` (``scope, lever, attainment``).
    lang : {"zh", "en"}
        Language.
    title : str, optional
        Axes title (default the catalog's).
    ax : Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes or None
        None (nothing drawn) with fewer than two scopes.
    """
    if attainment is None or attainment["scope"].nunique() < 2:
        return None
    return heatmap(attainment, "scope", "lever", "attainment", fmt=".0%", lang=lang, ax=ax,
                   title=title if title is not None
                   else labels.text("scorecard.plot.city_lever_title", lang))
