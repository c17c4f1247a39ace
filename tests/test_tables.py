"""Tests for gotone_analysis.tables: labels, number formats, marks, suppressed cells."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from pandas.io.formats.style import Styler

from gotone_analysis import labels, tables
from gotone_analysis.policy import Policy


@pytest.fixture
def changes() -> pd.DataFrame:
    return pd.DataFrame({
        "quarter": "2010Q4", "component": ["awareness", "influence"],
        "estimate": [94.26, np.nan], "se": [0.3, np.nan],
        "ci_low": [93.71, np.nan], "ci_high": [94.81, np.nan], "n": [2100, 12],
        "estimate_ref": [95.0, np.nan], "diff": [-0.74, np.nan],
        "p_value": [0.0004, np.nan], "p_adj": [0.0008, np.nan], "mark": ["▼", ""],
        "suppressed": [False, True], "note": ["", "base 12 < 30"],
    })


def test_display_frame_labels_formats_and_dashes(changes):
    before = changes.copy()
    zh = tables.display_frame(changes, lang="zh")
    assert list(zh.columns) == ["季度", "指标", "得分", "95% 置信区间", "对比值", "变化",
                                "校正后 p 值", "样本量"]
    assert zh.loc[0, "指标"] == "认知" and zh.loc[1, "指标"] == "影响力"
    assert zh.loc[0, "得分"] == "94.3"
    assert zh.loc[0, "95% 置信区间"] == "[93.7, 94.8]"
    assert zh.loc[0, "变化"] == "-0.7 ▼"
    assert zh.loc[0, "校正后 p 值"] == "<0.001"
    assert zh.loc[0, "样本量"] == "2,100"
    assert (zh.loc[1, ["得分", "95% 置信区间", "变化", "校正后 p 值"]] == tables.DASH).all()
    assert zh.loc[1, "样本量"] == "12"  # bases stay visible
    pd.testing.assert_frame_equal(changes, before)
    en = tables.display_frame(changes, lang="en", columns=["component", "estimate"], digits=2)
    assert en.to_dict("list") == {"Measure": ["Awareness", "Influence"],
                                  "Score": ["94.26", tables.DASH]}


def test_format_table_is_a_styler_with_notes(changes):
    st = tables.format_table(changes, lang="zh", min_base=30)
    assert isinstance(st, Styler)
    html = st.to_html()
    assert "样本量不足 30" in html
    assert "多重比较" in html
    assert "-0.7 ▼" in html and "#c62828" in html


def test_footnote_only_when_needed(changes):
    plain = changes.drop(columns=["mark", "suppressed", "note"])
    assert tables.footnote(plain, lang="en") == ""
    note = tables.footnote(changes, lang="en", min_base=30)
    assert "base below 30" in note and "▲/▼" in note


def test_crosstab_city_by_component():
    long = pd.DataFrame({
        "city": ["fuzhou", "fuzhou", "xiamen", "xiamen"],
        "component": ["awareness", "loyalty"] * 2,
        "estimate": [90.04, 80.0, np.nan, 81.0], "mark": ["", "▲", "", ""],
        "n": [300, 300, 10, 10], "suppressed": [False, False, True, True],
    })
    st = tables.crosstab(long, "city", "component", lang="en", min_base=30)
    grid = st.data
    assert list(grid.columns) == ["City", "Awareness", "Loyalty"]
    assert grid["City"].tolist() == ["Fuzhou", "Xiamen"]
    assert grid.iloc[0, 1:].tolist() == ["90.0", "80.0 ▲"]
    assert grid.iloc[1, 1] == tables.DASH
    assert "base below 30" in st.to_html()


def test_identical_tables_render_identical_html(changes):
    # pandas would give every Styler a random id (#T_81ba2): reader HTML of identical
    # inputs would differ between runs
    a = tables.format_table(changes, lang="en", min_base=30).to_html()
    b = tables.format_table(changes.copy(), lang="en", min_base=30).to_html()
    assert a == b
    long = changes.assign(city="fuzhou")
    assert (tables.crosstab(long, "city", "component").to_html()
            == tables.crosstab(long, "city", "component").to_html())
    # different tables keep different ids
    other = tables.format_table(changes.iloc[:1], lang="en").to_html()
    assert re.search(r'id="(T_\w+)"', a).group(1) != re.search(r'id="(T_\w+)"', other).group(1)


def test_the_interval_heading_reads_the_level_the_table_carries():

    from gotone_analysis.reports.brand_equity import scores

    rng = np.random.default_rng(0)
    n = 80
    survey = pd.DataFrame({
        "quarter": "2010Q4", "city": "fuzhou", "brand": "gotone", "tier": "regular",
        "stratum": "s", "weight": 10.0, "aw_unaided": 1.0, "aw_aided": 1.0,
        **{f"img_{k}": rng.integers(1, 11, n).astype(float) for k in range(1, 6)},
        "pref_score": rng.integers(1, 11, n).astype(float), "loy_stay": 9.0, "ltr": 9.0,
    })
    table = scores.components(survey, level=0.90)
    en = tables.format_table(table, lang="en").to_html()
    assert "90% interval" in en and "95% interval" not in en
    zh = tables.display_frame(table, lang="zh")
    assert "90% 置信区间" in zh.columns
    # a table built by hand says nothing: the policy's level heads it
    hand = table.copy()
    hand.attrs = {}
    assert "99% interval" in tables.display_frame(hand, lang="en",
                                                  level=Policy(level=0.99).level).columns
    assert "95% interval" in tables.display_frame(hand, lang="en").columns


def test_numbers_a_reader_reads_have_no_negative_zero_nor_nan():
    assert [tables.number_text(v, 1) for v in (-0.04, 0.04, -0.0, 1.26, -1.26)] == \
        ["0.0", "0.0", "0.0", "1.3", "-1.3"]
    assert [tables.number_text(v, 1, signed=True) for v in (-0.04, 0.2, -0.2)] == \
        ["0.0", "+0.2", "-0.2"]
    assert [tables.number_text(v) for v in (np.nan, None, pd.NA, np.inf, "x")] == \
        [tables.DASH] * 5
    assert tables.interval_text(0.01, -0.03) == "[0.0, 0.0]"
    assert tables.interval_text(np.nan, 1.0) == tables.DASH
    assert [tables.cell_text(v) for v in (np.nan, None, pd.NA, -0.0, "a")] == \
        [tables.DASH, tables.DASH, tables.DASH, "0.0", "a"]
    frame = pd.DataFrame({"x": [np.nan, -0.0001], "t": [None, "a"]})
    html = tables.reader_table(frame, ["x", "t"], formats={
        "x": tables.number_cells("x", 1)}).to_html()
    assert ">nan<" not in html and ">None<" not in html and "-0.0" not in html
    # catalog texts follow the same rule
    assert labels.text("unit.points", "zh", value="1.0") == "1.0 个百分点"
    assert tables.percentage_points_text(-0.0004, "en") == "0.0 pp"
    assert tables.percentage_points_text(0.012, "zh") == "+1.2 个百分点"
    marks = labels.text("note.marks", "en", up="▲", down="▼", alpha=-0.001)  # {alpha:.0%}
    assert "at the 0% level" in marks
    assert "at the — level" in labels.text("note.marks", "en", up="▲", down="▼",
                                           alpha=float("nan"))


def test_large_counts_in_the_readers_units():
    assert tables.count_text(3_000_000_000, "zh") == "30 亿"
    assert tables.count_text(3_000_000_000, "en") == "3 billion"
    assert tables.count_text(12_500_000, "zh") == "1,250 万"
    assert tables.count_text(12_500_000, "en") == "12.5 million"
    # a count not round in its unit keeps every digit: nothing compared is rounded away
    assert tables.count_text(167_383_643, "zh") == "167,383,643"
    assert tables.count_text(165_900, "en") == "165,900"
    assert tables.count_text(-2_100, "zh", signed=True) == "-2,100"
