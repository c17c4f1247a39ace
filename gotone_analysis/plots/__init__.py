"""Figures for the reports, drawn from the tidy tables the analysis modules return.

Every plotting function takes a tidy table, an optional ``ax`` and a ``lang`` (``"zh"``
or ``"en"``), draws, and returns the :class:`~matplotlib.axes.Axes`. Nothing is
estimated here: estimates, intervals (with the level the table carries) and
significance marks come in the table; a plot only selects rows, orders them and draws.
No function calls ``plt.show()`` or modifies its input. Every label comes from the
catalog :mod:`gotone_analysis.labels`.

* :mod:`~gotone_analysis.plots.style`: font, colours, marks (:func:`setup_style`);
* :mod:`~gotone_analysis.plots.charts`: figures of any report (:func:`heatmap`) and the
  parts of a trend figure the trend plots share;
* :mod:`~gotone_analysis.plots.brand`: the brand-equity figures.

To add figures for a report area, create ``plots/<area>.py`` (drawing through
:func:`~gotone_analysis.plots.style.new_axes`) and add one re-export line here.
"""

from __future__ import annotations

from .brand import component_bars, funnel_plot, trend_plot
from .charts import finish_trend_axes, heatmap, trend_band_line, trend_benchmark_line
from .effects import event_study_plot, naive_vs_adjusted_plot
from .satisfaction import (
    decomposition_waterfall,
    importance_performance_plot,
    satisfaction_index_plot,
)
from .scorecard import lever_lights, target_grid, target_plot
from .style import CJK_FONT_FILE, COLORS, MARK_COLORS, setup_style

__all__ = [
    "CJK_FONT_FILE",
    "COLORS",
    "MARK_COLORS",
    "component_bars",
    "decomposition_waterfall",
    "event_study_plot",
    "finish_trend_axes",
    "funnel_plot",
    "heatmap",
    "importance_performance_plot",
    "lever_lights",
    "naive_vs_adjusted_plot",
    "satisfaction_index_plot",
    "setup_style",
    "target_grid",
    "target_plot",
    "trend_band_line",
    "trend_benchmark_line",
    "trend_plot",
]
