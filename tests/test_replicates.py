"""Rao–Wu bootstrap replicate weights: against the Taylor SEs on R's ``api`` data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gotone_analysis.errors import DataError, UsageError
from gotone_analysis.replicates import (
    bootstrap_weights,
    replicate_apply,
    summarise_replicates,
    weighted_moments,
)
from gotone_analysis.survey import estimate

DATA = Path(__file__).parent / "reference" / "data"
R = 2000  # Monte-Carlo relative error of a bootstrap SE ~ 1/sqrt(2(R-1)) = 1.6 %


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype={"cds": str})


def _mean(col: np.ndarray):
    def stat(w: np.ndarray) -> np.ndarray:
        return (w.T @ col) / w.sum(axis=0)
    return stat


@pytest.mark.parametrize(
    ("name", "design"),
    [("apistrat.csv", {"strata": "stype"}), ("apiclus1.csv", {"psu": "dnum"})],
)
def test_replicate_se_of_mean_matches_taylor(name, design):
    data = _read(name)
    taylor = estimate(data, "api00", weight="pw", **design)  # with-replacement (no fpc)
    reps = bootstrap_weights(data, weight="pw", replicates=R, seed=11, **design)
    out = replicate_apply(_mean(data["api00"].to_numpy(float)), reps, names=["api00"])
    assert out["estimate"].iloc[0] == pytest.approx(taylor["estimate"].iloc[0], rel=1e-12)
    mc = 1 / np.sqrt(2 * (R - 1))
    # within three Monte-Carlo standard errors of the linearised SE (R survey's SE without fpc)
    assert out["se"].iloc[0] == pytest.approx(taylor["se"].iloc[0], rel=3 * mc)
    lo, hi = out[["ci_low", "ci_high"]].iloc[0]
    assert lo < taylor["estimate"].iloc[0] < hi


def test_taylor_reference_without_fpc_is_r():
    # the Taylor SE the bootstrap is compared with is R survey's svymean SE without fpc
    taylor = estimate(_read("apistrat.csv"), "api00", weight="pw", strata="stype")
    assert taylor["se"].iloc[0] == pytest.approx(9.5361323, rel=1e-6)


def test_structure_of_subbootstrap():
    data = _read("apistrat.csv")
    reps = bootstrap_weights(data, weight="pw", strata="stype", replicates=50, seed=3)
    factors = reps.weights / reps.full[:, None]
    for _, idx in data.groupby("stype").indices.items():
        n_h = len(idx)
        counts = factors[idx] * (n_h - 1) / n_h
        np.testing.assert_allclose(counts, np.round(counts), atol=1e-9)
        np.testing.assert_allclose(counts.sum(axis=0), n_h - 1)  # n_h - 1 draws per stratum
    assert reps.scale == pytest.approx(1 / 49)
    again = bootstrap_weights(data, weight="pw", strata="stype", replicates=50, seed=3)
    np.testing.assert_array_equal(reps.weights, again.weights)
    other = bootstrap_weights(data, weight="pw", strata="stype", replicates=50, seed=4)
    assert not np.array_equal(reps.weights, other.weights)


def test_vectorised_and_loop_agree():
    data = _read("apiclus1.csv")
    reps = bootstrap_weights(data, weight="pw", psu="dnum", replicates=40, seed=1)
    y = data["api00"].to_numpy(float)
    vec = replicate_apply(_mean(y), reps, interval="normal")
    loop = replicate_apply(lambda w: np.sum(w * y) / np.sum(w), reps, vectorised=False,
                           interval="normal")
    np.testing.assert_allclose(vec[["estimate", "se", "ci_low", "ci_high"]],
                               loop[["estimate", "se", "ci_low", "ci_high"]], rtol=1e-12)
    half = vec["ci_high"] - vec["estimate"]
    np.testing.assert_allclose(half, 1.959963984540054 * vec["se"], rtol=1e-12)


def test_weighted_moments_against_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)) + 50
    w = rng.uniform(0.5, 3, size=(300, 3))
    means, cov = weighted_moments(x, w)
    for k in range(3):
        np.testing.assert_allclose(means[k], np.average(x, axis=0, weights=w[:, k]))
        np.testing.assert_allclose(cov[k], np.cov(x.T, aweights=w[:, k], bias=True), rtol=1e-10)


def test_single_psu_stratum_refused_or_kept():
    data = pd.DataFrame({"s": [1, 1, 2], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match="one PSU"):
        bootstrap_weights(data, strata="s", replicates=5)
    reps = bootstrap_weights(data, strata="s", replicates=5, lonely_psu="certainty")
    np.testing.assert_array_equal(reps.weights[2], np.ones(5))
    with pytest.raises(UsageError):
        bootstrap_weights(data, replicates=1)


def test_summary_skips_undefined_replicates():
    reps = np.array([[1.0], [np.nan], [3.0], [2.0]])
    out = summarise_replicates(np.array([2.0]), reps, scale=1 / 3, interval="percentile")
    assert out["se"][0] == pytest.approx(1.0)
    assert out["ci_low"][0] < out["ci_high"][0]
