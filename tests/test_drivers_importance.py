"""Driver importance against R ``relaimpo`` on ``swiss``; relative weights; IPA quadrants."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gotone_analysis.drivers import importance, importance_performance
from gotone_analysis.drivers.importance import subset_r2
from gotone_analysis.errors import UsageError

DATA = Path(__file__).parent / "reference" / "data"
DRIVERS = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]
# R relaimpo::calc.relimp(Fertility ~ ., swiss, type="lmg") (Grömping 2006)
LMG = [0.0570912207681, 0.1711730289002, 0.2601346786244, 0.1055701503735, 0.1127659229265]
R2 = 0.706735001593


@pytest.fixture(scope="module")
def swiss() -> pd.DataFrame:
    return pd.read_csv(DATA / "swiss.csv")


def test_shapley_matches_relaimpo(swiss):
    out = importance(swiss, "Fertility", DRIVERS)
    np.testing.assert_allclose(out["raw"], LMG, atol=1e-8, rtol=0)
    assert out["raw"].sum() == pytest.approx(R2, abs=1e-10)
    assert out["share"].sum() == pytest.approx(1.0)
    # signs of the full-model coefficients (lm(Fertility ~ ., swiss))
    assert out["sign"].tolist() == [-1, -1, -1, 1, 1]


def test_relative_weights_sum_to_r2(swiss):
    out = importance(swiss, "Fertility", DRIVERS, method="relative_weights")
    assert out["raw"].sum() == pytest.approx(R2, abs=1e-10)
    assert (out["raw"] > 0).all()
    # with uncorrelated drivers every method gives the squared correlations
    rng = np.random.default_rng(1)
    x = np.linalg.qr(rng.normal(size=(400, 3)) - 0.0)[0]
    x = x - x.mean(axis=0)
    y = x @ np.array([3.0, 2.0, 1.0]) + rng.normal(scale=0.01, size=400)
    df = pd.DataFrame(x, columns=list("abc")).assign(y=y)
    cor = np.array([np.corrcoef(df[c], df["y"])[0, 1] ** 2 for c in "abc"])
    for method in ("shapley", "relative_weights"):
        got = importance(df, "y", list("abc"), method=method)["raw"].to_numpy()
        np.testing.assert_allclose(got, cor, atol=2e-3)


def test_subset_r2_against_least_squares(swiss):
    z = swiss[DRIVERS + ["Fertility"]].to_numpy(float)
    corr = np.corrcoef(z.T)[None]
    r2 = subset_r2(corr)[0]
    mask = 0b10101
    cols = [DRIVERS[j] for j in range(5) if mask >> j & 1]
    x = np.column_stack([np.ones(len(swiss)), swiss[cols]])
    beta, *_ = np.linalg.lstsq(x, swiss["Fertility"], rcond=None)
    resid = swiss["Fertility"] - x @ beta
    assert r2[mask] == pytest.approx(1 - resid.var() / swiss["Fertility"].var(), rel=1e-10)


def test_weights_and_replicate_intervals(swiss):
    w = swiss.assign(w=np.linspace(1, 3, len(swiss)))
    plain = importance(w, "Fertility", DRIVERS)
    weighted = importance(w, "Fertility", DRIVERS, weight="w", replicates=100, seed=2)
    assert not np.allclose(plain["raw"], weighted["raw"])
    assert (weighted["se"] > 0).all()
    assert ((weighted["ci_low"] <= weighted["raw"]) & (weighted["raw"] <= weighted["ci_high"])).all()
    # a frequency-weight copy of the data gives the same point estimates
    rep = swiss.loc[swiss.index.repeat(2)]
    dup = importance(swiss.assign(w=2.0), "Fertility", DRIVERS, weight="w")
    np.testing.assert_allclose(importance(rep, "Fertility", DRIVERS)["raw"], dup["raw"])


def test_fast_with_fifteen_drivers():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3000, 15))
    x[:, 1] += 0.6 * x[:, 0]
    df = pd.DataFrame(x, columns=[f"d{i}" for i in range(15)])
    df["y"] = x @ np.linspace(1, 0.1, 15) + rng.normal(size=3000)
    start = time.perf_counter()
    out = importance(df, "y", list(df.columns[:15]), replicates=20)
    assert time.perf_counter() - start < 20
    assert out["raw"].sum() == pytest.approx(out.attrs["r2"])
    assert out["raw"].iloc[0] > out["raw"].iloc[-1]


def test_importance_performance_quadrants(swiss):
    cur = swiss.assign(Fertility=swiss["Fertility"])
    prev = swiss.sample(frac=1.0, replace=True, random_state=1)
    out = importance_performance(cur, prev, "Fertility", DRIVERS, ranges=(0, 100))
    assert set(out["period"]) == {"current", "comparison"}
    row = out[(out["period"] == "current") & (out["driver"] == "Education")].iloc[0]
    assert row["performance"] == pytest.approx(swiss["Education"].mean())
    imp_mid, perf_mid = out.attrs["importance_midpoint"], out.attrs["performance_midpoint"]
    assert imp_mid == pytest.approx(0.2)
    for r in out.itertuples():
        expect = {(True, True): "keep_up", (True, False): "concentrate_here",
                  (False, False): "low_priority", (False, True): "possible_overkill"}
        assert r.quadrant == expect[(r.importance >= imp_mid, r.performance >= perf_mid)]
    with pytest.raises(UsageError):
        importance(swiss, "Fertility", DRIVERS, method="anova")
