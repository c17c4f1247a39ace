"""IPW and AIPW against Stata ``teffects`` on ``cataneo2``; weights and diagnostics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels

from gotone_analysis.effects import weighting_estimate

# shipped with statsmodels' treatment-effect tests (maternal smoking, birth weight)
CATANEO = Path(statsmodels.__file__).parent / "treatment" / "tests" / "results" / "cataneo2.csv"
PS = "mmarried_ + mage + I(mage**2) + fbaby_ + medu"
OUTCOME = ["prenatal1_", "mmarried_", "mage", "fbaby_"]
# Stata teffects, probit propensity, robust SEs (reference README section 5)
STATA = {"ipw": (-230.68863779526, 25.815243801554),
         "aipw": (-230.98920111258, 26.210564625435)}


@pytest.fixture(scope="module")
def births() -> pd.DataFrame:
    return pd.read_csv(CATANEO)


@pytest.mark.parametrize("method", ["ipw", "aipw"])
def test_cataneo_probit_matches_stata(births, method):
    res = weighting_estimate(births, "mbsmoke_", "bweight", PS, method=method,
                             propensity="probit", outcome_covariates=OUTCOME)
    est, se = STATA[method]
    row = res.tidy.iloc[0]
    assert row["estimate"] == pytest.approx(est, rel=1e-4)
    assert row["se"] == pytest.approx(se, rel=1e-3)
    assert (row["n_treated"], row["n_control"]) == (864, 3778)
    assert row["ci_low"] < est < row["ci_high"]
    assert list(res.tidy.columns[1:7]) == ["estimate", "se", "ci_low", "ci_high",
                                           "n_treated", "n_control"]


def test_formula_and_column_names_agree(births):
    births = births.assign(mage2=births["mage"] ** 2)
    a = weighting_estimate(births, "mbsmoke_", "bweight", PS, method="ipw")
    b = weighting_estimate(births, "mbsmoke_", "bweight",
                           ["mmarried_", "mage", "mage2", "fbaby_", "medu"], method="ipw")
    assert a.tidy["estimate"].iloc[0] == pytest.approx(b.tidy["estimate"].iloc[0], rel=1e-10)
    assert a.tidy["se"].iloc[0] == pytest.approx(b.tidy["se"].iloc[0], rel=1e-6)


def test_naive_difference_and_balance(births):
    res = weighting_estimate(births, "mbsmoke_", "bweight", PS, method="aipw",
                             propensity="probit", outcome_covariates=OUTCOME)
    naive = res.naive.iloc[0]
    raw = births.groupby("mbsmoke_")["bweight"].mean()
    assert naive["estimate"] == pytest.approx(raw[1] - raw[0], rel=1e-12)
    # smokers are less often married: weighting removes most of the imbalance
    bal = res.balance.set_index("covariate")
    assert bal.loc["mmarried_", "smd_raw"] < -0.5
    assert abs(bal.loc["mmarried_", "smd_weighted"]) < 0.05
    assert (bal["smd_weighted"].abs() < bal["smd_raw"].abs()).all()
    ov = res.overlap.set_index("arm")
    assert ov.loc["treated", "n"] == 864
    assert 0 < ov.loc["control", "min"] < ov.loc["control", "p50"] < ov.loc["control", "max"] < 1
    assert "no trimming" in res.overlap.attrs["rule"]


def test_trimming_drops_and_refits(births):
    full = weighting_estimate(births, "mbsmoke_", "bweight", PS, method="ipw")
    res = weighting_estimate(births, "mbsmoke_", "bweight", PS, method="ipw", trim=0.05)
    dropped = int(((full.propensity < 0.05) | (full.propensity > 0.95)).sum())
    assert dropped > 0
    assert len(res.propensity) == len(births) - dropped
    assert f"({dropped} units)" in res.trim_rule


def test_sampling_weights_are_not_frequencies(births):
    """Doubling every weight changes nothing; duplicating the rows halves the variance."""
    kw = dict(method="aipw", propensity="logit", outcome_covariates=OUTCOME)
    base = weighting_estimate(births, "mbsmoke_", "bweight", PS, **kw)
    same = weighting_estimate(births.assign(w=2.0), "mbsmoke_", "bweight", PS, weight="w",
                              **kw)
    assert same.tidy["se"].iloc[0] == pytest.approx(base.tidy["se"].iloc[0], rel=1e-6)
    dup = weighting_estimate(pd.concat([births, births], ignore_index=True), "mbsmoke_",
                             "bweight", PS, **kw)
    assert dup.tidy["se"].iloc[0] == pytest.approx(base.tidy["se"].iloc[0] / np.sqrt(2),
                                                   rel=1e-6)


def test_weighted_ipw_is_the_weighted_hajek_mean(births):
    rng = np.random.default_rng(7)
    data = births.assign(w=rng.uniform(0.5, 3, len(births)))
    res = weighting_estimate(data, "mbsmoke_", "bweight", PS, method="ipw", weight="w")
    p = res.propensity.to_numpy()
    d, y, s = data["mbsmoke_"].to_numpy(), data["bweight"].to_numpy(), data["w"].to_numpy()
    mu1 = (s * d / p) @ y / (s * d / p).sum()
    mu0 = (s * (1 - d) / (1 - p)) @ y / (s * (1 - d) / (1 - p)).sum()
    assert res.tidy["estimate"].iloc[0] == pytest.approx(mu1 - mu0, rel=1e-10)
    unweighted = weighting_estimate(births, "mbsmoke_", "bweight", PS, method="ipw")
    assert res.tidy["estimate"].iloc[0] != pytest.approx(unweighted.tidy["estimate"].iloc[0],
                                                         rel=1e-4)


def test_bad_arguments(births):
    with pytest.raises(ValueError, match="method"):
        weighting_estimate(births, "mbsmoke_", "bweight", PS, method="matching")
    with pytest.raises(KeyError):
        weighting_estimate(births, "mbsmoke_", "bweight", ["nope"])
