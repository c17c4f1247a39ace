"""Tests for gotone_analysis.plots: drawn from tidy tables, Chinese labels, inputs untouched."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from gotone_analysis import plots
from gotone_analysis.reports.brand_equity import figures
from gotone_analysis.reports.brand_equity.scores import COMPONENTS

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture
def changes() -> pd.DataFrame:
    est = np.array([94.0, 78.0, 80.0, 81.0, 83.0])
    return pd.DataFrame({
        "component": list(COMPONENTS), "estimate": est, "ci_low": est - 1, "ci_high": est + 1,
        "diff": [-1.0, 0.2, 1.5, np.nan, 0.1], "mark": ["▼", "", "▲", "", ""],
    })


@pytest.fixture
def trend() -> pd.DataFrame:
    qs = ["2010Q1", "2010Q2", "2010Q3", "2010Q4"]
    return pd.DataFrame({
        "quarter": qs * 2, "component": ["influence"] * 4 + ["loyalty"] * 4,
        "estimate": [82.0, 82.5, np.nan, 84.0, 80, 80, 80, 80],
        "ci_low": [81.5, 82.0, np.nan, 83.5, 79, 79, 79, 79],
        "ci_high": [82.5, 83.0, np.nan, 84.5, 81, 81, 81, 81],
        "mark": ["", "", "", "▲", "", "", "", ""],
    })


def test_setup_style_registers_the_cjk_font_idempotently():
    name = plots.setup_style()
    again = plots.setup_style()
    assert name == again == "Noto Sans CJK SC"
    assert plt.rcParams["font.sans-serif"][0] == name
    assert plt.rcParams["font.sans-serif"].count(name) == 1
    assert plt.rcParams["axes.unicode_minus"] is False


def test_trend_plot_draws_one_component_with_marks(trend):
    before = trend.copy()
    ax = figures.trend_plot(trend, component="influence", lang="zh")
    line = ax.get_lines()[0]
    assert len(line.get_xdata()) == 4  # loyalty rows ignored
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2010Q1", "2010Q2", "2010Q3",
                                                           "2010Q4"]
    assert [t.get_text() for t in ax.texts] == ["▲"]
    assert ax.get_title() == "影响力"
    pd.testing.assert_frame_equal(trend, before)


def test_trend_plot_benchmark_line(trend):
    bench = pd.DataFrame({"quarter": ["2010Q1", "2010Q4"], "metric": "influence",
                          "value": [78.0, 77.0]})
    ax = figures.trend_plot(trend, benchmark=bench, lang="en")
    assert len(ax.get_lines()) == 2
    assert ax.get_title() == "Influence"


def test_component_bars_arrows_and_labels(changes):
    before = changes.copy()
    fig, ax = plt.subplots()
    out = figures.component_bars(changes, lang="zh", ax=ax)
    assert out is ax
    assert len(ax.patches) == 5
    assert [t.get_text() for t in ax.get_xticklabels()] == ["认知", "联想", "偏好", "忠诚", "影响力"]
    texts = [t.get_text() for t in ax.texts]
    assert "▼-1.0" in texts and "▲+1.5" in texts and "+0.2" in texts
    assert not any(t.startswith("▲") and "0.2" in t for t in texts)
    pd.testing.assert_frame_equal(changes, before)


def test_heatmap_generic_with_dash_for_missing():
    table = pd.DataFrame({"city": ["fuzhou", "fuzhou", "xiamen", "xiamen"],
                          "component": ["awareness", "loyalty"] * 2,
                          "estimate": [90.0, 80.0, np.nan, 81.0],
                          "mark": ["", "▲", "", ""]})
    before = table.copy()
    ax = plots.heatmap(table, "city", "component", "estimate", mark="mark", lang="zh")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["福州", "厦门"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["认知", "忠诚"]
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["90.0", "80.0▲", "—", "81.0"])
    pd.testing.assert_frame_equal(table, before)


def test_funnel_plot_bars_and_conversions():
    stages = ["aware", "associated", "preferring", "loyal"]
    table = pd.DataFrame({
        "stage": stages + stages[1:], "measure": ["reach"] * 4 + ["conversion"] * 3,
        "estimate": [98.0, 90.0, 70.0, 60.0, 91.8, 77.8, 85.7],
        "ci_low": [97.0, 88.0, 68.0, 58.0, 90, 75, 83],
        "ci_high": [99.0, 92.0, 72.0, 62.0, 93, 80, 88],
    })
    ax = figures.funnel_plot(table, lang="en")
    assert len(ax.patches) == 4
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Aware (prompted)", "Positive association", "Preferring", "Loyal"]
    assert list(ax.get_yticks()) == [3, 2, 1, 0]  # first stage on top
    conv = [t.get_text() for t in ax.texts if "conversion" in t.get_text()]
    assert len(conv) == 3 and "77.8%" in conv[1]


def test_plots_never_show(monkeypatch, changes):
    def boom(*args, **kwargs):
        raise AssertionError("plt.show called")

    monkeypatch.setattr(plt, "show", boom)
    figures.component_bars(changes)


def test_trend_band_is_labelled_with_the_level_of_the_table(trend):
    trend = trend.copy()
    trend.attrs["level"] = 0.90
    ax = figures.trend_plot(trend, component="influence", lang="en")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "90% interval" in labels and "95% interval" not in labels


def test_plots_package_re_exports_its_public_names():
    from gotone_analysis.plots import charts, style

    for module in (charts, style):
        for name in module.__all__:
            if not name.startswith("font") and name not in ("mark_text", "new_axes"):
                assert getattr(plots, name) is getattr(module, name), name
