"""The coverage study (``benchmarks/bench_coverage.py``): its truth and its counting.

The study compares published intervals with the demo's planted truth; these checks make
sure the truth it derives is the planted one and that a wrong interval or claim is
counted as such. One small seed, two scopes, one wave.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gotone_analysis.demo import model, truth
from gotone_analysis.demo import panel as demo_panel

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def study():
    spec = importlib.util.spec_from_file_location("bench_coverage",
                                                  ROOT / "benchmarks" / "bench_coverage.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def one_seed(study):
    return study.run_seed(7, ["province", "nanping"], quarters=["2010Q4"],
                          panel_customers=6000)


def test_province_truth_is_the_planted_ground_truth(study):
    cells = study.cell_truth()
    planted = truth.survey_summary()["gotone_province_by_quarter"]
    for q in ("2008Q1", "2009Q3", "2010Q4"):
        for col in ("influence", "satisfaction", "awareness", "loyalty"):
            got = study.domain_truth(cells, cells[col], quarter=q, scope="province")
            assert got == pytest.approx(planted[q][col], abs=1e-8)


def test_city_truth_is_the_population_weighted_cell_mean(study):
    c = model.cells()
    sel = (c["quarter"] == "2010Q4") & (c["city"] == "xiamen") & (c["brand"] == "gotone")
    n, p = c.loc[sel, "N"].to_numpy(float), c.loc[sel, "aw_g3"].to_numpy(float)
    cells = study.cell_truth()
    got = study.scorecard_truth(cells, "g3_awareness", quarter="2010Q4", scope="xiamen")
    assert got == pytest.approx((n * p).sum() / n.sum(), rel=1e-12)
    # a lever's performance item is a mean among its users, on 0-100
    u = c.loc[sel, "use_points"].to_numpy(float)
    pq = c.loc[sel, "pq_points"].to_numpy(float)
    got = study.scorecard_truth(cells, "points_satisfaction", quarter="2010Q4", scope="xiamen")
    assert got == pytest.approx(100 * (n * u * pq).sum() / (n * u).sum(), rel=1e-12)


def test_planted_lever_effects(study):
    assert study.survey_lever_truth("care", "satisfaction") == pytest.approx(2.5)
    assert study.survey_lever_truth("points", "satisfaction") == pytest.approx(1.2)
    assert study.survey_lever_truth("family", "loyalty") == pytest.approx(1.5)
    assert study.survey_lever_truth("care", "loyalty") == 0.0  # the planted zero
    assert study.panel_lever_truth("club") == demo_panel.LEVER_EFFECT["club"][1]


def test_wrong_intervals_and_claims_are_counted(study):
    assert study.covers([1.0, 1.0, np.nan], [2.0, 2.0, 3.0], [1.5, 2.5, 2.0]).tolist() \
        == [True, False, False]
    assert study.is_false_claim(1.0, 0.0)
    assert study.is_false_claim(-1.0, 2.5)
    assert not study.is_false_claim(0.4, 2.5)
    iv = pd.DataFrame({"family": ["survey_lever"] * 3, "covered": [True, True, False]})
    pages = pd.DataFrame({"claims": [2, 0, 1], "false_claims": [1, 0, 0]})
    out = study.summarise(iv, pages)
    assert out["coverage_survey_lever"] == pytest.approx(2 / 3, abs=1e-4)
    assert out["survey_lever_intervals"] == 3
    assert out["false_claims_share"] == pytest.approx(1 / 3, abs=1e-4)
    assert out["pages_with_false_claim_share"] == pytest.approx(1 / 3, abs=1e-4)
    lo, hi = study.binomial_interval(95, 100)
    assert lo < 0.95 < hi


def test_one_seed_runs_the_published_estimators(study, one_seed):
    intervals, pages = one_seed
    assert set(intervals["family"]) == set(study.FAMILIES)
    assert set(pages["scope"]) == {"province", "nanping"}
    assert (pages["family_size"] > 0).all()
    # the care ATT truth lies within the planted ATT(g,t) range of its outcome
    att = demo_panel.care_att()
    care = intervals[intervals["family"] == "care_att"].set_index(["scope", "name"])
    for outcome, col in (("arpu", "att_arpu"), ("churn", "att_churn")):
        t = care.loc[("province", outcome), "truth"]
        assert att[col].min() <= t <= att[col].max()
    # a biased estimate (the interval moved by ten of its widths) does not cover
    row = intervals.iloc[0]
    width = row["ci_high"] - row["ci_low"]
    assert not study.covers(row["ci_low"] + 10 * width, row["ci_high"] + 10 * width,
                            row["truth"])
    recount = study.covers(intervals["ci_low"], intervals["ci_high"], intervals["truth"])
    assert (recount == intervals["covered"].to_numpy()).all()
