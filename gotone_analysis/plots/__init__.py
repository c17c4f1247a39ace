"""Shared figure helpers of the reports, drawing from the tidy tables the analysis modules return.

Every plotting function takes a tidy table, an optional ``ax`` and a ``lang`` (``"zh"``
or ``"en"``), draws, and returns the :class:`~matplotlib.axes.Axes`. Nothing is
estimated here: estimates, intervals (with the level the table carries) and
significance marks come in the table; a plot only selects rows, orders them and draws.
No function calls ``plt.show()`` or modifies its input. Every label comes from the
catalog :mod:`gotone_analysis.labels`.

* :mod:`~gotone_analysis.plots.style`: font, colours, marks (:func:`setup_style`);
* :mod:`~gotone_analysis.plots.charts`: figures of any report (:func:`heatmap`,
  :func:`difference_dots`) and the parts of a trend figure the trend plots share;

A report's own figures live in its folder (``reports/<report>/figures.py``), drawn
through :func:`~gotone_analysis.plots.style.new_axes` and the shared charts here.
"""

from __future__ import annotations

from .charts import (
    difference_dots,
    finish_trend_axes,
    heatmap,
    trend_band_line,
    trend_benchmark_line,
)
from .style import CJK_FONT_FILE, COLORS, MARK_COLORS, setup_style, show_laid_out

__all__ = [
    "CJK_FONT_FILE",
    "COLORS",
    "MARK_COLORS",
    "difference_dots",
    "finish_trend_axes",
    "heatmap",
    "setup_style",
    "show_laid_out",
    "trend_band_line",
    "trend_benchmark_line",
]
