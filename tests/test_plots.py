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
    diff = np.array([-1.0, 0.2, 1.5, np.nan, 0.1])
    return pd.DataFrame({
        "component": list(COMPONENTS), "estimate": est, "ci_low": est - 1, "ci_high": est + 1,
        "compare_quarter": "2010Q3", "diff": diff, "diff_ci_low": diff - 0.6,
        "diff_ci_high": diff + 0.6, "mark": ["▼", "", "▲", "", ""],
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


def test_component_changes_draw_the_moves_on_their_own_axis(changes):
    before = changes.copy()
    fig, ax = plt.subplots()
    out = figures.component_changes(changes, lang="zh", ax=ax)
    assert out is ax
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["认知\n94.0", "联想\n78.0", "偏好\n80.0", "忠诚\n81.0", "影响力\n83.0"]
    texts = [t.get_text() for t in ax.texts]
    assert "▼-1.0" in texts and "▲+1.5" in texts and "+0.2" in texts
    assert not any(t.startswith("▲") and "0.2" in t for t in texts)
    assert "—" in texts  # the change that could not be computed
    # the axis is the changes' (tenths visible), zero in view, not the 0-100 scale
    low, high = ax.get_ylim()
    assert -3 < low < -1.6 and 2.1 < high < 4
    assert any(list(line.get_ydata()) == [0, 0] for line in ax.get_lines())  # zero line
    assert ax.get_ylabel() == "较 2010Q3 的变化（分）"
    assert not ax.patches  # no bars from 0
    pd.testing.assert_frame_equal(changes, before)


def test_component_changes_without_a_comparison_show_the_scores_on_a_cut_axis(changes):
    first = changes.assign(diff=np.nan, diff_ci_low=np.nan, diff_ci_high=np.nan, mark="")
    ax = figures.component_changes(first, lang="en")
    low, high = ax.get_ylim()
    assert 70 < low < 78 and 95 < high < 100
    assert "does not start at 0" in ax.get_ylabel()
    assert sorted(t.get_text() for t in ax.texts) == ["78.0", "80.0", "81.0", "83.0", "94.0"]


@pytest.fixture
def cities() -> pd.DataFrame:
    """Three cities x two components against the province (80 and 70)."""
    est = [81.0, 69.0, 79.5, 72.5, 80.2, 70.0]
    ref = [80.0, 70.0] * 3
    diff = np.subtract(est, ref)
    return pd.DataFrame({
        "city": ["fuzhou", "fuzhou", "xiamen", "xiamen", "nanping", "nanping"],
        "component": ["awareness", "loyalty"] * 3, "estimate": est, "estimate_ref": ref,
        "diff": diff, "diff_ci_low": diff - 1, "diff_ci_high": diff + 1,
        "mark": ["", "", "", "▲", "", ""]})


def test_city_heatmap_colours_each_city_by_its_difference_from_the_province(cities):
    before = cities.copy()
    ax = figures.city_heatmap(cities, scope="xiamen", lang="en")
    mesh = ax.collections[0]
    # the colour is the difference, not the score, on a scale centred at 0
    assert np.allclose(np.asarray(mesh.get_array()).ravel(), cities["diff"].to_numpy())
    assert mesh.norm.vmin == pytest.approx(-mesh.norm.vmax)
    assert mesh.norm.vmax == pytest.approx(2.5)  # the largest distance from 0
    texts = [t.get_text() for t in ax.texts]
    assert "81.0\n+1.0" in texts and "72.5\n+2.5▲" in texts
    assert mesh.colorbar.ax.get_ylabel() == "Difference from the province (points)"
    assert "difference" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Fuzhou", "Xiamen", "Nanping"]
    framed = [p for p in ax.patches if not p.get_fill()]
    assert len(framed) == 1 and framed[0].get_y() == 1  # the report's own city
    pd.testing.assert_frame_equal(cities, before)


def test_city_heatmap_of_one_city_draws_its_differences_not_a_one_row_heatmap(cities):
    one = cities.loc[cities["city"] == "nanping"]
    ax = figures.city_heatmap(one, scope="nanping", lang="zh")
    assert not [c for c in ax.collections if type(c).__name__ == "QuadMesh"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["认知\n80.2", "忠诚\n70.0"]
    assert ax.get_ylabel() == "与全省之差（分）"
    assert "南平" in ax.get_title()
    low, high = ax.get_ylim()
    assert low < -1 and high > 1 and high - low < 10


def test_heatmap_centred_has_symmetric_limits_and_writes_its_own_texts():
    table = pd.DataFrame({"city": ["fuzhou", "fuzhou", "xiamen", "xiamen"],
                          "component": ["awareness", "loyalty"] * 2,
                          "diff": [0.5, -2.0, np.nan, 1.0],
                          "text": ["a", "b", "c", "d"]})
    ax = plots.heatmap(table, "city", "component", "diff", center=0.0, annot="text",
                       cbar_label="diff")
    mesh = ax.collections[0]
    assert (mesh.norm.vmin, mesh.norm.vmax) == (-2.0, 2.0)
    assert sorted(t.get_text() for t in ax.texts) == ["a", "b", "c", "d"]


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
    figures.component_changes(changes)


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
