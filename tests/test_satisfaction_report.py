"""The satisfaction report: its figures draw from the tables, and the notebook runs end to end."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from gotone_analysis import config, labels
from gotone_analysis.io import open_dataset
from gotone_analysis.policy import Policy
from gotone_analysis.reports.satisfaction import figures as plots
from gotone_analysis.reports.satisfaction import tables as S
from gotone_analysis.survey import trend_quarters

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "satisfaction.ipynb"


@pytest.fixture(scope="module")
def report_tables(small_demo):
    ds = open_dataset(small_demo)
    scored = S.respondent_scores(ds.survey())
    pol = Policy(min_base=30, seed=7)
    trend = S.satisfaction_trend(scored, trend_quarters(scored, "2010Q4"),
                                 benchmark=ds.benchmark(), policy=pol)
    dec = S.change_decomposition(scored, "2010Q4", "2010Q3", replicates=40, policy=pol)
    ipa = S.driver_map(scored, "2010Q4", "2010Q3", replicates=40, policy=pol)
    small = S.change_decomposition(scored, "2010Q4", "2010Q3", scope="ningde", replicates=40,
                                   policy=pol)
    return trend, dec, ipa, small


def test_report_is_listed_after_brand_equity():
    names = list(config.REPORTS)
    assert names.index("satisfaction") == names.index("brand_equity") + 1


def test_figures_return_axes_and_leave_their_tables_alone(report_tables):
    trend, dec, ipa, small = report_tables
    before = [t.copy() for t in report_tables]
    for draw, table in ((plots.satisfaction_index_plot, trend),
                        (plots.decomposition_waterfall, dec),
                        (plots.importance_performance_plot, ipa),
                        (plots.decomposition_waterfall, small)):
        ax = draw(table, lang="zh")
        assert isinstance(ax, Axes)
        plt.close(ax.figure)
    for a, b in zip(before, report_tables, strict=True):
        pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(("lang", "lead", "words"), [
    ("zh", 2.6, "领先全网 +2.6"), ("en", 2.6, "+2.6 over the network"),
    ("zh", -1.2, "落后全网 1.2"), ("en", -1.2, "1.2 below the network")])
def test_the_trend_says_the_last_lead_is_a_lead_over_the_network(lang, lead, words):
    trend = pd.DataFrame({"quarter": ["2010Q3", "2010Q4"], "estimate": [78.0, 80.0],
                          "ci_low": [77.0, 79.0], "ci_high": [79.0, 81.0],
                          "network": [77.0, 80.0 - lead], "lead": [1.0, lead],
                          "lead_significant": [True, True]})
    ax = plots.satisfaction_index_plot(trend, lang=lang)
    assert [t.get_text() for t in ax.texts] == [words]  # not a bare "+2.6", read as a change
    plt.close(ax.figure)
    ax = plots.satisfaction_index_plot(trend.assign(lead_significant=False), lang=lang)
    assert not ax.texts
    plt.close(ax.figure)


def test_waterfall_steps_add_up_to_the_change(report_tables):
    _, dec, _, _ = report_tables
    fig, ax = plt.subplots()
    assert plots.decomposition_waterfall(dec, lang="en", ax=ax) is ax
    bars = ax.patches
    steps, gap = bars[:-1], bars[-1]
    # six drivers, the segment mix, coefficients, interaction; then the change itself
    assert len(steps) == len(S.DRIVERS) + 3
    assert sum(b.get_height() for b in steps) == pytest.approx(gap.get_height(), abs=1e-9)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == labels.code_label("image", "en")
    assert labels.code_label("(controls)", "en") in ticks
    plt.close(fig)


def test_importance_performance_arrows_start_at_the_comparison_quarter(report_tables):
    _, _, ipa, _ = report_tables
    ax = plots.importance_performance_plot(ipa, lang="en")
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    assert len(arrows) == len(S.DRIVERS)
    prev = ipa[ipa["period"] == "comparison"].set_index("driver")
    starts = sorted(tuple(a.xyann) for a in arrows)
    expected = sorted((100 * prev.loc[d, "importance"], prev.loc[d, "performance"])
                      for d in S.DRIVERS)
    np.testing.assert_allclose(np.array(starts), np.array(expected))
    plt.close(ax.figure)


def test_small_base_panel_says_not_estimated(report_tables):
    *_, small = report_tables
    ax = plots.decomposition_waterfall(small, lang="en")
    assert not ax.patches
    assert any("not estimated" in t.get_text() for t in ax.texts)
    plt.close(ax.figure)


def _run(small_demo, tmp_path, monkeypatch, **parameters):
    import papermill

    publish = tmp_path / "published"
    monkeypatch.setenv("GOTONE_PUBLISH_DIR", str(publish))
    out = tmp_path / "satisfaction.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3",
                               cwd=str(tmp_path), progress_bar=False,
                               parameters={"data_dir": str(small_demo), **parameters})
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    text = "".join("".join(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    metrics = json.loads((publish / "satisfaction.metrics.json").read_text(encoding="utf-8"))
    sheets = pd.ExcelFile(publish / "satisfaction.tables.xlsx").sheet_names
    return html, text, pngs, metrics, sheets


def test_notebook_for_the_province(small_demo, tmp_path, monkeypatch):
    html, text, pngs, metrics, sheets = _run(small_demo, tmp_path, monkeypatch,
                                             scope="province", lang="en")
    assert len(pngs) == 3  # index trend, waterfall, importance-performance
    assert metrics["drivers_estimated"] is True
    assert metrics["satisfaction_lead"] > 0 and metrics["satisfaction_network"] > 0
    parts = sum(metrics[k] for k in ("endowments", "coefficients", "interaction"))
    assert parts == pytest.approx(metrics["satisfaction_change"], abs=0.5)  # complete cases
    assert {"trend", "what_moved", "decomposition", "importance_performance",
            "segments_tier", "segments_city"} <= set(sheets)
    assert "Satisfaction" in text and "network average" in text


def test_notebook_for_a_small_city_suppresses_and_says_so(small_demo, tmp_path, monkeypatch):
    html, text, pngs, metrics, sheets = _run(small_demo, tmp_path, monkeypatch,
                                             scope="ningde", lang="zh", min_base=200)
    assert metrics["drivers_estimated"] is False
    assert metrics["satisfaction_suppressed"] is True and metrics["satisfaction"] is None
    assert "样本量不足 200，不予显示" in html and ">—<" in html
    assert "驱动因素模型不予估计" in text or "驱动因素模型未估计" in text
    assert labels.text("narrative.satisfaction.suppressed", "zh", min_base=200) in text
    assert not any(w in text for w in ("显著上升", "显著下降"))
    assert {"trend", "what_moved", "decomposition", "segments_tier"} <= set(sheets)


@pytest.fixture(scope="module")
def ecsi_tables(small_demo):
    ds = open_dataset(small_demo)
    pol = Policy(min_base=30, seed=7)
    est = S.satisfaction_index(ds.survey(), "2010Q4", replicates=40, policy=pol)
    small = S.satisfaction_index(ds.survey(), "2010Q4", scope="ningde", replicates=40,
                                 policy=pol)
    return est, small


def test_ecsi_tables_carry_r2_and_the_level(ecsi_tables):
    (idx, paths), _ = ecsi_tables
    assert list(idx["construct"]) == list(S.ECSI_BLOCKS)
    assert np.isnan(idx.set_index("construct").loc["image", "r2"])  # exogenous
    r2 = idx.set_index("construct")["r2"].dropna()
    assert ((r2 >= 0) & (r2 <= 1)).all() and len(r2) == len(S.ECSI_BLOCKS) - 1
    by_target = paths.drop_duplicates("target").set_index("target")["r2_target"]
    pd.testing.assert_series_equal(r2.sort_index(), by_target.sort_index(), check_names=False)
    assert idx.attrs["level"] == paths.attrs["level"] == 0.95
    assert (idx["ci_low"] <= idx["estimate"]).all() and (idx["estimate"] <= idx["ci_high"]).all()


def test_headline_publishes_the_ecsi_index_under_its_own_keys(report_tables, ecsi_tables, small_demo):
    trend, dec, _, small_dec = report_tables
    (idx, _), (small_idx, _) = ecsi_tables
    ds = open_dataset(small_demo)
    scored = S.respondent_scores(ds.survey())
    moved = S.what_moved(scored, "2010Q4", "2010Q3", policy=Policy(min_base=30, seed=7))
    plain = S.headline(trend, moved, dec)
    assert not any(k.startswith("ecsi_") for k in plain)
    out = S.headline(trend, moved, dec, index=idx)
    assert {k: v for k, v in out.items() if k in plain} == plain  # existing keys unchanged
    sat = idx.set_index("construct").loc["satisfaction"]
    assert out["ecsi_estimated"] is True and out["ecsi_n"] == sat["n"]
    assert out["ecsi_satisfaction_index"] == pytest.approx(sat["estimate"])
    assert out["ecsi_satisfaction_index_ci_low"] == pytest.approx(sat["ci_low"])
    assert out["ecsi_satisfaction_index_ci_high"] == pytest.approx(sat["ci_high"])
    assert out["ecsi_satisfaction_index_se"] == pytest.approx(sat["se"])
    assert out["ecsi_satisfaction_r2"] == pytest.approx(sat["r2"])
    none = S.headline(trend, moved, small_dec, index=small_idx)
    assert none["ecsi_estimated"] is False and none["ecsi_n"] < S.DRIVER_MIN_BASE
    assert none["ecsi_satisfaction_index"] is None and none["ecsi_satisfaction_r2"] is None


def test_notebook_shows_the_ecsi_model_for_the_province(small_demo, tmp_path, monkeypatch):
    html, text, _, metrics, sheets = _run(small_demo, tmp_path, monkeypatch,
                                          scope="province", lang="en")
    assert labels.text("section.satisfaction.satisfaction_index_model", "en") in text
    assert labels.text("section.satisfaction.satisfaction_index_model.note", "en") in text
    for heading in ("Construct", "Index (0–100)", "R²", "Path coefficient", "From", "To"):
        assert f">{heading}<" in html, heading
    assert ">Perceived quality<" in html and ">Loyalty<" in html
    assert metrics["ecsi_estimated"] is True and metrics["ecsi_n"] >= S.DRIVER_MIN_BASE
    lo, est, hi = (metrics[f"ecsi_satisfaction_index{k}"] for k in ("_ci_low", "", "_ci_high"))
    assert 0 < lo < est < hi < 100
    assert f">{est:.1f}<" in html
    assert {"ecsi_index", "ecsi_paths"} <= set(sheets)


def test_notebook_for_a_small_city_does_not_estimate_the_ecsi_model(small_demo, tmp_path,
                                                                   monkeypatch):
    html, text, _, metrics, sheets = _run(small_demo, tmp_path, monkeypatch,
                                          scope="ningde", lang="zh", min_base=200)
    assert labels.text("section.satisfaction.satisfaction_index_model", "zh") in text
    assert metrics["ecsi_estimated"] is False
    assert metrics["ecsi_satisfaction_index"] is None
    assert labels.text("note.satisfaction.ecsi_not_estimated", "zh",
                       min_base=S.DRIVER_MIN_BASE, n=int(metrics["ecsi_n"])) in text
    assert "路径系数" not in html  # no path table
    assert {"ecsi_index", "ecsi_paths"} <= set(sheets)


def test_the_first_wave_has_nothing_to_compare_with_and_claims_nothing(small_demo):
    from gotone_analysis.io import open_dataset
    from gotone_analysis.reports.satisfaction import sentences

    ds = open_dataset(small_demo)
    scored = S.respondent_scores(ds.survey())
    first = min(scored["quarter"])
    before = f"{int(first[:4]) - 1}Q4"
    moved = S.what_moved(scored, first, before, policy=Policy(min_base=30))
    assert moved["estimate"].notna().all() and moved["estimate_ref"].isna().all()
    assert not moved["significant"].any() and not moved["suppressed"].any()
    assert S.segment_changes(scored, first, before) == {}
    trend = S.satisfaction_trend(scored, trend_quarters(scored, first))
    text = sentences.satisfaction_narrative(trend, moved,
                                            S.change_decomposition(scored, first, before),
                                            [], "en")
    assert f"No comparable data for {before}" in text
    assert "rose" not in text and "fell" not in text


def test_decomposition_shares_come_with_replicate_intervals(report_tables, small_demo):
    trend = report_tables[0]
    ds = open_dataset(small_demo)
    scored = S.respondent_scores(ds.survey())
    pol = Policy(min_base=30, seed=7)
    # the planted rise from 2010Q2 to 2010Q4 (+2.4 points): its interval excludes zero
    dec = S.change_decomposition(scored, "2010Q4", "2010Q2", replicates=40, policy=pol)
    gap = dec[(dec["part"] == "gap") & (dec["term"] == "total")].iloc[0]
    assert gap["ci_low"] > 0
    assert gap["change_share"] == pytest.approx(1.0)
    rows = dec[dec["part"] != "gap"]
    np.testing.assert_allclose(rows["change_share"], rows["estimate"] / gap["estimate"])
    assert (rows["change_share_ci_low"] <= rows["change_share"]).all()
    assert (rows["change_share"] <= rows["change_share_ci_high"]).all()
    # the terms of a part share out the part's own share
    endow = rows[(rows["part"] == "endowments") & (rows["term"] != "total")]
    total = rows[(rows["part"] == "endowments") & (rows["term"] == "total")].iloc[0]
    assert endow["change_share"].sum() == pytest.approx(total["change_share"])
    moved = S.what_moved(scored, "2010Q4", "2010Q2", policy=pol)
    segments = S.segment_changes(scored, "2010Q4", "2010Q2", replicates=40, policy=pol)
    out = S.headline(trend, moved, dec, segments)
    value = dec[(dec["part"] == "endowments") & (dec["term"] == "value")].iloc[0]
    assert out["endowments_value_share"] == pytest.approx(value["change_share"])
    assert out["endowments_value_share_ci_low"] == pytest.approx(value["change_share_ci_low"])
    city = segments["city"].set_index(["part", "term"])
    assert out["segments_city_within_fuzhou_share"] == pytest.approx(
        city.loc[("within", "fuzhou"), "change_share"])
    # a change whose interval includes zero has no shares: a city's change within a quarter
    # (about one point planted, a city's sampling error larger)
    steady = 0
    for c in config.CITY_CODES:
        seg = S.segment_change(scored, "2010Q4", "2010Q3", "tier", scope=c, replicates=40,
                               policy=pol)
        change = seg[seg["part"] == "change"].iloc[0]
        if change["ci_low"] < 0 < change["ci_high"]:
            steady += 1
            assert seg[list(S.SHARE_COLUMNS)].isna().all().all(), c
    assert steady


def test_the_ecsi_index_is_named_a_different_quantity_from_the_score():
    """One satisfaction score on every page; where the ECSI model's satisfaction index is
    shown, its note says it is another quantity and states the score's rule."""
    from gotone_analysis import labels

    zh = labels.text("section.satisfaction.satisfaction_index_model.note", "zh")
    en = labels.text("section.satisfaction.satisfaction_index_model.note", "en")
    assert "不是同一个量" in zh and "三题中至少两题" in zh
    assert "not the satisfaction score above" in en and "at least two of the three" in en
