"""Figures of the program-effects report: event study and naive vs adjusted effects.

Both draw tidy tables of :mod:`gotone_analysis.effects` (estimate, ci_low, ci_high)
and compute nothing.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from ... import labels
from ...plots.style import COLORS, new_axes
from ...timings import timed

__all__ = ["event_study_plot", "naive_vs_adjusted_plot"]


@timed("figures")
def event_study_plot(dynamic: pd.DataFrame, *, outcome: str, lang: str = "zh",
                     scale: float = 1.0, ax: Axes | None = None) -> Axes:
    """Event-study estimates by months since the roll-out, with intervals.

    Parameters
    ----------
    dynamic : pandas.DataFrame
        ``DidResult.aggregate("dynamic")`` (``event_time, estimate, ci_low, ci_high``;
        the ``overall`` row is not drawn).
    outcome : str
        Outcome code (``churn``, ``arpu``) for the title.
    lang : {"zh", "en"}
        Language.
    scale : float
        Multiplier of the values drawn (e.g. 100 for probability points).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, (7.5, 3.8))
    d = dynamic[dynamic["event_time"] != "overall"]
    if d.empty:  # the roll-out had not started: nothing to draw, and the figure says so
        ax.text(0.5, 0.5, labels.text("effects.plot.not_started", lang), ha="center",
                va="center", transform=ax.transAxes, color=COLORS["neutral"])
        ax.set_axis_off()
        return ax
    e = d["event_time"].astype(float).to_numpy()
    pre = e < 0
    for mask, color, key in ((pre, COLORS["neutral"], "effects.plot.pre"),
                             (~pre, COLORS["main"], "effects.plot.post")):
        est = d["estimate"].to_numpy()[mask] * scale
        lo = d["ci_low"].to_numpy()[mask] * scale
        hi = d["ci_high"].to_numpy()[mask] * scale
        ax.errorbar(e[mask], est, yerr=[est - lo, hi - est], fmt="o", color=color,
                    capsize=3, label=labels.text(key, lang))
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(-0.5, color="grey", lw=0.8, ls="--")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(labels.text("effects.plot.event_time", lang))
    ax.set_ylabel(labels.text("effects.plot.effect", lang))
    ax.set_title(labels.text("effects.plot.event_title", lang,
                             outcome=labels.text(f"effects.outcome.{outcome}", lang)))
    ax.legend(frameon=False, fontsize=8)
    return ax


@timed("figures")
def naive_vs_adjusted_plot(effects: pd.DataFrame, *, outcome: str, lang: str = "zh",
                           ax: Axes | None = None) -> Axes:
    """Naive comparison and adjusted effect (with interval) per lever for one outcome.

    Parameters
    ----------
    effects : pandas.DataFrame
        Rows ``lever, outcome, kind`` (``naive``/``adjusted``), ``estimate, ci_low,
        ci_high``.
    outcome : str
        The outcome to draw.
    lang : {"zh", "en"}
        Language.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, (7.5, 3.5))
    d = effects[effects["outcome"] == outcome]
    levers = list(dict.fromkeys(d["lever"]))
    for kind, shift, color in (("naive", -0.15, COLORS["neutral"]),
                               ("adjusted", 0.15, COLORS["main"])):
        rows = d[d["kind"] == kind].set_index("lever").reindex(levers)
        y = [i + shift for i in range(len(levers))]
        est = rows["estimate"].to_numpy()
        ax.errorbar(est, y, xerr=[est - rows["ci_low"].to_numpy(),
                                  rows["ci_high"].to_numpy() - est],
                    fmt="o", color=color, capsize=3,
                    label=labels.text(f"effects.kind.{kind}", lang))
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(range(len(levers)))
    ax.set_yticklabels([labels.code_label(lv, lang) for lv in levers])
    ax.set_title(labels.text("effects.plot.naive_vs_adjusted", lang,
                             outcome=labels.text(f"effects.outcome.{outcome}", lang)))
    ax.legend(frameon=False, fontsize=8)
    return ax
