"""The driver statistics on the demo data: the planted story of the 2009 decline is found."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

from gotone_analysis.demo import model
from gotone_analysis.drivers import decompose_change
from gotone_analysis.io import open_dataset
from gotone_analysis.reports.satisfaction import tables as S


@pytest.fixture(scope="module")
def scored(small_demo) -> pd.DataFrame:
    return S.respondent_scores(open_dataset(small_demo).survey())


def _years(scored: pd.DataFrame):
    g = scored[scored["brand"] == "gotone"].assign(
        wave_stratum=lambda d: d["stratum"] + "_" + d["quarter"],  # strata of each wave
        quarter_of_year=lambda d: d["quarter"].str[-2:])
    return g[g["quarter"].str[:4] == "2008"], g[g["quarter"].str[:4] == "2009"]


def _planted_endowments() -> dict[str, float]:
    """beta_k x (population change of driver k, 2008 -> 2009), from the generating model."""
    c = model.cells()
    ex = model.expectations(c)
    g = (c["brand"] == "gotone").to_numpy()
    n = c["N"].to_numpy(float)[g]
    year = c["quarter"].str[:4].to_numpy()[g]
    items = {"image": list(model.IMAGE_ITEMS), "value": ["val_price", "val_quality"],
             **{p: [p] for p in S.QUALITY_ITEMS}}
    beta = {"image": model.SAT_DRIVERS["img_mean"],
            "value": model.SAT_DRIVERS["val_price"] + model.SAT_DRIVERS["val_quality"],
            **{p: model.SAT_DRIVERS.get(p, 0.0) for p in S.QUALITY_ITEMS}}
    out = {}
    for k, cols in items.items():
        x = ((ex[cols].mean(axis=1) - 1) / 9 * 100).to_numpy()[g]
        mean = {y: (n[year == y] * x[year == y]).sum() / n[year == y].sum()
                for y in ("2008", "2009")}
        out[k] = beta[k] * (mean["2009"] - mean["2008"])
    return out


#: The demo's generating cells (quarter x city x tier), held as controls: within a pooled
#: year the quarter of the year tells the quarters apart.
CELLS = ["quarter_of_year", "city", "tier"]


def test_2009_decline_is_image_and_value(scored, small_demo):
    before, after = _years(scored)
    out = decompose_change(before, after, "satisfaction", list(S.DRIVERS), weight="weight",
                           strata="wave_stratum", controls=CELLS, replicates=200, seed=1)
    tot = out[out["term"] == "total"].set_index("part")["estimate"]
    truth = json.loads((small_demo / "_truth" / "ground_truth.json").read_text())
    by_year = truth["survey"]["gotone_province_by_year"]
    planted_gap = by_year["2009"]["satisfaction"] - by_year["2008"]["satisfaction"]
    gap = out[out["part"] == "gap"].iloc[0]
    assert gap["estimate"] < 0 and gap["ci_high"] < 0
    assert gap["ci_low"] - 0.2 <= planted_gap <= gap["ci_high"] + 0.2
    # the parts add up to the gap to machine precision
    assert tot[["endowments", "coefficients", "interaction"]].sum() == pytest.approx(
        tot["gap"], abs=1e-12)
    endow = out[(out["part"] == "endowments") & (out["term"] != "total")].set_index("term")
    two_most_negative = endow["estimate"].nsmallest(2).index
    assert set(two_most_negative) == {"image", "value"}
    assert (endow.loc[["image", "value"], "ci_high"] < 0).all()
    pq = endow.loc[list(S.QUALITY_ITEMS), "estimate"]
    assert abs(pq.sum()) < 0.1 and (pq.abs() < 0.05).all()  # attribute performance: about nothing
    planted = _planted_endowments()
    assert endow.loc["value", "estimate"] == pytest.approx(planted["value"], abs=0.25)
    assert endow.loc["image", "estimate"] == pytest.approx(planted["image"], abs=0.15)


def test_index_lead_over_network_is_shown(scored, small_demo):
    ds = open_dataset(small_demo)
    quarters = [f"2009Q{q}" for q in range(1, 5)]
    trend = S.satisfaction_trend(scored, quarters, benchmark=ds.benchmark())
    assert list(trend["quarter"]) == quarters
    assert {"network", "lead", "lead_ci_low", "lead_ci_high"} <= set(trend.columns)
    assert (trend["lead"] > 0).all()
    truth = json.loads((small_demo / "_truth" / "ground_truth.json").read_text())
    lead_2009 = (truth["survey"]["gotone_province_by_year"]["2009"]["satisfaction"]
                 - truth["benchmark_by_year"]["2009"]["satisfaction"])
    assert trend["lead"].mean() == pytest.approx(lead_2009, abs=0.6)


def test_small_city_driver_model_not_estimated(scored):
    counts = scored[(scored["brand"] == "gotone") & (scored["quarter"] == "2010Q4")]
    small = counts.groupby("city").size().idxmin()
    out = S.change_decomposition(scored, "2010Q4", "2010Q3", scope=small, replicates=20)
    assert out["status"].iloc[0] == "not_estimated"
    assert out["n_after"].iloc[0] < S.DRIVER_MIN_BASE
    prov = S.change_decomposition(scored, "2010Q4", "2010Q3", replicates=20)
    assert (prov["status"] == "estimated").all()
    moved = S.what_moved(scored, "2010Q4", "2010Q3")
    head = S.headline(S.satisfaction_trend(scored, ["2010Q3", "2010Q4"]), moved, prov)
    parts = sum(head[k] for k in ("endowments", "coefficients", "interaction"))
    assert parts == pytest.approx(head["satisfaction_change"], abs=0.5)  # full sample vs complete cases
    assert head["drivers_estimated"] is True


@pytest.mark.slow
def test_intervals_cover_planted_endowments_over_seeds():
    from gotone_analysis.demo.survey import simulate_survey

    planted = _planted_endowments()
    hits = {k: 0 for k in planted}
    seeds = 20
    for seed in range(seeds):
        frames = [simulate_survey(f"{y}Q{q}", seed=1000 * seed + 10 * (y - 2008) + q)
                  for y in (2008, 2009) for q in range(1, 5)]
        sc = S.respondent_scores(pd.concat(frames, ignore_index=True))
        before, after = _years(sc)
        out = decompose_change(before, after, "satisfaction", list(S.DRIVERS), weight="weight",
                               strata="wave_stratum", controls=CELLS, replicates=200,
                               seed=seed)
        endow = out[out["part"] == "endowments"].set_index("term")
        for k in hits:
            hits[k] += int(endow.loc[k, "ci_low"] <= planted[k] <= endow.loc[k, "ci_high"])
    coverage = {k: v / seeds for k, v in hits.items()}
    print("coverage of the planted endowments:", coverage, file=sys.stderr)
    # The demo plants a satisfaction level per cell (quarter x city x tier) that the drivers
    # do not carry; with the cells held as controls the slopes are within-cell slopes.
    # Measured over 100 seeds (200 replicates, 95 % percentile intervals): image 0.97,
    # value 0.95, pq_network 0.93, pq_tariff 0.93, pq_hall 0.99, pq_hotline 0.99; without
    # the controls image 0.84 (biased slope), value 0.96, pq_* 0.92-0.99.
    assert min(coverage[p] for p in S.QUALITY_ITEMS) >= 0.85
    assert min(coverage["image"], coverage["value"]) >= 0.85
    assert np.mean(list(coverage.values())) >= 0.9
