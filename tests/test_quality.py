"""Data-quality tables, checked on examples small enough to compute by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gotone_analysis import labels
from gotone_analysis.errors import DataError
from gotone_analysis.policy import Policy
from gotone_analysis.reports.data_quality import tables as quality


@pytest.fixture()
def sample() -> pd.DataFrame:
    # fuzhou: weights 1, 1, 2, 4; xiamen: weights 2, 2
    return pd.DataFrame({
        "city": ["fuzhou", "fuzhou", "fuzhou", "fuzhou", "xiamen", "xiamen"],
        "tier": ["gold", "gold", "regular", "regular", "gold", "regular"],
        "stratum": ["a", "a", "b", "b", "c", "c"],
        "weight": [1.0, 1.0, 2.0, 4.0, 2.0, 2.0],
        "sat_overall": [8, 98, 7, None, 9, 6],
        "pref_score": [5, 6, 7, 8, 9, 10],
    })


def test_bases(sample):
    tab = quality.bases(sample, by=["city"], min_base=3)
    assert tab["city"].tolist() == ["fuzhou", "xiamen"]
    assert tab["n"].tolist() == [4, 2]
    assert tab["weighted_n"].tolist() == [8.0, 4.0]
    assert tab["share"].tolist() == pytest.approx([8 / 12, 4 / 12])
    assert tab["low_base"].tolist() == [False, True]
    by2 = quality.bases(sample, by=["city", "tier"])
    assert len(by2) == 4 and by2["share"].sum() == pytest.approx(1.0)


def test_weight_diagnostics_kish(sample):
    tab = quality.weight_diagnostics(sample, by="city")
    fz = tab.iloc[0]
    # n = 4, sum w = 8, sum w^2 = 22: deff = 4 * 22 / 64, n_eff = 64 / 22
    assert fz["city"] == "fuzhou" and fz["n"] == 4
    assert fz["deff_kish"] == pytest.approx(1.375)
    assert fz["n_eff"] == pytest.approx(64 / 22)
    assert fz["cv"] == pytest.approx(math.sqrt(0.375))  # population CV of 1,1,2,4
    assert fz["cv"] == pytest.approx(np.std([1, 1, 2, 4]) / np.mean([1, 1, 2, 4]))
    assert fz["max_min_ratio"] == 4.0
    xm = tab.iloc[1]
    assert xm["deff_kish"] == pytest.approx(1.0) and xm["n_eff"] == pytest.approx(2.0)
    total = tab.iloc[-1]
    # all six: sum w = 12, sum w^2 = 30 -> deff = 6 * 30 / 144
    assert total["city"] == "all" and total["n"] == 6
    assert total["deff_kish"] == pytest.approx(1.25)
    assert total["n_eff"] == pytest.approx(144 / 30)
    only = quality.weight_diagnostics(sample, by=None)
    assert len(only) == 1 and only["deff_kish"].iloc[0] == pytest.approx(1.25)


def test_bad_weights_are_refused(sample):
    bad = sample.assign(weight=[1.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    with pytest.raises(DataError, match="weight"):
        quality.weight_diagnostics(bad)


def test_missingness_counts_98_99(sample):
    tab = quality.missingness(sample, ["sat_overall", "pref_score"], threshold=0.3)
    sat = tab.set_index("item").loc["sat_overall"]
    assert sat["n_missing"] == 2 and sat["share_missing"] == pytest.approx(2 / 6)
    assert bool(sat["flagged"])
    pref = tab.set_index("item").loc["pref_score"]
    assert pref["n_missing"] == 0 and not bool(pref["flagged"])
    assert tab["item"].tolist()[0] == "sat_overall"  # most missing first
    # default item list: contract items present in the data
    assert set(quality.missingness(sample)["item"]) == {"sat_overall", "pref_score"}


def test_missing_by_city(sample):
    tab = quality.missing_by(sample, "city", ["sat_overall"])
    assert tab["share_missing"].tolist() == pytest.approx([0.5, 0.0])


def test_compare_bases(sample):
    prev = sample.iloc[:3]
    tab = quality.compare_bases(sample, prev, by="city")
    assert tab["n"].tolist() == [4, 2]
    assert tab["n_compare"].tolist()[0] == 3 and pd.isna(tab["n_compare"].iloc[1])
    assert tab["change"].tolist()[0] == 1
    none = quality.compare_bases(sample, None, by="city")
    assert none["n_compare"].isna().all()


def test_estimate_deffs_match_the_survey_module(sample):
    from gotone_analysis.survey import estimate

    tab = quality.estimate_deffs(sample, ["pref_score"],
                                 design={"weight": "weight", "strata": "stratum"})
    ref = estimate(sample, "pref_score", weight="weight", strata="stratum",
                   lonely_psu="adjust")
    assert tab["estimate"].iloc[0] == pytest.approx(ref["estimate"].iloc[0])
    assert tab["deff"].iloc[0] == pytest.approx(ref["deff"].iloc[0], nan_ok=True)
    # weighted mean of 5..10 with weights 1,1,2,4,2,2
    assert tab["estimate"].iloc[0] == pytest.approx((5 + 6 + 14 + 32 + 18 + 20) / 12)


class _StubDataset:
    """Just enough of gotone_analysis.io.Dataset for validation_summary."""

    root = Path("nowhere")

    def __init__(self, warnings=()):
        self._warnings = list(warnings)

    def quarters(self):
        return ["2010Q4"]

    def survey(self, quarters):
        return None

    def kpi(self):
        raise DataError("kpi broken", [{"file": "kpi/kpi_2010.csv", "column": "month",
                                        "rule": "format", "detail": "not YYYY-MM",
                                        "count": 3}])

    def benchmark(self):
        return None

    def sources(self):
        return pd.DataFrame({"path": ["survey/survey_2010Q4.csv"], "kind": ["survey"],
                             "format": ["csv"], "sha256": ["ab" * 32], "rows": [6],
                             "bytes": [100], "encoding": ["utf-8"]})

    def warnings(self):
        return self._warnings


def test_validation_summary_lists_files_and_problems():
    tab = quality.validation_summary(_StubDataset(), ["2010Q4", "2010Q3"])
    assert tab["status"].tolist() == ["ok", "failed"]
    assert tab["path"].tolist() == ["survey/survey_2010Q4.csv", "kpi/kpi_2010.csv"]
    assert tab["problems"].tolist() == [0, 3]
    assert "month" in tab["detail"].iloc[1] and "format" in tab["detail"].iloc[1]


def test_validation_summary_shows_input_warnings():
    warning = {"file": "survey/survey_2010Q4.csv", "column": "weight", "rule": "outlier",
               "detail": "above 50 x the file's median (1.7); found 120: check them",
               "count": 1, "rows": [4], "examples": [], "severity": "warning"}
    tab = quality.validation_summary(_StubDataset([warning]), ["2010Q4"])
    assert tab["status"].tolist() == ["ok", "failed", "warning"]
    row = tab.iloc[-1]
    assert (row["kind"], row["path"], row["problems"]) == ("survey", "survey/survey_2010Q4.csv", 1)
    assert row["detail"].startswith("weight outlier above 50 x the file's median")
    survey = pd.DataFrame({"city": ["fuzhou", "xiamen"], "weight": [1.0, 1.0]})
    head = quality.headline(survey, quality.weight_diagnostics(survey, by="city"),
                            quality.bases(survey, by="city"), quality.missingness(survey), tab)
    assert (head["files_read"], head["files_failed"], head["input_warnings"]) == (1, 1, 1)
    note = labels.text("section.data_quality.validation_summary.note", "en")
    assert "warning" in note and "do not stop the run" in note


def test_headline_and_view(sample):
    weights = quality.weight_diagnostics(sample, by="city")
    bases = quality.bases(sample, by="city", min_base=3)
    missing = quality.missingness(sample, ["sat_overall", "pref_score"])
    validation = quality.validation_summary(_StubDataset(), ["2010Q4"])
    head = quality.headline(sample, weights, bases, missing, validation)
    assert head == {
        "respondents": 6, "weighted_total": 12.0, "deff_kish": pytest.approx(1.25),
        "n_eff": pytest.approx(4.8), "max_min_ratio": 4.0, "low_base_cells": 1,
        "items_flagged": 1, "max_share_missing": pytest.approx(1 / 3), "files_read": 1,
        "files_failed": 1, "input_warnings": 0,
    }
    html = quality.view(weights, lang="en").to_html()
    assert "Design effect (Kish)" in html and "Fuzhou" in html and "Total" in html
    assert "1.38" in html  # 1.375 to two decimals
    zh = quality.view(bases, lang="zh").to_html()
    assert "加权占比" in zh and "66.7%" in zh
    assert quality.breakdown("province") == ["city"] and quality.breakdown("xiamen") == ["tier"]


def test_view_renders_identical_html_for_identical_tables():
    table = pd.DataFrame({"city": ["fuzhou", "xiamen"], "n": [12, 40]})
    first = quality.view(table, lang="zh").to_html()
    again = quality.view(table.copy(), lang="zh").to_html()
    assert first == again
    assert quality.view(table.assign(n=[13, 40]), lang="zh").to_html() != first


def test_missingness_counts_items_among_those_asked():
    survey = pd.DataFrame({
        "brand": ["gotone", "gotone", "gotone", "mzone", "mzone"],
        "aw_points": [1, 0, np.nan, np.nan, np.nan],     # asked of GoTone customers only
        "pq_club": [8, np.nan, np.nan, np.nan, np.nan],  # asked of club users only
        "sat_overall": [7, 99, 8, 6, 98],                # asked of everyone
    })
    tab = quality.missingness(survey, threshold=0.3).set_index("item")
    assert tab.loc["aw_points", ["n", "n_missing"]].tolist() == [3, 1]
    assert tab.loc["aw_points", "asked_of"] == "gotone" and bool(tab.loc["aw_points", "flagged"])
    assert tab.loc["pq_club", "share_missing"] == pytest.approx(0.8)
    assert not bool(tab.loc["pq_club", "flagged"])  # missing by design, never flagged
    assert tab.loc["sat_overall", ["n", "n_missing"]].tolist() == [5, 2]
    html = quality.view(tab.reset_index(), lang="zh").to_html()
    assert "全球通客户" in html and "按设计缺失" in html


def test_an_item_empty_for_everyone_asked_is_flagged():
    survey = pd.DataFrame({
        "brand": ["gotone", "gotone", "mzone", "mzone"],
        "pq_club": [np.nan, 99, np.nan, 98],         # asked of users: nobody answered
        "pq_hall": [8, np.nan, np.nan, np.nan],      # missing by design: not flagged
        "aw_points": [np.nan, np.nan, 1, 0],         # GoTone customers only: none answered
        "sat_overall": [7, 8, 6, 9],
    })
    tab = quality.missingness(survey).set_index("item")
    assert tab.loc["pq_club", ["n", "n_missing"]].tolist() == [4, 4]
    assert bool(tab.loc["pq_club", "flagged"]) and not bool(tab.loc["pq_hall", "flagged"])
    assert tab.loc["aw_points", ["n", "n_missing"]].tolist() == [2, 2]
    assert bool(tab.loc["aw_points", "flagged"]) and not bool(tab.loc["sat_overall", "flagged"])
    empty = quality.missingness(survey.iloc[:0]).set_index("item")  # no one asked: no flag
    assert not empty["flagged"].any()
    for lang, words in (("en", "always flagged"), ("zh", "一律标为")):
        assert words in labels.text("section.data_quality.missingness.note", lang)


def test_design_effects_use_the_design_rule_of_the_brand_estimates():
    """Clusters and stratum populations filled: psu used, fpc not, as in the brand report."""
    rng = np.random.default_rng(5)
    n = 48
    frame = pd.DataFrame({
        "stratum": np.repeat(["a", "b"], n // 2), "weight": rng.uniform(5, 15, n),
        "psu": [f"p{i % 8}" for i in range(n)], "stratum_pop": 4000.0,
        "pref_score": rng.integers(1, 11, n).astype(float),
    })
    from gotone_analysis import survey

    design = survey.design_of(frame)
    assert design == {"weight": "weight", "strata": "stratum", "psu": "psu"}
    tab = quality.estimate_deffs(frame, ["pref_score"])
    want = survey.estimate(frame, "pref_score", lonely_psu="adjust", **design)
    assert tab["se"].iloc[0] == pytest.approx(want["se"].iloc[0], rel=1e-12)
    assert tab["deff"].iloc[0] == pytest.approx(want["deff"].iloc[0], rel=1e-12)
    # the rule it replaced (fpc kept, clusters ignored) gives other numbers
    old = survey.estimate(frame, "pref_score", weight="weight", strata="stratum",
                          fpc="stratum_pop", lonely_psu="adjust")
    assert abs(old["se"].iloc[0] - tab["se"].iloc[0]) > 1e-6


def test_bases_take_the_minimum_base_from_the_policy(sample):


    assert quality.bases(sample, by="city", policy=Policy(min_base=3))["low_base"].tolist() == [
        False, True]
    assert quality.bases(sample, by="city", policy=Policy(min_base=3), min_base=1)[
        "low_base"].tolist() == [False, False]
    assert quality.bases(sample, by="city")["low_base"].all()  # default MIN_BASE 30
